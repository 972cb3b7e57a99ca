"""The resource kinds OctoDesk moves, their routes, and the order in which import creates them.

The kind names are the folder names in a bundle (``resources/<Kind>/<source id>.json``) and the keys of
every report: keep them stable.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    name: str
    route: str  # collection route under /api/{spaceId}/ (or /api/ when not space-scoped)
    space_scoped: bool = True
    has_all: bool = True  # GET {route}/all exists (2021.2 Swagger)
    level: int = 0  # import order: lower levels are written first


TAG_SET = Kind("TagSet", "tagsets", level=0)  # before environments: environment tags name its tags
ENVIRONMENT = Kind("Environment", "environments", level=0)
WORKER_POOL = Kind("WorkerPool", "workerpools", level=0)
FEED = Kind("Feed", "feeds", level=0)
TEAM = Kind("Team", "teams", space_scoped=False, level=0)
GIT_CREDENTIAL = Kind("GitCredential", "git-credentials", has_all=False, level=0)  # 2023.1+
ACTION_TEMPLATE = Kind("ActionTemplate", "actiontemplates", level=1)
ACCOUNT = Kind("Account", "accounts", level=1)
CERTIFICATE = Kind("Certificate", "certificates", level=1)
LIFECYCLE = Kind("Lifecycle", "lifecycles", level=1)
PROJECT_GROUP = Kind("ProjectGroup", "projectgroups", level=1)
LIBRARY_VARIABLE_SET = Kind("LibraryVariableSet", "libraryvariablesets", level=1)
PROJECT = Kind("Project", "projects", level=2)
DEPLOYMENT_PROCESS = Kind("DeploymentProcess", "deploymentprocesses", has_all=False, level=3)
VARIABLE_SET = Kind("VariableSet", "variables", level=3)
CHANNEL = Kind("Channel", "channels", level=3)
RUNBOOK = Kind("Runbook", "runbooks", level=3)
RUNBOOK_PROCESS = Kind("RunbookProcess", "runbookProcesses", has_all=False, level=4)
PROJECT_TRIGGER = Kind("ProjectTrigger", "projecttriggers", has_all=False, level=4)
# Only the settings a project document does not carry (projects/{id}/deploymentsettings; settings.py).
DEPLOYMENT_SETTINGS = Kind("DeploymentSettings", "deploymentsettings", has_all=False, level=4)
TENANT = Kind("Tenant", "tenants", level=5)
TENANT_VARIABLES = Kind("TenantVariables", "tenants", has_all=False, level=6)  # /tenants/{id}/variables

ALL_KINDS: tuple[Kind, ...] = (
    TAG_SET,
    ENVIRONMENT,
    WORKER_POOL,
    FEED,
    TEAM,
    GIT_CREDENTIAL,
    ACTION_TEMPLATE,
    ACCOUNT,
    CERTIFICATE,
    LIFECYCLE,
    PROJECT_GROUP,
    LIBRARY_VARIABLE_SET,
    PROJECT,
    DEPLOYMENT_PROCESS,
    VARIABLE_SET,
    CHANNEL,
    RUNBOOK,
    RUNBOOK_PROCESS,
    PROJECT_TRIGGER,
    DEPLOYMENT_SETTINGS,
    TENANT,
    TENANT_VARIABLES,
)
KINDS_BY_NAME = {kind.name: kind for kind in ALL_KINDS}

# Not resources but carried in a bundle as binary entries: logos/<ProjectSourceId>.<ext>
PROJECT_LOGO = "ProjectLogo"

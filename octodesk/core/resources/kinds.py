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


TAG_SET = Kind("TagSet", "tagsets")  # before environments: environment tags name its tags
ENVIRONMENT = Kind("Environment", "environments")
WORKER_POOL = Kind("WorkerPool", "workerpools")
FEED = Kind("Feed", "feeds")
TEAM = Kind("Team", "teams", space_scoped=False)
GIT_CREDENTIAL = Kind("GitCredential", "git-credentials", has_all=False)  # 2023.1+
ACTION_TEMPLATE = Kind("ActionTemplate", "actiontemplates")
ACCOUNT = Kind("Account", "accounts")
CERTIFICATE = Kind("Certificate", "certificates")
LIFECYCLE = Kind("Lifecycle", "lifecycles")
PROJECT_GROUP = Kind("ProjectGroup", "projectgroups")
LIBRARY_VARIABLE_SET = Kind("LibraryVariableSet", "libraryvariablesets")
PROJECT = Kind("Project", "projects")
DEPLOYMENT_PROCESS = Kind("DeploymentProcess", "deploymentprocesses", has_all=False)
VARIABLE_SET = Kind("VariableSet", "variables")
CHANNEL = Kind("Channel", "channels")
RUNBOOK = Kind("Runbook", "runbooks")
RUNBOOK_PROCESS = Kind("RunbookProcess", "runbookProcesses", has_all=False)
PROJECT_TRIGGER = Kind("ProjectTrigger", "projecttriggers", has_all=False)
# Only the settings a project document does not carry (projects/{id}/deploymentsettings; settings.py).
DEPLOYMENT_SETTINGS = Kind("DeploymentSettings", "deploymentsettings", has_all=False)
TENANT = Kind("Tenant", "tenants")
TENANT_VARIABLES = Kind("TenantVariables", "tenants", has_all=False)  # /tenants/{id}/variables

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

_ORDER = {kind.name: position for position, kind in enumerate(ALL_KINDS)}


def sort_key(kind_name: str) -> tuple[int, str]:
    """Kinds in import order (logos after the kinds), unknown names last: how every list of kinds reads."""
    return (_ORDER.get(kind_name, len(_ORDER)), kind_name)

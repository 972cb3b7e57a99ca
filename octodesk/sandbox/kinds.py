"""The resource kinds the sandbox serves: route, id prefix, naming rules and a new one's fields."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


def _retention(unit: str, quantity: int) -> dict[str, Any]:
    return {"Unit": unit, "QuantityToKeep": quantity, "ShouldKeepForever": quantity == 0}


def _tenancy() -> dict[str, Any]:
    return {
        "EnvironmentIds": [],
        "TenantIds": [],
        "TenantTags": [],
        "TenantedDeploymentParticipation": "Untenanted",
    }


@dataclass(frozen=True)
class Kind:
    route: str
    id_prefix: str
    item_type: str
    defaults: Callable[[], dict[str, Any]] = field(default=dict)
    unique_names: str | None = "space"  # "space", "project" (per ProjectId) or None
    sort: str | None = "name"  # "name", "sortorder" or None (insertion order)
    has_all: bool = True
    paged: bool = True  # GET {route} answers a paged collection (variable sets have only /all and /{id})
    slug: bool = False
    creatable: bool = True
    template_params: str = "skip,take,ids,partialName"


KINDS: dict[str, Kind] = {
    kind.route: kind
    for kind in (
        Kind(
            "spaces",
            "Spaces",
            "Space",
            lambda: {
                "Description": "",
                "IsDefault": False,
                "TaskQueueStopped": False,
                "SpaceManagersTeams": [],
                "SpaceManagersTeamMembers": [],
            },
            slug=True,
        ),
        Kind(
            "teams",
            "Teams",
            "Team",
            lambda: {
                "Description": "",
                "MemberUserIds": [],
                "ExternalSecurityGroups": [],
                "CanBeDeleted": True,
                "CanBeRenamed": True,
                "CanChangeMembers": True,
                "CanChangeRoles": True,
            },
            template_params="skip,take,ids,partialName,spaces,includeSystem",
        ),
        Kind(
            "projectgroups",
            "ProjectGroups",
            "ProjectGroup",
            lambda: {
                "Description": "",
                "EnvironmentIds": [],
                "RetentionPolicyId": None,
            },
            slug=True,
        ),
        Kind(
            "lifecycles",
            "Lifecycles",
            "Lifecycle",
            lambda: {
                "Description": "",
                "Phases": [],
                "ReleaseRetentionPolicy": _retention("Days", 30),
                "TentacleRetentionPolicy": _retention("Days", 30),
            },
            slug=True,
        ),
        Kind(
            "environments",
            "Environments",
            "Environment",
            lambda: {
                "Description": "",
                "UseGuidedFailure": False,
                "AllowDynamicInfrastructure": False,
                "ExtensionSettings": [],
            },
            sort="sortorder",
            slug=True,
            template_params="name,skip,ids,take,partialName",
        ),
        Kind(
            "projects",
            "Projects",
            "Project",
            lambda: {
                "Description": "",
                "IsDisabled": False,
                "ClonedFromProjectId": None,
                "AutoCreateRelease": False,
                "IncludedLibraryVariableSetIds": [],
                "DefaultToSkipIfAlreadyInstalled": False,
                "TenantedDeploymentMode": "Untenanted",
                "DefaultGuidedFailureMode": "EnvironmentDefault",
                "VersioningStrategy": {
                    "Template": "#{Octopus.Version.LastMajor}.#{Octopus.Version.LastMinor}"
                    ".#{Octopus.Version.NextPatch}",
                    "DonorPackage": None,
                    "DonorPackageStepId": None,
                },
                "ReleaseCreationStrategy": {
                    "ChannelId": None,
                    "ReleaseCreationPackage": None,
                    "ReleaseCreationPackageStepId": None,
                },
                "Templates": [],
                "AutoDeployReleaseOverrides": [],
                "ReleaseNotesTemplate": None,
                "DeploymentChangesTemplate": None,
                "DiscreteChannelRelease": False,
                "ExtensionSettings": [],
                "ProjectConnectivityPolicy": {
                    "SkipMachineBehavior": "None",
                    "TargetRoles": [],
                    "AllowDeploymentsToNoTargets": False,
                    "ExcludeUnhealthyTargets": False,
                },
                "IsVersionControlled": False,
                "PersistenceSettings": {"Type": "Database"},
            },
            slug=True,
            template_params="name,skip,ids,clone,take,partialName,clonedFromProjectId",
        ),
        Kind(
            "channels",
            "Channels",
            "Channel",
            lambda: {
                "Description": "",
                "LifecycleId": None,
                "IsDefault": False,
                "Rules": [],
                "TenantTags": [],
            },
            unique_names="project",
            slug=True,
        ),
        Kind(
            "deploymentprocesses",
            "deploymentprocess",
            "DeploymentProcess",
            unique_names=None,
            sort=None,
            has_all=False,
            creatable=False,
            template_params="skip,take,ids",
        ),
        Kind(
            "runbooks",
            "Runbooks",
            "Runbook",
            lambda: {
                "Description": "",
                "MultiTenancyMode": "Untenanted",
                "EnvironmentScope": "All",
                "Environments": [],
                "ConnectivityPolicy": {
                    "SkipMachineBehavior": "None",
                    "TargetRoles": [],
                    "AllowDeploymentsToNoTargets": True,
                    "ExcludeUnhealthyTargets": False,
                },
                "DefaultGuidedFailureMode": "EnvironmentDefault",
                "PublishedRunbookSnapshotId": None,
                "RunRetentionPolicy": _retention("Items", 100),
            },
            unique_names="project",
            slug=True,
            template_params="skip,take,ids,partialName,clone,projectIds",
        ),
        Kind(
            "runbookProcesses",
            "RunbookProcess",
            "RunbookProcess",
            unique_names=None,
            sort=None,
            has_all=False,
            creatable=False,
            template_params="skip,take,ids",
        ),
        Kind(
            "variables",
            "variableset",
            "VariableSet",
            unique_names=None,
            sort=None,
            creatable=False,
            paged=False,
            template_params="ids",
        ),
        Kind(
            "libraryvariablesets",
            "LibraryVariableSets",
            "LibraryVariableSet",
            lambda: {
                "Description": "",
                "ContentType": "Variables",
                "Templates": [],
            },
            template_params="skip,contentType,take,ids,partialName",
        ),
        Kind(
            "tenants",
            "Tenants",
            "Tenant",
            lambda: {
                "Description": "",
                "ProjectEnvironments": {},
                "TenantTags": [],
                "ClonedFromTenantId": None,
            },
            slug=True,
            template_params="skip,projectId,name,tags,take,ids,clone,partialName,clonedFromTenantId",
        ),
        Kind("tagsets", "TagSets", "TagSet", lambda: {"Description": "", "Tags": []}, sort="sortorder"),
        Kind(
            "actiontemplates",
            "ActionTemplates",
            "ActionTemplate",
            lambda: {
                "Description": "",
                "Version": 0,
                "CommunityActionTemplateId": None,
                "Properties": {},
                "Packages": [],
                "Parameters": [],
            },
        ),
        Kind(
            "accounts",
            "Accounts",
            "Account",
            lambda: {"Description": "", **_tenancy()},
            slug=True,
            template_params="skip,take,ids,partialName,accountType",
        ),
        Kind(
            "certificates",
            "Certificates",
            "Certificate",
            lambda: {
                "Notes": "",
                "Archived": None,
                "ReplacedBy": None,
                "CertificateChain": [],
                **_tenancy(),
            },
            template_params="skip,take,search,archived,tenant,firstResult,orderBy,ids,partialName",
        ),
        Kind(
            "workerpools",
            "WorkerPools",
            "WorkerPool",
            lambda: {
                "Description": "",
                "IsDefault": False,
                "WorkerPoolType": "StaticWorkerPool",
                "CanAddWorkers": True,
            },
            sort="sortorder",
            slug=True,
        ),
        Kind(
            "feeds",
            "Feeds",
            "Feed",
            lambda: {"PackageAcquisitionLocationOptions": ["Server", "ExecutionTarget"]},
            slug=True,
            template_params="skip,take,ids,partialName,feedType,name",
        ),
        Kind(
            "git-credentials",
            "GitCredentials",
            "GitCredential",
            lambda: {"Description": ""},
            has_all=False,
            template_params="skip,take,name",
        ),
        Kind(
            "projecttriggers",
            "ProjectTriggers",
            "ProjectTrigger",
            lambda: {
                "Description": "",
                "IsDisabled": False,
            },
            unique_names="project",
            has_all=False,
            template_params="skip,take,ids,runbooks",
        ),
        Kind(
            "machines",
            "Machines",
            "Machine",
            lambda: {
                "IsDisabled": False,
                "HealthStatus": "Unknown",
                "Status": "Unknown",
                "StatusSummary": "",
                "HasLatestCalamari": True,
                "IsInProcess": False,
                "Roles": [],
                "MachinePolicyId": "MachinePolicies-1",
                "Endpoint": {"CommunicationStyle": "None"},
                "Thumbprint": None,
                "Uri": None,
                "OperatingSystem": "Unknown",
                "ShellName": "Unknown",
                "ShellVersion": "Unknown",
                "Architecture": "Unknown",
                **_tenancy(),
            },
            slug=True,
            template_params="skip,take,name,ids,partialName,roles,isDisabled,environmentIds",
        ),
    )
}

# Kinds whose routes live under /api/{spaceId}/ (teams are global and also reachable there).
SPACE_ROUTES = frozenset(route for route in KINDS if route not in ("spaces",))

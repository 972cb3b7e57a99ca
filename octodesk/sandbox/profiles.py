"""What differs between the Octopus Server versions the sandbox can pretend to be, in one place.

``SandboxServer(version=...)`` picks the newest profile not newer than the version asked for (anything older
than 2021.2 gets the 2021.2 profile). Each fact names its source; docs/api-evidence.md has the full
citations, and "inferred" there marks the facts that rest on reasoning rather than on a source that states
them (usually: the date a client library added a field, taken as the first server that had it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

# FeedType enum of the 2021.2 Swagger (BuiltIn is the space's own feed; it cannot be created).
_FEEDS_2021 = frozenset(
    {"NuGet", "Docker", "Maven", "OctopusProject", "GitHub", "Helm", "AwsElasticContainerRegistry", "BuiltIn"}
)
# AccountType values Octopus.Client knew by mid-2021 (Accounts/AccountType.cs history).
_ACCOUNTS_2021 = frozenset(
    {
        "UsernamePassword",
        "SshKeyPair",
        "AzureSubscription",
        "AzureServicePrincipal",
        "AmazonWebServicesAccount",
        "AmazonWebServicesRoleAccount",
        "Token",
        "GoogleCloudAccount",
    }
)
# DeploymentSettingsResource properties of the 2021.2 Swagger (besides Id, ProjectId, SpaceId, Links...).
_SETTINGS_2021 = (
    "ConnectivityPolicy",
    "DefaultGuidedFailureMode",
    "DefaultToSkipIfAlreadyInstalled",
    "DeploymentChangesTemplate",
    "ReleaseNotesTemplate",
    "VersioningStrategy",
)
SCOPED_TENANT_VARIABLES = "CommonVariableScopingFeatureToggle"


@dataclass(frozen=True)
class Profile:
    name: str  # "2023.1": the release line
    version: str  # the full version /api reports when only the line is asked for
    feed_types: frozenset[str]
    account_types: frozenset[str]
    deployment_settings: tuple[str, ...]  # fields GET/PUT projects/{id}/deploymentsettings carries
    git_credentials: bool  # /api/{spaceId}/git-credentials exists
    tenant_variables_token: bool  # tenant variables carry a ConcurrencyToken that a write must match
    project_variables_route: bool  # /api/{spaceId}/projects/{id}/variables exists
    # None: GET /api/configuration/feature-toggles is not served; otherwise the toggles it lists.
    feature_toggles: Mapping[str, bool] | None = field(default=None)

    @property
    def scoped_tenant_variables(self) -> bool:
        """Tenant common/project variables with environment scopes on their own endpoints; the legacy
        tenant variables write is refused."""
        return bool((self.feature_toggles or {}).get(SCOPED_TENANT_VARIABLES))

    @property
    def key(self) -> tuple[int, int]:
        return _line(self.name)


PROFILES: tuple[Profile, ...] = (
    Profile(
        name="2021.2",
        version="2021.2.4488",  # the reference Swagger's server
        feed_types=_FEEDS_2021,
        account_types=_ACCOUNTS_2021,
        deployment_settings=_SETTINGS_2021,
        git_credentials=False,  # not in the 2021.2 Swagger
        tenant_variables_token=False,  # TenantVariableResource of the 2021.2 Swagger has no token
        project_variables_route=False,  # not in the 2021.2 Swagger
    ),
    Profile(
        name="2023.1",
        version="2023.1.9626",  # the captured 2023.1 API root (reference/samples/api-root-2023.1.json)
        feed_types=_FEEDS_2021 | {"S3", "AzureContainerRegistry", "GoogleContainerRegistry"},
        account_types=_ACCOUNTS_2021,
        deployment_settings=(*_SETTINGS_2021, "ForcePackageDownload"),
        git_credentials=True,  # GitCredentials link in the 2023.1 API root
        tenant_variables_token=True,  # Octopus.Client added ConcurrencyToken in 2022-02
        project_variables_route=False,
    ),
    Profile(
        name="2025.2",
        version="2025.2.11370",  # first release with scoped common variables (OctopusDeploy/Issues#9414)
        feed_types=_FEEDS_2021
        | {"S3", "AzureContainerRegistry", "GoogleContainerRegistry", "OciRegistry", "ArtifactoryGeneric"},
        account_types=_ACCOUNTS_2021 | {"AzureOidc", "GenericOidcAccount"},
        deployment_settings=(*_SETTINGS_2021, "ForcePackageDownload", "FailTargetDiscovery"),
        git_credentials=True,
        tenant_variables_token=True,
        project_variables_route=True,  # Links.Variables of a captured 2024.3 project points there
        feature_toggles={SCOPED_TENANT_VARIABLES: True},
    ),
    Profile(
        name="2026.3",
        version="2026.3.1124",  # a version reported in OctopusDeploy/Issues#10107
        feed_types=_FEEDS_2021
        | {
            "S3",
            "AzureContainerRegistry",
            "GoogleContainerRegistry",
            "OciRegistry",
            "ArtifactoryGeneric",
            "Npm",
            "GcsStorage",
            "PyPi",
        },
        account_types=_ACCOUNTS_2021 | {"AzureOidc", "GenericOidcAccount"},
        deployment_settings=(
            *_SETTINGS_2021,
            "ForcePackageDownload",
            "FailTargetDiscovery",
            "CancelQueuedTasks",
            "CancelRunningTasks",
        ),
        git_credentials=True,
        tenant_variables_token=True,
        project_variables_route=True,
        feature_toggles={SCOPED_TENANT_VARIABLES: True},
    ),
)
PROFILE_NAMES = tuple(profile.name for profile in PROFILES)
_VERSION = re.compile(r"^\s*(\d{4})\.(\d+)(?:\.(\d+))?")


def _line(version: str) -> tuple[int, int]:
    match = _VERSION.match(version)
    if match is None:
        raise ValueError(
            f"'{version}' is not an Octopus Server version (like 2023.1 or 2023.1.9626); profiles: "
            + ", ".join(PROFILE_NAMES)
        )
    return int(match.group(1)), int(match.group(2))


def profile_for(version: str) -> Profile:
    """The newest profile whose release line is not newer than ``version``."""
    line = _line(version)
    chosen = PROFILES[0]
    for profile in PROFILES:
        if profile.key <= line:
            chosen = profile
    return chosen


def full_version(version: str) -> str:
    """``2023.1`` -> the profile's full version; a full version is kept as given."""
    profile = profile_for(version)
    return profile.version if version.strip() == profile.name else version.strip()

"""Shared resources of the demo's "Default" space: everything the projects reference (see demo.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .assets import self_signed_pfx
from .space import SpaceWriter, secret, template_parameter, variable
from .step_templates import create_demo_templates

CERTIFICATE_PASSWORD = "Portal-Cert-2026!"  # demo data only: lets a test re-import the generated PFX


@dataclass
class DemoSpace:
    """Ids (as assigned by the server) of the shared resources the demo projects use."""

    space: SpaceWriter
    environments: dict[str, str] = field(default_factory=dict)
    lifecycles: dict[str, str] = field(default_factory=dict)
    project_groups: dict[str, str] = field(default_factory=dict)
    worker_pools: dict[str, str] = field(default_factory=dict)
    feeds: dict[str, str] = field(default_factory=dict)
    accounts: dict[str, str] = field(default_factory=dict)
    certificates: dict[str, str] = field(default_factory=dict)
    teams: dict[str, str] = field(default_factory=dict)
    templates: dict[str, dict[str, Any]] = field(default_factory=dict)
    library_sets: dict[str, dict[str, Any]] = field(default_factory=dict)
    machines: dict[str, str] = field(default_factory=dict)

    def env(self, *names: str) -> list[str]:
        return [self.environments[name] for name in names]


ENVIRONMENTS = [
    ("Development", "Developer integration; deployed on every build."),
    ("Test", "QA and automated regression tests."),
    ("Staging", "Production-like rehearsal for hotfixes."),
    ("Production", "Live customer traffic."),
    ("Sandbox Lab", "Experiments by the platform team; not part of any release path."),
]


def build_shared(space: SpaceWriter, *, cloud: bool) -> DemoSpace:
    demo = DemoSpace(space)
    for order, (name, description) in enumerate(ENVIRONMENTS):
        created = space.create(
            "environments",
            {
                "Name": name,
                "Description": description,
                "SortOrder": order,
                "UseGuidedFailure": name == "Production",
                "AllowDynamicInfrastructure": name != "Production",
                "ExtensionSettings": [],
            },
        )
        demo.environments[name] = created["Id"]
    _lifecycles(demo)
    for name, description in [
        ("Customer Applications", "Customer-facing web and mobile applications."),
        ("Back Office Services", "Billing, data and other internal services."),
        ("Release Trains", "Orchestration projects that release several applications together."),
    ]:
        demo.project_groups[name] = space.create(
            "projectgroups",
            {
                "Name": name,
                "Description": description,
                "EnvironmentIds": [],
                "RetentionPolicyId": None,
            },
        )["Id"]
    _tag_sets(space)
    _worker_pools(demo, cloud=cloud)
    _feeds(demo)
    _accounts(demo)
    demo.certificates["Portal TLS"] = space.create(
        "certificates",
        {
            "Name": "Portal TLS",
            "Notes": "Wildcard-style certificate for the customer portal (self-signed in the demo).",
            "CertificateData": secret(self_signed_pfx("portal.acme.example", CERTIFICATE_PASSWORD)),
            "Password": secret(CERTIFICATE_PASSWORD),
            "EnvironmentIds": demo.env("Test", "Staging", "Production"),
            "TenantIds": [],
            "TenantTags": [],
            "TenantedDeploymentParticipation": "Untenanted",
        },
    )["Id"]
    demo.teams["Release Approvers"] = space.team(
        "Release Approvers", "Signs off production releases (manual intervention steps)."
    )["Id"]
    demo.teams["Ops Notifications"] = space.team(
        "Ops Notifications", "Receives deployment e-mails from the operations steps."
    )["Id"]
    demo.templates = create_demo_templates(space)
    _library_sets(demo)
    return demo


def _lifecycles(demo: DemoSpace) -> None:
    space = demo.space
    default = space.find("lifecycles", "Default Lifecycle")
    default["Phases"] = [
        _phase(name, [demo.environments[name]]) for name in ("Development", "Test", "Production")
    ]
    demo.lifecycles["Default Lifecycle"] = space.put(f"lifecycles/{default['Id']}", default)["Id"]
    demo.lifecycles["Hotfix"] = space.create(
        "lifecycles",
        {
            "Name": "Hotfix",
            "Description": "Urgent fixes: rehearse in Staging, then straight to Production.",
            "Phases": [_phase("Staging", demo.env("Staging")), _phase("Production", demo.env("Production"))],
            "ReleaseRetentionPolicy": _retention(5),
            "TentacleRetentionPolicy": _retention(3),
        },
    )["Id"]


def _phase(name: str, automatic: list[str]) -> dict[str, Any]:
    return {
        "Name": name,
        "AutomaticDeploymentTargets": [] if name == "Production" else automatic,
        "OptionalDeploymentTargets": automatic if name == "Production" else [],
        "MinimumEnvironmentsBeforePromotion": 0,
        "IsOptionalPhase": False,
        "ReleaseRetentionPolicy": None,
        "TentacleRetentionPolicy": None,
    }


def _retention(items: int) -> dict[str, Any]:
    return {"Unit": "Items", "QuantityToKeep": items, "ShouldKeepForever": False}


def _tag_sets(space: SpaceWriter) -> None:
    for order, (name, description, tags) in enumerate(
        [
            ("Region", "Where the tenant's data lives.", [("EU", "#1F6FB5"), ("US", "#B5471F")]),
            ("Tier", "Service level bought by the tenant.", [("Gold", "#C9A227"), ("Silver", "#9EA3A8")]),
        ]
    ):
        space.create(
            "tagsets",
            {
                "Name": name,
                "Description": description,
                "SortOrder": order,
                "Tags": [
                    {"Name": tag, "Color": colour, "Description": "", "SortOrder": index}
                    for index, (tag, colour) in enumerate(tags)
                ],
            },
        )


def _worker_pools(demo: DemoSpace, *, cloud: bool) -> None:
    space = demo.space
    default_pool = next(pool for pool in space.all("workerpools") if pool.get("IsDefault"))
    demo.worker_pools[default_pool["Name"]] = default_pool["Id"]
    demo.worker_pools["Windows Build Workers"] = space.create(
        "workerpools",
        {
            "Name": "Windows Build Workers",
            "Description": "Windows Server 2022 workers with IIS tooling and sqlcmd.",
            "WorkerPoolType": "StaticWorkerPool",
            "IsDefault": False,
            "SortOrder": 2,
            "CanAddWorkers": True,
        },
    )["Id"]
    if cloud:  # dynamic pools exist only on Octopus Cloud
        demo.worker_pools["Hosted Ubuntu"] = space.create(
            "workerpools",
            {
                "Name": "Hosted Ubuntu",
                "Description": "Octopus-hosted Ubuntu workers.",
                "WorkerPoolType": "DynamicWorkerPool",
                "WorkerType": "UbuntuDefault",
                "IsDefault": False,
                "SortOrder": 3,
                "CanAddWorkers": False,
            },
        )["Id"]


def _feeds(demo: DemoSpace) -> None:
    space = demo.space
    demo.feeds["Octopus Server (built-in)"] = space.all("feeds", "feedType=BuiltIn")[0]["Id"]
    releases = space.all("feeds", "feedType=OctopusProject")
    if releases:
        demo.feeds["Octopus Server Releases"] = releases[0]["Id"]
    demo.feeds["Docker Hub"] = space.create(
        "feeds",
        {
            "Name": "Docker Hub",
            "FeedType": "Docker",
            "FeedUri": "https://index.docker.io",
            "ApiVersion": "v2",
            "RegistryPath": None,
            "Username": None,
            "Password": None,
            "DownloadAttempts": 5,
            "DownloadRetryBackoffSeconds": 10,
            "PackageAcquisitionLocationOptions": ["ExecutionTarget", "NotAcquired"],
        },
    )["Id"]
    demo.feeds["Acme NuGet"] = space.create(
        "feeds",
        {
            "Name": "Acme NuGet",
            "FeedType": "NuGet",
            "FeedUri": "https://nuget.acme.example/v3/index.json",
            "Username": "octopus-feed-reader",
            "Password": secret("nuget-Reader-7f3k"),
            "EnhancedMode": False,
            "DownloadAttempts": 5,
            "DownloadRetryBackoffSeconds": 10,
            "PackageAcquisitionLocationOptions": ["Server", "ExecutionTarget"],
        },
    )["Id"]


def _accounts(demo: DemoSpace) -> None:
    space = demo.space
    untenanted = {"TenantIds": [], "TenantTags": [], "TenantedDeploymentParticipation": "Untenanted"}
    demo.accounts["Azure Portal Subscription"] = space.create(
        "accounts",
        {
            "AccountType": "AzureServicePrincipal",
            "Name": "Azure Portal Subscription",
            "Description": "Service principal that purges the portal CDN.",
            "SubscriptionNumber": "5c1f0a6e-2b7d-4c1e-9a43-8d2f6b1e7c90",
            "ClientId": "0e9d8c7b-6a5f-4e3d-2c1b-0a9f8e7d6c5b",
            "TenantId": "3a2b1c0d-9e8f-4a7b-6c5d-4e3f2a1b0c9d",
            "Password": secret("azure-SP-s3cret-value"),
            "AzureEnvironment": "",
            "ResourceManagementEndpointBaseUri": "",
            "ActiveDirectoryEndpointBaseUri": "",
            "EnvironmentIds": [],
            **untenanted,
        },
    )["Id"]
    demo.accounts["AWS Billing"] = space.create(
        "accounts",
        {
            "AccountType": "AmazonWebServicesAccount",
            "Name": "AWS Billing",
            "Description": "Deploys the billing containers and publishes invoice templates.",
            "AccessKey": "AKIAIOSFODNN7DEMO01",
            "SecretKey": secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYDEMOKEY"),
            "Region": "eu-west-1",
            "EnvironmentIds": [],
            **untenanted,
        },
    )["Id"]
    demo.accounts["Production SQL Login"] = space.create(
        "accounts",
        {
            "AccountType": "UsernamePassword",
            "Name": "Production SQL Login",
            "Description": "SQL login used by release scripts in Production only.",
            "Username": "svc_release",
            "Password": secret("Prod-Sql-Pa55!"),
            "EnvironmentIds": demo.env("Production"),
            **untenanted,
        },
    )["Id"]


def _library_sets(demo: DemoSpace) -> None:
    space = demo.space
    common = space.create(
        "libraryvariablesets",
        {
            "Name": "Common Settings",
            "ContentType": "Variables",
            "Description": "Settings shared by every customer-facing application.",
            "Templates": [
                template_parameter("Tenant.ContactEmail", "Contact e-mail", "Where incident notices go."),
                template_parameter(
                    "Tenant.SupportPin", "Support PIN", "Verifies callers to the help desk.", "", "Sensitive"
                ),
            ],
        },
    )
    space.set_variables(
        common["VariableSetId"],
        [
            variable("Smtp.Host", "smtp.acme.example", description="Outbound mail relay."),
            variable("Smtp.Port", "587"),
            variable("Smtp.Password", "mail-Relay-2026", sensitive=True),
            variable("Logging.Level", "Debug", Environment=demo.env("Development", "Test")),
            variable("Logging.Level", "Warning", Environment=demo.env("Production")),
            variable("Telemetry.Endpoint", "https://telemetry.acme.example/ingest"),
            variable(
                "Telemetry.ApiKey", "tel-4f1c9a7e-prod", sensitive=True, Environment=demo.env("Production")
            ),
        ],
    )
    module = space.create(
        "libraryvariablesets",
        {
            "Name": "Acme Deployment Helpers",
            "ContentType": "ScriptModule",
            "Description": "PowerShell functions shared by deployment scripts.",
            "Templates": [],
        },
    )
    space.set_variables(
        module["VariableSetId"],
        [
            variable("Octopus.Script.Module[Acme Deployment Helpers]", _HELPERS_MODULE),
            variable("Octopus.Script.Module.Language[Acme Deployment Helpers]", "PowerShell"),
        ],
    )
    unrelated = space.create(
        "libraryvariablesets",
        {
            "Name": "Data Warehouse Settings",
            "ContentType": "Variables",
            "Description": "Used by the analytics team's own projects; no demo project includes it.",
            "Templates": [],
        },
    )
    space.set_variables(
        unrelated["VariableSetId"],
        [
            variable("Warehouse.Server", "dwh.acme.example"),
            variable("Warehouse.Password", "dwh-Secret-99", sensitive=True),
        ],
    )
    for created in (common, module, unrelated):
        demo.library_sets[created["Name"]] = created


_HELPERS_MODULE = r"""function Write-Banner([string]$Text) {
    Write-Host ('=' * 60)
    Write-Host $Text
    Write-Host ('=' * 60)
}

function Invoke-WithRetry([scriptblock]$Action, [int]$Attempts = 3) {
    for ($i = 1; $i -le $Attempts; $i++) {
        try { return & $Action } catch {
            if ($i -eq $Attempts) { throw }
            Write-Warning "Attempt $i failed: $_"
            Start-Sleep -Seconds (2 * $i)
        }
    }
}
"""


def create_machines(demo: DemoSpace) -> None:
    """Deployment targets: Windows web and database servers plus a Kubernetes cluster for billing."""
    space = demo.space
    tentacles = [
        ("web-dev-01", ["web-server"], "Development", "Untenanted", []),
        ("web-test-01", ["web-server"], "Test", "TenantedOrUntenanted", ["Region/EU", "Region/US"]),
        ("web-stage-01", ["web-server"], "Staging", "Untenanted", []),
        ("web-prod-eu-01", ["web-server"], "Production", "Tenanted", ["Region/EU"]),
        ("web-prod-us-01", ["web-server"], "Production", "Tenanted", ["Region/US"]),
        ("sql-test-01", ["db-server"], "Test", "Untenanted", []),
        ("sql-prod-01", ["db-server"], "Production", "Untenanted", []),
    ]
    for index, (name, roles, environment, participation, tags) in enumerate(tentacles):
        demo.machines[name] = space.create(
            "machines",
            {
                "Name": name,
                "Roles": roles,
                "EnvironmentIds": demo.env(environment),
                "IsDisabled": False,
                "TenantedDeploymentParticipation": participation,
                "TenantIds": [],
                "TenantTags": tags,
                "Endpoint": {
                    "CommunicationStyle": "TentaclePassive",
                    "Uri": f"https://{name}.acme.local:10933/",
                    "Thumbprint": f"{0xA1B2C3D4E5F60718293A4B5C6D7E8F9012345678 + index:040X}",
                },
            },
        )["Id"]
    demo.machines["billing-eks-prod"] = space.create(
        "machines",
        {
            "Name": "billing-eks-prod",
            "Roles": ["billing-cluster"],
            "EnvironmentIds": demo.env("Test", "Production"),
            "IsDisabled": False,
            "TenantedDeploymentParticipation": "Untenanted",
            "TenantIds": [],
            "TenantTags": [],
            "Endpoint": {
                "CommunicationStyle": "Kubernetes",
                "ClusterUrl": "https://billing-eks.eu-west-1.acme.example",
                "Namespace": "billing",
                "SkipTlsVerification": "False",
                "DefaultWorkerPoolId": demo.worker_pools["Windows Build Workers"],
                "Authentication": {
                    "AuthenticationType": "KubernetesAws",
                    "AccountId": demo.accounts["AWS Billing"],
                    "ClusterName": "billing-prod",
                    "UseInstanceRole": False,
                    "AssumeRole": False,
                },
            },
        },
    )["Id"]

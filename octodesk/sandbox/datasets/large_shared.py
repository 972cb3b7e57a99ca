"""Shared resources of the generated ``large`` dataset (environments, lifecycles, templates, ...).

The content is described in large.py; everything here is deterministic (seeded).
"""

from __future__ import annotations

import random
from typing import Any

from .space import SpaceWriter, secret, template_parameter, variable

SEED = 20212  # fixed: every build yields the same names, structure and values

REGIONS = ["EU West", "EU North", "US East", "US West", "US Central", "APAC South", "APAC East", "LATAM"]
STAGES = ["Development", "Test", "UAT", "Staging", "Production"]
EXTRA_ENVIRONMENTS = ["Performance", "Disaster Recovery", "Sandbox"]
DOMAINS = [
    "Payments",
    "Orders",
    "Catalog",
    "Inventory",
    "Shipping",
    "Customer",
    "Identity",
    "Search",
    "Pricing",
    "Loyalty",
    "Reporting",
    "Notifications",
]
COMPONENTS = [
    "API",
    "Worker",
    "Web",
    "Gateway",
    "Scheduler",
    "Sync",
    "Portal",
    "Importer",
    "Exporter",
    "Cache Warmer",
    "Reconciler",
    "Admin",
    "Events",
    "Analytics",
    "Mobile Backend",
    "Docs",
    "Auth Proxy",
    "Webhooks",
    "Batch",
]
TENANT_BRANDS = [
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Vandelay",
    "Stark",
    "Wayne",
    "Wonka",
    "Soylent",
    "Cyberdyne",
    "Tyrell",
    "Gringotts",
    "Oscorp",
    "Aperture",
]
TENANT_SECTORS = ["Retail", "Finance", "Health", "Logistics", "Media", "Energy", "Foods", "Labs"]
TEMPLATE_FAMILIES = {
    "IIS": ["Ensure App Pool", "Ensure Website", "Stop Site", "Start Site"],
    "SQL": ["Run Script", "Backup Database", "Restore Database", "Create Login"],
    "Windows": ["Ensure Service", "Stop Service", "Set Registry Value", "Clean Folder"],
    "HTTP": ["Check Endpoint", "Warm Up", "Invoke Webhook", "Wait For Status"],
    "Slack": ["Post Message", "Post Deployment Status"],
    "Teams": ["Post Card", "Post Deployment Status"],
    "Redis": ["Flush Cache", "Set Key"],
    "Azure": ["Swap Slots", "Restart App Service"],
    "AWS": ["Invalidate CloudFront", "Update Lambda Alias"],
    "Kubernetes": ["Rollout Restart", "Scale Deployment"],
    "Datadog": ["Create Event", "Mute Monitor"],
    "Files": ["Remove Old Files", "Write Version File"],
}
SECRET_PARAMETER = {
    "SQL": "ConnectionString",
    "Slack": "WebhookUrl",
    "Teams": "WebhookUrl",
    "Redis": "Password",
    "Datadog": "ApiKey",
    "HTTP": "BearerToken",
    "Azure": "ClientSecret",
}
ROLES = ["web-server", "app-server", "worker-node", "db-server", "cache-node", "k8s-cluster"]
VARIABLE_NAMES = [
    "App.Name",
    "App.Port",
    "App.BaseUrl",
    "Db.Server",
    "Db.Name",
    "Db.Password",
    "Cache.Host",
    "Cache.Password",
    "Queue.Url",
    "Queue.Concurrency",
    "Api.BaseUrl",
    "Api.Key",
    "Logging.Level",
    "Logging.Sink",
    "Feature.NewCheckout",
    "Feature.DarkLaunch",
    "Timeout.Seconds",
    "Retry.Count",
    "Smtp.From",
    "Storage.Bucket",
    "Storage.AccessKey",
    "Metrics.Prefix",
    "Auth.Audience",
    "Auth.ClientSecret",
    "Health.Path",
]
SENSITIVE_NAMES = {"Db.Password", "Cache.Password", "Api.Key", "Storage.AccessKey", "Auth.ClientSecret"}


class LargeShared:
    """Builds the shared resources and keeps their ids for the project and tenant generators."""

    def __init__(self, space: SpaceWriter) -> None:
        self.space = space
        self.random = random.Random(SEED)
        self.environments: dict[str, str] = {}
        self.lifecycles: dict[str, str] = {}  # region -> lifecycle id
        self.groups: dict[str, str] = {}
        self.pools: list[str] = []
        self.feeds: dict[str, str] = {}
        self.accounts: dict[str, str] = {}
        self.teams: list[str] = []
        self.templates: list[dict[str, Any]] = []  # every stored version, old ones included
        self.library_sets: list[dict[str, Any]] = []
        self.tenanted: list[tuple[dict[str, Any], str]] = []  # (project, region)

    def env(self, region: str, stage: str) -> str:
        return self.environments[f"{stage} - {region}"]

    # shared resources --------------------------------------------------------------------------------
    def build_shared(self) -> None:
        space = self.space
        names = [f"{stage} - {region}" for region in REGIONS for stage in STAGES] + EXTRA_ENVIRONMENTS
        for order, name in enumerate(names):
            self.environments[name] = space.create(
                "environments",
                {
                    "Name": name,
                    "Description": f"{name} environment.",
                    "SortOrder": order,
                    "UseGuidedFailure": name.startswith("Production"),
                    "AllowDynamicInfrastructure": True,
                },
            )["Id"]
        default = space.find("lifecycles", "Default Lifecycle")
        default["Phases"] = [_phase(stage, self.env(REGIONS[0], stage)) for stage in STAGES]
        space.put(f"lifecycles/{default['Id']}", default)
        for region in REGIONS:
            self.lifecycles[region] = space.create(
                "lifecycles",
                {
                    "Name": f"Region {region}",
                    "Description": f"Promotion path for {region}.",
                    "Phases": [_phase(stage, self.env(region, stage)) for stage in STAGES],
                },
            )["Id"]
        for domain in DOMAINS:
            self.groups[domain] = space.create(
                "projectgroups", {"Name": domain, "Description": f"Services of the {domain.lower()} domain."}
            )["Id"]
        for order, (name, tags) in enumerate(
            [
                ("Region", [region.replace(" ", "") for region in REGIONS]),
                ("Tier", ["Gold", "Silver", "Bronze"]),
                ("Segment", ["Enterprise", "MidMarket", "SmallBusiness", "PublicSector"]),
            ]
        ):
            space.create(
                "tagsets",
                {
                    "Name": name,
                    "SortOrder": order,
                    "Description": f"Tenant {name.lower()}.",
                    "Tags": [
                        {"Name": tag, "Color": "#333333", "SortOrder": index}
                        for index, tag in enumerate(tags)
                    ],
                },
            )
        for name in ("Linux Workers", "Windows Workers", "Database Workers"):
            self.pools.append(
                space.create(
                    "workerpools",
                    {
                        "Name": name,
                        "WorkerPoolType": "StaticWorkerPool",
                        "Description": f"{name} for deployment scripts.",
                    },
                )["Id"]
            )
        self.feeds["builtin"] = space.all("feeds", "feedType=BuiltIn")[0]["Id"]
        self.feeds["nuget"] = space.create(
            "feeds",
            {
                "Name": "Artifactory NuGet",
                "FeedType": "NuGet",
                "FeedUri": "https://artifactory.example/api/nuget/v3",
                "Username": "deployer",
                "Password": secret("artifactory-token-large"),
                "EnhancedMode": False,
                "DownloadAttempts": 5,
                "DownloadRetryBackoffSeconds": 10,
            },
        )["Id"]
        self.feeds["docker"] = space.create(
            "feeds",
            {
                "Name": "Container Registry",
                "FeedType": "Docker",
                "FeedUri": "https://registry.example",
                "ApiVersion": "v2",
                "RegistryPath": None,
                "DownloadAttempts": 5,
                "DownloadRetryBackoffSeconds": 10,
            },
        )["Id"]
        self._accounts()
        for name in ("Change Board", "On-call Engineers", "Release Managers"):
            self.teams.append(space.team(name, f"{name} for the benchmark space.")["Id"])
        self._templates()
        self._library_sets()

    def _accounts(self) -> None:
        untenanted = {
            "EnvironmentIds": [],
            "TenantIds": [],
            "TenantTags": [],
            "TenantedDeploymentParticipation": "Untenanted",
        }
        self.accounts["AzureAccount"] = self.space.create(
            "accounts",
            {
                "AccountType": "AzureServicePrincipal",
                "Name": "Azure Platform",
                "Password": secret("azure-large"),
                "SubscriptionNumber": "00000000-1111-2222-3333-444444444444",
                "TenantId": "tenant-guid-large",
                "ClientId": "client-guid-large",
                **untenanted,
            },
        )["Id"]
        self.accounts["AmazonWebServicesAccount"] = self.space.create(
            "accounts",
            {
                "AccountType": "AmazonWebServicesAccount",
                "Name": "AWS Platform",
                "AccessKey": "AKIALARGEDATASET01",
                "SecretKey": secret("aws-large-secret"),
                **untenanted,
            },
        )["Id"]
        for name in ("Build Agent Login", "Reporting SQL Login"):
            self.accounts[name] = self.space.create(
                "accounts",
                {
                    "AccountType": "UsernamePassword",
                    "Name": name,
                    "Username": name.lower().replace(" ", "_"),
                    "Password": secret(f"{name}-pw"),
                    **untenanted,
                },
            )["Id"]

    def _templates(self) -> None:
        index = 0
        for family, operations in TEMPLATE_FAMILIES.items():
            for operation in operations:
                parameters = [
                    template_parameter(f"{family}.Target", "Target", f"What {operation.lower()} acts on."),
                    template_parameter(
                        f"{family}.TimeoutSeconds", "Timeout (seconds)", "Give up after.", "60"
                    ),
                    template_parameter(f"{family}.DryRun", "Dry run", "Only report.", "False", "Checkbox"),
                ]
                if family in SECRET_PARAMETER:
                    name = f"{family}.{SECRET_PARAMETER[family]}"
                    parameters.append(
                        template_parameter(name, SECRET_PARAMETER[family], "Kept secret.", "", "Sensitive")
                    )
                script = (
                    f"# {family} - {operation}\n$target = $OctopusParameters['{family}.Target']\n"
                    f'Write-Host "{operation} on $target (timeout '
                    f"$($OctopusParameters['{family}.TimeoutSeconds'])s)\"\n"
                )
                created = self.space.create(
                    "actiontemplates",
                    {
                        "Name": f"{family} - {operation}",
                        "ActionType": "Octopus.Script",
                        "Description": f"{operation} ({family}), generated for benchmarks.",
                        "Properties": {
                            "Octopus.Action.Script.ScriptSource": "Inline",
                            "Octopus.Action.Script.Syntax": "PowerShell",
                            "Octopus.Action.Script.ScriptBody": script,
                        },
                        "Parameters": parameters,
                    },
                )
                self.templates.append(created)
                if index % 4 == 0:
                    updated = dict(created)
                    updated["Parameters"] = [
                        *created["Parameters"],
                        template_parameter(
                            f"{family}.Verbose", "Verbose output", "Log every action.", "False", "Checkbox"
                        ),
                    ]
                    self.templates.append(self.space.put(f"actiontemplates/{created['Id']}", updated))
                index += 1

    def _library_sets(self) -> None:
        space = self.space
        production = [self.env(region, "Production") for region in REGIONS]
        for number, name in enumerate(
            [
                "Shared - Logging",
                "Shared - Monitoring",
                "Shared - Email",
                "Region Defaults",
                "Security Baseline",
                "Data Platform",
            ]
        ):
            templates = (
                [
                    template_parameter("Tenant.Code", "Tenant code", "Short code of the tenant."),
                    template_parameter(
                        "Tenant.ApiSecret", "API secret", "Per-tenant secret.", "", "Sensitive"
                    ),
                ]
                if name == "Region Defaults"
                else []
            )
            created = space.create(
                "libraryvariablesets",
                {
                    "Name": name,
                    "ContentType": "Variables",
                    "Description": f"{name} settings.",
                    "Templates": templates,
                },
            )
            prefix = name.split()[-1]
            variables = []
            for index in range(10 + (number * 2)):
                scoped = [production[index % len(production)]] if index % 3 == 0 else []
                variables.append(
                    variable(
                        f"{prefix}.Setting{index:02d}",
                        f"value-{number}-{index}",
                        sensitive=index % 7 == 6,
                        Environment=scoped,
                    )
                )
            space.set_variables(created["VariableSetId"], variables)
            self.library_sets.append(created)
        for name in ("Deployment Helpers", "Monitoring Helpers"):
            module = space.create(
                "libraryvariablesets",
                {"Name": name, "ContentType": "ScriptModule", "Description": f"{name} (PowerShell)."},
            )
            space.set_variables(
                module["VariableSetId"],
                [
                    variable(
                        f"Octopus.Script.Module[{name}]", f"function Get-{name.split()[0]}Info {{ 'ok' }}"
                    ),
                    variable(f"Octopus.Script.Module.Language[{name}]", "PowerShell"),
                ],
            )
            self.library_sets.append(module)


def _phase(name: str, environment_id: str) -> dict[str, Any]:
    return {
        "Name": name,
        "AutomaticDeploymentTargets": [] if name == "Production" else [environment_id],
        "OptionalDeploymentTargets": [environment_id] if name == "Production" else [],
        "MinimumEnvironmentsBeforePromotion": 0,
        "IsOptionalPhase": False,
    }


def script_properties(body: str) -> dict[str, str]:
    return {
        "Octopus.Action.Script.ScriptSource": "Inline",
        "Octopus.Action.Script.Syntax": "PowerShell",
        "Octopus.Action.Script.ScriptBody": body,
    }

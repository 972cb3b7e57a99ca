"""The ``demo`` dataset: a small but realistic Octopus instance for the GUI's demo mode and for tests.

Everything is created through the REST routes in dependency order, with the ids the server returns.

Space "Default" (IsDefault):
- Environments: Development, Test, Staging, Production, and "Sandbox Lab" (in no lifecycle, used by
  nothing).
- Lifecycles: "Default Lifecycle" (phases Development, Test, Production) and "Hotfix" (Staging, then
  Production).
- Project groups: "Customer Applications", "Back Office Services", "Release Trains".
- Tag sets: "Region" (EU, US) and "Tier" (Gold, Silver).
- Worker pools: the server's default pool, static "Windows Build Workers", and on Cloud hosting also the
  dynamic "Hosted Ubuntu".
- Feeds: the built-in feed (and the built-in releases feed when the server has one), "Docker Hub" (Docker),
  "Acme NuGet" (NuGet with username + password).
- Built-in feed packages (real files, see :mod:`.demo_packages`): Acme.WebPortal.Assets 1.4.0, 1.4.1 and
  1.5.0 (zip) and Acme.Database.Migrations 3.2.0 and 3.3.0-beta.1 (nupkg).
- Accounts: "Azure Portal Subscription" (AzureServicePrincipal, secret Password), "AWS Billing"
  (AmazonWebServicesAccount, SecretKey), "Production SQL Login" (UsernamePassword, restricted to Production).
- Certificate "Portal TLS": a self-signed PFX generated at build time, password ``CERTIFICATE_PASSWORD``.
- Teams: "Release Approvers" (manual intervention) and "Ops Notifications" (e-mail step).
- Step templates: "IIS - Ensure Application Pool", "IIS - Ensure Website", "HTTP - Check Endpoint",
  "SQL - Run Script" (changed twice, so three versions; "Database Migrations" still uses the first),
  "Slack - Post Deployment Status", "Files - Remove Old Files"; most have a Sensitive parameter.
- Library variable sets: "Common Settings" (scoped and sensitive variables, tenant templates
  Tenant.ContactEmail and sensitive Tenant.SupportPin), the script module "Acme Deployment Helpers", and
  "Data Warehouse Settings" (included by no project).
- Deployment targets: web-dev-01, web-test-01, web-stage-01, web-prod-eu-01, web-prod-us-01 (role
  web-server), sql-test-01, sql-prod-01 (db-server), billing-eks-prod (billing-cluster, Kubernetes, AWS
  account).
- Projects:
  - "Web Portal" (Customer Applications; TenantedOrUntenanted; includes Common Settings and the script
    module; tenant templates Tenant.Hostname and sensitive Tenant.LicenceKey; a logo). Process: app pool and
    website templates, packages from Acme NuGet and the built-in feed, Azure CDN purge (account id in a
    property), HTTP check with a sensitive token on the pool named by a WorkerPool variable, manual
    intervention (Release Approvers) in Production, a Hotfix-channel-only step, e-mail (Ops Notifications)
    for Tier/Gold tenants, Slack with a sensitive webhook. Channels: Default and "Hotfix" (Hotfix
    lifecycle, a version rule). Variables scoped to environments, role, channel, action, tenant tags,
    machine and process owners; sensitive, Certificate, AzureAccount and WorkerPool variables. Runbooks
    "Recycle App Pool" and "Clean IIS Logs" (the clean-up template). Triggers: a cron schedule running the
    recycle runbook, and a machine trigger.
  - "Billing API" (Back Office Services; Common Settings): SQL template v2, Kubernetes containers from the
    Docker feed with a worker-tools container, AWS script through an AmazonWebServicesAccount variable, a
    UsernamePasswordAccount variable, worker pools on steps.
  - "Database Migrations" (Back Office Services): run-on-server script referencing the built-in feed package
    Acme.Database.Migrations, SQL template at version 1.
  - "Release Orchestrator" (Release Trains): Octopus.DeployRelease steps for Web Portal and Billing API
    (package PackageId = the child project's id; FeedId = the built-in releases feed, or null when the
    server has none, as the sandbox does).
  - "Mobile App (Git)": version-controlled (PersistenceSettings Type VersionControlled).
- Tenants: "Contoso Pharmacy" (Region/EU, Tier/Gold), "Fabrikam Retail" (Region/US, Tier/Silver) and
  "Northwind Traders" (Region/EU, Tier/Silver), connected to Web Portal in Test and Production with tenant
  variable values; "Tailspin Toys" (Region/US) is connected to no project.

Space "Platform": environments Development and Production, project group "Infrastructure", the project
"Monitoring Agent" (one script step referencing the built-in feed package Acme.MonitoringAgent 2.0.1, two
variables) and the library variable set "Platform Defaults".
"""

from __future__ import annotations

from typing import Any

from .api import SandboxApi
from .demo_packages import DEFAULT_SPACE_PACKAGES, PLATFORM_SPACE_PACKAGES, upload_packages
from .demo_projects import (
    build_billing_api,
    build_database_migrations,
    build_mobile_app,
    build_release_orchestrator,
)
from .demo_shared import CERTIFICATE_PASSWORD, DemoSpace, build_shared, create_machines
from .demo_web_portal import build_web_portal
from .space import SpaceWriter, create_space, package, secret, step, variable

__all__ = ["CERTIFICATE_PASSWORD", "build"]

TENANTS = [
    ("Contoso Pharmacy", "Pharmacy chain across the EU.", ["Region/EU", "Tier/Gold"], True),
    ("Fabrikam Retail", "US department stores.", ["Region/US", "Tier/Silver"], True),
    ("Northwind Traders", "Wholesale food distributor.", ["Region/EU", "Tier/Silver"], True),
    ("Tailspin Toys", "Trial customer, not onboarded yet.", ["Region/US"], False),
]


def build(api: SandboxApi) -> None:
    licence = api.get("/api/licenses/licenses-current-status")
    cloud = licence.get("HostingEnvironment") == "OctopusCloud"
    default = create_space(api, "Default", "Customer-facing and back-office applications.", is_default=True)
    demo = build_shared(default, cloud=cloud)
    upload_packages(default, DEFAULT_SPACE_PACKAGES)
    create_machines(demo)
    portal = build_web_portal(demo)
    billing = build_billing_api(demo)
    build_database_migrations(demo)
    build_release_orchestrator(demo, [portal, billing])
    build_mobile_app(demo)
    _tenants(demo, portal)
    _platform_space(create_space(api, "Platform", "Shared infrastructure owned by the platform team."))


def _tenants(demo: DemoSpace, portal: dict[str, Any]) -> None:
    space = demo.space
    portal = space.get(f"projects/{portal['Id']}")
    common = space.get(f"libraryvariablesets/{demo.library_sets['Common Settings']['Id']}")
    project_templates = {template["Name"]: template["Id"] for template in portal["Templates"]}
    common_templates = {template["Name"]: template["Id"] for template in common["Templates"]}
    environments = demo.env("Test", "Production")
    for name, description, tags, connected in TENANTS:
        tenant = space.create(
            "tenants",
            {
                "Name": name,
                "Description": description,
                "TenantTags": tags,
                "ProjectEnvironments": {portal["Id"]: environments} if connected else {},
            },
        )
        if not connected:
            continue
        slug = name.split()[0].lower()
        values = space.get(f"tenants/{tenant['Id']}/variables")
        project_entry = values.setdefault("ProjectVariables", {}).setdefault(
            portal["Id"], {"ProjectId": portal["Id"]}
        )
        project_entry["Variables"] = {
            environment: {
                project_templates[
                    "Tenant.Hostname"
                ]: f"{slug}{'' if environment == environments[-1] else '-test'}.portal.acme.example",
                project_templates["Tenant.LicenceKey"]: secret(f"LIC-{slug.upper()}-{index}"),
            }
            for index, environment in enumerate(environments)
        }
        library_entry = values.setdefault("LibraryVariables", {}).setdefault(
            common["Id"], {"LibraryVariableSetId": common["Id"]}
        )
        library_entry["Variables"] = {
            common_templates["Tenant.ContactEmail"]: f"it-ops@{slug}.example",
            common_templates["Tenant.SupportPin"]: secret(f"{len(slug) * 1117:04d}"),
        }
        space.set_tenant_variables(tenant["Id"], values)


def _platform_space(space: SpaceWriter) -> None:
    upload_packages(space, PLATFORM_SPACE_PACKAGES)
    builtin_feed = space.all("feeds", "feedType=BuiltIn")[0]["Id"]
    environments = {}
    for order, name in enumerate(("Development", "Production")):
        environments[name] = space.create(
            "environments",
            {
                "Name": name,
                "Description": f"Platform {name.lower()} clusters.",
                "SortOrder": order,
                "UseGuidedFailure": False,
                "AllowDynamicInfrastructure": True,
                "ExtensionSettings": [],
            },
        )["Id"]
    lifecycle = space.find("lifecycles", "Default Lifecycle")
    lifecycle["Phases"] = [
        {
            "Name": name,
            "AutomaticDeploymentTargets": [environment_id],
            "OptionalDeploymentTargets": [],
            "MinimumEnvironmentsBeforePromotion": 0,
            "IsOptionalPhase": False,
            "ReleaseRetentionPolicy": None,
            "TentacleRetentionPolicy": None,
        }
        for name, environment_id in environments.items()
    ]
    space.put(f"lifecycles/{lifecycle['Id']}", lifecycle)
    group = space.create(
        "projectgroups",
        {
            "Name": "Infrastructure",
            "Description": "Agents and shared tooling.",
            "EnvironmentIds": [],
            "RetentionPolicyId": None,
        },
    )
    defaults = space.create(
        "libraryvariablesets",
        {
            "Name": "Platform Defaults",
            "ContentType": "Variables",
            "Description": "Defaults for platform tooling.",
            "Templates": [],
        },
    )
    space.set_variables(defaults["VariableSetId"], [variable("Platform.Domain", "platform.acme.example")])
    project = space.create(
        "projects",
        {
            "Name": "Monitoring Agent",
            "Description": "Installs the metrics agent on every node.",
            "ProjectGroupId": group["Id"],
            "LifecycleId": lifecycle["Id"],
            "IsDisabled": False,
            "TenantedDeploymentMode": "Untenanted",
            "IncludedLibraryVariableSetIds": [defaults["Id"]],
            "Templates": [],
        },
    )
    space.set_deployment_process(
        project,
        [
            step(
                "Install agent",
                "Octopus.Script",
                {
                    "Octopus.Action.Script.ScriptSource": "Inline",
                    "Octopus.Action.Script.Syntax": "Bash",
                    "Octopus.Action.Script.ScriptBody": (
                        "curl -fsSL https://#{Platform.Domain}/agent/install.sh"
                        " | sudo AGENT_KEY=#{Agent.Key} bash"
                    ),
                },
                roles=["platform-node"],
                Packages=[package("Acme.MonitoringAgent", builtin_feed, name="agent", extract=True)],
            ),
        ],
    )
    space.set_variables(
        project["VariableSetId"],
        [
            variable("Agent.Key", "agent-key-platform-01", sensitive=True),
            variable("Agent.Interval", "30s", Environment=[environments["Production"]]),
        ],
    )

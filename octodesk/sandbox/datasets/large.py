"""The ``large`` dataset: one generated space sized for benchmarks, identical on every build (seeded).

Space "Default" (IsDefault) holds:
- 43 environments: 8 regions x Development/Test/UAT/Staging/Production, plus Performance, Disaster Recovery
  and Sandbox; one lifecycle per region ("Region <name>", five phases) and the Default Lifecycle (EU West).
- tag sets Region (8 tags), Tier (Gold/Silver/Bronze), Segment (4 tags); 3 static worker pools; feeds
  "Artifactory NuGet" (with password) and "Container Registry" (Docker) beside the built-in feed; accounts
  (Azure, AWS, two username/password); teams "Change Board", "On-call Engineers", "Release Managers".
- 32 step templates in 12 families (IIS, SQL, Windows, HTTP, Slack, Teams, Redis, Azure, AWS, Kubernetes,
  Datadog, Files); every fourth one is changed once after creation, and steps use old and new versions.
- 8 library variable sets (6 variable sets with 10-20 scoped variables, "Region Defaults" with tenant
  templates; 2 script modules).
- 228 projects in 12 project groups (one group per business domain), each with a 3-6 step process,
  16-25 variables, scoped (environment, role, channel, action, tenant tag; some sensitive), 1-3 included
  library sets; every third project has an extra channel, most have 1-2 runbooks. About a quarter are
  tenanted (TenantedOrUntenanted, two project templates).
- 120 tenants tagged with Region/Tier/Segment, each connected to 2-6 tenanted projects (Staging and
  Production of the project's region) with tenant variable values.

``large:N`` (:func:`build_sized`) is the same space with N projects instead of 228 and tenants in the same
ratio (120 per 228 projects); the shared resources stay as they are. Projects past the 228 names get a
number ("Payments API 2"), tenants past the 120 names likewise. ``large`` is ``large:228``, identical.
"""

from __future__ import annotations

from typing import Any

from .api import SandboxApi
from .large_shared import (
    COMPONENTS,
    DOMAINS,
    REGIONS,
    ROLES,
    SENSITIVE_NAMES,
    STAGES,
    TENANT_BRANDS,
    TENANT_SECTORS,
    VARIABLE_NAMES,
    LargeShared,
    script_properties,
)
from .space import (
    actions_by_name,
    create_space,
    package,
    secret,
    step,
    template_parameter,
    variable,
    with_new_ids,
)

LARGE_PROJECTS = len(DOMAINS) * len(COMPONENTS)  # 228
LARGE_TENANTS = len(TENANT_BRANDS) * len(TENANT_SECTORS)  # 120
MAX_PROJECTS = 10_000


def project_names(count: int) -> list[tuple[str, str]]:
    """(domain, name) of the first ``count`` projects: the 228 base names, then numbered rounds of them."""
    base = [(domain, f"{domain} {component}") for domain in DOMAINS for component in COMPONENTS]
    return [
        (domain, name if number < len(base) else f"{name} {number // len(base) + 1}")
        for number in range(count)
        for domain, name in [base[number % len(base)]]
    ]


def tenant_names(count: int) -> list[tuple[str, str]]:
    """(brand, sector) of the first ``count`` tenants; rounds past the 120 names carry a number."""
    base = [(brand, sector) for brand in TENANT_BRANDS for sector in TENANT_SECTORS]
    return [
        (brand, sector if number < len(base) else f"{sector} {number // len(base) + 1}")
        for number in range(count)
        for brand, sector in [base[number % len(base)]]
    ]


class _Large(LargeShared):
    """Projects (with processes, variables, channels, runbooks) and tenants on top of the shared resources."""

    def build_projects(self, count: int) -> None:
        for number, (domain, name) in enumerate(project_names(count)):
            self._project(number, domain, name)

    def _project(self, number: int, domain: str, name: str) -> None:
        space, rng = self.space, self.random
        region = REGIONS[number % len(REGIONS)]
        tenanted = number % 4 == 1
        included = rng.sample([lvs["Id"] for lvs in self.library_sets], rng.randint(1, 3))
        project = space.create(
            "projects",
            {
                "Name": name,
                "Description": f"{name} service ({region}).",
                "ProjectGroupId": self.groups[domain],
                "LifecycleId": self.lifecycles[region],
                "IncludedLibraryVariableSetIds": included,
                "TenantedDeploymentMode": "TenantedOrUntenanted" if tenanted else "Untenanted",
                "Templates": with_new_ids(
                    [
                        template_parameter("Tenant.Subdomain", "Subdomain", "Tenant's host prefix."),
                        template_parameter(
                            "Tenant.DbPassword", "Database password", "Per tenant.", "", "Sensitive"
                        ),
                    ]
                )
                if tenanted
                else [],
            },
        )
        channel_id = None
        if number % 3 == 0:
            channel_id = space.create(
                "channels",
                {
                    "Name": "Hotfix",
                    "ProjectId": project["Id"],
                    "LifecycleId": None,
                    "Description": "Urgent fixes.",
                    "Rules": [
                        {
                            "VersionRange": "[1.0,2.0)",
                            "Tag": "^hotfix",
                            "ActionPackages": [
                                {"DeploymentAction": "Deploy package", "PackageReference": ""}
                            ],
                        }
                    ],
                },
            )["Id"]
        process = space.set_deployment_process(project, self._steps(region, channel_id))
        action_ids = [action["Id"] for action in actions_by_name(process).values()]
        owners = [project["Id"]]
        for runbook_number in range(rng.choice([0, 1, 1, 2])):
            runbook, _ = space.add_runbook(
                project,
                {
                    "Name": ["Restart service", "Purge cache"][runbook_number],
                    "Description": "Operational task.",
                    "EnvironmentScope": "FromProjectLifecycles",
                },
                [
                    step(
                        "Run task",
                        "Octopus.Script",
                        script_properties("Write-Host 'task'"),
                        roles=[rng.choice(ROLES)],
                    )
                ],
            )
            owners.append(runbook["Id"])
        space.set_variables(project["VariableSetId"], self._variables(region, channel_id, action_ids, owners))
        if tenanted:
            self.tenanted.append((project, region))

    def _steps(self, region: str, channel_id: str | None) -> list[dict[str, Any]]:
        rng = self.random
        steps = [
            step(
                "Deploy package",
                "Octopus.TentaclePackage",
                {},
                roles=[rng.choice(ROLES)],
                Packages=[
                    package(f"Acme.{rng.randint(1000, 9999)}", self.feeds[rng.choice(["nuget", "builtin"])])
                ],
            )
        ]
        for index in range(rng.randint(2, 5)):
            template = rng.choice(self.templates)
            values: dict[str, Any] = {}
            for parameter in template["Parameters"]:
                control = parameter["DisplaySettings"].get("Octopus.ControlType")
                values[parameter["Name"]] = (
                    secret(f"secret-{rng.randint(0, 10**6)}")
                    if control == "Sensitive"
                    else f"value-{rng.randint(0, 999)}"
                )
            properties = {
                **template["Properties"],
                "Octopus.Action.Template.Id": template["Id"],
                "Octopus.Action.Template.Version": str(template["Version"]),
                **values,
            }
            extra: dict[str, Any] = {"WorkerPoolId": rng.choice(self.pools)}
            if index == 0 and channel_id:
                extra["Channels"] = [channel_id]
            if index == 1:
                extra["Environments"] = [self.env(region, "Production")]
            steps.append(step(f"{template['Name']} ({index + 1})", "Octopus.Script", properties, **extra))
        if rng.random() < 0.3:
            steps.append(
                step(
                    "Approve",
                    "Octopus.Manual",
                    {
                        "Octopus.Action.Manual.Instructions": "Approve the release.",
                        "Octopus.Action.Manual.ResponsibleTeamIds": rng.choice(self.teams),
                    },
                    Environments=[self.env(region, "Production")],
                )
            )
        return steps

    def _variables(
        self, region: str, channel_id: str | None, action_ids: list[str], owners: list[str]
    ) -> list[dict[str, Any]]:
        rng = self.random
        environments = [self.env(region, stage) for stage in STAGES]
        chosen = rng.sample(VARIABLE_NAMES, rng.randint(8, 12))
        variables = []
        for index, name in enumerate(chosen):
            sensitive = name in SENSITIVE_NAMES
            value = f"{name.lower()}-{rng.randint(0, 99999)}"
            variables.append(variable(name, value, sensitive=sensitive))
            kind = index % 6
            if kind == 0:
                variables.append(
                    variable(name, value + "-prod", sensitive=sensitive, Environment=environments[-1:])
                )
            elif kind == 1:
                variables.append(
                    variable(name, value + "-pre", sensitive=sensitive, Environment=environments[:3])
                )
            elif kind == 2:
                variables.append(variable(name, value + "-role", Role=[rng.choice(ROLES)]))
            elif kind == 3 and channel_id:
                variables.append(variable(name, value + "-hotfix", Channel=[channel_id]))
            elif kind == 4:
                variables.append(
                    variable(name, value + "-step", Action=[rng.choice(action_ids)], ProcessOwner=[owners[0]])
                )
            elif kind == 5:
                variables.append(variable(name, value + "-eu", TenantTag=["Region/EUWest"]))
        account_type = rng.choice(["AzureAccount", "AmazonWebServicesAccount"])
        variables.append(variable("Cloud.Account", self.accounts[account_type], var_type=account_type))
        return variables

    # tenants -------------------------------------------------------------------------------------------
    def build_tenants(self, count: int) -> None:
        space, rng = self.space, self.random
        region_defaults = next(lvs for lvs in self.library_sets if lvs["Name"] == "Region Defaults")
        lvs_templates = {t["Name"]: t["Id"] for t in region_defaults["Templates"]}
        for number, (brand, sector) in enumerate(tenant_names(count)):
            connected = rng.sample(self.tenanted, min(rng.randint(2, 6), len(self.tenanted)))
            region = REGIONS[number % len(REGIONS)]
            tenant = space.create(
                "tenants",
                {
                    "Name": f"{brand} {sector}",
                    "Description": f"{brand}'s {sector.lower()} business.",
                    "TenantTags": [
                        f"Region/{region.replace(' ', '')}",
                        f"Tier/{rng.choice(['Gold', 'Silver', 'Bronze'])}",
                        f"Segment/{rng.choice(['Enterprise', 'MidMarket', 'SmallBusiness', 'PublicSector'])}",
                    ],
                    "ProjectEnvironments": {
                        project["Id"]: [
                            self.env(project_region, "Staging"),
                            self.env(project_region, "Production"),
                        ]
                        for project, project_region in connected
                    },
                },
            )
            code = f"{brand[:3]}{sector[:2]}".upper()
            values = space.get(f"tenants/{tenant['Id']}/variables")
            project_values = values.setdefault("ProjectVariables", {})
            for project, project_region in connected:
                templates = {t["Name"]: t["Id"] for t in project["Templates"]}
                entry = project_values.setdefault(project["Id"], {"ProjectId": project["Id"]})
                entry["Variables"] = {
                    self.env(project_region, stage): {
                        templates["Tenant.Subdomain"]: f"{code.lower()}-{stage.lower()}",
                        templates["Tenant.DbPassword"]: secret(f"{code}-{stage}-db"),
                    }
                    for stage in ("Staging", "Production")
                }
            if region_defaults["Id"] in {
                lvs_id for project, _ in connected for lvs_id in project["IncludedLibraryVariableSetIds"]
            }:
                values.setdefault("LibraryVariables", {})[region_defaults["Id"]] = {
                    "LibraryVariableSetId": region_defaults["Id"],
                    "Variables": {
                        lvs_templates["Tenant.Code"]: code,
                        lvs_templates["Tenant.ApiSecret"]: secret(f"{code}-api"),
                    },
                }
            space.set_tenant_variables(tenant["Id"], values)


def build(api: SandboxApi) -> None:
    build_sized(api, LARGE_PROJECTS)


def build_sized(api: SandboxApi, projects: int) -> None:
    """The ``large`` space with ``projects`` projects and tenants in the same ratio (``large:N``)."""
    large = _Large(create_space(api, "Default", "Generated benchmark space.", is_default=True))
    large.build_shared()
    large.build_projects(projects)
    large.build_tenants(round(projects * LARGE_TENANTS / LARGE_PROJECTS))

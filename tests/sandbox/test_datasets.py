"""The sandbox datasets, loaded into real sandbox servers and read back over HTTP like a client would."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography.hazmat.primitives.serialization import pkcs12

from octodesk.sandbox import SandboxServer
from octodesk.sandbox.datasets import DatasetError, load
from octodesk.sandbox.datasets.assets import logo_png
from octodesk.sandbox.datasets.demo_shared import CERTIFICATE_PASSWORD

SPACE_KINDS = (
    "environments",
    "lifecycles",
    "projectgroups",
    "projects",
    "channels",
    "runbooks",
    "tenants",
    "tagsets",
    "actiontemplates",
    "accounts",
    "certificates",
    "workerpools",
    "feeds",
    "libraryvariablesets",
    "machines",
)
# Ids the server hands out for resources; anything shaped like one inside a document must resolve.
ID_PATTERN = re.compile(
    r"^(Environments|Lifecycles|ProjectGroups|Projects|Channels|Runbooks|Tenants|TagSets|ActionTemplates|"
    r"Accounts|Certificates|WorkerPools|Feeds|LibraryVariableSets|Machines|Teams|ProjectTriggers)-\d+$"
)


class Client:
    """Just enough of an Octopus REST client for reading a sandbox back."""

    def __init__(self, server: Any) -> None:
        self.url = server.url
        self.session = requests.Session()
        self.session.headers["X-Octopus-ApiKey"] = server.api_key

    def get(self, path: str) -> Any:
        response = self.session.get(self.url + path, timeout=30)
        assert response.status_code == 200, f"GET {path}: {response.status_code} {response.text[:300]}"
        return response.json()

    def get_bytes(self, path: str) -> tuple[bytes, str]:
        response = self.session.get(self.url + path, timeout=30)
        assert response.status_code == 200, f"GET {path}: {response.status_code}"
        return response.content, response.headers.get("Content-Type", "")

    def space_id(self, name: str) -> str:
        return next(space["Id"] for space in self.get("/api/spaces/all") if space["Name"] == name)

    def all(self, space_id: str, kind: str) -> list[dict[str, Any]]:
        return list(self.get(f"/api/{space_id}/{kind}/all"))

    def by_name(self, space_id: str, kind: str) -> dict[str, dict[str, Any]]:
        return {item["Name"]: item for item in self.all(space_id, kind)}


@pytest.fixture
def demo(demo_server: Any) -> Iterator[tuple[Client, str]]:
    client = Client(demo_server)
    yield client, client.space_id("Default")
    client.session.close()


def _actions(process: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {action["Name"]: action for step in process["Steps"] for action in step["Actions"]}


def _process(client: Client, space_id: str, project: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return _actions(client.get(f"/api/{space_id}/deploymentprocesses/{project['DeploymentProcessId']}"))


def _variables(client: Client, space_id: str, owner: dict[str, Any]) -> list[dict[str, Any]]:
    return list(client.get(f"/api/{space_id}/variables/{owner['VariableSetId']}")["Variables"])


# empty ---------------------------------------------------------------------------------------------------


def test_empty_dataset_is_one_default_space_with_only_the_built_ins(empty_server: Any) -> None:
    client = Client(empty_server)
    spaces = client.get("/api/spaces/all")
    assert [(space["Name"], space["IsDefault"]) for space in spaces] == [("Default", True)]
    space_id = spaces[0]["Id"]
    assert client.all(space_id, "projects") == []
    assert client.all(space_id, "environments") == []
    assert sorted(feed["FeedType"] for feed in client.all(space_id, "feeds")) == ["BuiltIn", "OctopusProject"]
    assert list(client.by_name(space_id, "lifecycles")) == ["Default Lifecycle"]


# demo ----------------------------------------------------------------------------------------------------


def test_demo_environments_lifecycles_and_groups(demo: tuple[Client, str]) -> None:
    client, space_id = demo
    assert sorted(space["Name"] for space in client.get("/api/spaces/all")) == ["Default", "Platform"]
    environments = {env["Name"]: env["Id"] for env in client.all(space_id, "environments")}
    assert set(environments) == {"Development", "Test", "Staging", "Production", "Sandbox Lab"}
    lifecycles = client.by_name(space_id, "lifecycles")

    def phase_environments(name: str) -> list[list[str]]:
        return [
            phase["AutomaticDeploymentTargets"] + phase["OptionalDeploymentTargets"]
            for phase in lifecycles[name]["Phases"]
        ]

    assert phase_environments("Default Lifecycle") == [
        [environments["Development"]],
        [environments["Test"]],
        [environments["Production"]],
    ]
    assert phase_environments("Hotfix") == [[environments["Staging"]], [environments["Production"]]]
    in_lifecycles = {env for name in lifecycles for phase in phase_environments(name) for env in phase}
    assert environments["Sandbox Lab"] not in in_lifecycles
    assert set(client.by_name(space_id, "projectgroups")) >= {
        "Customer Applications",
        "Back Office Services",
        "Release Trains",
    }
    tag_sets = client.by_name(space_id, "tagsets")
    assert [tag["CanonicalTagName"] for tag in tag_sets["Region"]["Tags"]] == ["Region/EU", "Region/US"]
    assert {tag["Name"] for tag in tag_sets["Tier"]["Tags"]} == {"Gold", "Silver"}


def test_demo_feeds_accounts_certificate_and_teams_keep_secrets_hidden(demo: tuple[Client, str]) -> None:
    client, space_id = demo
    feeds = client.by_name(space_id, "feeds")
    assert feeds["Docker Hub"]["FeedType"] == "Docker"
    nuget = feeds["Acme NuGet"]
    assert nuget["FeedType"] == "NuGet" and nuget["Username"] == "octopus-feed-reader"
    assert nuget["Password"]["NewValue"] is None
    assert nuget["Password"]["HasValue"] is True
    accounts = client.by_name(space_id, "accounts")
    assert accounts["Azure Portal Subscription"]["AccountType"] == "AzureServicePrincipal"
    assert accounts["Azure Portal Subscription"]["Password"]["HasValue"] is True
    assert accounts["AWS Billing"]["SecretKey"]["HasValue"] is True
    assert accounts["AWS Billing"]["SecretKey"]["NewValue"] is None
    production = client.by_name(space_id, "environments")["Production"]["Id"]
    assert accounts["Production SQL Login"]["EnvironmentIds"] == [production]
    certificate = client.by_name(space_id, "certificates")["Portal TLS"]
    assert certificate["HasPrivateKey"] is True
    teams = {team["Name"] for team in client.get(f"/api/teams/all?spaces={space_id}")}
    assert {"Release Approvers", "Ops Notifications"} <= teams
    raw = json.dumps([feeds, accounts, certificate])
    for secret in ("nuget-Reader-7f3k", "azure-SP-s3cret-value", "Prod-Sql-Pa55!", CERTIFICATE_PASSWORD):
        assert secret not in raw


@pytest.mark.parametrize(("hosting", "expected"), [("cloud", ["DynamicWorkerPool"]), ("self-hosted", [])])
def test_demo_adds_a_dynamic_worker_pool_only_on_cloud(
    sandbox_factory: Callable[..., Any], hosting: str, expected: list[str]
) -> None:
    client = Client(sandbox_factory("demo", hosting=hosting))
    pools = client.all(client.space_id("Default"), "workerpools")
    assert [
        pool["WorkerPoolType"] for pool in pools if pool["WorkerPoolType"] != "StaticWorkerPool"
    ] == expected


def test_demo_certificate_is_a_real_pfx_with_the_documented_password() -> None:
    from octodesk.sandbox.datasets.assets import self_signed_pfx

    key, certificate, _ = pkcs12.load_key_and_certificates(
        base64.b64decode(self_signed_pfx("portal.acme.example", CERTIFICATE_PASSWORD)),
        CERTIFICATE_PASSWORD.encode(),
    )
    assert key is not None and certificate is not None
    assert "portal.acme.example" in certificate.subject.rfc4514_string()


def test_demo_step_templates_have_sensitive_parameters_and_history(demo: tuple[Client, str]) -> None:
    client, space_id = demo
    templates = client.by_name(space_id, "actiontemplates")
    assert len(templates) == 6
    with_sensitive = [
        name
        for name, template in templates.items()
        if any(p["DisplaySettings"].get("Octopus.ControlType") == "Sensitive" for p in template["Parameters"])
    ]
    assert len(with_sensitive) >= 4
    sql = templates["SQL - Run Script"]
    versions = client.get(f"/api/{space_id}/actiontemplates/{sql['Id']}/versions")["Items"]
    assert len(versions) == 3 and sql["Version"] == max(v["Version"] for v in versions)
    oldest = min(v["Version"] for v in versions)
    first = client.get(f"/api/{space_id}/actiontemplates/{sql['Id']}/versions/{oldest}")
    assert [p["Name"] for p in first["Parameters"]] == ["Sql.ConnectionString", "Sql.Script"]
    projects = client.by_name(space_id, "projects")
    migrations = _process(client, space_id, projects["Database Migrations"])["Run schema migrations"]
    billing = _process(client, space_id, projects["Billing API"])["Apply database changes"]
    assert migrations["Properties"]["Octopus.Action.Template.Id"] == sql["Id"]
    assert migrations["Properties"]["Octopus.Action.Template.Version"] == str(oldest)
    assert billing["Properties"]["Octopus.Action.Template.Version"] == str(sql["Version"])


def test_demo_web_portal_process_references_templates_teams_feeds_and_pools(demo: tuple[Client, str]) -> None:
    client, space_id = demo
    portal = client.by_name(space_id, "projects")["Web Portal"]
    assert portal["TenantedDeploymentMode"] == "TenantedOrUntenanted"
    library_sets = client.by_name(space_id, "libraryvariablesets")
    assert portal["IncludedLibraryVariableSetIds"] == [
        library_sets["Common Settings"]["Id"],
        library_sets["Acme Deployment Helpers"]["Id"],
    ]
    actions = _process(client, space_id, portal)
    templates = client.by_name(space_id, "actiontemplates")
    teams = {team["Name"]: team["Id"] for team in client.get(f"/api/teams/all?spaces={space_id}")}
    feeds = {feed["Name"]: feed["Id"] for feed in client.all(space_id, "feeds")}
    pools = {pool["Name"]: pool["Id"] for pool in client.all(space_id, "workerpools")}
    for action_name, template_name in [
        ("Ensure application pool", "IIS - Ensure Application Pool"),
        ("Ensure website", "IIS - Ensure Website"),
        ("Smoke test portal", "HTTP - Check Endpoint"),
        ("Notify Slack", "Slack - Post Deployment Status"),
    ]:
        assert (
            actions[action_name]["Properties"]["Octopus.Action.Template.Id"] == templates[template_name]["Id"]
        )
    manual = actions["Approve production release"]
    assert manual["ActionType"] == "Octopus.Manual"
    assert manual["Properties"]["Octopus.Action.Manual.ResponsibleTeamIds"] == teams["Release Approvers"]
    assert (
        actions["E-mail operations"]["Properties"]["Octopus.Action.Email.ToTeamIds"]
        == teams["Ops Notifications"]
    )
    webhook = actions["Notify Slack"]["Properties"]["Slack.WebhookUrl"]
    assert webhook["HasValue"] is True and webhook["NewValue"] is None
    assert [p["FeedId"] for p in actions["Deploy website package"]["Packages"]] == [feeds["Acme NuGet"]]
    assert [p["FeedId"] for p in actions["Deploy static assets"]["Packages"]] == [
        feeds["Octopus Server (built-in)"]
    ]
    assert actions["Smoke test portal"]["WorkerPoolVariable"] == "Portal.WorkerPool"
    assert actions["Notify Slack"]["WorkerPoolId"] == pools["Windows Build Workers"]
    accounts = client.by_name(space_id, "accounts")
    assert (
        actions["Purge CDN cache"]["Properties"]["Octopus.Action.Azure.AccountId"]
        == accounts["Azure Portal Subscription"]["Id"]
    )


def test_demo_web_portal_variables_channels_runbooks_triggers_and_logo(demo: tuple[Client, str]) -> None:
    client, space_id = demo
    portal = client.by_name(space_id, "projects")["Web Portal"]
    channels = {
        c["Name"]: c for c in client.get(f"/api/{space_id}/projects/{portal['Id']}/channels")["Items"]
    }
    assert set(channels) == {"Default", "Hotfix"}
    hotfix = channels["Hotfix"]
    assert hotfix["LifecycleId"] == client.by_name(space_id, "lifecycles")["Hotfix"]["Id"]
    assert hotfix["Rules"][0]["ActionPackages"] == [
        {"DeploymentAction": "Deploy website package", "PackageReference": ""}
    ]
    actions = _process(client, space_id, portal)
    assert actions["Post hotfix notice"]["Channels"] == [hotfix["Id"]]
    runbooks = {r["Name"]: r for r in client.all(space_id, "runbooks") if r["ProjectId"] == portal["Id"]}
    assert set(runbooks) == {"Recycle App Pool", "Clean IIS Logs"}
    cleanup = _actions(
        client.get(f"/api/{space_id}/runbookProcesses/{runbooks['Clean IIS Logs']['RunbookProcessId']}")
    )
    cleanup_template = client.by_name(space_id, "actiontemplates")["Files - Remove Old Files"]
    assert [a["Properties"]["Octopus.Action.Template.Id"] for a in cleanup.values()] == [
        cleanup_template["Id"]
    ]
    variables = _variables(client, space_id, portal)
    by_type = {v["Type"]: v for v in variables}
    assert by_type["Certificate"]["Value"] == client.by_name(space_id, "certificates")["Portal TLS"]["Id"]
    assert (
        by_type["AzureAccount"]["Value"]
        == client.by_name(space_id, "accounts")["Azure Portal Subscription"]["Id"]
    )
    assert (
        by_type["WorkerPool"]["Value"]
        == client.by_name(space_id, "workerpools")["Windows Build Workers"]["Id"]
    )
    sensitive = [v for v in variables if v["IsSensitive"]]
    assert len(sensitive) >= 3 and all(v["Value"] is None for v in sensitive)
    scopes = {key for v in variables for key in v["Scope"]}
    assert {"Environment", "Role", "Channel", "Action", "TenantTag", "Machine", "ProcessOwner"} <= scopes
    scoped = {v["Name"]: v["Scope"] for v in variables if v["Scope"]}
    assert scoped["Feature.HotfixBanner"] == {"Channel": [hotfix["Id"]]}
    assert scoped["HealthCheck.Url"] == {"Action": [actions["Smoke test portal"]["Id"]]}
    assert scoped["Maintenance.Message"] == {"ProcessOwner": [runbooks["Recycle App Pool"]["Id"]]}
    triggers = client.get(f"/api/{space_id}/projects/{portal['Id']}/triggers")["Items"]
    assert sorted(t["Filter"]["FilterType"] for t in triggers) == ["CronExpressionSchedule", "MachineFilter"]
    assert [t["Action"]["RunbookId"] for t in triggers if t["Action"]["ActionType"] == "RunRunbook"] == [
        runbooks["Recycle App Pool"]["Id"]
    ]
    logo, content_type = client.get_bytes(f"/api/{space_id}/projects/{portal['Id']}/logo")
    assert logo.startswith(b"\x89PNG\r\n\x1a\n") and len(logo) > 100 and content_type.startswith("image/png")


def test_demo_tenants_connect_three_to_the_portal_with_values(demo: tuple[Client, str]) -> None:
    client, space_id = demo
    portal = client.by_name(space_id, "projects")["Web Portal"]
    tenants = client.by_name(space_id, "tenants")
    assert len(tenants) == 4
    connected = sorted(name for name, t in tenants.items() if portal["Id"] in t["ProjectEnvironments"])
    assert connected == ["Contoso Pharmacy", "Fabrikam Retail", "Northwind Traders"]
    assert tenants["Tailspin Toys"]["ProjectEnvironments"] == {}
    assert tenants["Contoso Pharmacy"]["TenantTags"] == ["Region/EU", "Tier/Gold"]
    values = client.get(f"/api/{space_id}/tenants/{tenants['Fabrikam Retail']['Id']}/variables")
    templates = {t["Id"]: t["Name"] for t in portal["Templates"]}
    per_environment = values["ProjectVariables"][portal["Id"]]["Variables"]
    assert set(per_environment) == set(tenants["Fabrikam Retail"]["ProjectEnvironments"][portal["Id"]])
    for environment_values in per_environment.values():
        named = {templates[template_id]: value for template_id, value in environment_values.items()}
        assert named["Tenant.Hostname"].endswith(".portal.acme.example")
        assert (
            named["Tenant.LicenceKey"]["HasValue"] is True and named["Tenant.LicenceKey"]["NewValue"] is None
        )
    common = client.by_name(space_id, "libraryvariablesets")["Common Settings"]
    library_values = values["LibraryVariables"][common["Id"]]["Variables"]
    assert "it-ops@fabrikam.example" in library_values.values()


def test_demo_orchestrator_git_project_and_unrelated_resources(demo: tuple[Client, str]) -> None:
    client, space_id = demo
    projects = client.by_name(space_id, "projects")
    assert set(projects) == {
        "Web Portal",
        "Billing API",
        "Database Migrations",
        "Release Orchestrator",
        "Mobile App (Git)",
    }
    releases = _process(client, space_id, projects["Release Orchestrator"])
    assert {a["Properties"]["Octopus.Action.DeployRelease.ProjectId"] for a in releases.values()} == {
        projects["Web Portal"]["Id"],
        projects["Billing API"]["Id"],
    }
    assert all(
        a["Packages"][0]["PackageId"] == a["Properties"]["Octopus.Action.DeployRelease.ProjectId"]
        for a in releases.values()
    )
    git = projects["Mobile App (Git)"]
    assert git["IsVersionControlled"] is True and git["PersistenceSettings"]["Type"] == "VersionControlled"
    unrelated = client.by_name(space_id, "libraryvariablesets")["Data Warehouse Settings"]
    assert all(unrelated["Id"] not in p["IncludedLibraryVariableSetIds"] for p in projects.values())
    billing_types = {v["Type"] for v in _variables(client, space_id, projects["Billing API"])}
    assert {"AmazonWebServicesAccount", "UsernamePasswordAccount", "Sensitive"} <= billing_types
    platform = client.space_id("Platform")
    assert list(client.by_name(platform, "projects")) == ["Monitoring Agent"]


def test_demo_every_id_inside_every_document_resolves(demo: tuple[Client, str]) -> None:
    client, _ = demo
    for space in client.get("/api/spaces/all"):
        space_id = space["Id"]
        documents = [doc for kind in SPACE_KINDS for doc in client.all(space_id, kind)]
        documents += client.get(f"/api/teams/all?spaces={space_id}")
        known = {doc["Id"] for doc in documents}
        for project in client.all(space_id, "projects"):
            documents.append(
                client.get(f"/api/{space_id}/deploymentprocesses/{project['DeploymentProcessId']}")
            )
            documents.append(client.get(f"/api/{space_id}/variables/{project['VariableSetId']}"))
            documents += client.get(f"/api/{space_id}/projects/{project['Id']}/triggers")["Items"]
        for runbook in client.all(space_id, "runbooks"):
            documents.append(client.get(f"/api/{space_id}/runbookProcesses/{runbook['RunbookProcessId']}"))
        for tenant in client.all(space_id, "tenants"):
            documents.append(client.get(f"/api/{space_id}/tenants/{tenant['Id']}/variables"))
        referenced = set(_ids_in(documents))
        assert referenced, "expected cross references in the demo"
        assert referenced <= known, f"{space['Name']}: dangling ids {sorted(referenced - known)}"


def _ids_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield from (part for part in value.split(",") if ID_PATTERN.match(part))
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in ("Id", "Links") and not (isinstance(item, dict) and key == "Self"):
                yield from _ids_in(item)
            if ID_PATTERN.match(key):  # ProjectEnvironments and tenant variables are keyed by id
                yield key
    elif isinstance(value, list):
        for item in value:
            yield from _ids_in(item)


# large ---------------------------------------------------------------------------------------------------


def test_large_dataset_meets_the_benchmark_sizes(sandbox_factory: Callable[..., Any]) -> None:
    client = Client(sandbox_factory("large"))
    space_id = client.space_id("Default")
    projects = client.all(space_id, "projects")
    assert len(projects) >= 200
    assert len({p["ProjectGroupId"] for p in projects}) >= 5
    assert len(client.all(space_id, "environments")) >= 40
    assert len(client.all(space_id, "tenants")) >= 100
    assert len(client.all(space_id, "actiontemplates")) >= 30
    assert len(client.all(space_id, "libraryvariablesets")) >= 5
    assert len(client.all(space_id, "channels")) > len(projects)
    assert len(client.all(space_id, "runbooks")) >= 100
    variable_sets = [
        vs for vs in client.get(f"/api/{space_id}/variables/all") if vs["OwnerId"].startswith("Projects-")
    ]
    counts = [len(vs["Variables"]) for vs in variable_sets]
    assert sum(counts) >= 3000 and min(counts) >= 15 and max(counts) <= 25
    scoped = sum(1 for vs in variable_sets for v in vs["Variables"] if v["Scope"])
    assert scoped >= sum(counts) // 3
    assert client.get(f"/api/{space_id}/projects?take=30")["TotalResults"] == len(projects)


def _large_shape(server: Any) -> list[tuple[str, str, list[tuple[str, Any, str]]]]:
    """Names, descriptions and variables of every twentieth project: what a rebuild must reproduce."""
    client = Client(server)
    space_id = client.space_id("Default")
    projects = client.all(space_id, "projects")
    return sorted(
        (
            p["Name"],
            p["Description"],
            sorted(
                (
                    v["Name"],
                    v["Value"] if v["Type"] == "String" else v["Type"],
                    ",".join(sorted(v["Scope"])),
                )
                for v in _variables(client, space_id, p)
            ),
        )
        for p in projects[:: max(1, len(projects) // 20)]
    )


def test_large_dataset_is_the_same_on_every_build(sandbox_factory: Callable[..., Any]) -> None:
    first, second = sandbox_factory("large"), sandbox_factory("large")
    assert _large_shape(first) == _large_shape(second)
    tenant_names = [
        sorted(Client(s).by_name(Client(s).space_id("Default"), "tenants")) for s in (first, second)
    ]
    assert tenant_names[0] == tenant_names[1]
    assert _large_shape(sandbox_factory("large:228")) == _large_shape(first)


def test_large_n_has_n_projects_and_tenants_in_the_same_ratio(sandbox_factory: Callable[..., Any]) -> None:
    large, bigger = Client(sandbox_factory("large")), Client(sandbox_factory("large:300"))
    space_id = bigger.space_id("Default")
    projects = bigger.by_name(space_id, "projects")
    base_names = set(large.by_name(large.space_id("Default"), "projects"))

    assert len(projects) == 300
    assert base_names < set(projects)  # the 228 names, then numbered ones: "Payments API 2"
    assert "Payments API 2" in projects
    assert len(bigger.all(space_id, "tenants")) == round(300 * 120 / 228)
    assert "Acme Retail 2" in bigger.by_name(space_id, "tenants")
    assert len(bigger.all(space_id, "environments")) == len(
        large.all(large.space_id("Default"), "environments")
    )
    tenanted = [p for p in projects.values() if p["TenantedDeploymentMode"] != "Untenanted"]
    assert len(tenanted) == 75  # every fourth project, as in large
    counts = [
        len(vs["Variables"])
        for vs in bigger.get(f"/api/{space_id}/variables/all")
        if vs["OwnerId"].startswith("Projects-")
    ]
    assert len(counts) == 300 and min(counts) >= 15 and max(counts) <= 25


def test_large_n_with_few_projects_still_builds_connected_tenants(
    sandbox_factory: Callable[..., Any],
) -> None:
    client = Client(sandbox_factory("large:3"))
    space_id = client.space_id("Default")
    tenanted = {
        p["Id"] for p in client.all(space_id, "projects") if p["TenantedDeploymentMode"] != "Untenanted"
    }
    tenants = client.all(space_id, "tenants")
    assert len(client.all(space_id, "projects")) == 3 and len(tenants) == 2
    assert all(set(t["ProjectEnvironments"]) == tenanted for t in tenants)


@pytest.mark.parametrize("spec", ["large:0", "large:", "large:x", "large:-5", "large:10001", "large:1e3"])
def test_large_n_with_a_bad_count_is_one_clear_error(spec: str) -> None:
    with pytest.raises(
        DatasetError, match=r"give the number of projects, from 1 to 10,000 \(e.g. large:1000\)"
    ):
        load(spec)


# JSON files ----------------------------------------------------------------------------------------------


def _write(tmp_path: Path, operations: Any, **overrides: Any) -> Path:
    document = {"format": "octodesk-sandbox-dataset", "version": 1, "operations": operations, **overrides}
    path = tmp_path / "dataset.json"
    path.write_text(json.dumps(document))
    return path


def test_json_dataset_replays_operations_with_placeholders(
    tmp_path: Path, sandbox_factory: Callable[..., Any]
) -> None:
    logo = logo_png(16)
    path = _write(
        tmp_path,
        [
            {
                "method": "POST",
                "path": "/api/spaces",
                "body": {"Name": "Imported", "IsDefault": True},
                "save_as": "space",
            },
            {
                "method": "POST",
                "path": "/api/${space.Id}/environments",
                "body": {"Name": "Production"},
                "save_as": "prod",
            },
            {"method": "GET", "path": "/api/${space.Id}/feeds?feedType=BuiltIn", "save_as": "builtin"},
            {
                "method": "POST",
                "path": "/api/${space.Id}/lifecycles",
                "body": {
                    "Name": "Straight to prod",
                    "Description": "Uses feed ${builtin.Items.0.Id}; $${KEEP}",
                    "Phases": [
                        {
                            "Name": "Prod",
                            "AutomaticDeploymentTargets": ["${prod.Id}"],
                            "OptionalDeploymentTargets": [],
                        }
                    ],
                },
            },
            {
                "method": "POST",
                "path": "/api/${space.Id}/projectgroups",
                "body": {"Name": "Apps"},
                "save_as": "group",
            },
            {
                "method": "PUT",
                "path": "/api/${space.Id}/projectgroups/${group.Id}",
                "body": {"Id": "${group.Id}", "Name": "Applications", "EnvironmentIds": ["${prod.Id}"]},
            },
            {"method": "GET", "path": "/api/${space.Id}/lifecycles?partialName=Default", "save_as": "cycles"},
            {
                "method": "POST",
                "path": "/api/${space.Id}/projects",
                "body": {
                    "Name": "Site",
                    "ProjectGroupId": "${group.Id}",
                    "LifecycleId": "${cycles.Items.0.Id}",
                },
                "save_as": "site",
            },
            {
                "method": "UPLOAD",
                "path": "/api/${space.Id}/projects/${site.Id}/logo",
                "field": "fileData",
                "filename": "site.png",
                "content_type": "image/png",
                "data_base64": base64.b64encode(logo).decode(),
            },
        ],
    )
    client = Client(sandbox_factory(str(path)))
    space_id = client.space_id("Imported")
    production = client.by_name(space_id, "environments")["Production"]["Id"]
    builtin = client.get(f"/api/{space_id}/feeds?feedType=BuiltIn")["Items"][0]["Id"]
    lifecycle = client.by_name(space_id, "lifecycles")["Straight to prod"]
    assert lifecycle["Phases"][0]["AutomaticDeploymentTargets"] == [production]
    assert lifecycle["Description"] == f"Uses feed {builtin}; ${{KEEP}}"
    assert client.by_name(space_id, "projectgroups")["Applications"]["EnvironmentIds"] == [production]
    site = client.by_name(space_id, "projects")["Site"]
    assert client.get_bytes(f"/api/{space_id}/projects/{site['Id']}/logo")[0] == logo


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"format": "octodesk-sandbox-dataset", "version": 1, "operations": [', "is not valid JSON: "),
        ('{"format": "something-else", "version": 1, "operations": []}', "not a sandbox dataset"),
        ('{"format": "octodesk-sandbox-dataset", "version": 7, "operations": []}', "unsupported version 7"),
        (
            '{"format": "octodesk-sandbox-dataset", "version": 1, "operations": {}}',
            '"operations" must be a list',
        ),
        (
            '{"format": "octodesk-sandbox-dataset", "version": 1, "operations": [{"method": "DELETE", '
            '"path": "/api/spaces/Spaces-1"}]}',
            "operation 1 has method 'DELETE'",
        ),
        (
            '{"format": "octodesk-sandbox-dataset", "version": 1, "operations": [{"method": "POST", '
            '"path": "/api/spaces"}]}',
            'operation 1 (POST) needs a "body" object',
        ),
        (
            '{"format": "octodesk-sandbox-dataset", "version": 1, "operations": [{"method": "GET", '
            '"path": "spaces"}]}',
            'operation 1 needs a "path" starting with /api',
        ),
        (
            '{"format": "octodesk-sandbox-dataset", "version": 1, "operations": [{"method": "POST", '
            '"path": "/api/spaces", "body": {"Name": "A"}, "save_as": "space"}, {"method": "POST", '
            '"path": "/api/${spcae.Id}/environments", "body": {"Name": "B"}}]}',
            'operation 2 uses ${spcae...} but no earlier operation has "save_as": "spcae"',
        ),
        (
            '{"format": "octodesk-sandbox-dataset", "version": 1, "operations": [{"method": "UPLOAD", '
            '"path": "/api/x", "field": "fileData", "filename": "a.png", "content_type": "image/png", '
            '"data_base64": "not base64!"}]}',
            "not valid base64",
        ),
    ],
)
def test_json_dataset_problems_are_one_clear_line_naming_the_file(
    tmp_path: Path, content: str, expected: str
) -> None:
    path = tmp_path / "broken.json"
    path.write_text(content)
    with pytest.raises(DatasetError) as caught:
        load(str(path))
    message = str(caught.value)
    assert expected in message and str(path) in message and "\n" not in message


def test_json_dataset_operation_rejected_by_the_server_names_the_operation(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            {
                "method": "POST",
                "path": "/api/spaces",
                "body": {"Name": "Default", "IsDefault": True},
                "save_as": "s",
            },
            {
                "method": "POST",
                "path": "/api/${s.Id}/lifecycles",
                "body": {
                    "Name": "Broken",
                    "Phases": [
                        {
                            "Name": "P",
                            "AutomaticDeploymentTargets": ["Environments-999999"],
                            "OptionalDeploymentTargets": [],
                        }
                    ],
                },
            },
        ],
    )
    with pytest.raises(DatasetError) as caught:
        SandboxServer(dataset=str(path))
    message = str(caught.value)
    assert "operation 2 (POST /api/Spaces-" in message and "Environments-999999" in message


def test_json_dataset_missing_field_in_a_saved_response_is_reported(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            {"method": "POST", "path": "/api/spaces", "body": {"Name": "Default"}, "save_as": "space"},
            {"method": "POST", "path": "/api/${space.Identifier}/environments", "body": {"Name": "Dev"}},
        ],
    )
    with pytest.raises(
        DatasetError, match=r"operation 2: \$\{space.Identifier\}: space has no field 'Identifier'"
    ):
        SandboxServer(dataset=str(path))


def test_unknown_dataset_name_or_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="Unknown dataset 'dmeo': use one of empty, demo, large"):
        load("dmeo")
    missing = tmp_path / "nowhere.json"
    with pytest.raises(DatasetError, match="does not exist"):
        load(str(missing))

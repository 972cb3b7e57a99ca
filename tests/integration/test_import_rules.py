"""The import rules (docs/import-rules.md), each checked on the state of a prepared target sandbox, by
name."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from import_support import (
    ACCOUNT_SECRETS,
    PASSWORD,
    client_for,
    export_demo,
    import_into,
    named,
    one,
    space_docs,
    stored_tenant_value,
)

from octodesk.core.errors import ImportRefused
from octodesk.core.export import export_projects
from octodesk.core.octopus.client import OctopusClient
from octodesk.core.plan import plan_import
from octodesk.core.resources import model
from octodesk.sandbox import SandboxServer

SECRETS = {
    "variable:Project/Web Portal/Portal.SigningKey": "signing-key-from-bundle",
    "variable:LibraryVariableSet/Common Settings/Smtp.Password": "smtp-from-bundle",
    "action:Web Portal/deployment/Notify Slack/Notify Slack/Slack.WebhookUrl": "https://hooks.example/bundle",
    "account:Azure Portal Subscription/Password": "azure-from-bundle",
    "feed:Acme NuGet/Password": "nuget-from-bundle",
    "tenant:Contoso Pharmacy/LibraryVariableSet/Common Settings/Tenant.SupportPin": "4711",
}


@pytest.fixture(scope="module")
def bundle_path(profile: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with SandboxServer("demo", version=profile) as source:
        yield export_demo(source, tmp_path_factory.mktemp("bundle") / "demo.octobundle", secrets=SECRETS)


class Prepared:
    """Writes the target's own resources over HTTP before the import."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.space = server.space_id("Default")

    def post(self, collection: str, body: dict[str, Any]) -> dict[str, Any]:
        with client_for(self.server) as client:
            return dict(client.post(f"/api/{self.space}/{collection}", body))

    def put(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        with client_for(self.server) as client:
            return dict(client.put(f"/api/{self.space}/{path}", body))

    def get(self, path: str) -> Any:
        with client_for(self.server) as client:
            return client.get(f"/api/{self.space}/{path}")


@pytest.fixture
def target(profile: str) -> Iterator[SandboxServer]:
    with SandboxServer("empty", version=profile) as server:
        yield server


def _variables(server: SandboxServer, owner: dict[str, Any]) -> list[dict[str, Any]]:
    return list(server.snapshot()["documents"]["variables"][owner["VariableSetId"]]["Variables"])


def test_library_variable_set_merge_adds_missing_and_leaves_same_name_and_scope(
    target: SandboxServer, bundle_path: Path
) -> None:
    prep = Prepared(target)
    lvs = prep.post("libraryvariablesets", {"Name": "Common Settings", "ContentType": "Variables"})
    variable_set = prep.get(f"variables/{lvs['VariableSetId']}")
    variable_set["Variables"] = [
        {"Name": "Smtp.Host", "Value": "mail.target.example"},
        {"Name": "Smtp.Password", "Value": "target-smtp-secret", "Type": "Sensitive", "IsSensitive": True},
        {"Name": "Target.Only", "Value": "kept"},
    ]
    prep.put(f"variables/{lvs['VariableSetId']}", variable_set)

    import_into(target, bundle_path)

    assert len(named(target, "libraryvariablesets", "Common Settings")) == 1
    variables = _variables(target, one(target, "libraryvariablesets", "Common Settings"))
    by_name: dict[str, list[dict[str, Any]]] = {}
    for variable in variables:
        by_name.setdefault(variable["Name"], []).append(variable)
    assert [v["Value"] for v in by_name["Smtp.Host"]] == ["mail.target.example"]  # untouched
    assert [v["Value"] for v in by_name["Smtp.Password"]] == ["target-smtp-secret"]  # never overwritten
    assert [v["Value"] for v in by_name["Target.Only"]] == ["kept"]
    assert sorted(v["Value"] for v in by_name["Logging.Level"]) == ["Debug", "Warning"]  # created
    assert {"Smtp.Port", "Telemetry.Endpoint"} <= set(by_name)


def test_sensitive_values_from_the_bundle_are_applied(target: SandboxServer, bundle_path: Path) -> None:
    report = import_into(target, bundle_path)
    portal = one(target, "projects", "Web Portal")
    signing = [v for v in _variables(target, portal) if v["Name"] == "Portal.SigningKey"]
    assert [v["Value"] for v in signing] == ["signing-key-from-bundle"]
    smtp = [
        v
        for v in _variables(target, one(target, "libraryvariablesets", "Common Settings"))
        if v["Name"] == "Smtp.Password"
    ]
    assert [v["Value"] for v in smtp] == ["smtp-from-bundle"]
    missing = [f.message for f in report.follow_ups if f.category == "sensitive-value"]
    assert any("ConnectionStrings.Portal" in message for message in missing)
    assert not any("Portal.SigningKey" in message for message in missing)

    process = target.snapshot()["documents"]["deploymentprocesses"][portal["DeploymentProcessId"]]
    properties = {a["Name"]: a["Properties"] for _, a in model.process_actions(process)}
    assert properties["Notify Slack"]["Slack.WebhookUrl"]["NewValue"] == "https://hooks.example/bundle"
    assert properties["Ensure application pool"]["AppPool.Password"]["HasValue"] is False  # not invented
    assert any("AppPool.Password" in message for message in missing)
    assert one(target, "accounts", "Azure Portal Subscription")["Password"]["NewValue"] == "azure-from-bundle"
    assert one(target, "feeds", "Acme NuGet")["Password"]["NewValue"] == "nuget-from-bundle"
    tenant = one(target, "tenants", "Contoso Pharmacy")
    library = one(target, "libraryvariablesets", "Common Settings")
    pin = next(t["Id"] for t in library["Templates"] if t["Name"] == "Tenant.SupportPin")
    assert stored_tenant_value(target, tenant["Id"], library["Id"], pin)["NewValue"] == "4711"


def test_tenant_connections_are_merged_into_an_existing_tenant(
    target: SandboxServer, bundle_path: Path
) -> None:
    prep = Prepared(target)
    environment = prep.post("environments", {"Name": "Intranet Only"})
    group = prep.post("projectgroups", {"Name": "Internal"})
    lifecycle = one(target, "lifecycles", "Default Lifecycle")
    intranet = prep.post(
        "projects", {"Name": "Intranet", "ProjectGroupId": group["Id"], "LifecycleId": lifecycle["Id"]}
    )
    prep.post(
        "tenants", {"Name": "Contoso Pharmacy", "ProjectEnvironments": {intranet["Id"]: [environment["Id"]]}}
    )

    import_into(target, bundle_path)

    tenant = one(target, "tenants", "Contoso Pharmacy")
    portal = one(target, "projects", "Web Portal")
    assert tenant["ProjectEnvironments"][intranet["Id"]] == [environment["Id"]]  # kept
    connected = {one(target, "environments", name)["Id"] for name in ("Test", "Production")}
    assert set(tenant["ProjectEnvironments"][portal["Id"]]) == connected  # merged in


def test_step_templates_same_version_reused_newer_version_applied(
    target: SandboxServer, bundle_path: Path
) -> None:
    prep = Prepared(target)
    script = {"Octopus.Action.Script.ScriptBody": "Write-Host 'the target own version'"}
    same = prep.post(
        "actiontemplates",
        {
            "Name": "IIS - Ensure Application Pool",
            "ActionType": "Octopus.Script",
            "Properties": script,
            "Parameters": [],
        },
    )
    older = prep.post(
        "actiontemplates",
        {"Name": "SQL - Run Script", "ActionType": "Octopus.Script", "Properties": script, "Parameters": []},
    )
    assert same["Version"] == older["Version"] == 0

    import_into(target, bundle_path)

    reused = one(target, "actiontemplates", "IIS - Ensure Application Pool")
    assert reused["Id"] == same["Id"] and reused["Version"] == 0
    assert reused["Properties"] == script  # the same version is reused, not overwritten
    updated = one(target, "actiontemplates", "SQL - Run Script")
    assert updated["Id"] == older["Id"] and updated["Version"] == 1  # bundle v2 > target v0: applied
    assert updated["Properties"] != script
    billing = one(target, "projects", "Billing API")
    process = target.snapshot()["documents"]["deploymentprocesses"][billing["DeploymentProcessId"]]
    sql_steps = [
        a
        for _, a in model.process_actions(process)
        if a["Properties"].get("Octopus.Action.Template.Id") == older["Id"]
    ]
    assert [a["Properties"]["Octopus.Action.Template.Version"] for a in sql_steps] == ["1"]


def test_accounts_are_reused_by_name(target: SandboxServer, bundle_path: Path) -> None:
    prep = Prepared(target)
    account = prep.post(
        "accounts",
        {
            "Name": "Production SQL Login",
            "AccountType": "UsernamePassword",
            "Username": "target-login",
            "Password": {"HasValue": True, "NewValue": "x1y2z3"},
        },
    )
    import_into(target, bundle_path)
    accounts = named(target, "accounts", "Production SQL Login")
    assert [a["Id"] for a in accounts] == [account["Id"]]
    assert accounts[0]["Username"] == "target-login"
    billing = one(target, "projects", "Billing API")
    typed = [v for v in _variables(target, billing) if v["Type"] == "UsernamePasswordAccount"]
    assert typed and all(v["Value"] == account["Id"] for v in typed)


def test_teams_and_worker_pools_are_created_empty(target: SandboxServer, bundle_path: Path) -> None:
    report = import_into(target, bundle_path)
    teams = [t for t in target.snapshot()["documents"]["teams"].values() if t["Name"] == "Release Approvers"]
    assert len(teams) == 1 and teams[0]["MemberUserIds"] == []
    pool = one(target, "workerpools", "Windows Build Workers")
    assert pool["WorkerPoolType"] == "StaticWorkerPool" and not pool.get("IsDefault")
    assert any(f.category == "workers" for f in report.follow_ups)


def test_default_lifecycle_is_the_targets_and_unrelated_environments_stay_out(
    target: SandboxServer, bundle_path: Path
) -> None:
    default = one(target, "lifecycles", "Default Lifecycle")
    import_into(target, bundle_path)
    assert one(target, "lifecycles", "Default Lifecycle") == default  # reused, unchanged
    assert one(target, "projects", "Billing API")["LifecycleId"] == default["Id"]
    assert named(target, "environments", "Sandbox Lab") == []
    hotfix = one(target, "lifecycles", "Hotfix")
    phase_envs = [
        env
        for phase in hotfix["Phases"]
        for env in phase["AutomaticDeploymentTargets"] + phase["OptionalDeploymentTargets"]
    ]
    assert phase_envs and {one(target, "environments", n)["Id"] for n in ("Staging", "Production")} == set(
        phase_envs
    )


def test_a_scope_that_cannot_be_mapped_leaves_the_variable_out(
    target: SandboxServer, bundle_path: Path
) -> None:
    report = import_into(target, bundle_path)
    portal = one(target, "projects", "Web Portal")
    machine_scoped = [v for v in _variables(target, portal) if v["Scope"].get("Machine")]
    assert machine_scoped == []
    debug_everywhere = [
        v for v in _variables(target, portal) if v["Name"] == "Logging.Level" and not v["Scope"]
    ]
    assert debug_everywhere == []  # never widened to every machine
    assert any(f.category == "scope" and "web-dev-01" in f.message for f in report.follow_ups)


def test_a_machine_scope_maps_by_name_when_the_target_has_the_machine(
    target: SandboxServer, bundle_path: Path
) -> None:
    prep = Prepared(target)
    development = prep.post("environments", {"Name": "Development"})
    machine = prep.post(
        "machines",
        {
            "Name": "web-dev-01",
            "Roles": ["web-server"],
            "EnvironmentIds": [development["Id"]],
            "Endpoint": {
                "CommunicationStyle": "TentaclePassive",
                "Uri": "https://web-dev-01.target:10933/",
                "Thumbprint": "0123456789ABCDEF0123456789ABCDEF01234567",
            },
        },
    )
    import_into(target, bundle_path)
    portal = one(target, "projects", "Web Portal")
    scoped = [v for v in _variables(target, portal) if v["Scope"].get("Machine")]
    assert [v["Scope"]["Machine"] for v in scoped] == [[machine["Id"]]]


def test_run_on_server_steps_move_to_the_default_pool_on_cloud(profile: str, bundle_path: Path) -> None:
    with SandboxServer("empty", version=profile, hosting="cloud") as target:
        import_into(target, bundle_path)
        default_pool = next(p for p in space_docs(target, "workerpools") if p.get("IsDefault"))
        project = one(target, "projects", "Database Migrations")
        process = target.snapshot()["documents"]["deploymentprocesses"][project["DeploymentProcessId"]]
        step = next(a for _, a in model.process_actions(process) if a["Name"] == "Check migration lock")
        assert step["WorkerPoolId"] == default_pool["Id"]


def test_dynamic_worker_pools_become_static_from_cloud_to_self_hosted(tmp_path: Path) -> None:
    with SandboxServer("demo", hosting="cloud") as source, SandboxServer("empty") as target:
        space = source.space_id("Default")
        with client_for(source) as client:
            dynamic = next(
                p for p in client.get_all(f"/api/{space}/workerpools/all") if p["Name"] == "Hosted Ubuntu"
            )
            project = next(
                p for p in client.get_all(f"/api/{space}/projects/all") if p["Name"] == "Database Migrations"
            )
            process = client.get(f"/api/{space}/deploymentprocesses/{project['DeploymentProcessId']}")
            process["Steps"][0]["Actions"][0]["WorkerPoolId"] = dynamic["Id"]
            client.put(f"/api/{space}/deploymentprocesses/{process['Id']}", process)
        bundle = export_demo(source, tmp_path / "cloud.octobundle", ["Database Migrations"])
        import_into(target, bundle)
        pool = one(target, "workerpools", "Hosted Ubuntu")
        assert pool["WorkerPoolType"] == "StaticWorkerPool"
        imported = one(target, "projects", "Database Migrations")
        process = target.snapshot()["documents"]["deploymentprocesses"][imported["DeploymentProcessId"]]
        assert process["Steps"][0]["Actions"][0]["WorkerPoolId"] == pool["Id"]


def test_an_existing_project_is_refused_before_any_write(target: SandboxServer, bundle_path: Path) -> None:
    prep = Prepared(target)
    group = prep.post("projectgroups", {"Name": "Elsewhere"})
    lifecycle = one(target, "lifecycles", "Default Lifecycle")
    prep.post(
        "projects", {"Name": "Billing API", "ProjectGroupId": group["Id"], "LifecycleId": lifecycle["Id"]}
    )
    before = target.snapshot()
    with pytest.raises(ImportRefused) as refused:
        import_into(target, bundle_path)
    assert refused.value.refusals == [r for r in refused.value.refusals if "Billing API" in r]
    assert target.snapshot() == before


def test_update_existing_imports_into_the_existing_project(target: SandboxServer, bundle_path: Path) -> None:
    prep = Prepared(target)
    group = prep.post("projectgroups", {"Name": "Elsewhere"})
    lifecycle = one(target, "lifecycles", "Default Lifecycle")
    existing = prep.post(
        "projects", {"Name": "Billing API", "ProjectGroupId": group["Id"], "LifecycleId": lifecycle["Id"]}
    )
    report = import_into(target, bundle_path, update_existing=True)
    assert report.counts["Project"] == {"update": 1, "create": 3}
    billing = named(target, "projects", "Billing API")
    assert [p["Id"] for p in billing] == [existing["Id"]]
    process = target.snapshot()["documents"]["deploymentprocesses"][existing["DeploymentProcessId"]]
    assert [s["Name"] for s in process["Steps"]][:1] == ["Apply database changes"]


def test_update_existing_keeps_the_targets_own_variables_and_secrets(
    target: SandboxServer, bundle_path: Path
) -> None:
    """Promotion must not lose production-only configuration the source instance never had."""
    prep = Prepared(target)
    group = prep.post("projectgroups", {"Name": "Elsewhere"})
    lifecycle = one(target, "lifecycles", "Default Lifecycle")
    existing = prep.post(
        "projects", {"Name": "Billing API", "ProjectGroupId": group["Id"], "LifecycleId": lifecycle["Id"]}
    )
    variable_set = prep.get(f"variables/{existing['VariableSetId']}")
    variable_set["Variables"] = [
        {"Name": "Prod.Only.Setting", "Value": "keep-me"},
        {"Name": "Prod.Only.Secret", "Value": "target-secret", "Type": "Sensitive", "IsSensitive": True},
    ]
    prep.put(f"variables/{existing['VariableSetId']}", variable_set)

    import_into(target, bundle_path, update_existing=True)

    stored = {v["Name"]: v for v in _variables(target, existing)}
    assert stored["Prod.Only.Setting"]["Value"] == "keep-me"
    assert stored["Prod.Only.Secret"]["Value"] == "target-secret"  # the snapshot holds the stored secret
    assert "Billing.StripeKey" in stored  # and the bundle's variables arrived


def test_an_ambiguous_match_is_refused(target: SandboxServer, bundle_path: Path) -> None:
    """No exact 'Production' but two case-insensitive candidates (a server may hold such pairs)."""
    prep = Prepared(target)
    first = prep.post("environments", {"Name": "production"})
    twin = dict(first, Id="Environments-999999", Name="PRODUCTION")
    target.store.put("environments", twin)  # the sandbox refuses this pair over HTTP
    before = target.snapshot()
    with pytest.raises(ImportRefused) as refused:
        import_into(target, bundle_path)
    assert any("Environment 'Production' matches more than one" in r for r in refused.value.refusals)
    assert target.snapshot() == before


def test_a_reference_that_cannot_be_resolved_is_refused(target: SandboxServer, tmp_path: Path) -> None:
    """Release Orchestrator alone: its Deploy-a-Release steps need projects the target does not have."""
    with SandboxServer("demo") as source:
        bundle = export_demo(source, tmp_path / "orchestrator.octobundle", ["Release Orchestrator"])
    before = target.snapshot()
    with pytest.raises(ImportRefused) as refused:
        import_into(target, bundle)
    text = " ".join(refused.value.refusals)
    assert "Project 'Web Portal'" in text and "Project 'Billing API'" in text
    assert target.snapshot() == before


def test_a_tenant_restriction_of_an_account_is_completed_once_the_tenant_exists(tmp_path: Path) -> None:
    with SandboxServer("demo") as source, SandboxServer("empty") as target:
        space = source.space_id("Default")
        with client_for(source) as client:
            accounts = client.get_all(f"/api/{space}/accounts/all")
            account = next(a for a in accounts if a["Name"] == "Azure Portal Subscription")
            tenant = next(
                t for t in client.get_all(f"/api/{space}/tenants/all") if t["Name"] == "Contoso Pharmacy"
            )
            account.update(TenantIds=[tenant["Id"]], TenantedDeploymentParticipation="TenantedOrUntenanted")
            account.pop("Password", None)
            client.put(f"/api/{space}/accounts/{account['Id']}", account)
        bundle = export_demo(source, tmp_path / "restricted.octobundle", ["Web Portal"])
        import_into(target, bundle)
        imported = one(target, "accounts", "Azure Portal Subscription")
        assert imported["TenantIds"] == [one(target, "tenants", "Contoso Pharmacy")["Id"]]
        assert imported["TenantedDeploymentParticipation"] == "TenantedOrUntenanted"


def test_the_plan_lists_variables_it_will_leave_out(target: SandboxServer, bundle_path: Path) -> None:
    with client_for(target) as client:
        plan = plan_import(bundle_path, PASSWORD, client, "Default")
    scope = [f.message for f in plan.follow_ups if f.category == "scope"]
    assert any("Logging.Level" in message and "web-dev-01" in message for message in scope)


def test_a_certificate_the_bundle_does_not_carry_is_skipped_and_its_variables_left_out(
    target: SandboxServer, tmp_path: Path
) -> None:
    with SandboxServer("demo") as source:
        source.add_api_key("API-NOCERTEXPORT0000000000000000", role="no-certificate-export")
        with OctopusClient(source.url, "API-NOCERTEXPORT0000000000000000") as client:
            bundle = tmp_path / "nocert.octobundle"
            export_projects(client, "Default", ["Web Portal"], bundle, PASSWORD, secrets=ACCOUNT_SECRETS)
    with client_for(target) as client:
        plan = plan_import(tmp_path / "nocert.octobundle", PASSWORD, client, "Default")
    certificate = next(item for item in plan.items if item.kind == "Certificate")
    assert certificate.action == "skip" and not plan.refused
    scope = [f.message for f in plan.follow_ups if f.category == "scope"]
    assert any("Certificate 'Portal TLS'" in message for message in scope), "named, never by source id"
    assert not any("Certificates-" in message for message in scope)
    report = import_into(target, tmp_path / "nocert.octobundle")
    assert named(target, "certificates", "Portal TLS") == []
    portal = one(target, "projects", "Web Portal")
    assert [v for v in _variables(target, portal) if v["Type"] == "Certificate"] == []
    assert any(f.category == "scope" and "Portal.Certificate" in f.message for f in report.follow_ups)
    assert any(f.category == "certificate" and "Portal TLS" in f.message for f in report.follow_ups)

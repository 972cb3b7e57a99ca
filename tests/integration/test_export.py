"""Export against the demo sandbox over real HTTP: what the bundle carries, and what it must not."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from octodesk.core.bundle import Bundle, read_bundle
from octodesk.core.cancel import CancelToken
from octodesk.core.errors import Cancelled, ExportRefused
from octodesk.core.export import export_projects, list_secret_references
from octodesk.core.octopus.client import OctopusClient
from octodesk.core.progress import Progress
from octodesk.core.report import Report
from octodesk.core.resources import kinds, model

PASSWORD = "correct horse battery staple"
PORTAL = "Web Portal"


def export(server: Any, projects: list[str], destination: Path, **options: Any) -> Report:
    api_key = options.pop("api_key", server.api_key)
    with OctopusClient(server.url, api_key) as client:
        return export_projects(client, "Default", projects, destination, PASSWORD, **options)


def names(bundle: Bundle, kind: str) -> set[str]:
    return {resource.name for resource in bundle.by_kind(kind)}


@pytest.fixture
def portal_bundle(demo_server: Any, tmp_path: Path) -> tuple[Bundle, Report]:
    destination = tmp_path / "portal.octobundle"
    report = export(demo_server, [PORTAL], destination)
    return read_bundle(destination, PASSWORD), report


def test_web_portal_carries_every_kind_it_uses_and_nothing_unrelated(
    portal_bundle: tuple[Bundle, Report],
) -> None:
    bundle, report = portal_bundle
    assert report.succeeded
    carried_kinds = {resource.kind for resource in bundle.resources}
    # Git credentials (2023.1+) and settings-only deployment settings (2025.2+) are not in a 2021.2 demo:
    # test_carried_references.py and test_project_settings.py carry them.
    newer = {kinds.GIT_CREDENTIAL.name, kinds.DEPLOYMENT_SETTINGS.name}
    assert carried_kinds == {kind.name for kind in kinds.ALL_KINDS} - newer
    assert names(bundle, "Project") == {PORTAL}
    # environments: the Hotfix lifecycle's and those scoping variables/steps/tenants; never "Sandbox Lab"
    assert names(bundle, "Environment") == {"Development", "Test", "Staging", "Production"}
    assert names(bundle, "Lifecycle") == {"Default Lifecycle", "Hotfix"}
    assert names(bundle, "Tenant") == {"Contoso Pharmacy", "Fabrikam Retail", "Northwind Traders"}
    assert names(bundle, "LibraryVariableSet") == {"Common Settings", "Acme Deployment Helpers"}
    assert names(bundle, "Account") == {"Azure Portal Subscription"}
    assert names(bundle, "Certificate") == {"Portal TLS"}
    assert names(bundle, "Feed") == {"Acme NuGet", "Octopus Server (built-in)"}
    assert names(bundle, "WorkerPool") == {"Windows Build Workers"}
    assert names(bundle, "Team") == {"Release Approvers", "Ops Notifications"}
    assert names(bundle, "Channel") == {"Default", "Hotfix"}
    assert names(bundle, "Runbook") == {"Recycle App Pool", "Clean IIS Logs"}
    assert names(bundle, "ProjectTrigger") == {"Nightly app pool recycle", "Deploy to new web servers"}
    assert names(bundle, "ActionTemplate") == {
        "IIS - Ensure Application Pool",
        "IIS - Ensure Website",
        "HTTP - Check Endpoint",
        "Slack - Post Deployment Status",
        "Files - Remove Old Files",
    }
    assert names(bundle, "TagSet") == {"Region", "Tier"}
    assert [name for name in bundle.blobs if name.startswith("logos/")], "the uploaded logo is carried"
    assert report.counts["Project"] == {"exported": 1}


def test_every_id_inside_the_documents_points_into_the_bundle(portal_bundle: tuple[Bundle, Report]) -> None:
    bundle, _ = portal_bundle
    exported_kinds = {kind.name for kind in kinds.ALL_KINDS}
    external = bundle.manifest["external_references"]
    seen: Counter[str] = Counter()
    for resource in bundle.resources:
        for ref in model.references(resource.kind, resource.document):
            if ref.by_name or ref.kind not in exported_kinds | {model.MACHINE}:
                continue
            seen[ref.kind] += 1
            if ref.kind == model.MACHINE:
                assert ref.value in external["Machine"], ref
            elif not ref.optional:
                assert bundle.get(ref.kind, ref.value) is not None, f"{resource.kind} {resource.name}: {ref}"
    # ids hidden in step properties, tenant maps, scopes and typed variable values were all met
    for kind in ("Account", "Team", "ActionTemplate", "Environment", "Channel", "Certificate", "WorkerPool"):
        assert seen[kind] > 0, kind
    process = bundle.by_kind("DeploymentProcess")[0].document
    property_refs = {
        ref.kind for ref in model.references("DeploymentProcess", process) if "Properties" in ref.path
    }
    assert {"Account", "Team", "ActionTemplate"} <= property_refs
    variables = next(r for r in bundle.by_kind("VariableSet") if r.name == PORTAL).document
    typed = {v["Type"]: v["Value"] for v in variables["Variables"] if v["Type"] != "String" and v["Value"]}
    assert bundle.get("Certificate", typed["Certificate"]) is not None
    assert bundle.get("Account", typed["AzureAccount"]) is not None
    assert bundle.get("WorkerPool", typed["WorkerPool"]) is not None
    tenant = bundle.by_kind("Tenant")[0].document
    (project_id, environment_ids), *_ = tenant["ProjectEnvironments"].items()
    assert bundle.get("Project", project_id) is not None
    assert all(bundle.get("Environment", e) is not None for e in environment_ids)


def test_nothing_is_fetched_twice_and_requests_are_few(demo_server: Any, tmp_path: Path) -> None:
    demo_server.reset_counters()
    report = export(demo_server, [PORTAL], tmp_path / "p.octobundle")
    gets = [path for method, path in demo_server.request_log if method == "GET"]
    duplicates = [path for path, count in Counter(gets).items() if count > 1]
    assert duplicates == []
    assert report.http_requests == demo_server.request_count
    assert report.http_requests < 40
    assert set(report.phase_seconds) == {"connect", "read", "write"}


def test_default_lifecycle_environments_travel_only_when_reached(demo_server: Any, tmp_path: Path) -> None:
    destination = tmp_path / "orchestrator.octobundle"
    report = export(demo_server, ["Release Orchestrator"], destination)
    bundle = read_bundle(destination, PASSWORD)
    assert names(bundle, "Lifecycle") == {"Default Lifecycle"}
    assert bundle.by_kind("Environment") == []
    # Deploy-a-Release children are named, not exported
    assert names(bundle, "Project") == {"Release Orchestrator"}
    assert set(bundle.manifest["external_references"]["Project"].values()) == {PORTAL, "Billing API"}
    children = {f.name for f in report.follow_ups if f.category == "deploy-release-project"}
    assert children == {PORTAL, "Billing API"}


def test_a_step_template_travels_at_the_version_the_steps_use(demo_server: Any, tmp_path: Path) -> None:
    destination = tmp_path / "migrations.octobundle"
    export(demo_server, ["Database Migrations"], destination)
    bundle = read_bundle(destination, PASSWORD)
    (template,) = bundle.by_kind("ActionTemplate")
    info = bundle.manifest["step_templates"][template.id]
    process = bundle.by_kind("DeploymentProcess")[0].document
    (used,) = {
        version for template_id, version in model.step_template_usages(process) if template_id == template.id
    }
    assert template.document["Version"] == used == info["carried_version"]
    assert info["latest_version"] > used


def test_a_project_past_the_first_page_is_found(demo_server: Any, tmp_path: Path) -> None:
    with OctopusClient(demo_server.url, demo_server.api_key) as client:
        space_id = demo_server.space_id("Default")
        group = client.get_all(f"/api/{space_id}/projectgroups/all")[0]["Id"]
        lifecycle = client.get_all(f"/api/{space_id}/lifecycles/all")[0]["Id"]
        for number in range(35):
            client.post(
                f"/api/{space_id}/projects",
                {"Name": f"Aardvark {number:02d}", "ProjectGroupId": group, "LifecycleId": lifecycle},
            )
        page = client.get(f"/api/{space_id}/projects")
    assert PORTAL not in {item["Name"] for item in page["Items"]}, "the test needs the project past page one"
    destination = tmp_path / "late.octobundle"
    export(demo_server, [PORTAL, "Aardvark 34"], destination)
    assert names(read_bundle(destination, PASSWORD), "Project") == {PORTAL, "Aardvark 34"}


def test_a_git_project_is_refused_before_anything_is_written(demo_server: Any, tmp_path: Path) -> None:
    destination = tmp_path / "git.octobundle"
    with pytest.raises(ExportRefused) as refused:
        export(demo_server, [PORTAL, "Mobile App (Git)"], destination)
    assert "'Mobile App (Git)'" in str(refused.value)
    assert "version-controlled" in str(refused.value)
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_project_fails_with_close_names(demo_server: Any, tmp_path: Path) -> None:
    with pytest.raises(ExportRefused) as refused:
        export(demo_server, ["Web Portl"], tmp_path / "none.octobundle")
    message = str(refused.value)
    assert "No project named 'Web Portl'" in message
    assert "Close names: Web Portal" in message
    assert list(tmp_path.iterdir()) == []


def test_cancel_during_the_read_leaves_no_file(demo_server: Any, tmp_path: Path) -> None:
    token = CancelToken()
    seen: list[Progress] = []

    def progress(update: Progress) -> None:
        seen.append(update)
        if update.phase == "read" and len(seen) >= 5:
            token.cancel()

    destination = tmp_path / "cancelled.octobundle"
    with pytest.raises(Cancelled):
        export(demo_server, [PORTAL], destination, progress=progress, cancel=token)
    assert list(tmp_path.iterdir()) == []


def test_secrets_are_carried_encrypted_and_never_in_plain_text(demo_server: Any, tmp_path: Path) -> None:
    supplied = {
        "variable:Project/Web Portal/Portal.SigningKey": "k3y-signing-portal-0001",
        "feed:Acme NuGet/Password": "nuget-feed-pa55-XYZ",
        "tenant:Contoso Pharmacy/Project/Web Portal/Tenant.LicenceKey/Production": "LIC-CONTOSO-1",
    }
    destination = tmp_path / "secrets.octobundle"
    report = export(
        demo_server, [PORTAL], destination, secrets={**supplied, "feed:Nowhere/Password": "x-unused"}
    )
    raw = destination.read_bytes()
    for value in supplied.values():
        assert value.encode() not in raw
    for demo_secret in ("AppPool-Pa55word", "smoke-test-token-81c2", "Pr0d!"):
        assert demo_secret.encode() not in raw
    bundle = read_bundle(destination, PASSWORD)
    for ref, value in supplied.items():
        assert bundle.secrets[ref] == value
    assert "certificate:Portal TLS" in bundle.secrets, "the certificate is exported with its key"
    not_carried = {item.ref for item in bundle.summary().secrets_not_carried}
    assert "action:Web Portal/deployment/Notify Slack/Notify Slack/Slack.WebhookUrl" in not_carried
    assert not (set(supplied) & not_carried)
    assert any("feed:Nowhere/Password" in warning for warning in report.warnings)


def test_certificate_export_refused_is_reported_not_fatal(demo_server: Any, tmp_path: Path) -> None:
    key = "API-NOCERTEXPORT0000000000000001"
    demo_server.add_api_key(key, role="no-certificate-export")
    destination = tmp_path / "nocert.octobundle"
    export(demo_server, [PORTAL], destination, api_key=key)
    bundle = read_bundle(destination, PASSWORD)
    reasons = {item.ref: item.reason for item in bundle.summary().secrets_not_carried}
    assert "403" in reasons["certificate:Portal TLS"]
    assert "certificate:Portal TLS" not in bundle.secrets


def test_list_secret_references_names_every_sensitive_value(demo_server: Any) -> None:
    with OctopusClient(demo_server.url, demo_server.api_key) as client:
        refs = {item.ref: item for item in list_secret_references(client, "Default", [PORTAL])}
    assert "variable:Project/Web Portal/ConnectionStrings.Portal[Environment=Production]" in refs
    assert "account:Azure Portal Subscription/Password" in refs
    assert "tenant:Fabrikam Retail/LibraryVariableSet/Common Settings/Tenant.SupportPin" in refs
    assert refs["certificate:Portal TLS"].carried_by == "server"
    assert refs["feed:Acme NuGet/Password"].carried_by == "user"


def test_restrictions_carry_environments_but_only_name_unconnected_tenants(
    demo_server: Any, tmp_path: Path
) -> None:
    """A variable's account brings the account's environments; a tenant it is restricted to but that no
    exported project is connected to travels by name only."""
    with OctopusClient(demo_server.url, demo_server.api_key) as client:
        space = f"/api/{demo_server.space_id('Default')}"
        tenants = {t["Name"]: t["Id"] for t in client.get_all(f"{space}/tenants/all")}
        environments = {e["Name"]: e["Id"] for e in client.get_all(f"{space}/environments/all")}
        account = client.post(
            f"{space}/accounts",
            {
                "Name": "Tailspin Deployer",
                "AccountType": "UsernamePassword",
                "Username": "deployer",
                "Password": {"HasValue": True, "NewValue": "tailspin-account-secret"},
                "EnvironmentIds": [environments["Staging"]],
                "TenantIds": [tenants["Tailspin Toys"]],
                "TenantedDeploymentParticipation": "Tenanted",
            },
        )
        group = client.get_all(f"{space}/projectgroups/all")[0]["Id"]
        default_lifecycle = next(
            lc["Id"] for lc in client.get_all(f"{space}/lifecycles/all") if lc["Name"] == "Default Lifecycle"
        )
        project = client.post(
            f"{space}/projects",
            {"Name": "Tailspin Sync", "ProjectGroupId": group, "LifecycleId": default_lifecycle},
        )
        variables = client.get(f"{space}/variables/{project['VariableSetId']}")
        variables["Variables"] = [
            {"Name": "Deployer", "Type": "UsernamePasswordAccount", "Value": account["Id"], "Scope": {}}
        ]
        client.put(f"{space}/variables/{project['VariableSetId']}", variables)
    destination = tmp_path / "tailspin.octobundle"
    export(demo_server, ["Tailspin Sync"], destination)
    bundle = read_bundle(destination, PASSWORD)
    assert names(bundle, "Account") == {"Tailspin Deployer"}
    assert names(bundle, "Environment") == {"Staging"}, (
        "only the account's environment; none of the default lifecycle"
    )
    assert bundle.by_kind("Tenant") == []
    assert bundle.manifest["external_references"]["Tenant"] == {tenants["Tailspin Toys"]: "Tailspin Toys"}
    assert "account:Tailspin Deployer/Password" in {item.ref for item in bundle.summary().secrets_not_carried}
    assert not [name for name in bundle.blobs if name.startswith("logos/")], "a default logo is not carried"


def test_an_exported_pfx_needs_its_password_unless_supplied(demo_server: Any, tmp_path: Path) -> None:
    import base64

    from octodesk.sandbox.datasets.demo_shared import CERTIFICATE_PASSWORD

    plain = tmp_path / "plain.octobundle"
    export(demo_server, [PORTAL], plain)
    reasons = {item.ref: item.reason for item in read_bundle(plain, PASSWORD).summary().secrets_not_carried}
    assert "original password" in reasons["certificate:Portal TLS/Password"]

    opened = tmp_path / "opened.octobundle"
    export(demo_server, [PORTAL], opened, secrets={"certificate:Portal TLS/Password": CERTIFICATE_PASSWORD})
    bundle = read_bundle(opened, PASSWORD)
    pem = base64.b64decode(bundle.secrets["certificate:Portal TLS"])
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----") and b"-----BEGIN CERTIFICATE-----" in pem
    assert "certificate:Portal TLS/Password" not in bundle.secrets, "a PEM needs no password"
    assert "certificate:Portal TLS/Password" not in {i.ref for i in bundle.summary().secrets_not_carried}
    assert CERTIFICATE_PASSWORD.encode() not in opened.read_bytes()


def test_a_team_deleted_after_its_step_was_saved_is_a_warning_not_a_failure(
    demo_server: Any, tmp_path: Path
) -> None:
    """Octopus keeps step properties as written: a manual-intervention step may name a team that is gone."""
    with OctopusClient(demo_server.url, demo_server.api_key) as client:
        teams = client.get_all("/api/teams/all")
        approvers = next(team for team in teams if team["Name"] == "Release Approvers")
        client.delete(f"/api/teams/{approvers['Id']}")
    report = export(demo_server, [PORTAL], tmp_path / "portal.octobundle")
    assert report.succeeded
    assert any(approvers["Id"] in warning for warning in report.warnings), report.warnings
    assert "Release Approvers" not in names(read_bundle(tmp_path / "portal.octobundle", PASSWORD), "Team")

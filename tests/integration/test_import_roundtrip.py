"""A full import of the demo projects between two sandboxes over HTTP, checked on the target's state."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_evidence import requests_without_rows
from import_support import (
    PASSWORD,
    export_demo,
    import_into,
    named,
    names,
    one,
    space_docs,
    stored_tenant_value,
)

from octodesk.core.bundle import Bundle, read_bundle
from octodesk.core.errors import ImportRefused
from octodesk.core.resources import kinds, model
from octodesk.core.resources.ids import leaked_source_ids
from octodesk.sandbox import SandboxServer

ROUTES = {
    "Environment": "environments",
    "TagSet": "tagsets",
    "WorkerPool": "workerpools",
    "Feed": "feeds",
    "ActionTemplate": "actiontemplates",
    "Account": "accounts",
    "Certificate": "certificates",
    "Lifecycle": "lifecycles",
    "ProjectGroup": "projectgroups",
    "LibraryVariableSet": "libraryvariablesets",
    "Project": "projects",
    "Tenant": "tenants",
}


@pytest.fixture(scope="module")
def source(profile: str) -> Iterator[SandboxServer]:
    with SandboxServer("demo", version=profile) as server:
        yield server


@pytest.fixture(scope="module")
def bundle_path(source: SandboxServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_demo(source, tmp_path_factory.mktemp("bundle") / "demo.octobundle")


@pytest.fixture(scope="module")
def bundle(bundle_path: Path) -> Bundle:
    return read_bundle(bundle_path, PASSWORD)


@pytest.fixture(scope="module")
def imported(profile: str, bundle_path: Path) -> Iterator[tuple[SandboxServer, Any]]:
    with SandboxServer("empty", version=profile) as target:
        report = import_into(target, bundle_path)
        yield target, report


def _space_documents(server: SandboxServer) -> list[dict[str, Any]]:
    snapshot = server.snapshot()
    space_id = server.space_id("Default")
    documents = [
        doc
        for route, docs in snapshot["documents"].items()
        if route != "spaces"
        for doc in docs.values()
        if doc.get("SpaceId") in (space_id, None)
    ]
    return documents + list(snapshot["tenant_variables"].values())


def test_every_bundle_resource_exists_on_the_target_by_name(imported: Any, bundle: Bundle) -> None:
    target, report = imported
    assert report.succeeded
    for kind, route in ROUTES.items():
        expected = {resource.name for resource in bundle.by_kind(kind)}
        assert expected, kind
        assert expected <= set(names(target, route)), kind
    for project in ("Web Portal", "Billing API", "Database Migrations", "Release Orchestrator"):
        assert len(named(target, "projects", project)) == 1
    portal = one(target, "projects", "Web Portal")
    channels = [c["Name"] for c in space_docs(target, "channels") if c["ProjectId"] == portal["Id"]]
    assert sorted(channels) == ["Default", "Hotfix"]
    runbooks = [r["Name"] for r in space_docs(target, "runbooks") if r["ProjectId"] == portal["Id"]]
    assert sorted(runbooks) == ["Clean IIS Logs", "Recycle App Pool"]
    triggers = [t["Name"] for t in space_docs(target, "projecttriggers") if t["ProjectId"] == portal["Id"]]
    assert len(triggers) == 2
    assert portal["Id"] in target.snapshot()["logos"] or any(
        portal["Id"] in key for key in target.snapshot()["logos"]
    )


def test_no_source_id_survives_in_any_target_document(imported: Any, bundle: Bundle) -> None:
    target, _ = imported
    target_ids = {doc_id for docs in target.snapshot()["documents"].values() for doc_id in docs}
    source_ids = {resource.id for resource in bundle.resources} - target_ids
    for document in _space_documents(target):
        assert leaked_source_ids(document, source_ids) == [], document.get("Name", document.get("Id"))


def test_every_reference_resolves_to_an_existing_target_resource(imported: Any) -> None:
    target, _ = imported
    snapshot = target.snapshot()["documents"]
    target_ids = {doc_id for docs in snapshot.values() for doc_id in docs}
    checked = 0
    for route, kind in (
        ("deploymentprocesses", "DeploymentProcess"),
        ("runbookProcesses", "RunbookProcess"),
        ("variables", "VariableSet"),
        ("projects", "Project"),
        ("tenants", "Tenant"),
        ("channels", "Channel"),
        ("lifecycles", "Lifecycle"),
        ("accounts", "Account"),
        ("projecttriggers", "ProjectTrigger"),
        ("runbooks", "Runbook"),
    ):
        for document in space_docs(target, route):
            for ref in model.references(kind, document):
                if ref.by_name or ref.kind not in kinds.KINDS_BY_NAME or ref.value in model.FIXED_IDS:
                    continue
                assert ref.value in target_ids, (route, document.get("Name"), ref)
                checked += 1
    assert checked > 50


def test_references_point_at_the_same_named_resources(imported: Any, bundle: Bundle) -> None:
    """Step templates, feeds and variable scopes name the same things on both sides."""
    target, _ = imported
    by_id = {doc_id: doc for docs in target.snapshot()["documents"].values() for doc_id, doc in docs.items()}
    source_names = {resource.id: resource.name for resource in bundle.resources}
    source_process = next(
        r.document
        for r in bundle.by_kind("DeploymentProcess")
        if source_names[r.document["ProjectId"]] == "Web Portal"
    )
    portal = one(target, "projects", "Web Portal")
    target_process = by_id[portal["DeploymentProcessId"]]
    source_actions = {a["Name"]: a for _, a in model.process_actions(source_process)}
    target_actions = {a["Name"]: a for _, a in model.process_actions(target_process)}
    assert sorted(source_actions) == sorted(target_actions)
    templated = 0
    for name, action in source_actions.items():
        source_template = action["Properties"].get("Octopus.Action.Template.Id")
        if source_template:
            target_template = target_actions[name]["Properties"]["Octopus.Action.Template.Id"]
            assert by_id[target_template]["Name"] == source_names[source_template]
            templated += 1
        for package, target_package in zip(
            action.get("Packages") or [], target_actions[name].get("Packages") or [], strict=True
        ):
            if package.get("FeedId") in source_names:
                assert by_id[target_package["FeedId"]]["Name"] == source_names[package["FeedId"]]
    assert templated >= 3
    source_set = next(
        r.document
        for r in bundle.by_kind("VariableSet")
        if r.document["OwnerId"] == source_process["ProjectId"]
    )
    env_names = {e["Id"]: e["Name"] for e in source_set["ScopeValues"]["Environments"]}
    expected = sorted(
        (v["Name"], tuple(sorted(env_names[e] for e in v["Scope"].get("Environment", []))))
        for v in source_set["Variables"]
        if not v["Scope"].get("Machine")
    )
    target_set = by_id[portal["VariableSetId"]]
    actual = sorted(
        (v["Name"], tuple(sorted(by_id[e]["Name"] for e in v["Scope"].get("Environment", []))))
        for v in target_set["Variables"]
    )
    assert actual == expected


def test_a_second_import_of_the_same_bundle_is_refused_and_changes_nothing(
    profile: str, bundle_path: Path
) -> None:
    with SandboxServer("empty", version=profile) as target:
        import_into(target, bundle_path)
        before = target.snapshot()
        target.reset_counters()
        with pytest.raises(ImportRefused) as refused:
            import_into(target, bundle_path)
        assert "Project 'Web Portal' already exists" in str(refused.value)
        assert refused.value.exit_code == 3
        assert target.snapshot() == before
        assert all(method == "GET" for method, _ in target.request_log)


def test_tenant_variable_values_arrive_under_the_target_ids(imported: Any, bundle: Bundle) -> None:
    target, _ = imported
    by_id = {doc_id: doc for docs in target.snapshot()["documents"].values() for doc_id, doc in docs.items()}
    compared = 0
    for resource in bundle.by_kind("TenantVariables"):
        tenant_name = bundle.get("Tenant", resource.document["TenantId"]).name  # type: ignore[union-attr]
        tenant = one(target, "tenants", tenant_name)
        for entry in resource.document["ProjectVariables"].values():
            project = one(target, "projects", entry["ProjectName"])
            names = {t["Id"]: t["Name"] for t in entry["Templates"]}
            target_templates = {t["Name"]: t["Id"] for t in project["Templates"]}
            for environment_id, values in entry["Variables"].items():
                environment = one(target, "environments", bundle.get("Environment", environment_id).name)  # type: ignore[union-attr]
                for template_id, value in values.items():
                    if isinstance(value, str):
                        target_template = target_templates[names[template_id]]
                        held = stored_tenant_value(
                            target, tenant["Id"], project["Id"], target_template, environment["Id"]
                        )
                        assert held == value
                        assert (
                            by_id[environment["Id"]]["Name"] == bundle.get("Environment", environment_id).name
                        )  # type: ignore[union-attr]
                        compared += 1
    assert compared >= 3


def test_every_route_the_client_sent_has_an_evidence_row(source: SandboxServer, imported: Any) -> None:
    """What OctoDesk sends to a server of this version (export, plan, apply), recorded by the sandbox:
    every request is a route with a row in docs/api-evidence.md."""
    target, _ = imported
    sent = source.request_log + target.request_log
    assert len(sent) > 50
    assert requests_without_rows(sent) == []

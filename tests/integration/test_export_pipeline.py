"""The cheaper export pipeline keeps its results: one copy-and-scrub pass, a second selection that completes
the first, a manifest without repeated follow-ups, and one scan feeding an export."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from octodesk.core.bundle import read_bundle
from octodesk.core.export import export_projects, scan_source
from octodesk.core.export.exporter import read_everything, resolve_projects
from octodesk.core.export.selection import select
from octodesk.core.export.walk import SourceData, SourceReader
from octodesk.core.octopus.client import OctopusClient
from octodesk.core.plan import plan_import
from octodesk.core.progress import no_progress
from octodesk.sandbox import SandboxServer

ALL_DEMO = ["Billing API", "Database Migrations", "Release Orchestrator", "Web Portal"]
PASSWORD = "correct horse battery staple"


def test_the_completed_selection_equals_a_selection_from_scratch(demo_server: Any) -> None:
    with OctopusClient(demo_server.url, demo_server.api_key) as client:
        space = client.resolve_space("Default")
        data = SourceData(space_id=str(space["Id"]), server_version="2021.2.4488")
        reader = SourceReader(client, data, no_progress)
        ids = [p["Id"] for p in resolve_projects(reader, "Default", ALL_DEMO)]
        completed = read_everything(reader, ids)
    fresh = select(data, ids)
    assert {kind: sorted(docs) for kind, docs in completed.carried.items()} == {
        kind: sorted(docs) for kind, docs in fresh.carried.items()
    }
    assert completed.external == fresh.external and completed.team_ids == fresh.team_ids
    assert {k: (u.carried, sorted(u.referenced)) for k, u in completed.templates.items()} == {
        k: (u.carried, sorted(u.referenced)) for k, u in fresh.templates.items()
    }
    assert sorted(completed.warnings) == sorted(fresh.warnings)
    assert completed.count()["Team"] >= 1 and completed.count()["ActionTemplate"] >= 1


def test_sensitive_values_not_carried_are_listed_once_and_the_plan_still_names_them(
    demo_server: Any, tmp_path: Path
) -> None:
    bundle = tmp_path / "portal.octobundle"
    with OctopusClient(demo_server.url, demo_server.api_key) as client:
        report = export_projects(client, "Default", ["Web Portal"], bundle, PASSWORD)
    manifest = read_bundle(bundle, PASSWORD).manifest
    not_carried = [item["ref"] for item in manifest["secrets_not_carried"]]
    assert not_carried
    assert not [f for f in manifest["follow_ups"] if f["category"] == "sensitive-value"]
    assert sum(f.category == "sensitive-value" for f in report.follow_ups) == len(not_carried)
    with SandboxServer("empty") as target, OctopusClient(target.url, target.api_key) as client:
        plan = plan_import(bundle, PASSWORD, client, "Default")
    planned = [f.message for f in plan.follow_ups if f.category == "sensitive-value"]
    assert all(any(ref in message for message in planned) for ref in not_carried)
    assert len(planned) == len(set(planned))


def test_an_export_from_a_scan_sends_no_read_again(demo_server: Any, tmp_path: Path) -> None:
    with OctopusClient(demo_server.url, demo_server.api_key) as client:
        scan = scan_source(client, "Default", ["Web Portal"])
        demo_server.reset_counters()
        report = export_projects(
            client, "Default", ["Web Portal"], tmp_path / "p.octobundle", PASSWORD, scan=scan
        )
        assert demo_server.request_count <= 2  # at most the certificate export the secrets need
        with pytest.raises(ValueError, match="other projects"):
            export_projects(
                client, "Default", ["Billing API"], tmp_path / "q.octobundle", PASSWORD, scan=scan
            )
    assert report.succeeded and report.http_requests == scan.requests + demo_server.request_count
    assert read_bundle(tmp_path / "p.octobundle", PASSWORD).manifest["projects"] == ["Web Portal"]


def test_the_projects_documents_are_written_while_the_rest_of_the_source_is_read(
    demo_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rest of the read waits (up to 5 s) for the first documents to be written: one after the other,
    it would wait in vain and say so."""
    from octodesk.core.bundle.writer import BundleWriter
    from octodesk.core.export import exporter

    written_ahead = threading.Event()
    original_add, original_rest = BundleWriter.add, exporter._read_the_rest
    ahead: list[str] = []

    def add(writer: BundleWriter, resources: Any, *, total: int | None = None) -> None:
        resources = list(resources)
        if total is None:
            ahead.extend(f"{r.kind}/{r.id}" for r in resources)
        original_add(writer, resources, total=total)
        written_ahead.set()

    def read_the_rest(reader: Any, project_ids: list[str], chosen: Any = None) -> Any:
        assert written_ahead.wait(5), "the rest of the read began only after the documents were written"
        assert not any(entry.startswith("Environment/") for entry in ahead)  # shared: after the closure
        return original_rest(reader, project_ids, chosen)

    monkeypatch.setattr(BundleWriter, "add", add)
    monkeypatch.setattr(exporter, "_read_the_rest", read_the_rest)
    with OctopusClient(demo_server.url, demo_server.api_key) as client:
        export_projects(client, "Default", ["Web Portal"], tmp_path / "p.octobundle", PASSWORD)
    kinds_ahead = {entry.split("/")[0] for entry in ahead}
    assert {"Project", "DeploymentProcess", "VariableSet", "Channel"} <= kinds_ahead


def test_the_shared_documents_the_closure_chose_are_written_while_the_last_level_is_read(
    demo_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Level 3's reads wait (up to 5 s) for an environment (chosen by the closure's first pass) to be in the
    bundle: written only after the read, it would wait in vain and say so."""
    from octodesk.core.bundle.writer import BundleWriter
    from octodesk.core.export.walk import SourceReader

    environment_written = threading.Event()
    original_add, original_template_versions = BundleWriter.add, SourceReader.template_versions

    def add(writer: BundleWriter, resources: Any, *, total: int | None = None) -> None:
        resources = list(resources)
        original_add(writer, resources, total=total)
        if total is None and any(r.kind == "Environment" for r in resources):
            environment_written.set()

    def template_versions(reader: SourceReader, wanted: Any) -> Any:
        assert environment_written.wait(5), "the closure's choice was written only after the last level"
        return original_template_versions(reader, wanted)

    monkeypatch.setattr(BundleWriter, "add", add)
    monkeypatch.setattr(SourceReader, "template_versions", template_versions)
    with OctopusClient(demo_server.url, demo_server.api_key) as client:
        export_projects(client, "Default", ALL_DEMO, tmp_path / "p.octobundle", PASSWORD)
    bundle = read_bundle(tmp_path / "p.octobundle", PASSWORD)
    assert bundle.manifest["counts"]["Environment"] >= 2 and bundle.manifest["counts"]["Team"] >= 1


def test_each_of_the_projects_documents_is_written_as_it_arrives(
    demo_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The variable sets' read (level 1) waits (up to 5 s) for a deployment process (same level) to be in
    the bundle: written only once the level was read, it would wait in vain and say so."""
    from octodesk.core.bundle.writer import BundleWriter

    process_written = threading.Event()
    original_add, original_get_by_ids = BundleWriter.add, OctopusClient.get_by_ids

    def add(writer: BundleWriter, resources: Any, *, total: int | None = None) -> None:
        resources = list(resources)
        original_add(writer, resources, total=total)
        if any(r.kind == "DeploymentProcess" for r in resources):
            process_written.set()

    def get_by_ids(client: OctopusClient, path: str, ids: list[str]) -> Any:
        if "/variables/all" in path and not process_written.is_set():
            assert process_written.wait(5), "no document was written while the level was still being read"
        return original_get_by_ids(client, path, ids)

    monkeypatch.setattr(BundleWriter, "add", add)
    monkeypatch.setattr(OctopusClient, "get_by_ids", get_by_ids)
    with OctopusClient(demo_server.url, demo_server.api_key) as client:
        export_projects(client, "Default", ALL_DEMO, tmp_path / "p.octobundle", PASSWORD)
    assert read_bundle(tmp_path / "p.octobundle", PASSWORD).manifest["projects"] == ALL_DEMO


def test_the_documents_written_as_they_arrive_are_exactly_the_projects_own(demo_server: Any) -> None:
    from octodesk.core.export.selection import is_project_document, project_documents

    with OctopusClient(demo_server.url, demo_server.api_key) as client:
        info, space = client.server_info_and_space("Default")
        reader = SourceReader(client, SourceData(space["Id"], info.version), no_progress)
        for chosen in (ALL_DEMO, ALL_DEMO[:1]):
            project_ids = [p["Id"] for p in resolve_projects(reader, "Default", chosen)]
            read_everything(reader, project_ids)
            data, wanted = reader.data, set(project_ids)
            own = {(kind, d["Id"]) for kind, d in project_documents(data, project_ids)}
            told = {
                (kind, item_id)
                for kind, documents in data.docs.items()
                for item_id, document in documents.items()
                if is_project_document(data, wanted, kind, document)
            }
            assert told == own and len(own) >= 4 * len(project_ids)


def test_written_ahead_or_not_the_bundle_is_the_same(demo_server: Any, tmp_path: Path) -> None:
    with OctopusClient(demo_server.url, demo_server.api_key) as client:
        export_projects(client, "Default", ALL_DEMO, tmp_path / "ahead.octobundle", PASSWORD)
        scan = scan_source(client, "Default", ALL_DEMO)
        export_projects(client, "Default", ALL_DEMO, tmp_path / "after.octobundle", PASSWORD, scan=scan)
    ahead, after = (read_bundle(tmp_path / f"{name}.octobundle", PASSWORD) for name in ("ahead", "after"))
    assert [(r.kind, r.id, r.name, r.document) for r in ahead.resources] == [
        (r.kind, r.id, r.name, r.document) for r in after.resources
    ]
    assert ahead.manifest["resources"] == after.manifest["resources"]  # the index in kind order, then id


@pytest.mark.parametrize("failure", ["read", "cancel"])
def test_an_export_failing_after_writing_ahead_leaves_no_file(
    demo_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    from octodesk.core.bundle.writer import BundleWriter
    from octodesk.core.cancel import CancelToken
    from octodesk.core.errors import Cancelled, ServerError

    cancel = CancelToken()
    original_add = BundleWriter.add

    def add_then_fail(writer: BundleWriter, resources: Any, *, total: int | None = None) -> None:
        original_add(writer, resources, total=total)
        if total is None and failure == "cancel":
            cancel.cancel()

    monkeypatch.setattr(BundleWriter, "add", add_then_fail)
    if failure == "read":
        demo_server.fail_next(20, "503", path_contains="runbookProcesses")  # a level 2 read, every retry
    with OctopusClient(demo_server.url, demo_server.api_key, max_retries=1) as client:
        client.sleep = lambda _seconds: None
        with pytest.raises(Cancelled if failure == "cancel" else ServerError):
            export_projects(client, "Default", ALL_DEMO, tmp_path / "b.octobundle", PASSWORD, cancel=cancel)
    assert list(tmp_path.iterdir()) == []


def test_a_destination_folder_that_does_not_exist_is_refused_before_any_request(
    demo_server: Any, tmp_path: Path
) -> None:
    from octodesk.core.errors import BundleError

    demo_server.reset_counters()
    with OctopusClient(demo_server.url, demo_server.api_key) as client, pytest.raises(
        BundleError, match="does not exist"
    ):
        export_projects(client, "Default", ALL_DEMO, tmp_path / "missing" / "b.octobundle", PASSWORD)
    assert demo_server.request_count == 0


def test_tenants_are_trimmed_to_the_exported_projects_and_the_documents_read_keep_every_project(
    demo_server: Any, tmp_path: Path
) -> None:
    with OctopusClient(demo_server.url, demo_server.api_key) as client:
        space = client.resolve_space("Default")["Id"]
        billing = client.get(f"/api/{space}/projects/all")
        (billing_id,) = [p["Id"] for p in billing if p["Name"] == "Billing API"]
        (tenant, *_) = [t for t in client.get(f"/api/{space}/tenants/all") if t["ProjectEnvironments"]]
        tenant_id = tenant["Id"]
        environments = [e["Id"] for e in client.get(f"/api/{space}/environments/all")]
        tenant["ProjectEnvironments"][billing_id] = environments[:1]
        client.put(f"/api/{space}/tenants/{tenant['Id']}", tenant)  # connected to two projects
        scan = scan_source(client, "Default", ["Web Portal"])
        export_projects(client, "Default", ["Web Portal"], tmp_path / "p.octobundle", PASSWORD, scan=scan)
    (portal_id,) = [p["Id"] for p in scan.projects]
    read = {tenant_id: tenant["ProjectEnvironments"] for tenant_id, tenant in scan.data.of("Tenant").items()}
    bundle = read_bundle(tmp_path / "p.octobundle", PASSWORD)
    tenants = [r.document for r in bundle.resources if r.kind == "Tenant"]
    assert tenants and any(billing_id in read[t["Id"]] for t in tenants)  # what was read, after the export
    for tenant in tenants:
        assert set(tenant["ProjectEnvironments"]) == {portal_id}
    for variables in (r.document for r in bundle.resources if r.kind == "TenantVariables"):
        assert set(variables["ProjectVariables"]) <= {portal_id}
    read_variables = scan.data.get("TenantVariables", tenant_id)
    assert {portal_id, billing_id} <= set(read_variables["ProjectVariables"])

"""The cheaper export pipeline keeps its results: one copy-and-scrub pass, a second selection that completes
the first, a manifest without repeated follow-ups, and one scan feeding an export."""

from __future__ import annotations

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

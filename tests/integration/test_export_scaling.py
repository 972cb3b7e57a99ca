"""Export cost grows with kinds and dependency levels, not with the number of projects (large dataset)."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from octodesk.core.bundle import read_bundle
from octodesk.core.export import export_projects
from octodesk.core.octopus.client import OctopusClient

PASSWORD = "scaling password"


@pytest.fixture(scope="module")
def large_server() -> Any:
    from octodesk.sandbox import SandboxServer

    with SandboxServer(dataset="large") as server:
        yield server


def _export(server: Any, names: list[str], destination: Path) -> tuple[int, list[str]]:
    server.reset_counters()
    with OctopusClient(server.url, server.api_key) as client:
        report = export_projects(client, "Default", names, destination, PASSWORD)
    assert report.http_requests == server.request_count
    return report.http_requests, [path for method, path in server.request_log if method == "GET"]


def test_request_count_does_not_grow_with_the_number_of_projects(large_server: Any, tmp_path: Path) -> None:
    with OctopusClient(large_server.url, large_server.api_key) as client:
        space_id = large_server.space_id("Default")
        names = sorted(project["Name"] for project in client.get_all(f"/api/{space_id}/projects/all"))
    assert len(names) >= 150
    one, _ = _export(large_server, names[:1], tmp_path / "one.octobundle")
    many, gets = _export(large_server, names[:150], tmp_path / "many.octobundle")
    assert many <= one * 2, (one, many)
    duplicates = [path for path, count in Counter(gets).items() if count > 1]
    assert duplicates == [], "a resource was fetched twice"
    bundle = read_bundle(tmp_path / "many.octobundle", PASSWORD)
    assert len(bundle.by_kind("Project")) == 150
    assert len(bundle.by_kind("DeploymentProcess")) == 150


def test_reads_of_one_level_run_in_parallel(large_server: Any, tmp_path: Path, monkeypatch: Any) -> None:
    """The whole-collection reads of the first level overlap (counted, not timed)."""
    import threading

    active = 0
    peak = 0
    lock = threading.Lock()
    original: Callable[..., Any] = OctopusClient.get_all

    def counting_get_all(self: OctopusClient, path: str, params: Any = None) -> Any:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        try:
            return original(self, path, params)
        finally:
            with lock:
                active -= 1

    monkeypatch.setattr(OctopusClient, "get_all", counting_get_all)
    large_server.set_faults(latency_ms=20)
    try:
        with OctopusClient(large_server.url, large_server.api_key) as client:
            space_id = large_server.space_id("Default")
            name = client.get_all(f"/api/{space_id}/projects/all")[0]["Name"]
            export_projects(client, "Default", [name], tmp_path / "p.octobundle", PASSWORD)
    finally:
        large_server.set_faults(latency_ms=0)
    assert peak > 1


@pytest.mark.parametrize(("version", "round_trips"), [("2021.2", 6), ("2025.2", 8)])
def test_an_export_waits_for_as_few_round_trips_as_its_dependencies_allow(
    sandbox_factory: Callable[..., Any], tmp_path: Path, version: str, round_trips: int
) -> None:
    """Every round trip costs the latency once: the demo export of all its projects waits for the server
    version, its hosting and the space (at once), the projects, the shared collections with the
    projects' own documents, the runbook processes with the library sets' and tenants' variables and the
    feature toggle, the teams and targets, and a certificate's export. 2025.2 adds the other projects'
    deployment settings (after the first showed the server has them) and the scoped common variables."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the benchmarks' request timeline
    from benchmarks.common import recording_requests

    server = sandbox_factory("demo", version=version, latency_ms=50)
    with OctopusClient(server.url, server.api_key) as client:
        names = [p["Name"] for p in client.get_all(f"/api/{server.space_id('Default')}/projects/all")]
    exportable = [name for name in names if "(Git)" not in name]
    with recording_requests() as timeline, OctopusClient(server.url, server.api_key) as client:
        export_projects(client, "Default", exportable, tmp_path / "demo.octobundle", PASSWORD)
    assert timeline.sequential_round_trips() == round_trips

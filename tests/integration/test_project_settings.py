"""What a project keeps off its own document travels too: deployment settings only the settings route has
(FailTargetDiscovery, 2025.2+), and the provisioning/deprovisioning runbooks it names."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from import_support import PASSWORD, client_for, export_demo, import_into, one

from octodesk.core.bundle import read_bundle

PROJECT = "Web Portal"


def prepare_source(server: Any) -> str:
    """Web Portal fails target discovery and names a runbook as its provisioning runbook; its name."""
    space = server.space_id("Default")
    with client_for(server) as client:
        api = f"/api/{space}"
        project = next(p for p in client.read_collection(f"{api}/projects") if p["Name"] == PROJECT)
        settings = client.get(f"{api}/projects/{project['Id']}/deploymentsettings")
        settings["FailTargetDiscovery"] = True
        client.put(f"{api}/projects/{project['Id']}/deploymentsettings", settings)
        runbooks = client.read_collection(f"{api}/projects/{project['Id']}/runbooks", all_route=False)
        project = client.get(f"{api}/projects/{project['Id']}")
        project["ProvisioningRunbookId"] = runbooks[0]["Id"]
        client.put(f"{api}/projects/{project['Id']}", project)
        return str(runbooks[0]["Name"])


def test_settings_only_fields_and_provisioning_runbooks_arrive_on_2025_2(
    sandbox_factory: Callable[..., Any], tmp_path: Path
) -> None:
    source, target = sandbox_factory("demo", version="2025.2"), sandbox_factory("empty", version="2025.2")
    runbook_name = prepare_source(source)
    bundle = export_demo(source, tmp_path / "b.octobundle", [PROJECT])
    carried = read_bundle(bundle, PASSWORD).by_kind("DeploymentSettings")
    assert [r.document["FailTargetDiscovery"] for r in carried] == [True]
    assert import_into(target, bundle).succeeded
    project = one(target, "projects", PROJECT)
    space = target.space_id("Default")
    with client_for(target) as client:
        settings = client.get(f"/api/{space}/projects/{project['Id']}/deploymentsettings")
    assert settings["FailTargetDiscovery"] is True
    runbook = next(
        r
        for r in target.snapshot()["documents"]["runbooks"].values()
        if r["ProjectId"] == project["Id"] and r["Name"] == runbook_name
    )
    assert project["ProvisioningRunbookId"] == runbook["Id"]


def test_a_server_without_settings_only_fields_carries_none_and_reads_one_settings_document(
    sandbox_factory: Callable[..., Any], tmp_path: Path
) -> None:
    source = sandbox_factory("demo", version="2023.1")
    source.reset_counters()
    bundle = export_demo(source, tmp_path / "b.octobundle")
    assert read_bundle(bundle, PASSWORD).by_kind("DeploymentSettings") == []
    reads = [path for method, path in source.request_log if "deploymentsettings" in path]
    assert len(reads) == 1

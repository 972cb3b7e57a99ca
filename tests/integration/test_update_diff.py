"""Update mode says per project what changes (steps, variables, channels, runbooks) or "no change", and an
identical re-import writes nothing at all."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from import_support import PASSWORD, client_for, export_demo, import_into

from octodesk.core.apply import apply_plan
from octodesk.core.plan import ImportOptions, ImportPlan, plan_import
from octodesk.core.vocabulary import Action
from octodesk.sandbox import SandboxServer

WRITES = ("POST", "PUT", "DELETE")


def plan_update(target: SandboxServer, bundle: Path) -> ImportPlan:
    with client_for(target) as client:
        return plan_import(bundle, PASSWORD, client, "Default", ImportOptions(update_existing=True))


def project_item(plan: ImportPlan, name: str) -> object:
    return next(item for item in plan.items if item.kind == "Project" and item.name == name)


@pytest.fixture
def source() -> Iterator[SandboxServer]:
    with SandboxServer("demo") as server:
        yield server


def test_an_identical_reimport_says_no_change_and_writes_nothing(
    source: SandboxServer, tmp_path: Path
) -> None:
    bundle = export_demo(source, tmp_path / "demo.octobundle")
    with SandboxServer("empty") as target:
        import_into(target, bundle)
        target.reset_counters()
        plan = plan_update(target, bundle)
        projects = [item for item in plan.items if item.kind == "Project"]
        assert projects and all(item.action == Action.REUSE for item in projects)
        assert all(item.details == ["no change"] for item in projects)
        assert not [item for item in plan.items if item.action == Action.UPDATE]
        with client_for(target) as client:
            report = apply_plan(plan, client)
        assert report.succeeded and not report.written
        assert [entry for entry in target.request_log if entry[0] in WRITES] == []


def test_an_update_names_what_changes(source: SandboxServer, tmp_path: Path) -> None:
    first = export_demo(source, tmp_path / "first.octobundle", ["Billing API"])
    space = f"/api/{source.space_id('Default')}"
    with client_for(source) as client:
        project = next(p for p in client.get_all(f"{space}/projects/all") if p["Name"] == "Billing API")
        variables = client.get(f"{space}/variables/{project['VariableSetId']}")
        changed = next(v for v in variables["Variables"] if v.get("Type") == "String" and not v["Scope"])
        changed["Value"] = "a new value"
        variables["Variables"].append(
            {"Name": "Billing.NewSetting", "Value": "on", "Type": "String", "Scope": {}}
        )
        client.put(f"{space}/variables/{project['VariableSetId']}", variables)
        client.post(
            f"{space}/channels",
            {
                "Name": "Hotfix",
                "ProjectId": project["Id"],
                "LifecycleId": None,
                "Rules": [],
                "IsDefault": False,
            },
        )
        process = client.get(f"{space}/deploymentprocesses/{project['DeploymentProcessId']}")
        removed = process["Steps"].pop()["Name"]
        client.put(f"{space}/deploymentprocesses/{project['DeploymentProcessId']}", process)
    second = export_demo(source, tmp_path / "second.octobundle", ["Billing API"])
    with SandboxServer("empty") as target:
        import_into(target, first)
        plan = plan_update(target, second)
        item = project_item(plan, "Billing API")
        assert item.action == Action.UPDATE
        assert f"variable {changed['Name']} changed" in item.details
        assert "variable Billing.NewSetting added" in item.details
        assert "channel 'Hotfix' added" in item.details
        assert f"step '{removed}' removed" in item.details
        import_into(target, second, update_existing=True)
        target.reset_counters()
        again = plan_update(target, second)
        assert project_item(again, "Billing API").details == ["no change"]
        with client_for(target) as client:
            apply_plan(again, client)
        assert [entry for entry in target.request_log if entry[0] in WRITES] == []

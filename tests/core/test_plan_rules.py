"""The import rules as pure functions: a recorded bundle and recorded target reads in, decisions out.

``tests/core/recorded/web_portal.json`` holds "Web Portal" exported from the demo sandbox and two targets
read the way the planner reads them: an empty space, and another demo instance where every name exists.
Re-record with ``python tests/core/recorded/record.py``.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from octodesk.core.bundle import Bundle, BundleResource
from octodesk.core.journal import Journal
from octodesk.core.plan import ImportOptions, ImportPlan, PlanItem
from octodesk.core.plan.rules import decide
from octodesk.core.plan.target import TargetSpace
from octodesk.core.resources import kinds

RECORDED = Path(__file__).parent / "recorded" / "web_portal.json"


@cache
def _recorded() -> dict[str, Any]:
    return json.loads(RECORDED.read_text())


def make_plan(
    tmp_path: Path,
    target_name: str,
    *,
    update_existing: bool = False,
    edit: Any = None,
    secrets: dict[str, str] | None = None,
    placeholder_secrets: bool = False,
) -> ImportPlan:
    recorded = copy.deepcopy(_recorded())
    if edit is not None:
        edit(recorded)
    bundle = Bundle(
        manifest=recorded["manifest"],
        resources=[BundleResource(**resource) for resource in recorded["resources"]],
        secrets=dict(
            secrets if secrets is not None else {"account:Azure Portal Subscription/Password": "pw"}
        ),
        blobs={},
    )
    target = TargetSpace(**recorded["targets"][target_name])
    plan = ImportPlan(
        bundle_path="web.octobundle",
        source=dict(recorded["manifest"]["source"]),
        options=ImportOptions(update_existing=update_existing, placeholder_secrets=placeholder_secrets),
        bundle=bundle,
        target=target,
        journal=Journal(tmp_path / "journal.jsonl"),
    )
    decide(plan)
    return plan


def items(plan: ImportPlan, kind: str) -> list[PlanItem]:
    return [item for item in plan.items if item.kind == kind]


def test_into_an_empty_space_everything_is_created(tmp_path: Path) -> None:
    plan = make_plan(tmp_path, "empty")
    assert not plan.refused, plan.refusals
    (project,) = items(plan, kinds.PROJECT.name)
    assert (project.name, project.action) == ("Web Portal", "create")
    for kind in (kinds.ENVIRONMENT.name, kinds.LIBRARY_VARIABLE_SET.name, kinds.ACCOUNT.name):
        assert {item.action for item in items(plan, kind)} == {"create"}, kind


def test_an_account_created_without_its_required_secret_is_refused_unless_placeholders_are_allowed(
    tmp_path: Path,
) -> None:
    plan = make_plan(tmp_path, "empty", secrets={})
    assert [r for r in plan.refusals if "Azure Portal Subscription" in r and "Password" in r]
    allowed = make_plan(tmp_path, "empty", secrets={}, placeholder_secrets=True)
    assert not allowed.refused, allowed.refusals
    (account,) = items(allowed, kinds.ACCOUNT.name)
    assert any("placeholder" in detail for detail in account.details)
    reused = make_plan(tmp_path, "demo", secrets={}, update_existing=True)  # reused accounts need nothing
    assert not reused.refused, reused.refusals


def test_an_existing_project_refuses_the_import(tmp_path: Path) -> None:
    plan = make_plan(tmp_path, "demo")
    assert plan.refused
    assert any("Web Portal" in refusal and "already exists" in refusal for refusal in plan.refusals)
    assert {item.action for item in items(plan, kinds.ENVIRONMENT.name)} == {"reuse"}


def test_update_existing_updates_the_project_instead(tmp_path: Path) -> None:
    plan = make_plan(tmp_path, "demo", update_existing=True)
    assert not plan.refused, plan.refusals
    (project,) = items(plan, kinds.PROJECT.name)
    assert project.action == "update" and project.target_id


def test_update_existing_into_a_project_the_target_keeps_in_git_is_refused(tmp_path: Path) -> None:
    def in_git(recorded: dict[str, Any]) -> None:
        for project in recorded["targets"]["demo"]["collections"][kinds.PROJECT.name]:
            if project["Name"] == "Web Portal":
                project["PersistenceSettings"] = {"Type": "VersionControlled", "DefaultBranch": "main"}

    plan = make_plan(tmp_path, "demo", update_existing=True, edit=in_git)
    assert any("'Web Portal' is version-controlled (Git) on the target" in r for r in plan.refusals)
    (project,) = items(plan, kinds.PROJECT.name)
    assert project.action == "skip"


def test_a_target_older_than_the_source_is_refused(tmp_path: Path) -> None:
    def older(recorded: dict[str, Any]) -> None:
        recorded["targets"]["empty"]["version"] = "2020.6.4000"

    plan = make_plan(tmp_path, "empty", edit=older)
    assert any("2020.6.4000" in refusal for refusal in plan.refusals)


def test_a_library_set_the_target_lacks_a_variable_of_is_merged(tmp_path: Path) -> None:
    removed: list[str] = []

    def drop_one(recorded: dict[str, Any]) -> None:
        variable_set = next(iter(recorded["targets"]["demo"]["library_variables"].values()))
        removed.append(variable_set["Variables"].pop(0)["Name"])

    plan = make_plan(tmp_path, "demo", update_existing=True, edit=drop_one)
    merged = [item for item in items(plan, kinds.LIBRARY_VARIABLE_SET.name) if item.action == "merge"]
    assert len(merged) == 1
    assert any(removed[0] in detail for detail in merged[0].details)
    others = [item for item in items(plan, kinds.LIBRARY_VARIABLE_SET.name) if item is not merged[0]]
    assert {item.action for item in others} == {"reuse"}


def test_a_reference_neither_carried_nor_on_the_target_refuses(tmp_path: Path) -> None:
    def without_account(recorded: dict[str, Any]) -> None:
        recorded["resources"] = [r for r in recorded["resources"] if r["kind"] != kinds.ACCOUNT.name]

    plan = make_plan(tmp_path, "empty", edit=without_account)
    assert any("Account" in refusal and "cannot be resolved" in refusal for refusal in plan.refusals)


@pytest.mark.parametrize("target_name", ["empty", "demo"])
def test_every_carried_resource_is_decided_once(tmp_path: Path, target_name: str) -> None:
    plan = make_plan(tmp_path, target_name, update_existing=True)
    decided = [(item.kind, item.source_id) for item in plan.items]
    assert len(decided) == len(set(decided))
    # Library sets carry their variable set, projects their triggers: decided with their owner.
    owned = (kinds.PROJECT_TRIGGER.name,)
    library_variables = {
        str(r["document"]["VariableSetId"])
        for r in _recorded()["resources"]
        if r["kind"] == kinds.LIBRARY_VARIABLE_SET.name
    }
    carried = {
        (r["kind"], r["id"])
        for r in _recorded()["resources"]
        if r["kind"] not in owned and r["id"] not in library_variables
    }
    assert carried - set(decided) == set()

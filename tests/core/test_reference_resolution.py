"""Every kind of reference the model visits is resolved at plan time, before anything is written.

The kinds are enumerated from the model's own source (the kind argument of every ``Visitor`` call in
``resources/visitors.py`` and the tables of ``resources/fields.py``), so a reference kind added to the model
without a rule in ``plan/resolution.py`` fails here. Then, for every kind that must be carried or matched,
a reference the bundle does not carry and the target does not have is shown to refuse the plan.
"""

from __future__ import annotations

import ast
import inspect
from typing import Any

import pytest
from test_plan_rules import _recorded, make_plan

from octodesk.core.plan.resolution import CARRIED_OR_MATCHED, LEFT_OUT, OPTIONAL, RESOLUTION
from octodesk.core.resources import fields, kinds, visitors

# Visitor calls whose kind argument is a local variable; where each one comes from.
_BOUND_FROM_TABLES = {
    "kind": "SCOPE_KINDS (variable scopes)",
    "value_kind": "REFERENCE_VARIABLE_TYPES (account/certificate/worker pool variables)",
    "template_kind": "PROJECT_TEMPLATE / LIBRARY_TEMPLATE (passed to _templates)",
}
_KIND_ARGUMENT = {"value": 2, "many": 2, "csv": 2, "keys": 2}


def _constant(node: ast.expr) -> set[str] | None:
    """The kinds one kind argument can name, or None when it is bound elsewhere."""
    if isinstance(node, ast.Constant):
        return {node.value} if isinstance(node.value, str) else set()
    if isinstance(node, ast.Name) and isinstance(getattr(fields, node.id, None), str):
        return {getattr(fields, node.id)}
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        table = getattr(fields, node.value.id)
        return {value for value in table.values() if isinstance(value, str)}
    return None


def visited_kinds() -> set[str]:
    found: set[str] = set()
    tree = ast.parse(inspect.getsource(visitors))
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        name = node.func.attr
        if name in _KIND_ARGUMENT and len(node.args) > _KIND_ARGUMENT[name]:
            argument = node.args[_KIND_ARGUMENT[name]]
            kinds_named = _constant(argument)
            if kinds_named is None:
                assert isinstance(argument, ast.Name) and argument.id in _BOUND_FROM_TABLES, ast.dump(
                    argument
                )
                continue
            found |= kinds_named
    for node in ast.walk(tree):  # _templates(doc, path, v, PROJECT_TEMPLATE): the template kinds
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_templates":
            for argument in [*node.args[3:], *(keyword.value for keyword in node.keywords)]:
                found |= _constant(argument) or set()
    found |= {kind for kind, _flags in fields.SCOPE_KINDS.values() if kind}
    found |= set(fields.REFERENCE_VARIABLE_TYPES.values())
    found |= set(fields.ID_PROPERTIES.values())
    found |= set(fields._ID_PREFIXES.values())  # typed / loose / many(None): the kind from the id
    found.discard(None)  # type: ignore[arg-type]
    return found


def test_every_kind_the_model_visits_has_a_resolution_rule() -> None:
    visited = visited_kinds()
    assert visited - set(RESOLUTION) == set(), "reference kinds without a plan-time rule"
    assert set(RESOLUTION) - visited == set(), "rules for kinds the model never visits"


_PREFIX = {kind: prefix for prefix, kind in fields._ID_PREFIXES.items()}
_CASED = {
    "environments": "Environments",
    "tagsets": "TagSets",
    "workerpools": "WorkerPools",
    "feeds": "Feeds",
    "teams": "Teams",
    "actiontemplates": "ActionTemplates",
    "accounts": "Accounts",
    "certificates": "Certificates",
    "lifecycles": "Lifecycles",
    "projectgroups": "ProjectGroups",
    "libraryvariablesets": "LibraryVariableSets",
    "projects": "Projects",
    "channels": "Channels",
    "runbooks": "Runbooks",
    "tenants": "Tenants",
    "gitcredentials": "GitCredentials",
}


def _with_loose_property(value: str) -> Any:
    def edit(recorded: dict[str, Any]) -> None:
        process = next(r for r in recorded["resources"] if r["kind"] == kinds.DEPLOYMENT_PROCESS.name)
        action = process["document"]["Steps"][0]["Actions"][0]
        action.setdefault("Properties", {})["Acme.Custom.Reference"] = value

    return edit


@pytest.mark.parametrize("kind", sorted(k for k, how in RESOLUTION.items() if how == CARRIED_OR_MATCHED))
def test_a_reference_of_each_carried_kind_neither_carried_nor_on_the_target_refuses(
    tmp_path: Any, kind: str
) -> None:
    missing_id = f"{_CASED[_PREFIX[kind]]}-999999"
    plan = make_plan(tmp_path, "demo", update_existing=True, edit=_with_loose_property(missing_id))
    assert any(kind in refusal and missing_id in refusal for refusal in plan.refusals), plan.refusals


def test_the_same_kinds_of_reference_carried_by_the_bundle_are_resolved(tmp_path: Any) -> None:
    bundle_kinds = {resource["kind"]: resource["id"] for resource in _recorded()["resources"]}
    carried = sorted(k for k, how in RESOLUTION.items() if how == CARRIED_OR_MATCHED and k in bundle_kinds)
    assert len(carried) >= 10
    for kind in carried:
        plan = make_plan(
            tmp_path, "demo", update_existing=True, edit=_with_loose_property(bundle_kinds[kind])
        )
        assert not plan.refused, (kind, plan.refusals)


def test_a_machine_scope_the_target_cannot_map_leaves_that_variable_out_with_a_follow_up(
    tmp_path: Any,
) -> None:
    assert RESOLUTION[fields.MACHINE] == LEFT_OUT

    def scope_to_a_machine(recorded: dict[str, Any]) -> None:
        variable_set = next(r for r in recorded["resources"] if r["id"] == "variableset-Projects-8910061")[
            "document"
        ]
        variable_set["Variables"][0].setdefault("Scope", {})["Machine"] = ["Machines-999999"]
        lists = variable_set.setdefault("ScopeValues", {})
        lists.setdefault("Machines", []).append({"Id": "Machines-999999", "Name": "web-gone-01"})

    plan = make_plan(tmp_path, "empty", edit=scope_to_a_machine)
    assert not plan.refused, plan.refusals
    assert any("web-gone-01" in f.message and "left out" in f.message for f in plan.follow_ups)


def test_an_optional_reference_missing_on_the_target_is_dropped_not_refused(tmp_path: Any) -> None:
    assert RESOLUTION[fields.RELEASE] == OPTIONAL
    plan = make_plan(tmp_path, "empty", edit=_with_loose_property("Releases-999999"))
    assert not plan.refused, plan.refusals


def test_a_kind_without_a_rule_refuses(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from octodesk.core.plan import resolution

    rules = dict(resolution.RESOLUTION)
    del rules[kinds.ENVIRONMENT.name]
    monkeypatch.setattr("octodesk.core.plan.references.RESOLUTION", rules)
    plan = make_plan(tmp_path, "empty")
    assert any("does not know how to resolve" in refusal for refusal in plan.refusals)

"""Preview of the never-widen-a-scope rule: variables whose scope or value the target cannot map are listed
in the plan (apply leaves them out and lists them again in its report)."""

from __future__ import annotations

from typing import Any

from octodesk.core.plan.types import ImportPlan
from octodesk.core.plan.variables import SCOPE_VALUE_LISTS, label, signature
from octodesk.core.report import FollowUp
from octodesk.core.resources import kinds, model, tenant_values
from octodesk.core.resources.ids import match_by_name


def predict_left_out_variables(plan: ImportPlan) -> None:
    bundle, target = plan.bundle, plan.target
    skipped = {(item.kind, item.source_id) for item in plan.items if item.action == "skip"}
    carried = {(resource.kind, resource.id) for resource in bundle.resources} - skipped
    external = plan.external.targets
    written_projects = {
        item.source_id for item in plan.items if item.kind == kinds.PROJECT.name and item.action != "skip"
    }
    owners: dict[str, tuple[str, str]] = {}
    for resource in bundle.by_kind(kinds.PROJECT.name):
        if resource.id in written_projects:
            owners[str(resource.document.get("VariableSetId"))] = ("Project", resource.name)
    for resource in bundle.by_kind(kinds.LIBRARY_VARIABLE_SET.name):
        item = plan.item(kinds.LIBRARY_VARIABLE_SET.name, resource.id)
        if item is not None and item.action in ("create", "merge"):
            owners[str(resource.document.get("VariableSetId"))] = ("LibraryVariableSet", resource.name)
    present = _present_signatures(plan)
    for resource in bundle.by_kind(kinds.VARIABLE_SET.name):
        owner = owners.get(resource.id)
        if owner is None:
            continue
        source_set = resource.document
        machines = {
            str(m.get("Id")): str(m.get("Name"))
            for m in (source_set.get("ScopeValues") or {}).get(SCOPE_VALUE_LISTS["Machine"]) or []
        }
        for variable in source_set.get("Variables") or []:
            if owner[0] == "LibraryVariableSet" and signature(variable, source_set) in present.get(
                owner[1], set()
            ):
                continue  # the target's own variable is kept: nothing is written
            missing = []
            for ref in model.references(kinds.VARIABLE_SET.name, {"Variables": [variable]}):
                if ref.by_name or ref.kind == model.DEPLOYMENT_ACTION:
                    continue
                if ref.kind == model.MACHINE:
                    if not match_by_name(machines.get(ref.value, ""), target.of("Machine")).found:
                        missing.append(f"machine '{machines.get(ref.value, ref.value)}'")
                elif (ref.kind, ref.value) not in carried and (ref.kind, ref.value) not in external:
                    missing.append(f"{ref.kind} {ref.value}")
            if missing:
                _left_out(plan, owner, label(variable, source_set), missing)


def predict_left_out_tenant_values(plan: ImportPlan) -> None:
    """Environment-scoped common tenant values have no place on a target without scoped common
    variables: written unscoped they would apply to every environment, so they are left out."""
    if plan.target.scoped_tenant_variables:
        return
    for resource in plan.bundle.by_kind(kinds.TENANT_VARIABLES.name):
        scoped = resource.document.get(tenant_values.SCOPED_COMMON) or []
        item = plan.item(kinds.TENANT_VARIABLES.name, resource.id)
        for value in scoped:
            described = scoped_common_label(plan, value)
            if item is not None:
                item.details.append(f"left out: {described}")
            plan.follow_ups.append(
                FollowUp(
                    "scope",
                    f"Tenant '{resource.name}' value {described} will be left out: the target has no "
                    "environment-scoped common variables (writing it would apply it to every environment).",
                    kinds.TENANT.name,
                    resource.name,
                )
            )


def scoped_common_label(plan: ImportPlan, value: dict[str, Any]) -> str:
    """``Common Settings/Tenant.SupportPin [Production]``: an environment-scoped common value, by names."""
    set_id = str(value.get("LibraryVariableSetId"))
    library = plan.bundle.get(kinds.LIBRARY_VARIABLE_SET.name, set_id)
    templates = {
        str(t.get("Id")): str(t.get("Name"))
        for t in (library.document if library else {}).get("Templates") or []
    }
    environments = []
    for environment_id in value.get("EnvironmentIds") or []:
        environment = plan.bundle.get(kinds.ENVIRONMENT.name, str(environment_id))
        environments.append(environment.name if environment else str(environment_id))
    template_id = str(value.get("TemplateId"))
    owner = library.name if library else set_id
    return f"{owner}/{templates.get(template_id, template_id)} [{', '.join(sorted(environments))}]"


def _left_out(plan: ImportPlan, owner: tuple[str, str], variable: str, missing: list[str]) -> None:
    kind, name = owner
    message = (
        f"Variable {variable} of {kind} '{name}' will be left out: the target has no {', '.join(missing)} "
        "(importing it without would widen where it applies)."
    )
    plan.follow_ups.append(FollowUp("scope", message, kind, name))


def _present_signatures(plan: ImportPlan) -> dict[str, set[Any]]:
    """Per merged library variable set name: signatures of the variables the target already has."""
    target_sets = plan.target.library_variables
    by_set_id = {
        str(lvs.get("VariableSetId")): str(lvs.get("Name"))
        for lvs in plan.target.of(kinds.LIBRARY_VARIABLE_SET.name)
    }
    return {
        by_set_id.get(set_id, ""): {signature(v, variable_set) for v in variable_set.get("Variables") or []}
        for set_id, variable_set in target_sets.items()
    }

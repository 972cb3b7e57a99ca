"""Variable sets on the target: remapped scopes and values, secrets from the bundle, never a widened scope.

A variable whose scope (or reference-typed value) cannot be mapped is left out and listed as a follow-up:
dropping only the unmappable scope value would make the variable apply more broadly.
"""

from __future__ import annotations

from typing import Any

from octodesk.core.apply.context import ApplyContext
from octodesk.core.plan.variables import SCOPE_VALUE_LISTS, label, signature
from octodesk.core.resources import model, secret_refs
from octodesk.core.resources.ids import match_by_name
from octodesk.core.vocabulary import FollowUpCategory

_NAME_KINDS = {
    "Environment": "Environments",
    model.MACHINE: "Machines",
    model.DEPLOYMENT_ACTION: "Actions",
    "Channel": "Channels",
    "Project": "Processes",
    "Runbook": "Processes",
    "Tenant": "Tenants",
}


def _names(variable_set: dict[str, Any], list_name: str) -> dict[str, str]:
    values = (variable_set.get("ScopeValues") or {}).get(list_name) or []
    return {str(entry.get("Id")): str(entry.get("Name")) for entry in values if isinstance(entry, dict)}


def source_name_of(source_set: dict[str, Any]) -> secret_refs.NameOf:
    """(kind, source id) -> name, from the source set's ScopeValues (the bundle keeps them)."""

    def name_of(kind: str, value: str) -> str | None:
        list_name = _NAME_KINDS.get(kind)
        return _names(source_set, list_name).get(value) if list_name else None

    return name_of


def convert_variable(
    ctx: ApplyContext, variable: dict[str, Any], source_set: dict[str, Any], owner_kind: str, owner_name: str
) -> dict[str, Any] | None:
    """The variable as the target needs it, or None (left out, with a follow-up) when it cannot be mapped."""
    machines = _names(source_set, SCOPE_VALUE_LISTS["Machine"])

    def lookup(ref: model.Reference) -> str | None:
        if ref.kind == model.MACHINE:
            match = match_by_name(machines.get(ref.value, ""), ctx.target.of("Machine"))
            return str(match.target["Id"]) if match.target else None
        return ctx.lookup(ref)

    result = model.remap("VariableSet", {"Variables": [model.copy_json(variable)]}, lookup)
    what = f"variable {label(variable, source_set)} of {secret_refs.owner_label(owner_kind)} '{owner_name}'"
    if result.unmapped:
        missing = ", ".join(
            sorted({f"{ref.kind} {_names_for(ctx, source_set, ref)}" for ref in result.unmapped})
        )
        ctx.follow_up(
            FollowUpCategory.SCOPE,
            f"Left out {what}: its scope or value refers to {missing}, which the target does not have "
            "(importing it without that would widen where it applies). Recreate it by hand.",
            owner_kind,
            owner_name,
        )
        return None
    converted = dict(result.document["Variables"][0])
    converted.pop("Id", None)
    if converted.get("IsSensitive") or converted.get("Type") == "Sensitive":
        ref = secret_refs.variable_ref(
            owner_kind,
            owner_name,
            str(variable.get("Name")),
            variable.get("Scope"),
            source_name_of(source_set),
        )
        secret = ctx.bundle.secrets.get(ref)
        converted["Value"] = secret
        if secret is None:
            ctx.follow_up(
                FollowUpCategory.SENSITIVE_VALUE,
                f"Set the value of sensitive {what}: the bundle does not carry it.",
                owner_kind,
                owner_name,
                ref,
            )
    return converted


def _names_for(ctx: ApplyContext, source_set: dict[str, Any], ref: model.Reference) -> str:
    """The referenced resource by name: from the set's ScopeValues, the bundle, or the export's record of
    what it referenced without carrying; the source id only when none of them knows it."""
    list_name = _NAME_KINDS.get(ref.kind)
    name = _names(source_set, list_name).get(ref.value) if list_name else None
    if name is None:
        resource = ctx.bundle.get(ref.kind, ref.value)
        name = resource.name if resource else ctx.plan.external.names.get((ref.kind, ref.value))
    return f"'{name}'" if name else ref.value


def merged_variables(
    ctx: ApplyContext,
    source_set: dict[str, Any],
    target_set: dict[str, Any],
    owner_kind: str,
    owner_name: str,
    *,
    replace: bool,
) -> tuple[list[dict[str, Any]], int]:
    """The target's new variable list and how many variables were added.

    Merge (library sets): the target's variables stay as they are; missing ones are added.
    Replace (a project's own variables, update-existing mode): the bundle's variables win, but a variable
    the target already has with the same name and scopes keeps its id, a sensitive one keeps the target's
    stored value, and variables only the target has are kept — a promoted project's production-only values
    (scoped to environments the source never had) must not be lost.
    """
    existing = {signature(variable, target_set): variable for variable in target_set.get("Variables") or []}
    result: list[dict[str, Any]] = [] if replace else [dict(v) for v in target_set.get("Variables") or []]
    added = 0
    for variable in source_set.get("Variables") or []:
        present = existing.get(signature(variable, source_set))
        if present is not None and not replace:
            continue  # same name and scopes on the target: left untouched
        converted = convert_variable(ctx, variable, source_set, owner_kind, owner_name)
        if converted is None:
            if present is not None:
                result.append(dict(present))
            continue
        if present is not None:
            converted["Id"] = present["Id"]
            if present.get("IsSensitive"):
                converted["Value"] = None  # never overwrite a target secret; null keeps the stored value
        else:
            added += 1
        result.append(converted)
    if replace:
        source_signatures = {signature(v, source_set) for v in source_set.get("Variables") or []}
        result.extend(
            dict(v)
            for v in target_set.get("Variables") or []
            if signature(v, target_set) not in source_signatures
        )
    return result, added


def put_variables(
    ctx: ApplyContext, target_set: dict[str, Any], variables: list[dict[str, Any]], what: str
) -> None:
    body = {key: value for key, value in target_set.items() if key not in ("ScopeValues", "Links")}
    body["Variables"] = variables
    ctx.send("PUT", ctx.route(f"variables/{target_set['Id']}"), body, what)

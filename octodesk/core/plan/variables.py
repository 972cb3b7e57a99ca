"""Variables compared across servers: by name and scopes, the scopes read as names (ids differ)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from octodesk.core.resources import kinds

if TYPE_CHECKING:
    from octodesk.core.bundle import Bundle

# Variable Scope key -> the VariableSet.ScopeValues list that names its ids.
SCOPE_VALUE_LISTS = {
    "Environment": "Environments",
    "Machine": "Machines",
    "Action": "Actions",
    "Channel": "Channels",
    "ProcessOwner": "Processes",
    "Tenant": "Tenants",
}
NAMED_SCOPES = ("Role", "TargetRole", "TenantTag")  # already names


def scope_names(variable: dict[str, Any], variable_set: dict[str, Any]) -> dict[str, list[str]]:
    """A variable's scope with every id replaced by the name the set's ScopeValues give it."""
    lookups = variable_set.get("ScopeValues") or {}
    named: dict[str, list[str]] = {}
    for key, values in (variable.get("Scope") or {}).items():
        if not isinstance(values, list) or not values:
            continue
        if key in SCOPE_VALUE_LISTS:
            names = {
                str(entry.get("Id")): str(entry.get("Name"))
                for entry in lookups.get(SCOPE_VALUE_LISTS[key]) or []
            }
            named[key] = sorted(names.get(str(value), str(value)) for value in values)
        else:
            named[key] = sorted(str(value) for value in values)
    return named


def signature(
    variable: dict[str, Any], variable_set: dict[str, Any]
) -> tuple[str, tuple[tuple[str, tuple[str, ...]], ...]]:
    scopes = scope_names(variable, variable_set)
    folded = tuple(sorted((key, tuple(name.casefold() for name in values)) for key, values in scopes.items()))
    return str(variable.get("Name", "")).casefold(), folded


def label(variable: dict[str, Any], variable_set: dict[str, Any]) -> str:
    scopes = scope_names(variable, variable_set)
    if not scopes:
        return str(variable.get("Name"))
    text = "; ".join(f"{key}={','.join(values)}" for key, values in sorted(scopes.items()))
    return f"{variable.get('Name')} [{text}]"


def missing_variables(source_set: dict[str, Any], target_set: dict[str, Any]) -> list[str]:
    """Labels of the source variables the target set lacks (same name and same scopes = present)."""
    present = {signature(variable, target_set) for variable in target_set.get("Variables") or []}
    return [
        label(variable, source_set)
        for variable in source_set.get("Variables") or []
        if signature(variable, source_set) not in present
    ]


def project_name_of(bundle: Bundle, project_id: str) -> str:
    project = bundle.get(kinds.PROJECT.name, project_id)
    return project.name if project else project_id

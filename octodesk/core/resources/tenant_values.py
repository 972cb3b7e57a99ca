"""Tenant variable values across server versions (docs/api-evidence.md, Tenants).

Every server has the 2021.2 ``TenantVariableResource`` view (``tenants/{id}/variables``,
``tenantvariables/all``): project values per environment, common (library-set) values without a scope.
Servers with the ``CommonVariableScopingFeatureToggle`` (2025.2+) also scope common values to environments and
take writes only on ``tenants/{id}/projectvariables`` and ``…/commonvariables`` (a full set per PUT: values
left out are deleted). A bundle's TenantVariables document keeps the 2021.2 shape and adds the
environment-scoped common values under ``ScopedCommonVariables``, which an older target cannot hold without
widening them.
"""

from __future__ import annotations

from typing import Any

SCOPED_TENANT_VARIABLES = "CommonVariableScopingFeatureToggle"
SCOPED_COMMON = "ScopedCommonVariables"  # [{LibraryVariableSetId, TemplateId, Value, EnvironmentIds}]

Doc = dict[str, Any]


def scoped_common_values(answer: Any) -> list[Doc]:
    """The environment-scoped values of a ``commonvariables`` answer, in the bundle's shape."""
    values = answer.get("Variables") if isinstance(answer, dict) else None
    found: list[Doc] = []
    for value in values or []:
        environments = (value.get("Scope") or {}).get("EnvironmentIds") if isinstance(value, dict) else None
        if isinstance(environments, list) and environments:
            found.append(
                {
                    "LibraryVariableSetId": value.get("LibraryVariableSetId"),
                    "TemplateId": value.get("TemplateId"),
                    "Value": value.get("Value"),
                    "EnvironmentIds": list(environments),
                }
            )
    return found


def payload(owner_field: str, owner_id: str, template_id: str, value: Any, environments: list[str]) -> Doc:
    """One item of a projectvariables/commonvariables PUT. The owner goes by the name the clients use
    (``ProjectId``/``LibraryVariableSetId``, Octopus.Client and go-octopusdeploy) and as ``OwnerId``, the
    name in the server's API reference; a server ignores the one it does not bind."""
    return {
        owner_field: owner_id,
        "OwnerId": owner_id,
        "TemplateId": template_id,
        "Value": value,
        "Scope": {"EnvironmentIds": list(environments)},
    }


def echo(existing: Doc, owner_field: str) -> Doc:
    """A value the target already holds, sent back unchanged in a full-set PUT (a sensitive one as
    ``{HasValue: true, NewValue: null}``, which keeps what the server stores: OctopusDeploy/cli update.go)."""
    item = payload(
        owner_field,
        str(existing.get(owner_field)),
        str(existing.get("TemplateId")),
        existing.get("Value"),
        list((existing.get("Scope") or {}).get("EnvironmentIds") or []),
    )
    item["Id"] = existing.get("Id")
    return item


def template_names(templates: Any) -> dict[str, str]:
    """A project's or library set's ``Templates``: template id -> name."""
    return {str(t.get("Id")): str(t.get("Name")) for t in templates or [] if isinstance(t, dict)}

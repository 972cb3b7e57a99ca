"""What a document of each kind must look like, and the name it is known by.

A bundle's index says "resources/Environment/Environments-3.json is the Environment 'Staging'"; the import
preview shows that line and the import then posts the document to that kind's collection. Both are only
honest when the document agrees: its id is the index's id and of the kind's form, its name is the index's
name, and it has the fields that kind's documents always have (Octopus REST API, 2021.2 Swagger resource
definitions; docs/octopus-api-facts.md "Reference fields"). ``document_problem`` says what disagrees.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from octodesk.core.resources import kinds
from octodesk.core.resources.fields import kind_of_id

NameOf = Callable[[str, str], str | None]  # (kind, id) -> the Name of that document, if known

# Fields every document of the kind has, with their JSON type.
_REQUIRED: dict[str, dict[str, type]] = {
    kinds.ENVIRONMENT.name: {"Name": str},
    kinds.TAG_SET.name: {"Name": str, "Tags": list},
    kinds.WORKER_POOL.name: {"Name": str},
    kinds.FEED.name: {"Name": str, "FeedType": str},
    kinds.TEAM.name: {"Name": str},
    kinds.ACTION_TEMPLATE.name: {"Name": str, "ActionType": str},
    kinds.ACCOUNT.name: {"Name": str, "AccountType": str},
    kinds.CERTIFICATE.name: {"Name": str},
    kinds.LIFECYCLE.name: {"Name": str, "Phases": list},
    kinds.PROJECT_GROUP.name: {"Name": str},
    kinds.LIBRARY_VARIABLE_SET.name: {"Name": str, "VariableSetId": str},
    kinds.PROJECT.name: {
        "Name": str,
        "ProjectGroupId": str,
        "LifecycleId": str,
        "DeploymentProcessId": str,
        "VariableSetId": str,
    },
    kinds.DEPLOYMENT_PROCESS.name: {"ProjectId": str, "Steps": list},
    kinds.VARIABLE_SET.name: {"OwnerId": str, "Variables": list},
    kinds.CHANNEL.name: {"Name": str, "ProjectId": str},
    kinds.RUNBOOK.name: {"Name": str, "ProjectId": str},
    kinds.RUNBOOK_PROCESS.name: {"ProjectId": str, "RunbookId": str, "Steps": list},
    kinds.PROJECT_TRIGGER.name: {"Name": str, "ProjectId": str},
    kinds.TENANT.name: {"Name": str},
    kinds.TENANT_VARIABLES.name: {"TenantId": str},
    kinds.GIT_CREDENTIAL.name: {"Name": str, "Details": dict},
    kinds.DEPLOYMENT_SETTINGS.name: {"ProjectId": str},
}
# Kinds whose ids are not "<Collection>-<n>": the prefix Octopus gives them (case-insensitive).
_ID_PREFIXES = {
    kinds.DEPLOYMENT_PROCESS.name: "deploymentprocess-",
    kinds.VARIABLE_SET.name: "variableset-",
    kinds.RUNBOOK_PROCESS.name: "runbookprocess-",
    kinds.PROJECT_TRIGGER.name: "projecttriggers-",
    kinds.DEPLOYMENT_SETTINGS.name: "deploymentsettings-",
}
assert set(_REQUIRED) == set(kinds.KINDS_BY_NAME), "every kind needs its shape"
# The fields a document's name derives from (see derived_name).
NAME_FIELDS = ("Name", "Id", "ProjectId", "RunbookId", "OwnerId", "TenantId")


def derived_name(kind: str, document: dict[str, Any], name_of: NameOf) -> str:
    """The name import matches on: the document's Name, or for child documents without one their owner's."""
    if isinstance(document.get("Name"), str):
        return str(document["Name"])
    if kind == kinds.DEPLOYMENT_PROCESS.name:
        return name_of(kinds.PROJECT.name, str(document.get("ProjectId"))) or str(document.get("Id"))
    if kind == kinds.RUNBOOK_PROCESS.name:
        project = name_of(kinds.PROJECT.name, str(document.get("ProjectId"))) or "?"
        return f"{project}/{name_of(kinds.RUNBOOK.name, str(document.get('RunbookId'))) or '?'}"
    if kind == kinds.VARIABLE_SET.name:
        owner = str(document.get("OwnerId"))
        return name_of(kinds.PROJECT.name, owner) or name_of(kinds.LIBRARY_VARIABLE_SET.name, owner) or owner
    if kind == kinds.DEPLOYMENT_SETTINGS.name:
        return name_of(kinds.PROJECT.name, str(document.get("ProjectId"))) or str(document.get("Id"))
    if kind == kinds.TENANT_VARIABLES.name:
        return name_of(kinds.TENANT.name, str(document.get("TenantId"))) or str(document.get("Id"))
    return str(document.get("Id"))


def document_problem(kind: str, source_id: str, document: dict[str, Any]) -> str | None:
    """How ``document`` disagrees with being the ``kind`` resource ``source_id``, or None."""
    required = _REQUIRED.get(kind)
    if required is None:
        return f"is of the kind {kind!r}, which OctoDesk does not know"
    for field, expected in required.items():
        if not isinstance(document.get(field), expected):
            return f"has no {field} ({expected.__name__}), which every {kind} has"
    if kind == kinds.TENANT_VARIABLES.name and document["TenantId"] != source_id:
        return f"holds the variables of the tenant {document['TenantId']!r}, not {source_id!r}"
    if document.get("Id", source_id) != source_id or (
        kind != kinds.TENANT_VARIABLES.name and "Id" not in document
    ):
        return f"holds the document with id {str(document.get('Id'))!r}, not {source_id!r}"
    if not _id_fits(kind, source_id):
        return f"has the id {source_id!r}, which is not a {kind} id"
    return None


def name_problem(kind: str, name: str, document: dict[str, Any], name_of: NameOf) -> str | None:
    """How the name ``document`` is known by differs from ``name``, or None."""
    actual = derived_name(kind, document, name_of)
    if actual != name:
        return f"is named {actual!r} in its document, not {name!r} as the index says"
    return None


def _id_fits(kind: str, source_id: str) -> bool:
    prefix = _ID_PREFIXES.get(kind)
    if prefix is not None:
        return source_id.lower().startswith(prefix) and len(source_id) > len(prefix)
    owner_kind = kinds.TENANT.name if kind == kinds.TENANT_VARIABLES.name else kind
    return kind_of_id(source_id) == owner_kind

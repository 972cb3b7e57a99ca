"""Which fields of which kind of document reference which other kinds — shared by export and import.

Two calls cover every use:

* ``references(kind, document)`` yields a :class:`Reference` for every id (or name) inside a document:
  plain fields, id lists, CSV properties (team ids), dictionary keys (tenant ``ProjectEnvironments``,
  tenant variables), JSON embedded in step properties (package parameters), variable ``Scope`` maps and
  reference-typed variable ``Value``s.  Export follows them; import checks them before writing.
* ``remap(kind, document, lookup)`` returns a copy of the document with every id reference replaced by
  ``lookup(reference)``; references the lookup cannot map (it returns ``None``) keep their source value
  and are returned in ``RemapResult.unmapped`` so the caller can decide (drop the variable, follow-up, ...).

Reference flags tell the importer what dropping an unmapped reference would mean:
``scope`` — a restriction (variable scope, account/certificate/step restriction): dropping it widens
where something applies, so never drop silently; ``optional`` — export does not carry the target
(machines, releases, users, legacy fields): map by name when possible, otherwise drop with a warning;
``by_name`` — the value is a name (role, ``TagSet/Tag``, action name), nothing to remap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from octodesk.core.resources import fields as model_fields
from octodesk.core.resources import visitors as model_kinds
from octodesk.core.resources.fields import (
    DEPLOYMENT_ACTION,
    FIXED_IDS,
    GIT_CREDENTIAL,
    LIBRARY_TEMPLATE,
    MACHINE,
    PROJECT_TEMPLATE,
    RELEASE,
    TARGET_ROLE,
    TENANT_TAG,
    USER,
    Reference,
    is_expression,
    kind_of_id,
)

__all__ = [
    "DEPLOYMENT_ACTION",
    "FIXED_IDS",
    "GIT_CREDENTIAL",
    "LIBRARY_TEMPLATE",
    "MACHINE",
    "PROJECT_TEMPLATE",
    "RELEASE",
    "TARGET_ROLE",
    "TENANT_TAG",
    "USER",
    "Reference",
    "RemapResult",
    "is_expression",
    "kind_of_id",
    "process_actions",
    "referenced_ids",
    "references",
    "remap",
    "step_template_usages",
]


@dataclass
class RemapResult:
    document: dict[str, Any]
    unmapped: list[Reference] = field(default_factory=list)


Lookup = Callable[[Reference], "str | None"]


def references(kind: str, document: dict[str, Any]) -> Iterator[Reference]:
    """Every reference inside ``document`` (a resource of ``kind``), in document order."""
    found: list[Reference] = []

    def record(ref: Reference) -> str | None:
        found.append(ref)
        return None

    model_kinds.visit(kind, document, model_fields.Visitor(record))
    yield from found


def copy_json(node: Any) -> Any:
    """A deep copy of a JSON document (dicts, lists, scalars): three times faster than copy.deepcopy."""
    if isinstance(node, dict):
        return {key: copy_json(value) for key, value in node.items()}
    if isinstance(node, list):
        return [copy_json(value) for value in node]
    return node


def remap(kind: str, document: dict[str, Any], lookup: Lookup) -> RemapResult:
    """A deep copy of ``document`` with every id reference replaced by ``lookup(reference)``.

    Names (``by_name``) and fixed built-in ids are left alone; ``None`` from ``lookup`` keeps the
    source value and lists the reference in ``unmapped``.
    """
    result = RemapResult(copy_json(document))

    def replace(ref: Reference) -> str | None:
        if ref.by_name or ref.value in FIXED_IDS:
            return None
        new_value = lookup(ref)
        if new_value is None:
            result.unmapped.append(ref)
        return new_value

    model_kinds.visit(kind, result.document, model_fields.Visitor(replace))
    return result


def referenced_ids(kind: str, document: dict[str, Any], target_kind: str) -> set[str]:
    """The ids (or names) of ``target_kind`` that ``document`` references."""
    return {ref.value for ref in references(kind, document) if ref.kind == target_kind}


def step_template_usages(process: dict[str, Any]) -> Iterator[tuple[str, int | None]]:
    """(ActionTemplate id, version) for every action of a deployment/runbook process built from a template."""
    for step in process.get("Steps") or []:
        for action in step.get("Actions") or []:
            properties = action.get("Properties") or {}
            template_id = properties.get(model_fields.TEMPLATE_ID)
            if isinstance(template_id, str) and template_id:
                version = properties.get(model_fields.TEMPLATE_VERSION)
                yield template_id, int(version) if isinstance(version, str) and version.isdigit() else None


def process_actions(process: dict[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(step, action) pairs of a deployment or runbook process, in order."""
    for step in process.get("Steps") or []:
        for action in step.get("Actions") or []:
            yield step, action

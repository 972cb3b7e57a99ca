"""What an update would change on an existing target project: steps, variables, channels and runbooks
added, removed or changed, and project settings; nothing when the target already holds what the bundle
carries (the plan then reuses the project and the import writes nothing to it).

The bundle's documents hold source ids. They are compared after remapping every reference to the target's
resource of the same name (from the plan's decisions), and only on what the bundle says: a field only the
target has (a default the server added) is not a change. Server-owned fields (ids, versions, timestamps)
never count.
"""

from __future__ import annotations

from typing import Any

from octodesk.core.plan.target import ProjectContents
from octodesk.core.plan.types import ImportPlan
from octodesk.core.plan.variables import label, signature
from octodesk.core.resources import kinds, model

SERVER_OWNED = frozenset(
    {
        "Id",
        "Links",
        "Version",
        "LastModifiedOn",
        "LastModifiedBy",
        "SpaceId",
        "ProjectId",
        "OwnerId",
        "LastSnapshotId",
        "DeploymentProcessId",
        "VariableSetId",
        "RunbookProcessId",
        "PublishedRunbookSnapshotId",
        "Slug",
        "ScopeValues",
        # A step template's version differs between servers for the same content; a changed template shows
        # on the template's own plan item.
        "Octopus.Action.Template.Version",
    }
)
PROJECT_FIELDS = ("Description", "IsDisabled", "TenantedDeploymentMode", "DiscreteChannelRelease")

Doc = dict[str, Any]


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def differs(ours: Any, theirs: Any) -> bool:
    """True when the target's value does not hold what ours says (fields only the target has don't count).

    Sensitive values never differ here: documents carry none (the bundle keeps them apart), an update never
    overwrites one the target holds, and ``project_changes`` says when the bundle brings new ones.
    """
    if isinstance(ours, dict) and "HasValue" in ours:
        return False
    if isinstance(ours, dict):
        if not isinstance(theirs, dict):
            return not (_empty(ours) and _empty(theirs))
        return any(differs(value, theirs.get(key)) for key, value in ours.items() if key not in SERVER_OWNED)
    if isinstance(ours, list):
        if not isinstance(theirs, list):
            return not (_empty(ours) and _empty(theirs))
        return len(ours) != len(theirs) or any(differs(a, b) for a, b in zip(ours, theirs, strict=True))
    if _empty(ours) and _empty(theirs):
        return False
    return bool(ours != theirs)


def _by_name(documents: list[Doc]) -> dict[str, Doc]:
    return {str(doc.get("Name", "")).casefold(): doc for doc in documents}


def _named(ours: list[Doc], theirs: list[Doc], what: str, *, removals: bool) -> list[str]:
    """Added / changed (/ removed) documents, matched by name."""
    target = _by_name(theirs)
    lines = []
    for doc in ours:
        match = target.get(str(doc.get("Name", "")).casefold())
        if match is None:
            lines.append(f"{what} '{doc.get('Name')}' added")
        elif differs(doc, match):
            lines.append(f"{what} '{doc.get('Name')}' changed")
    if removals:
        mine = _by_name(ours)
        lines += [f"{what} '{doc.get('Name')}' removed" for key, doc in target.items() if key not in mine]
    return lines


class _Remapper:
    """Bundle documents with every reference the plan can resolve replaced by the target's id (and, for
    one project, its channels by name)."""

    def __init__(
        self, plan: ImportPlan, project_id: str = "", contents: ProjectContents | None = None
    ) -> None:
        self.ids = {(item.kind, item.source_id): item.target_id for item in plan.items if item.target_id}
        self.ids.update(plan.external.targets)
        theirs = _by_name(contents.channels) if contents else {}
        for resource in _children(plan, kinds.CHANNEL.name, project_id):
            match = theirs.get(resource.name.casefold())
            if match is not None:
                self.ids[(kinds.CHANNEL.name, resource.id)] = str(match["Id"])

    def result(self, kind: str, document: Doc) -> model.RemapResult:
        def lookup(ref: model.Reference) -> str | None:
            return self.ids.get((ref.kind, ref.value))

        return model.remap(kind, document, lookup)

    def __call__(self, kind: str, document: Doc) -> Doc:
        return self.result(kind, document).document


def _steps(remap: _Remapper, kind: str, ours: Doc | None, theirs: Doc | None, where: str) -> list[str]:
    mine = remap(kind, ours)["Steps"] if ours else []
    target = (theirs or {}).get("Steps") or []
    lines = _named(mine, target, f"{where}step", removals=True)
    common = [
        str(s.get("Name")).casefold() for s in mine if str(s.get("Name")).casefold() in _by_name(target)
    ]
    order = [str(s.get("Name")).casefold() for s in target if str(s.get("Name")).casefold() in _by_name(mine)]
    if not lines and common != order:
        lines.append(f"{where}steps reordered")
    return lines


def _variables(remap: _Remapper, ours: Doc | None, theirs: Doc | None) -> list[str]:
    """Added and changed variables (variables only the target has are kept by an update: not removals)."""
    if ours is None:
        return []
    target_set = theirs or {}
    existing = {signature(v, target_set): v for v in target_set.get("Variables") or []}
    lines = []
    for variable in ours.get("Variables") or []:
        match = existing.get(signature(variable, ours))
        name = label(variable, ours)
        if match is None:
            if not remap.result(kinds.VARIABLE_SET.name, {"Variables": [variable]}).unmapped:
                lines.append(f"variable {name} added")
            continue
        if variable.get("IsSensitive") or variable.get("Type") == "Sensitive":
            continue  # the target's stored secret is never overwritten
        result = remap.result(kinds.VARIABLE_SET.name, {"Variables": [variable]})
        if result.unmapped:
            continue  # left out again by the import (it would widen a scope), with its follow-up
        mapped = result.document["Variables"][0]
        compared = {key: mapped.get(key) for key in ("Value", "Type", "Description", "Prompt", "IsEditable")}
        if differs(compared, match):
            lines.append(f"variable {name} changed")
    return lines


def same_content(plan: ImportPlan, kind: str, document: Doc, target: Doc) -> bool:
    """The target's resource already holds what ``document`` says (once its references are remapped)."""
    return not differs(_Remapper(plan)(kind, document), target)


def project_changes(plan: ImportPlan, source_id: str, doc: Doc, target: Doc) -> list[str]:
    """What updating ``target`` from the bundle's project ``doc`` would change; [] when nothing."""
    contents = plan.target.project_contents.get(str(target.get("Id")))
    if contents is None:  # not read: say what an update does, without claiming it is a no-op
        return ["deployment process, channels and runbooks replaced from the bundle; variables updated"]
    remap = _Remapper(plan, source_id, contents)
    bundle = plan.bundle
    lines = [
        f"{key}: {target.get(key)!r} -> {doc.get(key)!r}"
        for key in PROJECT_FIELDS
        if key in doc and differs(doc.get(key), target.get(key))
    ]
    process = bundle.get(kinds.DEPLOYMENT_PROCESS.name, str(doc.get("DeploymentProcessId") or ""))
    lines += _steps(
        remap, kinds.DEPLOYMENT_PROCESS.name, process.document if process else None, contents.process, ""
    )
    variables = bundle.get(kinds.VARIABLE_SET.name, str(doc.get("VariableSetId") or ""))
    lines += _variables(remap, variables.document if variables else None, contents.variables)
    channels = [remap(kinds.CHANNEL.name, r.document) for r in _children(plan, kinds.CHANNEL.name, source_id)]
    lines += _named(channels, contents.channels, "channel", removals=False)
    lines += _runbooks(plan, remap, source_id, contents)
    name = str(doc.get("Name"))
    if any(ref.startswith((f"action:{name}/", f"variable:Project/{name}/")) for ref in bundle.secrets):
        lines.append("sensitive values from the bundle set where the target has none")
    return lines


def _children(plan: ImportPlan, kind: str, project_id: str) -> list[Any]:
    return [r for r in plan.bundle.by_kind(kind) if str(r.document.get("ProjectId")) == project_id]


def _runbooks(plan: ImportPlan, remap: _Remapper, project_id: str, contents: ProjectContents) -> list[str]:
    processes = {
        str(r.document.get("RunbookId")): r.document for r in plan.bundle.by_kind(kinds.RUNBOOK_PROCESS.name)
    }
    target = _by_name(contents.runbooks)
    lines = []
    for resource in _children(plan, kinds.RUNBOOK.name, project_id):
        match = target.get(resource.name.casefold())
        if match is None:
            lines.append(f"runbook '{resource.name}' added")
            continue
        if differs(remap(kinds.RUNBOOK.name, resource.document), match):
            lines.append(f"runbook '{resource.name}' changed")
        theirs = contents.runbook_processes.get(str(match.get("RunbookProcessId")))
        lines += _steps(
            remap,
            kinds.RUNBOOK_PROCESS.name,
            processes.get(resource.id),
            theirs,
            f"runbook '{resource.name}': ",
        )
    return lines

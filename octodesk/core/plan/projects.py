"""Import rules for projects: refused when present (unless update-existing), resumed when an interrupted
run of this import created them, and the children (process, channels, runbooks, ...) that follow them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from octodesk.core.octopus.catalog import is_version_controlled
from octodesk.core.plan.types import ImportPlan, PlanItem
from octodesk.core.plan.variables import project_name_of
from octodesk.core.resources import kinds, model
from octodesk.core.resources.ids import match_by_name

if TYPE_CHECKING:
    from octodesk.core.bundle import Bundle

PROJECT_CHILD_KINDS = (
    kinds.DEPLOYMENT_PROCESS.name,
    kinds.CHANNEL.name,
    kinds.RUNBOOK.name,
    kinds.RUNBOOK_PROCESS.name,
    kinds.PROJECT_TRIGGER.name,
)


def refuse_ambiguous(plan: ImportPlan, kind: str, name: str, candidates: tuple[str, ...]) -> None:
    plan.refusals.append(
        f"{kind} '{name}' matches more than one {kind} in target space '{plan.space_name}' "
        f"({', '.join(repr(c) for c in candidates)}): rename one so the match is unambiguous."
    )


def journal_target(plan: ImportPlan, kind: str, source_id: str) -> dict[str, Any] | None:
    """A resource an earlier run of this import created and the target still has."""
    target_id = plan.journal.target_id(kind, source_id)
    return plan.target.by_id(kind, target_id) if target_id else None


# --- projects ------------------------------------------------------------------------------------


def decide_project(plan: ImportPlan, source_id: str, name: str, doc: dict[str, Any]) -> PlanItem:
    kind = kinds.PROJECT.name
    if is_version_controlled(doc):
        plan.refusals.append(f"Project '{name}' is version-controlled (Git): importing it is not supported.")
        return PlanItem(kind, name, source_id, "skip", "version-controlled project")
    earlier = journal_target(plan, kind, source_id)
    if earlier is not None:
        return PlanItem(
            kind,
            name,
            source_id,
            "create",
            "created by the interrupted run of this import; "
            "its process, variables and children are completed",
            target_id=str(earlier["Id"]),
            resumed=True,
        )
    match = match_by_name(name, plan.target.of(kind))
    if match.ambiguous:
        refuse_ambiguous(plan, kind, name, match.ambiguous)
        return PlanItem(kind, name, source_id, "skip", "ambiguous name")
    if match.target is None:
        return PlanItem(
            kind,
            name,
            source_id,
            "create",
            "missing on the target: created with its process, variables, channels and runbooks",
        )
    pending = plan.journal.entry(kind, source_id)
    if pending is not None and pending.target_id is None:
        # The interrupted run sent the create but never saw the answer: this is our own project.
        plan.warnings.append(
            f"Project '{name}' was created by the interrupted run of this import "
            "(its answer was lost); the import continues into it."
        )
        return PlanItem(
            kind,
            name,
            source_id,
            "create",
            "created by the interrupted run of this import",
            target_id=str(match.target["Id"]),
            resumed=True,
        )
    if plan.options.update_existing and is_version_controlled(match.target):
        plan.refusals.append(
            f"Project '{name}' is version-controlled (Git) on the target: its process and variables live in "
            "Git, which an update from the bundle cannot write. Import it under another name, or move it "
            "back to the database first."
        )
        return PlanItem(
            kind, name, source_id, "skip", "version-controlled on the target", [], str(match.target["Id"])
        )
    if plan.options.update_existing:
        return PlanItem(
            kind,
            name,
            source_id,
            "update",
            "exists on the target: updated from the bundle (update-existing mode)",
            _project_diff(doc, match.target),
            str(match.target["Id"]),
        )
    plan.refusals.append(
        f"Project '{name}' already exists in target space '{plan.space_name}': nothing was imported. "
        "Rename or delete it on the target, or use update-existing mode to import into it."
    )
    return PlanItem(kind, name, source_id, "skip", "exists on the target", target_id=str(match.target["Id"]))


def _project_diff(source: dict[str, Any], target: dict[str, Any]) -> list[str]:
    fields = ("Description", "IsDisabled", "TenantedDeploymentMode", "DiscreteChannelRelease")
    changes = [
        f"{key}: {target.get(key)!r} -> {source.get(key)!r}"
        for key in fields
        if source.get(key) != target.get(key)
    ]
    return [
        *changes,
        "deployment process, channels and runbooks replaced from the bundle; variables updated and added "
        "from the bundle (variables only the target has, and its sensitive values, are kept)",
    ]


def decide_project_children(plan: ImportPlan) -> None:
    bundle = plan.bundle
    project_items = {item.source_id: item for item in plan.items if item.kind == kinds.PROJECT.name}
    for kind in (*PROJECT_CHILD_KINDS, kinds.VARIABLE_SET.name):
        for resource in bundle.by_kind(kind):
            project_id = _owning_project(bundle, kind, resource.document)
            if project_id is None:
                continue  # a library variable set's variables: part of its set
            parent = project_items.get(project_id)
            project_name = project_name_of(bundle, project_id)
            label = _child_label(kind, resource.name)
            if parent is None or parent.action == "skip":
                continue
            action = "update" if parent.action == "update" else "create"
            item = PlanItem(
                kind,
                f"{project_name} / {label}",
                resource.id,
                action,
                "updated in the existing project" if action == "update" else "part of the project",
            )
            if kind in (kinds.DEPLOYMENT_PROCESS.name, kinds.RUNBOOK_PROCESS.name):
                _run_on_server_conversion(plan, item, resource.document)
            plan.items.append(item)


def _owning_project(bundle: Bundle, kind: str, doc: dict[str, Any]) -> str | None:
    if kind == kinds.VARIABLE_SET.name:
        owner = str(doc.get("OwnerId") or "")
        return owner if model.kind_of_id(owner) == kinds.PROJECT.name else None
    project_id = doc.get("ProjectId")
    return str(project_id) if project_id else None


def _child_label(kind: str, name: str) -> str:
    labels = {
        kinds.DEPLOYMENT_PROCESS.name: "deployment process",
        kinds.VARIABLE_SET.name: "project variables",
        kinds.CHANNEL.name: f"channel {name}",
        kinds.RUNBOOK.name: f"runbook {name}",
        kinds.RUNBOOK_PROCESS.name: f"runbook process {name}",
        kinds.PROJECT_TRIGGER.name: f"trigger {name}",
    }
    return labels.get(kind, name)


def _run_on_server_conversion(plan: ImportPlan, item: PlanItem, process: dict[str, Any]) -> None:
    if not plan.target.is_cloud:
        return
    moved = [
        f"step '{action.get('Name')}' runs on the default worker pool"
        for _, action in model.process_actions(process)
        if str((action.get("Properties") or {}).get("Octopus.Action.RunOnServer", "")).lower() == "true"
        and not action.get("WorkerPoolId")
        and not action.get("WorkerPoolVariable")
    ]
    if moved:
        item.action = "convert"
        item.reason = (
            "Octopus Cloud has no built-in worker: run-on-server steps move to the default worker pool"
        )
        item.details = moved

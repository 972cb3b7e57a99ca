"""What Octopus's import leaves out and OctoDesk adds to the projects it just created: triggers, and logos
across instances (on the same instance the server keeps them). The work is the client engine's own apply
code (``apply_triggers``, the project logo step) run against the target as the server left it: every
reference of a trigger is mapped by name, as the client engine maps it."""

from __future__ import annotations

from dataclasses import dataclass, field

from octodesk.core.apply.context import ApplyContext
from octodesk.core.apply.project import _apply_logo
from octodesk.core.apply.tenants import apply_triggers
from octodesk.core.bundle import Bundle
from octodesk.core.cancel import CancelToken
from octodesk.core.octopus.client import OctopusClient
from octodesk.core.plan.target import MATCHED_KINDS, read_target
from octodesk.core.plan.types import ImportOptions, ImportPlan, PlanItem
from octodesk.core.progress import Progress, ProgressCallback
from octodesk.core.report import FollowUp, Report
from octodesk.core.resources import kinds
from octodesk.core.resources.ids import match_by_name
from octodesk.core.server_engine.plan import ServerImportPlan
from octodesk.core.vocabulary import Action

PROJECT = kinds.PROJECT.name
TRIGGER = kinds.PROJECT_TRIGGER.name


@dataclass
class ExtrasResult:
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)


def _triggers_of(bundle: Bundle, project_id: str) -> list[str]:
    return [r.name for r in bundle.by_kind(TRIGGER) if str(r.document.get("ProjectId")) == project_id]


def _logo_projects(bundle: Bundle) -> set[str]:
    return {name.split("/", 1)[1].split(".", 1)[0] for name in bundle.blobs if name.startswith("logos/")}


def planned_extras(bundle: Bundle, same_instance: bool) -> list[str]:
    """What OctoDesk will add after the server's import, one line per project."""
    lines: list[str] = []
    logos = set() if same_instance else _logo_projects(bundle)
    for project in bundle.by_kind(PROJECT):
        adds = []
        triggers = _triggers_of(bundle, project.id)
        if triggers:
            adds.append(f"{len(triggers)} trigger(s): {', '.join(triggers)}")
        if project.id in logos:
            adds.append("its logo")
        if adds:
            lines.append(f"{project.name}: {'; '.join(adds)}")
    return lines


def add_extras(
    server_plan: ServerImportPlan,
    client: OctopusClient,
    progress: ProgressCallback,
    cancel: CancelToken | None,
) -> ExtrasResult:
    """Triggers and logos of every bundle project the target now has (matched by name)."""
    bundle = server_plan.bundle
    logos = set() if server_plan.same_instance else _logo_projects(bundle)
    wanted = [p for p in bundle.by_kind(PROJECT) if _triggers_of(bundle, p.id) or p.id in logos]
    result = ExtrasResult()
    if not wanted:
        return result
    progress(Progress("apply", message="Adding what Octopus's import leaves out: triggers and logos"))
    target = read_target(client, server_plan.space_name)
    plan = ImportPlan(
        bundle_path=server_plan.bundle_path,
        source=dict(server_plan.source),
        options=ImportOptions(),
        bundle=bundle,
        target=target,
        journal=server_plan.journal,
    )
    report = Report(operation="import")
    ctx = ApplyContext(plan, client, report, progress, cancel)
    _map_shared_by_name(ctx, bundle)
    for project in wanted:
        existing = match_by_name(project.name, target.of(PROJECT)).target
        if existing is None:
            result.warnings.append(
                f"Project '{project.name}' is not on the target after Octopus's import: its triggers and "
                "logo were not added."
            )
            continue
        item = PlanItem(
            PROJECT,
            project.name,
            project.id,
            Action.UPDATE,
            "created by Octopus's import task; OctoDesk adds its triggers and logo",
            target_id=str(existing["Id"]),
        )
        plan.items.append(item)
        ctx.ids.put(PROJECT, project.id, item.target_id or "")
    ctx.start_phase(len(plan.items))
    for item in plan.items:
        ctx.check_cancel()
        if _triggers_of(bundle, item.source_id):
            _map_project_children(ctx, item)
            apply_triggers(ctx, item)
        if item.source_id in logos:
            _apply_logo(ctx, item, str(item.target_id))
        ctx.tick(PROJECT, item.name)
    result.counts = report.counts
    result.warnings.extend(report.warnings)
    result.follow_ups.extend(report.follow_ups)
    return result


def _map_shared_by_name(ctx: ApplyContext, bundle: Bundle) -> None:
    """Every bundle resource of a kind the target lists, to the target's resource of the same name."""
    for kind in MATCHED_KINDS:
        candidates = ctx.target.of(kind.name)
        for resource in bundle.by_kind(kind.name):
            match = match_by_name(resource.name, candidates).target
            if match is not None:
                ctx.ids.put(kind.name, resource.id, str(match["Id"]))


def _map_project_children(ctx: ApplyContext, item: PlanItem) -> None:
    """The project's channels and runbooks, which its triggers may name, matched by name."""
    for kind, route in ((kinds.CHANNEL.name, "channels"), (kinds.RUNBOOK.name, "runbooks")):
        existing = ctx.read_collection(ctx.route(f"projects/{item.target_id}/{route}"), all_route=False)
        for resource in ctx.bundle.by_kind(kind):
            if str(resource.document.get("ProjectId")) != item.source_id:
                continue
            match = match_by_name(resource.name, existing).target
            if match is not None:
                ctx.ids.put(kind, resource.id, str(match["Id"]))

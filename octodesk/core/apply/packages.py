"""Apply's first step: the planned built-in feed packages, copied to the target before the projects that
deploy them. Packages copy independently; when any fails, the import stops after the others finished,
naming them, and running it again copies only what is still missing (the journal has the rest)."""

from __future__ import annotations

from octodesk.core.apply.context import ApplyContext
from octodesk.core.errors import Cancelled, OctoDeskError, PackagesNotCopied
from octodesk.core.packages.copier import CONFLICT, COPIED, PACKAGE_KIND, CopyOutcome, copy_packages
from octodesk.core.plan.types import PlanItem
from octodesk.core.vocabulary import Action, FollowUpCategory


def copy_planned_packages(ctx: ApplyContext) -> None:
    plan = ctx.plan
    if plan.packages is None:
        return
    items = {item.source_id: item for item in plan.items if item.kind == PACKAGE_KIND}
    for item in items.values():
        if item.action == "skip" or item.resumed:
            ctx.count(item, item.kind, item.action)
            ctx.tick(item.kind, item.name)
    decisions = plan.packages.to_copy
    if not decisions:
        return
    if plan.package_source is None:
        raise OctoDeskError("The plan copies packages but has nothing to read them from.")
    outcomes = copy_packages(
        decisions, plan.package_source, ctx.client, plan.space_id, plan.journal, ctx.progress, ctx.cancel
    )
    failed: list[CopyOutcome] = []
    for outcome in outcomes:
        version = outcome.decision.version
        item = items[f"{version.package_id}@{version.version}"]
        if outcome.status == COPIED:
            ctx.count(item, item.kind, item.action)
        elif outcome.status == CONFLICT:
            ctx.skipped(item, item.kind, outcome.message)  # planned as a copy, ended as a conflict
            ctx.warn(outcome.message)
            ctx.follow_up(FollowUpCategory.PACKAGE, outcome.message, PACKAGE_KIND, item.name)
        else:
            failed.append(outcome)
            if not isinstance(outcome.error, Cancelled):
                ctx.failed(item, outcome.message)
        ctx.tick(item.kind, item.name)
    if any(isinstance(outcome.error, Cancelled) for outcome in failed):
        raise Cancelled()
    if failed:
        raise PackagesNotCopied(_failure_message(failed, items))


def _failure_message(failed: list[CopyOutcome], items: dict[str, PlanItem]) -> str:
    count = len(failed)
    shown = "; ".join(outcome.message.rstrip(".") for outcome in failed[:3])
    more = f" (and {count - 3} more)" if count > 3 else ""
    planned = sum(1 for item in items.values() if item.action == Action.CREATE)
    return (
        f"{count} of {planned} package version{'s' if planned != 1 else ''} could not be copied: "
        f"{shown}{more}. Nothing else was imported yet."
    )

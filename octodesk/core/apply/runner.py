"""Carry out an import plan on the target, level by level (``octodesk.core.resources.kinds``), independent
writes of a level in parallel on the client's pool. Every write is journaled; a stopped import re-planned
and applied again continues where it stopped."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import UTC, datetime

import octodesk
from octodesk.core.apply.context import ApplyContext
from octodesk.core.apply.library import apply_library_variable_set, apply_step_template
from octodesk.core.apply.packages import copy_planned_packages
from octodesk.core.apply.project import (
    apply_project,
    complete_project,
    create_project_children,
    prefetch_children,
    prefetch_runbook_processes,
)
from octodesk.core.apply.shared import apply_shared_item
from octodesk.core.apply.tenants import (
    apply_tenant,
    apply_tenant_variables,
    apply_triggers,
    complete_restrictions,
    prefetch_tenant_variables,
)
from octodesk.core.cancel import CancelToken
from octodesk.core.errors import Cancelled, OctoDeskError, ServerError, nothing_written
from octodesk.core.gc_pause import engine_work
from octodesk.core.locks import import_lock
from octodesk.core.octopus.client import OctopusClient
from octodesk.core.plan.planner import plan_import
from octodesk.core.plan.types import ImportOptions, ImportPlan, PlanItem
from octodesk.core.progress import Progress, ProgressCallback, no_progress
from octodesk.core.report import ItemResult, Report
from octodesk.core.resources import kinds
from octodesk.core.vocabulary import FollowUpCategory, Outcome

LEVEL_0 = (
    kinds.ENVIRONMENT.name,
    kinds.WORKER_POOL.name,
    kinds.FEED.name,
    kinds.TEAM.name,
    kinds.GIT_CREDENTIAL.name,
)
LEVEL_1 = (kinds.ACCOUNT.name, kinds.CERTIFICATE.name, kinds.LIFECYCLE.name, kinds.PROJECT_GROUP.name)


NOT_REACHED = "not reached: the import stopped before it"


@engine_work
def apply_plan(
    plan: ImportPlan,
    client: OctopusClient,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    *,
    report: Report | None = None,
) -> Report:
    """Write the plan to the target. Refused plans are refused again here, before any write; so is a second
    import of the same bundle into the same space while one runs.

    ``report`` (a fresh one when not given) is filled in as the import goes: when an error or a cancel
    stops it, the caller's report still says what was written and how each item ended, and the error is
    raised. Running the same import again continues where it stopped (the journal).
    """
    if plan.refused:
        raise nothing_written(plan.space_name, plan.refusals)
    report = report if report is not None else Report(operation="import")
    with import_lock(plan.journal.path, plan.space_name, plan.server_url):
        return _apply(plan, client, progress, cancel, report)


def _apply(
    plan: ImportPlan,
    client: OctopusClient,
    progress: ProgressCallback | None,
    cancel: CancelToken | None,
    report: Report,
) -> Report:
    _describe_run(report, plan)
    ctx = ApplyContext(plan, client, report, progress or no_progress, cancel)
    started = time.monotonic()
    requests_before = client.request_count
    items = plan.items

    def of(*kind_names: str) -> list[PlanItem]:
        return [item for item in items if item.kind in kind_names]

    level_seconds: dict[str, float] = {}

    def run(fn: Callable[[ApplyContext, PlanItem], None], batch: list[PlanItem]) -> None:
        began = time.monotonic()
        ctx.map_items(lambda item: _attributed(ctx, fn, item), batch)
        name = fn.__name__.removeprefix("apply_")
        level_seconds[name] = level_seconds.get(name, 0.0) + time.monotonic() - began

    for (kind, source_id), target_id in plan.external.targets.items():
        ctx.ids.put(kind, source_id, target_id)
    ctx.start_phase(len(items))
    ctx.progress(Progress("apply", message=f"Importing into {plan.space_name}", total=len(items)))
    try:
        began = time.monotonic()
        copy_planned_packages(ctx)  # before the projects: a deployment of them finds its packages
        level_seconds["packages"] = time.monotonic() - began
        run(apply_shared_item, of(kinds.TAG_SET.name))  # environment tags name their tags
        run(apply_shared_item, of(*LEVEL_0))
        run(apply_step_template, of(kinds.ACTION_TEMPLATE.name))
        run(apply_shared_item, of(*LEVEL_1))
        run(apply_library_variable_set, of(kinds.LIBRARY_VARIABLE_SET.name))
        projects = of(kinds.PROJECT.name)
        run(apply_project, projects)
        prefetch_children(ctx, projects)
        run(create_project_children, projects)
        prefetch_runbook_processes(ctx)
        run(complete_project, projects)
        run(apply_tenant, of(kinds.TENANT.name))
        tenant_variables = of(kinds.TENANT_VARIABLES.name)
        prefetch_tenant_variables(ctx, tenant_variables)
        run(apply_tenant_variables, tenant_variables)
        complete_restrictions(ctx)
        run(apply_triggers, projects)
    except OctoDeskError as error:
        report.cancelled = isinstance(error, Cancelled)
        report.stopped_by = str(error)
        raise
    else:
        plan.journal.complete()
        report.finished = True
    finally:
        plan.journal.close()  # kept open during the import; an import that stopped leaves it to resume from
        _close_report(report, ctx, plan)
        report.http_requests = client.request_count - requests_before
        report.phase_seconds = {"plan": round(plan.seconds, 3), "apply": round(time.monotonic() - started, 3)}
        report.details["apply_seconds_by_step"] = {name: round(v, 3) for name, v in level_seconds.items()}
    ctx.progress(Progress("apply", message="Import finished", done=len(items), total=len(items)))
    return report


def _attributed(ctx: ApplyContext, fn: Callable[[ApplyContext, PlanItem], None], item: PlanItem) -> None:
    """Run ``fn`` for ``item``; when the target refuses it, that item is the one that failed."""
    try:
        fn(ctx, item)
    except Cancelled:
        raise
    except ServerError as error:
        if (item.kind, item.source_id) not in ctx.state.outcomes:
            ctx.failed(item, error.reason)
        raise


def _describe_run(report: Report, plan: ImportPlan) -> None:
    report.started_at = datetime.now(UTC).isoformat(timespec="seconds")
    report.tool_version = octodesk.__version__
    report.source = {key: str(value) for key, value in plan.source.items()}
    report.target = {
        "url": plan.server_url,
        "space": plan.space_name,
        "version": plan.target_version,
        "hosting": plan.target_hosting,
    }
    report.projects = [item.name for item in plan.items if item.kind == kinds.PROJECT.name]
    report.bundle_path = os.fspath(plan.bundle_path)
    report.bundle_sha256 = plan.bundle_sha256
    report.details["plan_requests"] = plan.http_requests
    report.details["resumed"] = any(item.resumed for item in plan.items)


def _close_report(report: Report, ctx: ApplyContext, plan: ImportPlan) -> None:
    """Every plan item with how it ended; warnings and follow-ups from the plan first."""
    report.finished_at = datetime.now(UTC).isoformat(timespec="seconds")
    outcomes = ctx.state.outcomes
    report.items = []
    for item in plan.items:
        ended = outcomes.get((item.kind, item.source_id), (Outcome.SKIPPED, NOT_REACHED, item.action))
        outcome, reason, action = ended
        report.items.append(ItemResult(item.kind, item.name, action, outcome, reason, item.resumed))
    report.warnings[:0] = plan.warnings
    # Sensitive values and left-out variables are listed by apply itself, as it meets them.
    carried_over = (FollowUpCategory.SENSITIVE_VALUE, FollowUpCategory.SCOPE)
    report.follow_ups[:0] = [f for f in plan.follow_ups if f.category not in carried_over]


def import_bundle(
    bundle_path: str | os.PathLike[str],
    password: str,
    client: OctopusClient,
    space_name: str,
    options: ImportOptions | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> Report:
    """Plan; refuse before any write when the plan has refusals; apply."""
    plan = plan_import(bundle_path, password, client, space_name, options, progress, cancel)
    if plan.refused:
        raise nothing_written(plan.space_name, plan.refusals)
    return apply_plan(plan, client, progress, cancel)

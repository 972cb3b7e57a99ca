"""Import a server-engine bundle: Octopus's own import task on the target, then OctoDesk's extras.

The plan (``plan_server_import``) verifies the bundle, reads the target, refuses before anything is sent
when a project already exists there, the target is older than the source or has no Export/Import Projects,
and otherwise hands the zip to the target (an upload, or on the same instance the export task itself) and
shows the server's own preview per kind. ``apply_server_import`` starts the import task, watches it, then
adds what the server leaves out. A journal (the client engine's, keyed by bundle, server and space) records
the started task and its success, so running the same import again continues where it stopped.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from typing import Any

import octodesk
from octodesk.core.bundle import Bundle, read_bundle
from octodesk.core.cancel import CancelToken
from octodesk.core.errors import Cancelled, ImportRefused, ServerError, nothing_written
from octodesk.core.journal import Journal, bundle_fingerprint
from octodesk.core.octopus.client import OctopusClient
from octodesk.core.plan.rules import version_tuple
from octodesk.core.plan.target import read_target
from octodesk.core.progress import Progress, ProgressCallback, no_progress
from octodesk.core.report import FollowUp, ItemResult, Report
from octodesk.core.resources import kinds
from octodesk.core.resources.ids import match_by_name
from octodesk.core.server_engine import api
from octodesk.core.server_engine.bundle import ENGINE_SERVER, octopus_export, octopus_zip
from octodesk.core.server_engine.extras import add_extras, planned_extras
from octodesk.core.server_engine.plan import PreviewItem, ServerImportPlan
from octodesk.core.server_engine.tasks import (
    SUCCESS,
    PollSettings,
    TaskWatcher,
    read_task,
    task_warnings,
)
from octodesk.core.vocabulary import Action, FollowUpCategory, Outcome

# Journaled: the import task once started (an entry whose target id is the task id), and its success.
TASK_ENTRY = ("ServerTask", "import")
DONE_STEP = "server-import-done"
SERVER = "Octopus's import task"
OCTODESK = "OctoDesk"


def plan_server_import(
    bundle_path: str | os.PathLike[str],
    password: str,
    client: OctopusClient,
    space_name: str,
    *,
    control: OctopusClient | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> ServerImportPlan:
    """Refusals first (nothing sent), then the zip handed to the target and the server's preview."""
    report = progress or no_progress
    control = control or client
    started = time.monotonic()
    counted = api.RequestCounter(client, control)
    report(Progress("read", message="Checking the bundle's password and integrity"))
    bundle = read_bundle(bundle_path, password)
    zip_data = octopus_zip(bundle, os.fspath(bundle_path))
    report(Progress("connect", message=f"Reading target space {space_name}"))
    target = read_target(client, space_name)
    journal = Journal.for_import(bundle_fingerprint(bundle_path), target.server_url, target.space_name)
    raw_source = bundle.manifest.get("source")
    source: dict[str, Any] = dict(raw_source) if isinstance(raw_source, dict) else {}
    plan = ServerImportPlan(os.fspath(bundle_path), source, target, bundle, journal, password)
    plan.same_instance = bool(source) and api.server_root(client).installation_id == source.get(
        "installation_id"
    )
    plan.extras = planned_extras(bundle, plan.same_instance)
    plan.follow_ups = _export_follow_ups(bundle)
    if not _resume(plan, control):
        _refuse_before_anything(plan, client)
        if not plan.refused:
            if cancel is not None:
                cancel.raise_if_cancelled()
            _preview(plan, client, zip_data)
    plan.http_requests = counted.total()
    plan.seconds = time.monotonic() - started
    report(Progress("plan", done=len(plan.items), total=len(plan.items), message="Plan ready"))
    return plan


def _export_follow_ups(bundle: Bundle) -> list[FollowUp]:
    follow_ups = []
    for item in bundle.manifest.get("follow_ups") or []:
        if isinstance(item, dict) and item.get("message"):
            follow_ups.append(FollowUp.from_dict(item))
    return follow_ups


def _resume(plan: ServerImportPlan, control: OctopusClient) -> bool:
    """True when an earlier run of this import got as far as starting Octopus's import task."""
    if plan.journal.is_done(DONE_STEP):
        plan.resumed_done = True
        plan.warnings.append(
            "Octopus's import of this bundle finished in an earlier run; OctoDesk adds what is left."
        )
        return True
    task_id = plan.journal.target_id(*TASK_ENTRY)
    if not task_id:
        return False
    task = read_task(control, plan.target.space_id, task_id)
    if task.is_final and task.state != SUCCESS:
        return False  # it failed: this run starts over, refusals first
    plan.resumed_task = task_id
    plan.warnings.append(f"An earlier run started Octopus's import ({task_id}); this run continues with it.")
    return True


def _refuse_before_anything(plan: ServerImportPlan, client: OctopusClient) -> None:
    target = plan.target
    support = api.import_export_support(client, target.space_id)
    if not support.available:
        plan.refusals.append(f"Octopus's own import cannot be used: {support.reason}.")
    source_version = str(plan.source.get("version") or "")
    if source_version and version_tuple(source_version) > version_tuple(target.version):
        plan.refusals.append(
            f"The bundle comes from Octopus Server {source_version}, newer than the target's "
            f"{target.version}: Octopus imports only into the same or a newer version."
        )
    described = octopus_export(plan.bundle.manifest)
    projects = described.get("projects") or plan.bundle.manifest.get("projects") or []
    for name in projects:
        existing = match_by_name(str(name), target.of(kinds.PROJECT.name)).target
        if existing is not None:
            plan.refusals.append(
                f"Project '{name}' already exists in target space '{target.space_name}' (as "
                f"'{existing.get('Name')}'): Octopus's import never imports into an existing project. "
                "Rename or delete it on the target, or use the client engine with update-existing."
            )


def _preview(plan: ServerImportPlan, client: OctopusClient, zip_data: bytes) -> None:
    target = plan.target
    described = octopus_export(plan.bundle.manifest)
    source_space, task_id = str(plan.source.get("space_id") or ""), str(described.get("task_id") or "")
    if plan.same_instance and source_space and task_id and _artifact_kept(client, source_space, task_id):
        plan.import_source = api.space_source(source_space, task_id)
    else:
        filename = str(described.get("filename") or "Octopus-Export.zip")
        plan.import_source = api.upload_source(api.upload_export(client, target.space_id, filename, zip_data))
    try:
        preview = api.preview_import(client, target.space_id, plan.import_source, plan.password)
    except ImportRefused as refused:
        plan.refusals.extend(refused.refusals)
        return
    for kind, entries in preview.kinds.items():
        for entry in entries:
            present = match_by_name(entry.name, target.of(kind)).target is not None
            details = ([entry.type] if entry.type else []) + list(entry.details)
            plan.items.append(PreviewItem(kind, entry.name, "reuse" if present else "create", details))
            if kind == kinds.WORKER_POOL.name and not present:
                plan.follow_ups.append(
                    FollowUp(
                        FollowUpCategory.WORKERS,
                        f"Worker pool '{entry.name}' is created empty by Octopus's import: add workers.",
                        kind,
                        entry.name,
                    )
                )


def _artifact_kept(client: OctopusClient, space_id: str, task_id: str) -> bool:
    """On the same instance the import can read the export task directly, while its zip is still kept."""
    try:
        api.export_artifact(client, space_id, task_id)
    except ServerError:  # gone (cleaned up, another space we may not read): upload the zip instead
        return False
    return True


def apply_server_import(
    plan: ServerImportPlan,
    client: OctopusClient,
    *,
    control: OctopusClient | None = None,
    poll: PollSettings | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> Report:
    """Octopus's import task (unless an earlier run finished it), then OctoDesk's extras; one report."""
    if plan.refused:
        raise nothing_written(plan.space_name, plan.refusals)
    control = control or client
    progress = progress or no_progress
    started = time.monotonic()
    counted = api.RequestCounter(client, control)
    space_id = plan.target.space_id
    report = Report(
        operation="import",
        started_at=_now(),
        tool_version=octodesk.__version__,
        source={key: str(value) for key, value in plan.source.items()},
        target={
            "url": plan.target.server_url,
            "space": plan.target.space_name,
            "version": plan.target.version,
            "hosting": plan.target.hosting,
        },
        projects=[item.name for item in plan.items if item.kind == kinds.PROJECT.name],
        bundle_path=os.fspath(plan.bundle_path),
        bundle_sha256=bundle_fingerprint(plan.bundle_path),
    )
    task_id = plan.resumed_task
    if not plan.resumed_done:
        if not task_id:
            task_id = api.start_import(control, space_id, plan.import_source, plan.password)
            plan.journal.record(*TASK_ENTRY, task_id, "Octopus's import task")
        what = f"Octopus's import into '{plan.space_name}'"
        outcome = TaskWatcher(
            control, space_id, task_id, what=what, poll=poll, progress=progress, cancel=cancel
        ).wait()
        plan.journal.mark_done(DONE_STEP)
        if outcome.cancelled_late:
            raise Cancelled(
                f"Cancelled, but {what} ({task_id}) had already finished: the projects are imported. Run the "
                "same import again to add the triggers and logos."
            )
        report.details["server_task"] = {
            "id": task_id,
            "duration": outcome.task.duration,
            "polls": outcome.polls,
            "log": list(outcome.log_lines),
        }
        if outcome.task.has_warnings:
            warnings = task_warnings(control, space_id, task_id)
            report.details["server_task"]["warnings"] = warnings
            report.warnings.extend(f"{SERVER} ({task_id}) warned: {line}" for line in warnings)
    task_seconds = time.monotonic() - started
    by_engine: dict[str, dict[str, dict[str, int]]] = {SERVER: plan.counts() if not plan.resumed_done else {}}
    for kind, actions in by_engine[SERVER].items():
        for action, count in actions.items():
            report.count(kind, action, count)
    extras = add_extras(plan, client, progress, cancel)
    by_engine[OCTODESK] = extras.counts
    for kind, actions in extras.counts.items():
        for action, count in actions.items():
            report.count(kind, action, count)
    plan.journal.complete()
    report.warnings[:0] = plan.warnings
    report.warnings.extend(extras.warnings)
    report.follow_ups = [*plan.follow_ups, *extras.follow_ups]
    report.http_requests = plan.http_requests + counted.total()
    report.phase_seconds = {
        "plan": round(plan.seconds, 3),
        "task": round(task_seconds, 3),
        "extras": round(time.monotonic() - started - task_seconds, 3),
    }
    report.details.update(
        engine=ENGINE_SERVER,
        bundle=plan.bundle_path,
        target={
            "url": plan.target.server_url,
            "space": plan.target.space_name,
            "version": plan.target.version,
            "hosting": plan.target.hosting,
        },
        source=dict(plan.source),
        same_instance=plan.same_instance,
        resumed=bool(plan.resumed_task or plan.resumed_done),
        by_engine=by_engine,
    )
    # The server's task ran every previewed item (it fails as a whole otherwise).
    report.items = [
        ItemResult(item.kind, item.name, Action(item.action), Outcome.DONE, f"by {SERVER}")
        for item in plan.items
    ]
    report.finished = True
    report.finished_at = _now()
    progress(Progress("apply", message="Import finished"))
    return report


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")

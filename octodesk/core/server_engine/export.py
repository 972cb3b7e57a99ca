"""Export with Octopus's own Export/Import Projects task: the server's zip carries every sensitive value;
OctoDesk reads the same projects for what the zip leaves out (triggers, logos, follow-ups) and writes
both into one ``.octobundle`` under the same password."""

from __future__ import annotations

import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import octodesk
from octodesk.core.bundle import write_bundle
from octodesk.core.cancel import CancelToken
from octodesk.core.errors import Cancelled, ServerEngineUnavailable
from octodesk.core.export import secret_values
from octodesk.core.export.exporter import (
    bundle_resources,
    export_extras,
    read_everything,
    record_source_and_bundle,
    resolve_projects,
)
from octodesk.core.export.walk import SourceData, SourceReader
from octodesk.core.octopus.client import OctopusClient
from octodesk.core.progress import Progress, ProgressCallback, no_progress
from octodesk.core.report import Report
from octodesk.core.resources import kinds
from octodesk.core.server_engine import api
from octodesk.core.server_engine.bundle import ENGINE_SERVER, OCTOPUS_ZIP_ENTRY
from octodesk.core.server_engine.tasks import PollSettings, TaskWatcher


def export_with_server(
    client: OctopusClient,
    space_name: str,
    project_names: list[str],
    destination: str | Path,
    password: str,
    *,
    control: OctopusClient | None = None,
    poll: PollSettings | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> Report:
    """Export ``project_names`` with the source's own export task into a server-engine bundle.

    ``control`` sends the task's requests (start, poll, cancel) and must not be bound to ``cancel``, so a
    cancel still reaches the server task; it defaults to ``client`` (right when ``client`` has no cancel
    token, as on the command line).
    """
    progress = progress or no_progress
    control = control or client
    report = Report(operation="export", started_at=_now(), tool_version=octodesk.__version__)
    counted = api.RequestCounter(client, control)
    started = time.monotonic()

    progress(Progress("connect", message=f"connecting to {client.server_url}"))
    info, space = client.server_info_and_space(space_name)
    space_id = str(space["Id"])
    support = api.import_export_support(client, space_id)
    if not support.available:
        raise ServerEngineUnavailable(f"Octopus's own export cannot be used: {support.reason}.")
    installation = api.server_root(client).installation_id

    data = SourceData(space_id=space_id, server_version=info.version)
    reader = SourceReader(client, data, progress, cancel)
    projects = resolve_projects(reader, space_name, project_names)
    export = api.start_export(control, space_id, [p["Id"] for p in projects], password)
    what = f"Octopus's export of {', '.join(p['Name'] for p in projects)}"
    watcher = TaskWatcher(
        control, space_id, export.task_id, what=what, poll=poll, progress=progress, cancel=cancel
    )
    # While the server exports, OctoDesk reads what it leaves out, for every project the export includes.
    try:
        selection = read_everything(reader, export.project_ids)
    except BaseException:
        watcher.stop()  # nothing will use this export
        raise
    sensitive = [entry.ref for entry in secret_values.inventory(data, selection)]
    found = (data.get(kinds.PROJECT.name, project_id) for project_id in export.project_ids)
    included = [project for project in found if project]
    follow_ups, deploys_to, logos = export_extras(data, selection, included)
    read_seconds = time.monotonic() - started

    outcome = watcher.wait()
    if outcome.cancelled_late:
        raise Cancelled(f"Cancelled: nothing was written ({what} had finished on the server).")
    task_seconds = time.monotonic() - started - read_seconds

    progress(Progress("download", message=f"downloading the export of task {export.task_id}"))
    artifact = api.export_artifact(client, space_id, export.task_id)
    zipped = api.download_artifact(client, space_id, artifact)
    manifest: dict[str, Any] = {
        "engine": ENGINE_SERVER,
        "source": {
            "url": client.server_url,
            "version": info.version,
            "hosting": info.hosting,
            "space": space.get("Name", space_name),
            "space_id": space_id,
            "installation_id": installation,
        },
        "projects": [p["Name"] for p in projects],
        "tool_version": octodesk.__version__,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "octopus_export": {
            "entry": OCTOPUS_ZIP_ENTRY,
            "filename": zipped.filename,
            "size": len(zipped.data),
            "sha256": zipped.sha256,
            "task_id": export.task_id,
            "projects": [str(p["Name"]) for p in included],
        },
        # Carried inside Octopus's zip, encrypted by the server under the same password.
        "secrets_carried": sensitive,
        "secrets_not_carried": [],
        "follow_ups": [asdict(item) for item in follow_ups],
        "deploys_to": deploys_to,
    }
    if cancel is not None:
        cancel.raise_if_cancelled()
    write_bundle(
        destination,
        manifest=manifest,
        resources=list(bundle_resources(data, selection)),
        secrets={},
        blobs={**logos, OCTOPUS_ZIP_ENTRY: zipped.data},
        password=password,
        progress=progress,
        cancel=cancel,
    )

    report.count(kinds.PROJECT.name, "exported", len(included))
    triggers = len(selection.carried.get(kinds.PROJECT_TRIGGER.name, {}))
    if triggers:
        report.count(kinds.PROJECT_TRIGGER.name, "exported", triggers)
    if logos:
        report.count(kinds.PROJECT_LOGO, "exported", len(logos))
    report.warnings.extend(data.warnings + selection.warnings)
    report.follow_ups.extend(follow_ups)
    report.http_requests = counted.total()
    report.phase_seconds = {
        "read": round(read_seconds, 3),
        "task": round(task_seconds, 3),
        "write": round(time.monotonic() - started - read_seconds - task_seconds, 3),
    }
    report.details.update(
        engine=ENGINE_SERVER,
        destination=str(destination),
        space=space.get("Name", space_name),
        projects=manifest["projects"],
        included_projects=manifest["octopus_export"]["projects"],
        secrets_needed=len(sensitive),
        secrets_carried=len(sensitive),
        secrets_not_carried=[],
        deploys_to=deploys_to,
        server_task={"id": export.task_id, "duration": outcome.task.duration, "polls": outcome.polls},
        octopus_zip={"filename": zipped.filename, "size": len(zipped.data), "sha256": zipped.sha256},
        by_engine={
            "Octopus's export task": "the projects with everything they reference, every sensitive value",
            "OctoDesk": "triggers, logos and follow-ups (what Octopus's export leaves out)",
        },
    )
    record_source_and_bundle(report, client, info, str(space.get("Name", space_name)), manifest, destination)
    report.finished = True
    report.finished_at = _now()
    return report


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")

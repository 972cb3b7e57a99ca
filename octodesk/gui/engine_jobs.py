"""Background jobs for the server engine (Octopus's own Export/Import Projects): what the engine choice rests
on, and the server-engine export, plan and import. They call the same core functions as ``octodesk migrate``,
``octodesk export --engine server`` and ``octodesk import`` of a server-engine bundle.

A server task is started, polled and cancelled through a second client that the user's cancel does not
stop, so that after Cancel the ``POST tasks/{id}/cancel`` itself still reaches the server (see
``core.server_engine.tasks.TaskWatcher``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from octodesk.core.bundle import read_manifest
from octodesk.core.cancel import CancelToken
from octodesk.core.export import SourceScan, scan_source
from octodesk.core.progress import ProgressCallback
from octodesk.core.report import Report
from octodesk.core.resources.secret_refs import CARRIED_BY_USER
from octodesk.core.server_engine import (
    ENGINE_AUTO,
    ENGINE_SERVER,
    PollSettings,
    ServerImportPlan,
    apply_server_import,
    bundle_engine,
    choose_engine,
    export_with_server,
    plan_server_import,
    read_facts,
)
from octodesk.core.server_engine.api import Support, import_export_support
from octodesk.core.server_engine.choice import EngineChoice, EngineFacts, choose_export_engine
from octodesk.gui.connection import Connection
from octodesk.gui.jobs import Job
from octodesk.gui.runner import JobFailed

POLL = PollSettings()  # as the command line polls by default


@dataclass(frozen=True)
class EngineOutlook:
    """What the engine choice rests on: the source's scan (its sensitive values; the client engine's export
    reuses it) and, for a migration, both servers' facts. Worked out on the worker thread."""

    scan: SourceScan
    source_support: Support
    facts: EngineFacts | None = None  # None for an export on its own: there is no target yet
    sensitive_values: int = 0
    typed_values: int = 0  # the values only the user can supply to the client engine

    @classmethod
    def of(cls, scan: SourceScan, support: Support, facts: EngineFacts | None = None) -> EngineOutlook:
        """Counts the scan's sensitive values (the inventory is worked out here, once: at 1,000 projects it
        takes a quarter of a second, too long for the GUI thread)."""
        refs = scan.refs
        typed = sum(1 for ref in refs if ref.carried_by == CARRIED_BY_USER)
        return cls(scan, support, facts, len(refs), typed)

    @property
    def client_carries(self) -> int:
        return self.sensitive_values - self.typed_values

    def server_obstacles(self) -> list[str]:
        if self.facts is not None:
            return self.facts.server_obstacles()
        return [] if self.source_support.available else [f"the source: {self.source_support.reason}"]

    def recommended(self) -> EngineChoice:
        if self.facts is None:
            return choose_export_engine(self.source_support, self.sensitive_values, self.typed_values)
        return choose_engine(self.facts, ENGINE_AUTO, self.sensitive_values)


def engine_outlook_job(source: Connection, target: Connection | None, names: list[str]) -> Job[EngineOutlook]:
    def job(progress: ProgressCallback, cancel: CancelToken) -> EngineOutlook:
        with source.open_client(cancel=cancel) as source_client:
            scan = scan_source(source_client, source.space, names, progress=progress, cancel=cancel)
            space_id = str(scan.space["Id"])
            scanned = source_client.request_count
            if target is None:
                outlook = EngineOutlook.of(scan, import_export_support(source_client, space_id))
            else:
                with target.open_client(cancel=cancel) as target_client:
                    target_space = target_client.resolve_space(target.space)
                    facts = read_facts(source_client, space_id, target_client, str(target_space["Id"]), names)
                outlook = EngineOutlook.of(scan, facts.source_support, facts)
            # The client engine's export reports the scan's requests as its own: these belong to it too.
            scan.requests += source_client.request_count - scanned
        return outlook

    return job


def server_export_job(
    connection: Connection, names: list[str], destination: Path, password: str
) -> Job[Report]:
    def job(progress: ProgressCallback, cancel: CancelToken) -> Report:
        with connection.open_client(cancel=cancel) as client, connection.open_client() as control:
            return export_with_server(
                client,
                connection.space,
                names,
                destination,
                password,
                control=control,
                poll=POLL,
                progress=progress,
                cancel=cancel,
            )

    return job


def server_plan_job(connection: Connection, bundle_path: Path, password: str) -> Job[ServerImportPlan]:
    """Refusals first; otherwise the zip handed to the target and Octopus's own preview."""

    def job(progress: ProgressCallback, cancel: CancelToken) -> ServerImportPlan:
        with connection.open_client(cancel=cancel) as client, connection.open_client() as control:
            return plan_server_import(
                bundle_path,
                password,
                client,
                connection.space,
                control=control,
                progress=progress,
                cancel=cancel,
            )

    return job


def server_apply_job(connection: Connection, plan: ServerImportPlan) -> Job[Report]:
    """Octopus's import task, then what OctoDesk adds (triggers, logos); one report that says who did what."""

    def job(progress: ProgressCallback, cancel: CancelToken) -> Report:
        with connection.open_client(cancel=cancel) as client, connection.open_client() as control:
            return apply_server_import(
                plan, client, control=control, poll=POLL, progress=progress, cancel=cancel
            )

    return job


def stopped_report(
    report: Report, failed: JobFailed, target: Connection, plan: ServerImportPlan, projects: list[str]
) -> Report:
    """``report`` filled in for a server-engine import that stopped: Octopus's task and OctoDesk's additions
    report only at their end, so this says how it stopped, where, and with which bundle (for Resume)."""
    report.cancelled = failed.cancelled
    report.stopped_by = "" if failed.cancelled else str(failed.error)
    report.target = {"url": target.url, "space": target.space, "version": target.version}
    report.projects = list(projects)
    report.bundle_path = plan.bundle_path
    report.details.update(engine=ENGINE_SERVER, error=str(failed.error))
    return report


def stopped_text(failed: JobFailed) -> str:
    return (
        f"{failed.error} Resume continues with the same bundle: Octopus's import runs again unless it "
        "finished, then OctoDesk adds the triggers and logos."
    )


def bundle_engine_job(bundle_path: Path) -> Job[str]:
    """Which engine made the bundle, from its manifest (the import picks its engine from it)."""

    def job(progress: ProgressCallback, cancel: CancelToken) -> str:
        return bundle_engine(read_manifest(bundle_path))

    return job

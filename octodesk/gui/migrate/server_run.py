"""The import step with the server engine: Octopus's import task (its state and log show under the run
view), then what OctoDesk adds. Cancel cancels the task on the server. A run that stopped gets a report
that says so, kept in "Recent runs" so migrating again (or Resume) continues with the same bundle."""

from __future__ import annotations

from pathlib import Path

from octodesk.core.plan import ImportPlan
from octodesk.core.report import Report
from octodesk.core.server_engine import ServerImportPlan
from octodesk.gui.connection import Connection
from octodesk.gui.engine_jobs import server_apply_job, server_plan_job, stopped_report
from octodesk.gui.jobs import Job, plan_job
from octodesk.gui.migrate.state import MigrationState
from octodesk.gui.runner import JobFailed, Runner


async def import_with_server(
    runner: Runner, migration: MigrationState, target: Connection, plan: ServerImportPlan, report: Report
) -> Report:
    """The server engine's report; on a stop or cancel ``report`` is filled in with what happened and
    JobFailed is raised as for the client engine."""
    try:
        return await runner.run_job(
            f"Octopus imports into {target.space}, then OctoDesk adds what it leaves out",
            server_apply_job(target, plan),
        )
    except JobFailed as failed:
        stopped_report(report, failed, target, plan, migration.projects)
        raise


def replan_job(
    migration: MigrationState, target: Connection, bundle: Path
) -> Job[ImportPlan | ServerImportPlan]:
    """The plan for the rest of a stopped import, with the engine that began it."""
    if migration.server_engine:
        return server_plan_job(target, bundle, migration.password)
    return plan_job(target, bundle, migration.password, migration.options, migration.source)

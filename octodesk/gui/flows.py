"""The export and import flows: a sequence of dialogs and background jobs, calling the same core
functions as the command line."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from octodesk.core.apply import apply_plan
from octodesk.core.bundle import read_bundle, read_manifest
from octodesk.core.cancel import CancelToken
from octodesk.core.errors import BundleError, WrongPassword
from octodesk.core.export import SourceScan, export_projects, scan_source
from octodesk.core.octopus.catalog import list_projects
from octodesk.core.plan import ImportOptions, plan_import
from octodesk.core.progress import ProgressCallback
from octodesk.gui import dialogs
from octodesk.gui.connection import Connection
from octodesk.gui.operation_window import JobFailed, OperationWindow
from octodesk.gui.password_dialog import PasswordDialog
from octodesk.gui.secrets_dialog import ask_secret_values
from octodesk.gui.worker import run_in_worker

if TYPE_CHECKING:
    from octodesk.gui.main_window import MainWindow

log = logging.getLogger(__name__)

WRONG_PASSWORD_RETRY = "Wrong password: the bundle could not be decrypted with it. Try again."


def suggested_bundle_name(project_names: list[str]) -> str:
    stem = project_names[0] if len(project_names) == 1 else f"{len(project_names)}-projects"
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in stem).strip("-") or "projects"
    return f"{safe}-{datetime.now():%Y%m%d-%H%M}.octobundle"


# --- jobs: plain functions run on the worker thread -------------------------------------------------


def secret_refs_job(
    connection: Connection, names: list[str]
) -> Callable[[ProgressCallback, CancelToken], SourceScan]:
    """Reads the source once: the scan lists the sensitive values and then feeds the export."""

    def job(progress: ProgressCallback, cancel: CancelToken) -> SourceScan:
        with connection.open_client(cancel=cancel) as client:
            return scan_source(client, connection.space, names, progress=progress, cancel=cancel)

    return job


def export_job(
    connection: Connection,
    names: list[str],
    destination: Path,
    password: str,
    secrets: dict[str, str],
    scan: SourceScan | None = None,
) -> Any:

    def job(progress: ProgressCallback, cancel: CancelToken) -> Any:
        with connection.open_client(cancel=cancel) as client:
            return export_projects(
                client,
                connection.space,
                names,
                destination,
                password,
                secrets=secrets or None,
                progress=progress,
                cancel=cancel,
                scan=scan,
            )

    return job


def plan_job(
    connection: Connection,
    bundle_path: Path,
    password: str,
    update_existing: bool,
    placeholder_secrets: bool = False,
) -> Any:

    def job(progress: ProgressCallback, cancel: CancelToken) -> Any:
        with connection.open_client(cancel=cancel) as client:
            return plan_import(
                bundle_path,
                password,
                client,
                connection.space,
                ImportOptions(update_existing=update_existing, placeholder_secrets=placeholder_secrets),
                progress=progress,
                cancel=cancel,
            )

    return job


def apply_job(connection: Connection, plan: Any) -> Any:

    def job(progress: ProgressCallback, cancel: CancelToken) -> Any:
        with connection.open_client(cancel=cancel) as client:
            return apply_plan(plan, client, progress=progress, cancel=cancel)

    return job


def check_password(bundle_path: Path, password: str) -> None:

    read_bundle(bundle_path, password)


def bundle_prompt(bundle_path: Path) -> str:
    """What the password dialog says about the bundle, from its unencrypted manifest."""

    manifest = read_manifest(bundle_path)
    source = manifest.get("source") or {}
    projects = ", ".join(manifest.get("projects") or []) or "no projects"
    return (
        f"{bundle_path.name}: {projects}, exported from {source.get('url', 'an unknown server')} "
        f"(space {source.get('space', '?')}). Enter the password it was exported with."
    )


@dataclass
class ImportResult:
    outcome: str
    report: Any = None


# --- flows ------------------------------------------------------------------------------------------


async def ask_bundle_password(parent: Any, bundle_path: Path) -> str | None:
    """Ask until the password opens the bundle; None when the user gives up. Raises other bundle errors."""
    prompt = await run_in_worker(bundle_prompt, bundle_path)
    error = ""
    while True:
        password = await PasswordDialog.launch(parent, "import", error=error, prompt=prompt)
        if password is None:
            return None
        try:
            await run_in_worker(check_password, bundle_path, password)
        except WrongPassword:
            log.info("Wrong password for %s", bundle_path.name)
            error = WRONG_PASSWORD_RETRY
            continue
        return password


async def export_flow(window: MainWindow) -> str:
    source = window.source_panel.connection
    names = window.project_panel.checked_names()
    if source is None or not names:
        await dialogs.show_error(window, "Export", "Connect a source server and select at least one project.")
        return "abandoned"
    password = await PasswordDialog.launch(window, "export")
    if password is None:
        return "abandoned"
    destination = await dialogs.choose_save_bundle(
        window, window.settings.last_bundle_dir, suggested_bundle_name(names)
    )
    if destination is None:
        return "abandoned"
    window.remember_bundle_dir(destination)
    operation = window.open_operation_window("Export")
    operation.set_context(f"Space {source.space} on {source.url} → {destination}")
    title = f"Exporting {len(names)} project{'s' if len(names) != 1 else ''} to {destination.name}"
    try:
        scan = await operation.run_job("Looking for sensitive values", secret_refs_job(source, names))
        secrets = await ask_secret_values(operation, scan.refs)
        if secrets is None:
            operation.close()
            return window.finish_operation(operation, "abandoned")
        job = export_job(source, names, destination, password, secrets, scan)
        report = await operation.run_job(title, job)
    except JobFailed as failed:
        return window.finish_operation(operation, "cancelled" if failed.cancelled else "failed")
    log.info("Exported %s to %s", ", ".join(names), destination)
    operation.show_results(report, f"Exported {', '.join(names)}.", bundle_path=destination)
    return window.finish_operation(operation, "succeeded")


async def import_flow(window: MainWindow, bundle_path: Path | None = None) -> str:
    if bundle_path is None:
        bundle_path = await dialogs.choose_open_bundle(window, window.settings.last_bundle_dir)
        if bundle_path is None:
            return "abandoned"
    try:
        password = await ask_bundle_password(window, bundle_path)
    except BundleError as error:
        await dialogs.show_error(window, "Import", str(error))
        return "failed"
    if password is None:
        return "abandoned"
    target = window.target_panel.connection or await window.connect_server("target")
    if target is None:
        return "abandoned"
    operation = window.open_operation_window("Import")
    operation.set_context(f"Bundle {bundle_path.name} → space {target.space} on {target.url}")
    result = await preview_and_apply(operation, target, bundle_path, password)
    return window.finish_operation(operation, result.outcome)


async def preview_and_apply(
    operation: OperationWindow, target: Connection, bundle_path: Path, password: str
) -> ImportResult:
    """Plan (again whenever "update existing" is toggled), wait for Apply, apply, show the results."""
    while True:
        update_existing = operation.update_existing.isChecked()
        placeholders = operation.placeholder_secrets.isChecked()
        try:
            plan = await operation.run_job(
                f"Preparing the preview for {target.space} on {target.url}",
                plan_job(target, bundle_path, password, update_existing, placeholders),
            )
        except JobFailed as failed:
            return ImportResult("cancelled" if failed.cancelled else "failed")
        choice = await operation.ask_to_apply(plan)
        if choice == "cancel":
            return ImportResult("abandoned")
        if choice == "apply":
            break
    try:
        report = await operation.run_job(
            f"Importing into {target.space} on {target.url}", apply_job(target, plan)
        )
    except JobFailed as failed:
        return ImportResult("cancelled" if failed.cancelled else "failed")
    headline = "Import finished." if report.succeeded else "Import finished with problems: see the warnings."
    operation.show_results(report, headline, bundle_path=bundle_path)
    return ImportResult("succeeded" if report.succeeded else "failed", report)


async def list_projects_job(connection: Connection) -> list[Any]:

    def job() -> list[Any]:
        with connection.open_client() as client:
            space = client.resolve_space(connection.space)
            return list(list_projects(client, space["Id"]))

    return await run_in_worker(job)

"""The export and import flows: a sequence of dialogs and background jobs in an operation window, calling
the same core functions as the command line. They take an ``OperationHost``, never the main window."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TypeVar

from octodesk.core.bundle import BUNDLE_SUFFIX, BundleSummary
from octodesk.core.errors import BundleError, WrongPassword
from octodesk.core.plan import ImportPlan
from octodesk.core.report import Report
from octodesk.core.server_engine import ENGINE_CLIENT, ENGINE_SERVER, ServerImportPlan
from octodesk.core.text import safe_text
from octodesk.core.vocabulary import Action
from octodesk.gui import dialogs
from octodesk.gui.connection import Connection
from octodesk.gui.engine_choice import ExportEngineDialog
from octodesk.gui.engine_jobs import (
    bundle_engine_job,
    engine_outlook_job,
    server_apply_job,
    server_export_job,
    server_plan_job,
    stopped_report,
    stopped_text,
)
from octodesk.gui.history import RunRecord
from octodesk.gui.host import OperationHost
from octodesk.gui.jobs import (
    Job,
    apply_job,
    bundle_summary_job,
    check_password_job,
    export_job,
    plan_job,
)
from octodesk.gui.operation_window import Decision, OperationWindow
from octodesk.gui.outcome import FlowOutcome, of_report
from octodesk.gui.password_dialog import PasswordDialog
from octodesk.gui.runner import JobFailed, run_quietly
from octodesk.gui.secrets_dialog import ask_secret_values
from octodesk.gui.state import Role
from octodesk.render import headline, plural, some_names

log = logging.getLogger(__name__)
P = TypeVar("P", ImportPlan, ServerImportPlan)

WRONG_PASSWORD_RETRY = "Wrong password: the bundle could not be decrypted with it. Try again."
MAX_NAMES_IN_FILE = 3


def suggested_bundle_name(project_names: list[str]) -> str:
    """Named after the projects (the first few, then how many more), so a folder of bundles reads well."""
    shown = project_names[:MAX_NAMES_IN_FILE]
    stem = "+".join(shown) + (
        f"+{len(project_names) - len(shown)}-more" if len(project_names) > len(shown) else ""
    )
    safe = "".join(c if c.isalnum() or c in "-_+" else "-" for c in stem).strip("-") or "projects"
    while "--" in safe:
        safe = safe.replace("--", "-")
    return f"{safe}{BUNDLE_SUFFIX}"


def failed_outcome(failed: JobFailed) -> FlowOutcome:
    return FlowOutcome.CANCELLED if failed.cancelled else FlowOutcome.FAILED


def bundle_prompt(bundle_path: Path, summary: BundleSummary) -> str:
    """What the password dialog says about the bundle. The manifest is not yet proven authentic: its text
    is shown, never obeyed."""
    projects = ", ".join(summary.projects) or "no projects"
    return safe_text(
        f"{bundle_path.name}: {projects}, exported from {summary.source_url or 'an unknown server'} "
        f"(space {summary.source_space or '?'}). Enter the password it was exported with."
    )


async def ask_bundle_password(host: OperationHost, bundle_path: Path) -> str | None:
    """Ask until the password opens the bundle; None when the user gives up. Raises other bundle errors."""
    prompt = bundle_prompt(bundle_path, await run_quietly(bundle_summary_job(bundle_path)))
    error = ""
    while True:
        password = await PasswordDialog.launch(host.dialog_parent(), "import", error=error, prompt=prompt)
        if password is None:
            return None
        try:
            await run_quietly(check_password_job(bundle_path, password))
        except WrongPassword:
            log.info("Wrong password for %s", bundle_path.name)
            error = WRONG_PASSWORD_RETRY
            continue
        return password


async def export_flow(host: OperationHost) -> FlowOutcome:
    state = host.state
    source = state.connection(Role.SOURCE)
    names = list(state.checked)
    parent = host.dialog_parent()
    if source is None or not names:
        await dialogs.show_error(parent, "Export", "Connect a source server and select at least one project.")
        return FlowOutcome.ABANDONED
    password = await PasswordDialog.launch(parent, "export")
    if password is None:
        return FlowOutcome.ABANDONED
    destination = await dialogs.choose_save_bundle(
        parent, state.settings.last_bundle_dir, suggested_bundle_name(names)
    )
    if destination is None:
        return FlowOutcome.ABANDONED
    state.settings.last_bundle_dir = str(destination.parent)
    window = host.open_operation_window("Export")
    window.set_context(f"Space {source.space} on {source.url} → {destination}")
    title = f"Exporting {plural(len(names), 'project')} to {destination.name}"
    try:
        outlook = await window.run_job(
            "Looking for sensitive values", engine_outlook_job(source, None, names)
        )
        engine = await ExportEngineDialog.launch(window, outlook)
        secrets = await ask_secret_values(window, outlook.scan.refs) if engine == ENGINE_CLIENT else {}
        if engine is None or secrets is None:
            window.reject()
            return host.finish_operation(window, FlowOutcome.ABANDONED)
        scans = [outlook.scan]  # the export takes the scan: what it read is freed on the worker thread
        del outlook
        if engine == ENGINE_SERVER:  # Octopus reads the source itself: free the scan off the GUI thread too
            await run_quietly(lambda _progress, _cancel: scans.clear())
        job = (
            server_export_job(source, names, destination, password)
            if engine == ENGINE_SERVER
            else export_job(source, names, destination, password, secrets, handed_over=scans)  # read once
        )
        report = await window.run_job(title, job)
    except JobFailed as failed:
        return host.finish_operation(window, failed_outcome(failed))
    log.info("Exported %s to %s", some_names(names), destination)
    window.show_results(report, f"Exported {some_names(names)}.", bundle_path=destination)
    keep_ticks(window, host.record_run("export", report))  # after: the results come first on screen
    return host.finish_operation(window, of_report(report))


async def import_flow(host: OperationHost, bundle_path: Path | None = None) -> FlowOutcome:
    state = host.state
    parent = host.dialog_parent()
    if bundle_path is None:
        bundle_path = await dialogs.choose_open_bundle(parent, state.settings.last_bundle_dir)
        if bundle_path is None:
            return FlowOutcome.ABANDONED
    try:
        password = await ask_bundle_password(host, bundle_path)
    except BundleError as error:
        await dialogs.show_error(parent, "Import", str(error))
        return FlowOutcome.FAILED
    if password is None:
        return FlowOutcome.ABANDONED
    target = state.connection(Role.TARGET) or await host.connect_server(Role.TARGET)
    if target is None:
        return FlowOutcome.ABANDONED
    window = host.open_operation_window("Import")
    window.set_context(f"Bundle {bundle_path.name} → space {target.space} on {target.url}")
    try:  # the engine that made the bundle imports it
        engine = await run_quietly(bundle_engine_job(bundle_path))
    except BundleError as error:
        await dialogs.show_error(window, "Import", str(error))
        return host.finish_operation(window, FlowOutcome.FAILED)
    run = server_preview_and_apply if engine == ENGINE_SERVER else preview_and_apply
    outcome = await run(host, window, target, bundle_path, password)
    return host.finish_operation(window, outcome)


def replace_question(plan: ImportPlan) -> str | None:
    """The confirmation an update of existing projects needs, naming how many; None when none is."""
    updated = [item.name for item in plan.items if item.kind == "Project" and item.action == Action.UPDATE]
    if not updated:
        return None
    projects = plural(len(updated), "existing project")
    return (
        f"Replace the deployment process, channels and runbooks of {projects} "
        f"on the target ({', '.join(updated)}) with the bundle's, and update their variables? "
        "Variables only the target has, and its sensitive values, are kept."
    )


async def preview_and_apply(
    host: OperationHost, window: OperationWindow, target: Connection, bundle_path: Path, password: str
) -> FlowOutcome:
    """Plan (again whenever an option changes, or to resume), wait for Apply, apply, show the results."""
    while True:
        asked = await plan_and_ask(
            window,
            f"Preparing the preview for {target.space} on {target.url}",
            plan_job(target, bundle_path, password, window.options()),
        )
        if not isinstance(asked, ImportPlan):
            if asked is None:
                continue
            return asked
        question = replace_question(asked)
        if question and not await dialogs.ask_yes_no(window, "Replace existing projects", question):
            continue
        report = Report(operation="import")
        try:
            await window.run_job(
                f"Importing into {target.space} on {target.url}", apply_job(target, asked, report)
            )
        except JobFailed:
            ended = await show_end(host, window, target, report, bundle_path, stopped_headline(report))
        else:
            ended = await show_end(host, window, target, report, bundle_path)
        if ended is not None:
            return ended


async def server_preview_and_apply(
    host: OperationHost, window: OperationWindow, target: Connection, bundle_path: Path, password: str
) -> FlowOutcome:
    """A server-engine bundle: Octopus's own preview, Apply, its import task, then OctoDesk's additions."""
    while True:
        asked = await plan_and_ask(
            window,
            f"Asking Octopus on {target.url} for its import preview",
            server_plan_job(target, bundle_path, password),
        )
        if not isinstance(asked, ServerImportPlan):
            if asked is None:
                continue
            return asked
        try:
            report = await window.run_job(
                f"Octopus imports into {target.space}, then OctoDesk adds what it leaves out",
                server_apply_job(target, asked),
            )
        except JobFailed as failed:
            projects = [str(name) for name in asked.bundle.manifest.get("projects") or []]
            stopped = stopped_report(Report(operation="import"), failed, target, asked, projects)
            ended = await show_end(host, window, target, stopped, bundle_path, stopped_text(failed))
        else:
            ended = await show_end(host, window, target, report, bundle_path)
        if ended is not None:
            return ended


async def plan_and_ask(window: OperationWindow, title: str, job: Job[P]) -> P | FlowOutcome | None:
    """The plan once the user pressed Apply; how the flow ended when it could not be made or the window
    was closed; None when an option changed (plan again)."""
    try:
        plan = await window.run_job(title, job)
    except JobFailed as failed:
        return failed_outcome(failed)
    decision = await window.ask_to_apply(plan, offer_options=isinstance(plan, ImportPlan))
    if decision == Decision.CLOSE:
        return FlowOutcome.ABANDONED
    return None if decision == Decision.REPLAN else plan


async def show_end(
    host: OperationHost,
    window: OperationWindow,
    target: Connection,
    report: Report,
    bundle_path: Path,
    stopped: str = "",
) -> FlowOutcome | None:
    """Keep and show how the import ended; for a stopped one (``stopped`` says so), None when the user
    pressed Resume."""
    if not stopped:
        log.info(
            "Imported %s into %s on %s: %s", bundle_path.name, target.space, target.url, headline(report)
        )
    window.show_results(report, stopped or headline(report), bundle_path=bundle_path, resumable=bool(stopped))
    keep_ticks(window, host.record_run("import", report))  # after: the results come first on screen
    if stopped and await window.wait_decision() == Decision.RESUME:
        return None
    return of_report(report)


def keep_ticks(window: OperationWindow, record: RunRecord) -> None:
    """Follow-ups ticked off in the results are saved with the run ("Recent runs" shows them ticked)."""
    window.results.on_ticked = lambda _report: record.save()


def stopped_headline(report: Report) -> str:
    """What a stopped import wrote, and that Resume continues it."""
    written = len(report.written)
    done = f"{plural(written, 'item')} {'was' if written == 1 else 'were'} written to the target"
    return f"{headline(report)} {done}; Resume continues where it stopped, writing nothing twice."

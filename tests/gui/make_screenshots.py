"""Render the README screenshots from sandbox data: ``python tests/gui/make_screenshots.py docs/screenshots``.

Runs headless (QT_QPA_PLATFORM=offscreen unless a display is set, e.g. under Xvfb). Shows the main window, the
connection wizard, the migrate wizard's engine choice, packages and sensitive-values pages, an import preview,
an update preview with its changes, the results, a run with a failure and a stopped import offering Resume.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
for variable in ("CONFIG", "DATA", "LOG", "JOURNAL"):  # never touch the user's real settings
    os.environ.setdefault(f"OCTODESK_{variable}_DIR", tempfile.mkdtemp(prefix="octodesk-"))
os.environ.setdefault("XDG_CONFIG_HOME", tempfile.mkdtemp(prefix="octodesk-qt-"))
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
os.environ.setdefault("QT_API", "pyside6")  # qasync is imported before PySide6 below
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the bundle repacker

from bundle_repack import NOT_A_CERTIFICATE, repack  # noqa: E402

import qasync  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from octodesk.core.export import export_projects  # noqa: E402
from octodesk.core.octopus.client import OctopusClient  # noqa: E402
from octodesk.core.plan import ImportOptions  # noqa: E402
from octodesk.core.report import Report  # noqa: E402
from octodesk.gui.app import create_application, start_sandbox  # noqa: E402
from octodesk.gui.connection import Connection  # noqa: E402
from octodesk.gui.connection_wizard import ConnectionWizard  # noqa: E402
from octodesk.gui.flows import stopped_headline  # noqa: E402
from octodesk.gui.jobs import apply_job, plan_job  # noqa: E402
from octodesk.gui.main_window import MainWindow  # noqa: E402
from octodesk.gui.migrate import MigrateWizard  # noqa: E402
from octodesk.gui.migrate.engine_page import EnginePage  # noqa: E402
from octodesk.gui.migrate.packages_page import PackagesPage  # noqa: E402
from octodesk.gui.migrate.secrets_page import SecretsPage  # noqa: E402
from octodesk.gui.operation_window import Decision, OperationWindow  # noqa: E402
from octodesk.gui.runner import JobFailed  # noqa: E402
from octodesk.gui.sandbox_session import SandboxSession  # noqa: E402
from octodesk.gui.settings import Settings  # noqa: E402
from octodesk.gui.state import Role  # noqa: E402
from octodesk.gui.worker import spawn  # noqa: E402
from octodesk.render import headline  # noqa: E402

PASSWORD = "screenshot password"
PROJECTS = ["Web Portal", "Billing API"]
ACCOUNT_SECRETS = {  # an import cannot create the demo's accounts without them
    "account:AWS Billing/SecretKey": "entered-in-the-app",
    "account:Azure Portal Subscription/Password": "entered-in-the-app",
}


def save(widget: QWidget, folder: Path, name: str) -> None:
    QApplication.processEvents()
    path = folder / f"{name}.png"
    widget.grab().save(str(path))
    print(f"wrote {path}")


async def until(condition: Callable[[], bool], seconds: float = 60.0) -> None:
    for _ in range(int(seconds * 20)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise TimeoutError("the screen never reached the state to shoot")


def export(source: Connection, path: Path) -> Path:
    with OctopusClient(source.url, source.api_key) as client:
        export_projects(client, "Default", PROJECTS, path, PASSWORD, secrets=ACCOUNT_SECRETS)
    return path


def operation_window(window: MainWindow, bundle: Path, target: Connection) -> OperationWindow:
    operation = OperationWindow("Import", window)
    operation.resize(1000, 700)
    operation.set_context(f"Bundle {bundle.name} → space {target.space} on {target.url}")
    operation.show()
    return operation


async def show_preview(
    operation: OperationWindow, target: Connection, bundle: Path, options: ImportOptions
) -> None:
    plan = await operation.run_job("Preview", plan_job(target, bundle, PASSWORD, options))
    spawn(operation.ask_to_apply(plan))
    await until(operation.apply_button.isVisible)


async def shoot_wizards(window: MainWindow, folder: Path) -> None:
    source = window.state.connection(Role.SOURCE)
    wizard = ConnectionWizard("source", window.settings, source, window)
    wizard.show()
    await wizard.server_page.run_probe()
    save(wizard, folder, "connection-wizard")
    wizard.next()
    save(wizard, folder, "connection-wizard-space")
    wizard.close()

    migrate = MigrateWizard(window)
    migrate.resize(1050, 700)
    migrate.show()
    secrets = migrate.page_of(SecretsPage)
    engine = migrate.page_of(EnginePage)
    packages = migrate.page_of(PackagesPage)
    for _ in range(3):
        migrate.next()
        await asyncio.sleep(0.3)
    await until(lambda: migrate.currentPage() is engine and engine.isComplete())
    save(migrate, folder, "engine-choice")
    engine.choice.client_radio.click()  # to show the packages and sensitive-values pages of the client engine
    migrate.next()
    await until(lambda: migrate.currentPage() is packages and packages.isComplete())
    save(migrate, folder, "packages")
    migrate.next()
    page = migrate.currentPage()
    page.password.setText(PASSWORD)  # type: ignore[attr-defined]
    page.confirm.setText(PASSWORD)  # type: ignore[attr-defined]
    migrate.next()
    await until(lambda: migrate.currentPage() is secrets and secrets.isComplete())
    secrets.editor.model.set_value("feed:Acme NuGet/Password", "entered-in-the-app")
    secrets.editor.model.set_value("variable:Project/Web Portal/Portal.SigningKey", "entered-in-the-app")
    save(migrate, folder, "sensitive-values")
    migrate.reject()


async def shoot_import(window: MainWindow, session: SandboxSession, folder: Path) -> None:
    source, target = window.state.connection(Role.SOURCE), window.state.connection(Role.TARGET)
    assert source is not None and target is not None
    scratch = Path(tempfile.mkdtemp(prefix="octodesk-shots-"))
    bundle = export(source, scratch / "Web-Portal+Billing-API.octobundle")

    operation = operation_window(window, bundle, target)
    await show_preview(operation, target, bundle, ImportOptions())
    operation.preview.select("LibraryVariableSet", "Common Settings")
    save(operation, folder, "preview")
    operation.decision.emit(Decision.APPLY)
    report = Report(operation="import")
    await operation.run_job("Import", apply_job(target, operation.preview.plan, report))  # type: ignore[arg-type]
    operation.show_results(report, headline(report), bundle_path=bundle)
    save(operation, folder, "results")
    operation.close()

    # The source moves on: a new variable and channel in Billing API, then the bundle again, in update mode.
    space = f"/api/{session.servers[0].space_id('Default')}"
    with OctopusClient(source.url, source.api_key) as client:
        project = next(p for p in client.get_all(f"{space}/projects/all") if p["Name"] == "Billing API")
        variables = client.get(f"{space}/variables/{project['VariableSetId']}")
        variables["Variables"].append(
            {"Name": "Billing.Region", "Value": "eu-west", "Type": "String", "Scope": {}}
        )
        client.put(f"{space}/variables/{project['VariableSetId']}", variables)
        client.post(f"{space}/channels", {"Name": "Hotfix", "ProjectId": project["Id"], "Rules": []})
    second = export(source, scratch / "Web-Portal+Billing-API-2.octobundle")
    operation = operation_window(window, second, target)
    operation.import_options.update_existing.blockSignals(True)
    operation.import_options.update_existing.setChecked(True)
    await show_preview(operation, target, second, ImportOptions(update_existing=True))
    operation.preview.select("Project", "Billing API")
    save(operation, folder, "update-preview")
    operation.close()

    # A certificate the target refuses: a run that completes with one failure.
    with OctopusClient(target.url, target.api_key) as client:
        space_id = client.resolve_space(target.space)["Id"]
        client.post("/api/spaces", {"Name": "Staging", "SpaceManagersTeams": ["teams-administrators"]})
    staging = Connection(target.url, target.api_key, "Staging", target.version, target.hosting)
    refused = repack(
        bundle, scratch / "refused.octobundle", PASSWORD, {"certificate:Portal TLS": NOT_A_CERTIFICATE}
    )
    operation = operation_window(window, refused, staging)
    plan = await operation.run_job("Preview", plan_job(staging, refused, PASSWORD, ImportOptions()))
    report = Report(operation="import")
    await operation.run_job("Import", apply_job(staging, plan, report))
    operation.show_results(report, headline(report), bundle_path=refused)
    save(operation, folder, "failed-run")
    operation.close()
    _ = space_id

    # A slow target and a cancel part way: what was written, and Resume.
    with OctopusClient(target.url, target.api_key) as client:
        client.post("/api/spaces", {"Name": "Production", "SpaceManagersTeams": ["teams-administrators"]})
    production = Connection(target.url, target.api_key, "Production", target.version, target.hosting)
    operation = operation_window(window, bundle, production)
    plan = await operation.run_job("Preview", plan_job(production, bundle, PASSWORD, ImportOptions()))
    session.servers[1].set_faults(latency_ms=80)
    report = Report(operation="import")
    job = asyncio.ensure_future(
        operation.run_job("Importing into Production", apply_job(production, plan, report))
    )
    await until(lambda: (report.counts.get("Environment") or {}) != {} or job.done(), 30)
    await asyncio.sleep(1.0)
    operation.runner.cancel()
    try:
        await job
    except JobFailed:
        pass
    session.servers[1].set_faults(latency_ms=0)
    operation.show_results(report, stopped_headline(report), bundle_path=bundle, resumable=True)
    save(operation, folder, "resume")
    operation.close()


async def shoot_main_window(window: MainWindow, session: SandboxSession, folder: Path) -> None:
    window.project_panel.model.set_checked_names(PROJECTS)
    window.log_pane.appendPlainText("12:00:01 INFO Source: sandbox demo, space Default (5 projects)")
    save(window, folder, "main-window")


# In order, on one app and one pair of sandboxes: add a shot by appending its coroutine function here.
Shot = Callable[[MainWindow, SandboxSession, Path], Awaitable[None]]
SHOTS: list[Shot] = [
    shoot_main_window,
    lambda window, _session, folder: shoot_wizards(window, folder),
    shoot_import,
]


async def shoot(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    window = MainWindow(Settings())
    window.resize(1180, 760)
    window.show()
    session = SandboxSession()
    try:
        await start_sandbox(window, session)
        for shot in SHOTS:
            await shot(window, session, folder)
    finally:
        session.stop()
        window.close()


def main() -> int:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    app = create_application()
    _ = app
    qasync.run(shoot(folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())

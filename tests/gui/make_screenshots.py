"""Render the README screenshots from sandbox data: ``python tests/gui/make_screenshots.py docs/screenshots``.

Runs headless (QT_QPA_PLATFORM=offscreen unless a display is set, e.g. under Xvfb).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
for variable in ("CONFIG", "DATA", "LOG", "JOURNAL"):  # never touch the user's real settings
    os.environ.setdefault(f"OCTODESK_{variable}_DIR", tempfile.mkdtemp(prefix="octodesk-"))
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
os.environ.setdefault("QT_API", "pyside6")  # qasync is imported before PySide6 below

import qasync  # noqa: E402
from PySide6.QtWidgets import QAbstractItemView, QApplication, QWidget  # noqa: E402

from octodesk.core.export import export_projects  # noqa: E402
from octodesk.core.octopus.client import OctopusClient  # noqa: E402
from octodesk.gui.app import create_application, start_sandbox  # noqa: E402
from octodesk.gui.connection_wizard import ConnectionWizard  # noqa: E402
from octodesk.gui.flows import apply_job, plan_job  # noqa: E402
from octodesk.gui.main_window import MainWindow  # noqa: E402
from octodesk.gui.operation_window import OperationWindow  # noqa: E402
from octodesk.gui.sandbox_session import SandboxSession  # noqa: E402
from octodesk.gui.settings import Settings  # noqa: E402

PASSWORD = "screenshot password"


def save(widget: QWidget, folder: Path, name: str) -> None:
    QApplication.processEvents()
    path = folder / f"{name}.png"
    widget.grab().save(str(path))
    print(f"wrote {path}")


async def shoot(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    window = MainWindow(Settings())
    window.resize(1180, 760)
    window.show()
    session = SandboxSession()
    try:
        await start_sandbox(window, session)
        window.project_panel.model.set_checked_names(["Web Portal", "Billing API"])
        window.log_pane.appendPlainText("12:00:01 INFO Source: sandbox demo, space Default (5 projects)")
        save(window, folder, "main-window")

        source, target = window.source_panel.connection, window.target_panel.connection
        assert source is not None and target is not None
        wizard = ConnectionWizard("source", window.settings, source, window)
        wizard.show()
        await wizard.server_page.run_probe()
        save(wizard, folder, "connection-wizard")
        wizard.next()
        save(wizard, folder, "connection-wizard-space")
        wizard.close()

        bundle = folder.parent / ".screenshot.octobundle"
        with OctopusClient(source.url, source.api_key) as client:
            export_projects(client, "Default", ["Web Portal", "Billing API"], bundle, PASSWORD)
        operation = OperationWindow("Import", window)
        operation.resize(900, 640)
        operation.set_context(f"Bundle {bundle.name} → space {target.space} on {target.url}")
        operation.show()
        plan = await operation.run_job("Preview", plan_job(target, bundle, PASSWORD, False))
        asyncio.get_running_loop().call_later(0.5, lambda: operation.decision.emit("apply"))
        save_after = asyncio.ensure_future(operation.ask_to_apply(plan))
        await asyncio.sleep(0.2)
        merge = operation.preview.first_index_with_action("merge")
        if merge.isValid():  # show a merge with its details, the part of a plan worth a look
            operation.preview.tree.scrollTo(merge, QAbstractItemView.ScrollHint.PositionAtCenter)
        save(operation, folder, "preview")
        await save_after
        report = await operation.run_job("Import", apply_job(target, plan))
        operation.show_results(report, "Import finished.", bundle_path=bundle)
        save(operation, folder, "results")
        operation.close()
        bundle.unlink(missing_ok=True)
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

"""Start-up: QApplication, style, logging, error hook, the qasync loop, the main window, optional sandbox."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from octodesk import __version__
from octodesk.core.errors import OctoDeskError
from octodesk.gui import dialogs
from octodesk.gui.error_dialog import ExceptHook
from octodesk.gui.log_pane import QtLogHandler, route_terminal_logging, setup_logging
from octodesk.gui.main_window import MainWindow
from octodesk.gui.sandbox_session import SandboxSession
from octodesk.gui.state import Role
from octodesk.gui.worker import executor, run_in_worker
from octodesk.resource_path import resource_path

log = logging.getLogger(__name__)


def app_icon() -> QIcon:
    icon = QIcon()
    for name in ("octodesk.svg", "octodesk.png"):
        path = resource_path(name)
        if path.exists():
            icon.addFile(str(path))
    return icon


def style_sheet() -> str:
    path: Path = resource_path("octodesk.qss")
    return path.read_text(encoding="utf-8") if path.exists() else ""


def create_application(argv: list[str] | None = None) -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv or sys.argv[:1])
    app.setApplicationName("OctoDesk")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("OctoDesk")
    app.setDesktopFileName("octodesk")
    app.setWindowIcon(app_icon())
    app.setStyleSheet(style_sheet())
    return app


async def start_sandbox(window: MainWindow, session: SandboxSession) -> None:
    window.statusBar().showMessage("Starting the sandbox servers…")
    try:
        source, target = await run_in_worker(session.start)
    except Exception as error:  # the sandbox is optional: say why it failed, keep the app usable
        log.debug("Sandbox start-up failed", exc_info=True)
        reason = str(error) if isinstance(error, OctoDeskError) else f"{type(error).__name__}: {error}"
        window.statusBar().showMessage("The sandbox servers could not start.")
        await dialogs.show_error(window, "Sandbox", f"The sandbox servers could not start: {reason}")
        return
    window.state.sandbox_connections = {Role.SOURCE: source, Role.TARGET: target}
    await window.restore_sandbox_connections()
    window.statusBar().showMessage("Sandbox ready: pick projects, then Migrate…", 10000)


def close_on_termination_signals(window: MainWindow) -> None:
    """SIGTERM (logout, ``kill``) and Ctrl+C close the window the normal way, so the app exits cleanly."""
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(signum, window.close)
        except (NotImplementedError, RuntimeError, ValueError):  # Windows, or not the main thread
            pass


async def main(
    app: QApplication,
    sandbox: bool,
    pane_handler: QtLogHandler | None = None,
    sandbox_latency_ms: float = 0.0,
) -> int:
    window = MainWindow()
    if pane_handler is not None:
        window.log_pane.attach(pane_handler)
    window.setWindowIcon(app.windowIcon())
    closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def window_closed() -> None:
        if not closed.done():
            closed.set_result(None)

    app.lastWindowClosed.connect(window_closed)
    window.closed.connect(window_closed)  # an error dialog left open must not keep the app alive
    # main() ends the loop by returning; if Qt quit on the last window, the awaits below (stopping the
    # sandbox) would die with "Event loop stopped before Future completed".
    app.setQuitOnLastWindowClosed(False)
    session = SandboxSession(latency_ms=sandbox_latency_ms) if sandbox else None
    window.show()
    close_on_termination_signals(window)
    log.info("OctoDesk %s started", __version__)
    try:
        if session is not None:
            await start_sandbox(window, session)
        await closed
    finally:
        if session is not None:
            await run_in_worker(session.stop)
    return 0


def run_app(sandbox: bool = False, verbose: bool = False, sandbox_latency_ms: float = 0.0) -> int:
    import qasync  # after PySide6, so qasync binds to it

    app = create_application()
    pane_handler, log_file = setup_logging(verbose)
    route_terminal_logging(verbose)
    hook = ExceptHook(log_file)
    hook.install()
    try:
        return int(qasync.run(main(app, sandbox, pane_handler, sandbox_latency_ms)))
    finally:
        hook.uninstall()
        executor().shutdown(wait=True, cancel_futures=True)

"""The sandbox start-up, the error hook, remembered geometry, the command line starting the app."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from octodesk.core import paths
from octodesk.core.errors import ConnectionFailed
from octodesk.core.octopus.client import OctopusClient
from octodesk.gui.app import start_sandbox
from octodesk.gui.error_dialog import ExceptHook
from octodesk.gui.main_window import MainWindow
from octodesk.gui.sandbox_session import SandboxSession
from octodesk.gui.settings import Settings

TIMEOUT = 60000
PASSWORD = "migrate me please 42"


def test_sandbox_start_up_connects_both_panels_and_stops(
    qtbot: QtBot, window: MainWindow, run_async: Callable[..., Any]
) -> None:
    session = SandboxSession()
    try:
        run_async(start_sandbox(window, session))
        assert window.source_panel.connection is not None and window.target_panel.connection is not None
        assert window.source_panel.space_label.text() == "Default"
        assert window.project_panel.model.total_count() == 5
        assert window.target_panel.version_label.text() == "2021.2.4488"
        servers = list(session.servers)
        assert len(servers) == 2
    finally:
        session.stop()
    assert session.servers == []
    client = OctopusClient(servers[0].url, servers[0].api_key, max_retries=0, timeout=5)
    with pytest.raises(ConnectionFailed):
        client.server_info()
    client.close()


def test_uncaught_error_opens_a_dialog_with_version_and_log(qtbot: QtBot, window: MainWindow) -> None:
    log_file = paths.log_dir() / "octodesk.log"
    log_file.write_text("12:00 INFO earlier line\n")
    hook = ExceptHook(log_file)
    hook.install()
    try:
        try:
            raise ValueError("boom")
        except ValueError:
            sys.excepthook(*sys.exc_info())
    finally:
        hook.uninstall()
    assert len(hook.shown) == 1
    dialog = hook.shown[0]
    qtbot.addWidget(dialog)
    assert dialog.isVisible()
    assert dialog.summary_label.text() == "ValueError: boom"
    details = dialog.details.toPlainText()
    assert "OctoDesk 0." in details and "PySide6" in details
    assert "earlier line" in details and "Traceback" in details
    dialog.copy_details()
    from PySide6.QtWidgets import QApplication

    assert QApplication.clipboard().text() == details


def test_window_geometry_is_remembered(qtbot: QtBot, window: MainWindow) -> None:
    window.resize(900, 610)  # the offscreen screen is 800x600: restoring clamps to it, then to the minimum
    window.close()
    again = MainWindow(Settings.load())
    qtbot.addWidget(again)
    assert (again.width(), again.height()) == (900, 610)
    again.resize(300, 200)
    assert again.width() >= 900 and again.height() >= 600, "never smaller than its labels need"


@pytest.mark.parametrize(
    ("argv", "started_with"),
    [
        ([], (False, 0.0)),
        (["gui"], (False, 0.0)),
        (["gui", "--sandbox"], (True, 0.0)),
        (["gui", "--sandbox", "--latency-ms", "300"], (True, 300.0)),
    ],
)
def test_command_line_starts_the_app(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], started_with: tuple[bool, float]
) -> None:
    from octodesk import cli
    from octodesk.gui import app

    started: list[tuple[bool, float]] = []

    def fake_run_app(sandbox: bool = False, verbose: bool = False, sandbox_latency_ms: float = 0.0) -> int:
        started.append((sandbox, sandbox_latency_ms))
        return 0

    monkeypatch.setattr(app, "run_app", fake_run_app)
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        assert cli.main(argv) == 0  # the command sets up terminal logging on the root logger
    finally:
        root.handlers[:], root.level = saved[0], saved[1]
    assert started == [started_with]


def test_latency_needs_the_sandbox(capsys: pytest.CaptureFixture[str]) -> None:
    from octodesk import cli

    with pytest.raises(SystemExit) as exited:
        cli.main(["gui", "--latency-ms", "300"])
    assert exited.value.code == 2
    error = capsys.readouterr().err.strip()
    assert error.endswith("--latency-ms slows the embedded sandbox servers: give --sandbox too")


def test_the_embedded_sandbox_answers_late_when_asked() -> None:
    """``octodesk gui --sandbox --latency-ms N``: a slow server to try cancel and resume on."""
    from octodesk.gui.sandbox_session import SandboxSession

    session = SandboxSession(latency_ms=300.0)
    try:
        session.start()
        assert [server.faults.latency_ms for server in session.servers] == [300.0, 300.0]
    finally:
        session.stop()

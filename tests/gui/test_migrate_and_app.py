"""Migrate wizard from start to results, the sandbox start-up, the error hook, remembered geometry."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

import pytest
from gui_helpers import connection_to, script_secrets, script_yes_no
from pytestqt.qtbot import QtBot

from octodesk.core import paths
from octodesk.core.bundle import read_bundle
from octodesk.core.errors import ConnectionFailed
from octodesk.core.octopus.client import OctopusClient
from octodesk.gui.app import start_sandbox
from octodesk.gui.error_dialog import ExceptHook
from octodesk.gui.main_window import MainWindow
from octodesk.gui.migrate_wizard import MigrateWizard, bundles_dir
from octodesk.gui.sandbox_session import SandboxSession
from octodesk.gui.settings import Settings

TIMEOUT = 60000
PASSWORD = "migrate me please 42"


def open_wizard(qtbot: QtBot, window: MainWindow) -> MigrateWizard:
    window.migrate_action.trigger()
    qtbot.waitUntil(lambda: window.migrate_wizard is not None and window.migrate_wizard.isVisible())
    assert window.migrate_wizard is not None
    return window.migrate_wizard


def test_migrate_wizard_from_start_to_results(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    demo_server: Any,
    empty_server: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run_async(window.set_connection("source", connection_to(demo_server)))
    run_async(window.set_connection("target", connection_to(empty_server)))
    window.project_panel.model.set_checked_names(["Billing API"])
    script_secrets(monkeypatch, {"account:AWS Billing/SecretKey": "aws-secret-typed-in-the-wizard"})
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT) as finished:
        wizard = open_wizard(qtbot, window)
        assert wizard.currentPage() is wizard.source_page and wizard.source_page.isComplete()
        wizard.next()
        assert wizard.projects_page.panel.checked_names() == ["Billing API"]
        wizard.next()
        assert wizard.currentPage() is wizard.target_page and wizard.target_page.isComplete()
        wizard.next()
        page = wizard.password_page
        assert not page.isComplete()
        page.password.setText(PASSWORD)
        page.confirm.setText(PASSWORD)
        assert page.isComplete()
        wizard.next()
        preview = wizard.preview_page
        qtbot.waitUntil(preview.isComplete, timeout=TIMEOUT)
        assert preview.preview.model.find("Project", "Billing API").siblingAtColumn(1).data() == "create"
        bundle_path = preview.bundle_path
        assert bundle_path is not None and bundle_path.parent == bundles_dir()
        assert str(bundle_path) in preview.bundle_label.text()
        assert preview.open_folder_button.isEnabled()
        wizard.next()  # Apply (commit page)
        qtbot.waitUntil(lambda: wizard.currentPage() is wizard.results_page, timeout=TIMEOUT)
        results = wizard.results_page.results
        assert results.headline.text() == "Migrated Billing API."
        assert results.counts_model.total("create") > 0
        assert results.open_folder_button.isVisibleTo(wizard)
        wizard.accept()
    assert finished.args == ["migrate", "succeeded"]
    assert read_bundle(bundle_path, PASSWORD).manifest["projects"] == ["Billing API"]
    with OctopusClient(empty_server.url, empty_server.api_key) as client:
        projects = client.get_all(f"/api/{empty_server.space_id('Default')}/projects")
    assert [p["Name"] for p in projects] == ["Billing API"]
    accounts = empty_server.snapshot()["documents"]["accounts"].values()
    aws = next(account for account in accounts if account["Name"] == "AWS Billing")
    assert aws["SecretKey"]["NewValue"] == "aws-secret-typed-in-the-wizard"


def test_migrate_wizard_refuses_the_same_space_as_target(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    demo_server: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run_async(window.set_connection("source", connection_to(demo_server)))
    run_async(window.set_connection("target", connection_to(demo_server)))
    script_secrets(monkeypatch)
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT) as finished:
        wizard = open_wizard(qtbot, window)
        wizard.next()
        window.project_panel.model.set_checked_names(["Billing API"])
        wizard.projects_page.panel.model.set_checked_names(["Billing API"])
        wizard.next()
        assert not wizard.target_page.isComplete()
        assert "same space" in wizard.target_page.note.text()
        wizard.reject()
    assert finished.args == ["migrate", "abandoned"]


def test_cancelling_the_wizard_during_export_asks_and_stops(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    sandbox_factory: Callable[..., Any],
    empty_server: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slow = sandbox_factory("demo")
    run_async(window.set_connection("source", connection_to(slow)))
    run_async(window.set_connection("target", connection_to(empty_server)))
    window.project_panel.set_shown_checked(True)
    slow.set_faults(latency_ms=40)
    questions = script_yes_no(monkeypatch, True)
    script_secrets(monkeypatch)
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT) as finished:
        wizard = open_wizard(qtbot, window)
        for _ in range(3):
            wizard.next()
        wizard.password_page.password.setText(PASSWORD)
        wizard.password_page.confirm.setText(PASSWORD)
        wizard.next()
        run_view = wizard.preview_page.run_view
        qtbot.waitSignal(
            run_view.progressed,
            timeout=TIMEOUT,
            check_params_cb=lambda _progress: run_view.title_label.text().startswith("Exporting"),
        ).wait()
        wizard.reject()
    assert len(questions.questions) == 1
    assert finished.args == ["migrate", "cancelled"]
    assert not list(bundles_dir().glob("*.octobundle"))


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
    window.resize(700, 510)  # within the offscreen platform's 800x600 screen
    window.close()
    again = MainWindow(Settings.load())
    qtbot.addWidget(again)
    assert (again.width(), again.height()) == (700, 510)


@pytest.mark.parametrize(("argv", "sandbox"), [([], False), (["gui"], False), (["gui", "--sandbox"], True)])
def test_command_line_starts_the_app(monkeypatch: pytest.MonkeyPatch, argv: list[str], sandbox: bool) -> None:
    from octodesk import cli
    from octodesk.gui import app

    started: list[bool] = []

    def fake_run_app(sandbox: bool = False, verbose: bool = False) -> int:
        started.append(sandbox)
        return 0

    monkeypatch.setattr(app, "run_app", fake_run_app)
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        assert cli.main(argv) == 0  # the command sets up terminal logging on the root logger
    finally:
        root.handlers[:], root.level = saved[0], saved[1]
    assert started == [sandbox]

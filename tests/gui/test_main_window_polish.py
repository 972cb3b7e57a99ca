"""The main window's smaller promises: a first-run hint that stays until used, Help → Open log folder that
works or says why, the sandbox connections restorable, Recent runs to reopen a report (ticks kept), and
bundle housekeeping (folder, list, delete)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from gui_helpers import (
    PASSWORD,
    connection_to,
    make_bundle,
    record_errors,
    script_open_path,
    script_passwords,
    script_yes_no,
)
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices

from octodesk.core import paths
from octodesk.gui import history
from octodesk.gui.app import start_sandbox
from octodesk.gui.bundles_dialog import BundlesDialog
from octodesk.gui.main_window import MainWindow
from octodesk.gui.recent_runs import RecentRunsDialog
from octodesk.gui.sandbox_session import SandboxSession
from octodesk.gui.settings import Settings
from octodesk.gui.state import Role

TIMEOUT = 60000


def test_the_first_run_hint_stays_until_an_operation_is_started(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    demo_server: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert window.hint.isVisible() and "Start here" in window.hint.text()
    window.statusBar().showMessage("something else")
    run_async(window.set_connection("source", connection_to(demo_server)))
    assert window.hint.isVisible(), "connecting is not yet using it"
    window.project_panel.model.set_checked_names(["Billing API"])
    script_passwords(monkeypatch, None)
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT):
        window.export_action.trigger()
    assert not window.hint.isVisible()
    window.save_window_settings()
    again = MainWindow(Settings.load())
    qtbot.addWidget(again)
    assert not again.hint.isVisibleTo(again)


def test_open_log_folder_says_where_the_logs_are_when_no_file_manager_opens(
    qtbot: QtBot, window: MainWindow, run_async: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    errors = record_errors(monkeypatch)
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or False)
    run_async(window.open_log_folder())
    assert opened == [str(paths.log_dir())]
    assert errors.messages == [f"No file manager could be opened. The logs are in {paths.log_dir()}"]
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: True)
    run_async(window.open_log_folder())
    assert len(errors.messages) == 1


def test_the_sandbox_connections_can_be_restored_after_a_change(
    qtbot: QtBot, window: MainWindow, run_async: Callable[..., Any], empty_server: Any
) -> None:
    session = SandboxSession()
    try:
        run_async(start_sandbox(window, session))
        sandbox_source = window.state.connection(Role.SOURCE)
        assert sandbox_source is not None and window.restore_sandbox_action.isVisible()
        run_async(window.set_connection("source", connection_to(empty_server)))
        assert window.project_panel.model.total_count() == 0
        window.restore_sandbox_action.trigger()
        qtbot.waitUntil(lambda: window.project_panel.model.total_count() == 5, timeout=TIMEOUT)
        assert window.state.connection(Role.SOURCE) == sandbox_source
    finally:
        session.stop()


def test_recent_runs_reopen_a_report_with_its_ticks(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    demo_server: Any,
    empty_server: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bundle = make_bundle(demo_server, tmp_path / "b.octobundle", ["Billing API"])
    run_async(window.set_connection("target", connection_to(empty_server)))
    script_open_path(monkeypatch, bundle)
    script_passwords(monkeypatch, PASSWORD)
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT):
        window.import_action.trigger()
        qtbot.waitUntil(
            lambda: bool(window.operations) and window.operations[-1].apply_button.isVisible(),
            timeout=TIMEOUT,
        )
        window.operations[-1].apply_button.click()
    model = window.operations[-1].results.follow_ups_model
    model.setData(model.index(1), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    dialog = RecentRunsDialog(window)
    qtbot.addWidget(dialog)
    assert dialog.list.count() == 1
    assert "Import · Billing API · The import succeeded." in dialog.list.item(0).text()
    reopened = dialog.results.follow_ups_model
    assert reopened.rowCount() == model.rowCount()
    assert reopened.index(1).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    assert dialog.results.headline.text() == "The import succeeded."
    assert history.recent_runs()[0].report.bundle_path == str(bundle)


def test_bundles_are_listed_with_their_projects_and_can_be_deleted(
    qtbot: QtBot, demo_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings()
    folder = settings.bundle_folder()
    make_bundle(demo_server, folder / "Billing-API.octobundle", ["Billing API"])
    (folder / "junk.octobundle").write_bytes(b"not a bundle")
    dialog = BundlesDialog(settings)
    qtbot.addWidget(dialog)
    rows = {
        dialog.table.item(r, 0).text(): dialog.table.item(r, 1).text() for r in range(dialog.table.rowCount())
    }
    assert rows["Billing-API.octobundle"] == "Billing API"
    assert rows["junk.octobundle"].startswith("(unreadable:")
    questions = script_yes_no(monkeypatch, True)
    row = next(
        r for r in range(dialog.table.rowCount()) if dialog.table.item(r, 0).text() == "junk.octobundle"
    )
    dialog.table.selectRow(row)
    assert dialog.delete_button.isEnabled()
    from octodesk.gui.worker import spawn

    task = spawn(dialog.delete_selected())
    qtbot.waitUntil(task.done, timeout=TIMEOUT)
    assert "junk.octobundle" in questions.questions[0]
    assert not (folder / "junk.octobundle").exists() and (folder / "Billing-API.octobundle").exists()
    assert dialog.table.rowCount() == 1
    elsewhere = tmp_path / "my bundles"
    elsewhere.mkdir()
    dialog.use_folder(str(elsewhere))
    assert settings.bundle_folder() == elsewhere and dialog.table.rowCount() == 0
    assert Settings.load().bundles_dir == str(elsewhere)

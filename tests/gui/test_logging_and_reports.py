"""Log pane (any thread, secrets masked), log file, saved reports, and the start-up coroutine."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtWidgets import QApplication

from octodesk.core.errors import ConnectionFailed
from octodesk.core.octopus.client import OctopusClient
from octodesk.core.redact import register_secret
from octodesk.core.report import FollowUp, Report
from octodesk.core.vocabulary import FollowUpCategory
from octodesk.gui import dialogs
from octodesk.gui.app import main
from octodesk.gui.log_pane import LogPane, QtLogHandler, setup_logging
from octodesk.gui.main_window import MainWindow
from octodesk.gui.results_view import ResultsView

SECRET = "API-TOPSECRETKEY1234567890"


@pytest.fixture
def octodesk_logger() -> Iterator[logging.Logger]:
    logger = logging.getLogger("octodesk")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    yield logger
    for handler in logger.handlers[len(saved[0]) :]:
        handler.close()
    logger.handlers[:], logger.level, logger.propagate = saved


def test_log_pane_shows_records_from_worker_threads_with_secrets_masked(
    qtbot: QtBot, octodesk_logger: logging.Logger
) -> None:
    pane = LogPane()
    qtbot.addWidget(pane)
    handler = QtLogHandler()
    pane.attach(handler)
    octodesk_logger.addHandler(handler)
    octodesk_logger.setLevel(logging.INFO)
    register_secret(SECRET)
    worker = threading.Thread(
        target=lambda: logging.getLogger("octodesk.core.test").info("connecting with %s", SECRET)
    )
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: "connecting with" in pane.toPlainText())
    assert SECRET not in pane.toPlainText()
    assert "********" in pane.toPlainText()


def test_log_file_rotates_in_the_log_dir_and_masks_secrets(
    isolated_dirs: Path, octodesk_logger: logging.Logger
) -> None:
    _pane_handler, log_file = setup_logging()
    assert log_file.parent == isolated_dirs / "log"
    register_secret(SECRET)
    logging.getLogger("octodesk.gui.test").debug("debug detail with key %s", SECRET)
    for handler in octodesk_logger.handlers:
        handler.flush()
    text = log_file.read_text()
    assert "debug detail with key ********" in text
    assert SECRET not in text


def _report() -> Report:
    report = Report("import", finished=True)
    report.count("Environment", "create", 2)
    report.warnings.append("Feed password not carried")
    report.follow_ups.append(
        FollowUp(FollowUpCategory.SENSITIVE_VALUE, "Set DbPassword", "Project", "Web Portal")
    )
    return report


@pytest.mark.parametrize("suffix", ["json", "html"])
def test_save_report_as_json_or_html(
    qtbot: QtBot,
    run_async: Callable[..., Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    suffix: str,
) -> None:
    view = ResultsView()
    qtbot.addWidget(view)
    view.set_report(_report(), headline="Import finished.", bundle_path=tmp_path / "b.octobundle")
    target = tmp_path / f"report.{suffix}"

    async def choose(parent: Any, start_dir: str, suggested_name: str) -> Path:
        assert start_dir == str(tmp_path)
        return target

    monkeypatch.setattr(dialogs, "choose_report_path", choose)
    run_async(view.save_report())
    text = target.read_text()
    if suffix == "json":
        assert json.loads(text)["counts"] == {"Environment": {"create": 2}}
    else:
        assert text.lstrip().lower().startswith("<!doctype html>")
        assert "Set DbPassword" in text
    assert view.message.text() == f"Report saved to {target}"


def test_save_report_to_an_unwritable_place_says_so(
    qtbot: QtBot, run_async: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = ResultsView()
    qtbot.addWidget(view)
    view.set_report(_report(), headline="Import finished.")

    async def choose(parent: Any, start_dir: str, suggested_name: str) -> Path:
        return tmp_path / "missing-folder" / "report.json"

    monkeypatch.setattr(dialogs, "choose_report_path", choose)
    run_async(view.save_report())
    assert view.message.text().startswith("Cannot write the report to")


def test_app_main_with_sandbox_connects_then_stops_on_close(
    qtbot: QtBot, async_loop: Any, run_async: Callable[..., Any]
) -> None:
    from octodesk.gui.worker import spawn

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    task = spawn(main(app, True))

    def main_window() -> MainWindow | None:
        return next((w for w in app.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()), None)

    qtbot.waitUntil(lambda: main_window() is not None)
    window = main_window()
    assert window is not None
    qtbot.waitUntil(lambda: window.project_panel.model.total_count() == 5, timeout=30000)
    source = window.source_panel.connection
    assert source is not None and window.target_panel.connection is not None
    window.close()  # other top-level windows (pytest-qt's, or an error dialog) do not keep the app alive
    qtbot.waitUntil(task.done, timeout=30000)
    assert task.result() == 0
    client = OctopusClient(source.url, source.api_key, max_retries=0, timeout=5)
    with pytest.raises(ConnectionFailed):
        client.server_info()
    client.close()
    window.deleteLater()


def test_open_bundle_folder_opens_the_bundles_folder(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from octodesk.gui import results_view

    opened: list[Path] = []

    def open_folder(folder: Path) -> bool:
        opened.append(folder)
        return True

    monkeypatch.setattr(results_view, "open_folder", open_folder)
    view = ResultsView()
    qtbot.addWidget(view)
    view.set_report(_report(), headline="Done.", bundle_path=tmp_path / "x.octobundle")
    view.open_folder_button.click()
    assert opened == [tmp_path]


def test_sandbox_that_cannot_start_is_explained_and_the_app_stays_usable(
    qtbot: QtBot, window: MainWindow, run_async: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from gui_helpers import record_errors

    from octodesk.gui.app import start_sandbox
    from octodesk.gui.sandbox_session import SandboxSession

    errors = record_errors(monkeypatch)
    run_async(start_sandbox(window, SandboxSession(source_dataset="no-such-dataset")))
    assert len(errors.messages) == 1
    assert errors.messages[0].startswith("The sandbox servers could not start:")
    assert "no-such-dataset" in errors.messages[0]
    assert window.source_panel.connection is None
    assert window.import_action.isEnabled()

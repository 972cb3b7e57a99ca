"""Export… offers the engine choice too, and a server-engine bundle goes through Import… with Octopus's own
preview and import task: against sandbox servers over real HTTP, the engine dialog answered by hand."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from engine_helpers import (
    TWO_PROJECTS,
    fast_polls,
    projects_on,
    sensitive_values,
    table_rows,
    triggers_of,
)
from gui_helpers import (
    PASSWORD,
    connection_to,
    preview_window,
    script_open_path,
    script_passwords,
    script_save_path,
)
from pytestqt.qtbot import QtBot
from test_exit_paths import EXITS, leave, shown

from octodesk.core.bundle import read_bundle
from octodesk.core.server_engine.bundle import OCTOPUS_ZIP_ENTRY
from octodesk.gui.engine_choice import ExportEngineDialog
from octodesk.gui.main_window import MainWindow

TIMEOUT = 60000


@pytest.fixture
def bundle_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Where Export… saves and Import… opens the bundle; passwords answered; fast task polls."""
    destination = tmp_path / "server.octobundle"
    script_passwords(monkeypatch, PASSWORD, PASSWORD)
    script_save_path(monkeypatch, destination)
    script_open_path(monkeypatch, destination)
    fast_polls(monkeypatch)
    return destination


def start_export(
    qtbot: QtBot, window: MainWindow, run_async: Callable[..., Any], source: Any
) -> ExportEngineDialog:
    run_async(window.set_connection("source", connection_to(source)))
    window.project_panel.model.set_checked_names(TWO_PROJECTS)
    window.export_action.trigger()
    return shown(qtbot, ExportEngineDialog)


def test_export_with_the_server_engine_then_import_it_carries_every_sensitive_value(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    demo_server: Any,
    empty_server: Any,
    bundle_path: Path,
) -> None:
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT) as exported:
        dialog = start_export(qtbot, window, run_async, demo_server)
        view = dialog.view
        total = view.table.item(0, 2).text()
        assert total.startswith("carries all 26 sensitive values")
        assert view.table.item(0, 1).text() == "carries 1 of 26, you type the rest"
        assert view.recommendation.text().startswith(
            "Recommended: Octopus's own Export Projects carries all 26"
        )
        assert view.server_radio.isChecked() and view.server_radio.isEnabled()
        dialog.continue_button.click()  # no sensitive-values dialog: Octopus's export carries them
    assert exported.args == ["export", "succeeded"]
    bundle = read_bundle(bundle_path, PASSWORD)
    assert bundle.manifest["engine"] == "server" and OCTOPUS_ZIP_ENTRY in bundle.attachments
    export_results = window.operations[-1].results
    assert "Octopus's export task (ServerTasks-" in export_results.engines_label.toPlainText()

    run_async(window.set_connection("target", connection_to(empty_server)))
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT) as imported:
        window.import_action.trigger()
        operation = preview_window(qtbot, window)
        assert operation.server_preview.isVisible() and not operation.preview.isVisible()
        assert not operation.import_options.isVisible(), "Octopus's import never updates a project"
        rows = [row[:3] for row in table_rows(operation.server_preview.table)]
        assert ("Project", "Web Portal", "Create") in rows and ("Project", "Billing API", "Create") in rows
        operation.apply_button.click()
        qtbot.waitUntil(lambda: operation.stack.currentWidget() is operation.results, timeout=TIMEOUT)
        who = operation.results.engines_label.toPlainText()
        assert "Octopus's import task (ServerTasks-" in who and "OctoDesk:" in who
        operation.close()
    assert imported.args == ["import", "succeeded"]
    assert projects_on(empty_server) == sorted(TWO_PROJECTS)
    assert sensitive_values(empty_server, TWO_PROJECTS) == sensitive_values(demo_server, TWO_PROJECTS)
    assert triggers_of(empty_server, "Web Portal") == triggers_of(demo_server, "Web Portal")


@pytest.mark.parametrize("how", EXITS)
def test_leaving_the_export_engine_choice_writes_nothing(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    demo_server: Any,
    bundle_path: Path,
    how: str,
) -> None:
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT) as finished:
        leave(qtbot, start_export(qtbot, window, run_async, demo_server), how)
    assert finished.args == ["export", "abandoned"]
    assert not bundle_path.exists() and not demo_server.tasks.tasks
    assert not [w for w in window.operations if w.isVisible()], "the export window closed with it"
    assert window.export_action.isEnabled() and window.import_action.isEnabled()


def test_a_source_without_export_import_projects_offers_only_the_client_engine_and_says_why(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    sandbox_factory: Callable[..., Any],
    bundle_path: Path,
) -> None:
    older = sandbox_factory("demo", version="2020.6.4671")
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT) as finished:
        dialog = start_export(qtbot, window, run_async, older)
        view = dialog.view
        assert not view.server_radio.isEnabled() and view.client_radio.isChecked()
        reason = f"{older.url} has no Export/Import Projects (it came with Octopus 2021.1)"
        assert reason in view.unavailable.text() and view.unavailable.isVisible()
        assert view.recommendation.text() == f"Recommended: OctoDesk's client engine, because {reason}."
        dialog.reject()
    assert finished.args == ["export", "abandoned"]


def test_a_server_engine_export_frees_the_source_scan_off_the_gui_thread(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    demo_server: Any,
    bundle_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The scan holds what the sensitive-value check read (the whole source, at 1,000 projects); Octopus's
    export does not use it, and freeing it on the GUI thread froze the window (~150 ms at 1,000)."""
    import threading
    import weakref

    from octodesk.gui import flows

    freed_on: list[str] = []
    real_outlook_job = flows.engine_outlook_job

    def watched_outlook_job(*args: Any, **kwargs: Any) -> Any:
        job = real_outlook_job(*args, **kwargs)

        def run(progress: Any, cancel: Any) -> Any:
            outlook = job(progress, cancel)
            weakref.finalize(outlook.scan, lambda: freed_on.append(threading.current_thread().name))
            return outlook

        return run

    monkeypatch.setattr(flows, "engine_outlook_job", watched_outlook_job)
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT) as exported:
        dialog = start_export(qtbot, window, run_async, demo_server)
        dialog.continue_button.click()  # the server engine, as recommended
    assert exported.args == ["export", "succeeded"]
    assert freed_on and freed_on[0] != threading.main_thread().name

"""Migrating with the server engine through the wizard, over real HTTP against sandboxes: every sensitive
value arrives, OctoDesk adds the triggers and logos Octopus leaves out, the run page shows the server task's
state and log, and Cancel cancels the task on the server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from engine_helpers import (
    TWO_PROJECTS,
    fast_polls,
    project_id,
    projects_on,
    sensitive_values,
    table_rows,
    to_engine_page,
    triggers_of,
)
from gui_helpers import script_yes_no
from migrate_helpers import PASSWORD, TIMEOUT, advance, open_wizard, set_password, wait_complete
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt

from octodesk.core.bundle import read_manifest
from octodesk.gui.main_window import MainWindow
from octodesk.gui.migrate.connection_page import TargetPage
from octodesk.gui.migrate.password_page import PasswordPage
from octodesk.gui.migrate.preview_page import PreviewPage
from octodesk.gui.migrate.projects_page import ProjectsPage
from octodesk.gui.migrate.results_page import ResultsPage
from octodesk.gui.migrate.run_page import RunPage


def test_a_server_engine_migration_carries_every_sensitive_value_and_adds_triggers_and_logos(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    demo_server: Any,
    empty_server: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fast_polls(monkeypatch)
    wanted = sensitive_values(demo_server, TWO_PROJECTS)
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT) as finished:
        wizard, engine_page = to_engine_page(qtbot, window, run_async, demo_server, empty_server)
        assert engine_page.choice.engine() == "server"
        advance(qtbot, wizard, PasswordPage)
        set_password(wizard)
        preview = advance(qtbot, wizard, PreviewPage)
        wait_complete(qtbot, preview)
        assert preview.stack.currentWidget() is preview.server_preview
        assert not preview.options.isVisible(), "Octopus's import never updates existing projects"
        rows = [row[:3] for row in table_rows(preview.server_preview.table)]
        assert ("Project", "Web Portal", "Create") in rows and ("Project", "Billing API", "Create") in rows
        notes = preview.server_preview.notes.toPlainText()
        assert "OctoDesk adds after Octopus's import:\n  • Web Portal: 2 trigger(s)" in notes
        bundle = wizard.migration.bundle_path
        assert bundle is not None and read_manifest(bundle)["engine"] == "server"
        wizard.next()  # Apply
        results = wizard.page_of(ResultsPage)
        qtbot.waitUntil(lambda: wizard.currentPage() is results, timeout=TIMEOUT)
        assert results.results.headline.text() == "Migrated Billing API, Web Portal."
        who = results.results.engines_label.toPlainText()
        assert who.startswith("Who did what:") and results.results.engines_label.isVisible()
        assert "Octopus's import task (ServerTasks-" in who and "OctoDesk:" in who
        assert "2 create" in who.split("OctoDesk:")[1], "OctoDesk added the two triggers"
        wizard.accept()
    assert finished.args == ["migrate", "succeeded"]
    arrived = sensitive_values(empty_server, TWO_PROJECTS)
    assert len(wanted) >= 20 and arrived == wanted, "every sensitive value arrived"
    assert triggers_of(empty_server, "Web Portal") == triggers_of(demo_server, "Web Portal")
    assert len(triggers_of(empty_server, "Web Portal")) == 2
    source_logo = demo_server.snapshot()["logos"][project_id(demo_server, "Web Portal")]
    assert empty_server.snapshot()["logos"][project_id(empty_server, "Web Portal")] == source_logo
    assert window.migrate_action.isEnabled() and window.export_action.isEnabled()


def start_slow_server_import(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    source: Any,
    target: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[Any, RunPage]:
    """To the run page with the server engine, the target slow enough (its task lasts several latency
    periods) for the task to be watched Queued and then Executing."""
    fast_polls(monkeypatch)
    wizard, _engine = to_engine_page(qtbot, window, run_async, source, target, ["Billing API"])
    advance(qtbot, wizard, PasswordPage)
    set_password(wizard)
    wait_complete(qtbot, advance(qtbot, wizard, PreviewPage))
    target.set_faults(latency_ms=150)
    wizard.next()  # Apply
    run_page = wizard.page_of(RunPage)
    qtbot.waitUntil(lambda: wizard.currentPage() is run_page, timeout=TIMEOUT)
    return wizard, run_page


def import_task(server: Any) -> Any:
    return next(task for task in server.tasks.tasks.values() if task.name == "ImportProjects")


def test_the_run_page_shows_the_server_tasks_state_and_log_and_the_results_say_who_did_what(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    demo_server: Any,
    empty_server: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT) as finished:
        wizard, run_page = start_slow_server_import(
            qtbot, window, run_async, demo_server, empty_server, monkeypatch
        )
        panel = run_page.run_view.task_panel
        seen: set[str] = set()
        run_page.run_view.progressed.connect(lambda _p: seen.add(panel.state_label.text()))
        qtbot.waitUntil(lambda: "Executing" in panel.state_label.text(), timeout=TIMEOUT)
        assert panel.isVisible()
        task = import_task(empty_server)
        assert panel.state_label.text().startswith(f"Octopus task {task.id}: Executing")
        qtbot.waitUntil(lambda: bool(panel.log_view.toPlainText()), timeout=TIMEOUT)
        assert not run_page.isComplete(), "no results while Octopus imports"
        results = wizard.page_of(ResultsPage)
        qtbot.waitUntil(lambda: wizard.currentPage() is results, timeout=TIMEOUT)
        assert any("Queued" in text for text in seen), "the task was seen waiting in the queue"
        wizard.accept()
    assert finished.args == ["migrate", "succeeded"]
    assert import_task(empty_server).state == "Success"


@pytest.mark.parametrize("how", ["button", "escape", "close"])
def test_cancel_mid_task_cancels_the_server_task_and_the_actions_come_back(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    demo_server: Any,
    empty_server: Any,
    monkeypatch: pytest.MonkeyPatch,
    how: str,
) -> None:
    questions = script_yes_no(monkeypatch, True)
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT) as finished:
        wizard, run_page = start_slow_server_import(
            qtbot, window, run_async, demo_server, empty_server, monkeypatch
        )
        panel = run_page.run_view.task_panel
        qtbot.waitUntil(lambda: "Executing" in panel.state_label.text(), timeout=TIMEOUT)
        task = import_task(empty_server)
        if how == "button":
            run_page.run_view.cancel_button.click()
            qtbot.waitUntil(run_page.resume_button.isVisible, timeout=TIMEOUT)
            stopped = run_page.stopped_label.text()
            assert f"Octopus's import into 'Default' ({task.id}) was canceled on the server" in stopped
            assert "Resume continues with the same bundle" in stopped
            assert panel.state_label.text().startswith(f"Octopus task {task.id}: Canceled on the server")
            assert run_page.isComplete(), "the results can be opened after a cancel"
            assert not questions.questions
            wizard.reject()
        elif how == "escape":
            qtbot.keyClick(wizard, Qt.Key.Key_Escape)
        else:
            wizard.close()
    assert finished.args == ["migrate", "cancelled"]
    assert len(questions.questions) == (0 if how == "button" else 1)
    assert import_task(empty_server).state == "Canceled"
    cancels = [path for method, path in empty_server.request_log if method == "POST" and "/cancel" in path]
    assert cancels == [f"/api/{empty_server.space_id('Default')}/tasks/{task.id}/cancel"]
    assert projects_on(empty_server) == [], "nothing imported"
    assert window.migrate_action.isEnabled() and window.import_action.isEnabled()
    assert window.export_action.isEnabled() and window.state.busy == ""


def test_resume_after_a_cancelled_server_task_runs_octopus_import_again_and_finishes(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    demo_server: Any,
    empty_server: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT) as finished:
        wizard, run_page = start_slow_server_import(
            qtbot, window, run_async, demo_server, empty_server, monkeypatch
        )
        qtbot.waitUntil(
            lambda: "Executing" in run_page.run_view.task_panel.state_label.text(), timeout=TIMEOUT
        )
        run_page.run_view.cancel_button.click()
        qtbot.waitUntil(run_page.resume_button.isVisible, timeout=TIMEOUT)
        cancelled = import_task(empty_server)
        empty_server.set_faults(latency_ms=0)
        run_page.resume_button.click()
        results = wizard.page_of(ResultsPage)
        qtbot.waitUntil(lambda: wizard.currentPage() is results, timeout=TIMEOUT)
        assert results.results.headline.text() == "Migrated Billing API."
        wizard.accept()
    assert finished.args == ["migrate", "succeeded"]
    states = {
        task.id: task.state for task in empty_server.tasks.tasks.values() if task.name == "ImportProjects"
    }
    assert states.pop(cancelled.id) == "Canceled" and list(states.values()) == ["Success"]
    assert projects_on(empty_server) == ["Billing API"]


def test_a_failed_server_task_says_the_servers_own_message_on_the_run_page(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    demo_server: Any,
    empty_server: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fast_polls(monkeypatch)
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT) as finished:
        wizard, _engine = to_engine_page(qtbot, window, run_async, demo_server, empty_server, ["Billing API"])
        advance(qtbot, wizard, PasswordPage)
        set_password(wizard)
        wait_complete(qtbot, advance(qtbot, wizard, PreviewPage))
        empty_server.tasks.fail_next("The disk of the Octopus Server is full.")
        wizard.next()  # Apply
        run_page = wizard.page_of(RunPage)
        qtbot.waitUntil(run_page.resume_button.isVisible, timeout=TIMEOUT)
        task = import_task(empty_server)
        stopped = run_page.stopped_label.text()
        assert (
            f"Octopus's import into 'Default' ({task.id}) failed: The disk of the Octopus Server is full."
            in stopped
        )
        assert run_page.run_view.task_panel.state_label.text().startswith(f"Octopus task {task.id}: Failed")
        assert run_page.run_view.phase_label.text().startswith("Failed: ")
        wizard.reject()
    assert finished.args == ["migrate", "stopped"]
    assert window.migrate_action.isEnabled() and window.state.busy == ""


def test_migrating_again_after_a_cancelled_server_task_continues_with_the_same_bundle(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    demo_server: Any,
    empty_server: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT) as first:
        wizard, run_page = start_slow_server_import(
            qtbot, window, run_async, demo_server, empty_server, monkeypatch
        )
        bundle = wizard.migration.bundle_path
        qtbot.waitUntil(
            lambda: "Executing" in run_page.run_view.task_panel.state_label.text(), timeout=TIMEOUT
        )
        run_page.run_view.cancel_button.click()
        qtbot.waitUntil(run_page.resume_button.isVisible, timeout=TIMEOUT)
        wizard.reject()
    assert first.args == ["migrate", "cancelled"]
    empty_server.set_faults(latency_ms=0)
    exports = len(demo_server.tasks.tasks)
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT) as second:
        wizard = open_wizard(qtbot, window)
        advance(qtbot, wizard, ProjectsPage)
        target = advance(qtbot, wizard, TargetPage)
        assert target.resume_box.isVisible() and str(bundle) in target.resume_detail.text()
        password = advance(qtbot, wizard, PasswordPage)  # the engine page is passed over: the bundle's engine
        password.password.setText(PASSWORD)
        preview = advance(qtbot, wizard, PreviewPage)
        wait_complete(qtbot, preview)
        assert wizard.migration.engine == "server" and wizard.migration.bundle_path == bundle
        assert preview.stack.currentWidget() is preview.server_preview
        wizard.next()
        results = wizard.page_of(ResultsPage)
        qtbot.waitUntil(lambda: wizard.currentPage() is results, timeout=TIMEOUT)
        wizard.accept()
    assert second.args == ["migrate", "succeeded"]
    assert len(demo_server.tasks.tasks) == exports, "no second export: the kept bundle was used"
    assert projects_on(empty_server) == ["Billing API"]

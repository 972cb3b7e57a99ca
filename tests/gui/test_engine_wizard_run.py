"""Migrating with the server engine through the wizard, over real HTTP against sandboxes: every sensitive
value arrives, OctoDesk adds the triggers and logos Octopus leaves out, the run page shows the server task's
state and log, Cancel cancels the task on the server, and a stopped run resumes with the kept bundle."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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
from octodesk.gui.migrate import MigrateWizard
from octodesk.gui.migrate.connection_page import TargetPage
from octodesk.gui.migrate.password_page import PasswordPage
from octodesk.gui.migrate.preview_page import PreviewPage
from octodesk.gui.migrate.projects_page import ProjectsPage
from octodesk.gui.migrate.results_page import ResultsPage
from octodesk.gui.migrate.run_page import RunPage


@dataclass
class Drive:
    """The main window, the demo source and the empty target, and the steps these tests take."""

    qtbot: QtBot
    window: MainWindow
    run_async: Callable[..., Any]
    source: Any
    target: Any

    def flow_ends(self) -> Any:
        return self.qtbot.waitSignal(self.window.flow_finished, timeout=TIMEOUT)

    def to_preview(self, projects: list[str]) -> tuple[MigrateWizard, PreviewPage]:
        """Through the engine page (the server engine, as recommended) to Octopus's finished preview."""
        wizard, engine = to_engine_page(
            self.qtbot, self.window, self.run_async, self.source, self.target, projects
        )
        assert engine.choice.engine() == "server"
        advance(self.qtbot, wizard, PasswordPage)
        set_password(wizard)
        preview = advance(self.qtbot, wizard, PreviewPage)
        wait_complete(self.qtbot, preview)
        return wizard, preview

    def apply(self, wizard: MigrateWizard) -> RunPage:
        wizard.next()  # Apply
        run_page = wizard.page_of(RunPage)
        # A fast import moves straight on to the results.
        reached = (run_page, wizard.page_of(ResultsPage))
        self.qtbot.waitUntil(lambda: wizard.currentPage() in reached, timeout=TIMEOUT)
        return run_page

    def start_slow_import(self) -> tuple[MigrateWizard, RunPage]:
        """To the run page, the target slow enough (its task lasts several latency periods) for the task to
        be watched Queued and then Executing."""
        wizard, _preview = self.to_preview(["Billing API"])
        self.target.set_faults(latency_ms=150)
        return wizard, self.apply(wizard)

    def executing(self, run_page: RunPage) -> Any:
        """Once the run page shows the import task executing: the sandbox's task."""
        label = run_page.run_view.task_panel.state_label
        self.qtbot.waitUntil(lambda: "Executing" in label.text(), timeout=TIMEOUT)
        return import_task(self.target)

    def cancel_mid_task(self, run_page: RunPage) -> Any:
        task = self.executing(run_page)
        run_page.run_view.cancel_button.click()
        self.qtbot.waitUntil(run_page.resume_button.isVisible, timeout=TIMEOUT)
        return task

    def results(self, wizard: MigrateWizard) -> ResultsPage:
        results = wizard.page_of(ResultsPage)
        self.qtbot.waitUntil(lambda: wizard.currentPage() is results, timeout=TIMEOUT)
        return results


@pytest.fixture
def drive(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    demo_server: Any,
    empty_server: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> Drive:
    fast_polls(monkeypatch)
    return Drive(qtbot, window, run_async, demo_server, empty_server)


def import_task(server: Any) -> Any:
    return next(task for task in server.tasks.tasks.values() if task.name == "ImportProjects")


def test_a_server_engine_migration_carries_every_sensitive_value_and_adds_triggers_and_logos(
    drive: Drive,
) -> None:
    source, target = drive.source, drive.target
    wanted = sensitive_values(source, TWO_PROJECTS)
    with drive.flow_ends() as finished:
        wizard, preview = drive.to_preview(TWO_PROJECTS)
        assert preview.stack.currentWidget() is preview.server_preview
        assert not preview.options.isVisible(), "Octopus's import never updates existing projects"
        rows = [row[:3] for row in table_rows(preview.server_preview.table)]
        assert ("Project", "Web Portal", "Create") in rows and ("Project", "Billing API", "Create") in rows
        notes = preview.server_preview.notes.toPlainText()
        assert "OctoDesk adds after Octopus's import:\n  • Web Portal: 2 trigger(s)" in notes
        bundle = wizard.migration.bundle_path
        assert bundle is not None and read_manifest(bundle)["engine"] == "server"
        drive.apply(wizard)
        results = drive.results(wizard).results
        assert results.headline.text() == "Migrated Billing API, Web Portal."
        who = results.engines_label.toPlainText()
        assert who.startswith("Who did what:") and results.engines_label.isVisible()
        assert "Octopus's import task (ServerTasks-" in who and "OctoDesk:" in who
        assert "2 create" in who.split("OctoDesk:")[1], "OctoDesk added the two triggers"
        wizard.accept()
    assert finished.args == ["migrate", "succeeded"]
    arrived = sensitive_values(target, TWO_PROJECTS)
    assert len(wanted) >= 20 and arrived == wanted, "every sensitive value arrived"
    assert triggers_of(target, "Web Portal") == triggers_of(source, "Web Portal")
    assert len(triggers_of(target, "Web Portal")) == 2
    source_logo = source.snapshot()["logos"][project_id(source, "Web Portal")]
    assert target.snapshot()["logos"][project_id(target, "Web Portal")] == source_logo
    assert drive.window.migrate_action.isEnabled() and drive.window.export_action.isEnabled()


def test_the_run_page_shows_the_server_tasks_state_and_log(drive: Drive) -> None:
    with drive.flow_ends() as finished:
        wizard, run_page = drive.start_slow_import()
        panel = run_page.run_view.task_panel
        seen: set[str] = set()
        run_page.run_view.progressed.connect(lambda _p: seen.add(panel.state_label.text()))
        task = drive.executing(run_page)
        assert panel.isVisible()
        assert panel.state_label.text().startswith(f"Octopus task {task.id}: Executing")
        drive.qtbot.waitUntil(lambda: bool(panel.log_view.toPlainText()), timeout=TIMEOUT)
        assert not run_page.isComplete(), "no results while Octopus imports"
        drive.results(wizard)
        assert any("Queued" in text for text in seen), "the task was seen waiting in the queue"
        wizard.accept()
    assert finished.args == ["migrate", "succeeded"]
    assert import_task(drive.target).state == "Success"


@pytest.mark.parametrize("how", ["button", "escape", "close"])
def test_cancel_mid_task_cancels_the_server_task_and_the_actions_come_back(
    drive: Drive, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    questions = script_yes_no(monkeypatch, True)
    target, window = drive.target, drive.window
    with drive.flow_ends() as finished:
        wizard, run_page = drive.start_slow_import()
        if how == "button":
            task = drive.cancel_mid_task(run_page)
            stopped = run_page.stopped_label.text()
            assert f"Octopus's import into 'Default' ({task.id}) was canceled on the server" in stopped
            assert "Resume continues with the same bundle" in stopped
            state = run_page.run_view.task_panel.state_label.text()
            assert state.startswith(f"Octopus task {task.id}: Canceled on the server")
            assert run_page.isComplete(), "the results can be opened after a cancel"
            assert not questions.questions
            wizard.reject()
        else:
            task = drive.executing(run_page)
            if how == "escape":
                drive.qtbot.keyClick(wizard, Qt.Key.Key_Escape)
            else:
                wizard.close()
    assert finished.args == ["migrate", "cancelled"]
    assert len(questions.questions) == (0 if how == "button" else 1)
    assert import_task(target).state == "Canceled"
    cancels = [path for method, path in target.request_log if method == "POST" and "/cancel" in path]
    assert cancels == [f"/api/{target.space_id('Default')}/tasks/{task.id}/cancel"]
    assert projects_on(target) == [], "nothing imported"
    assert window.migrate_action.isEnabled() and window.import_action.isEnabled()
    assert window.export_action.isEnabled() and window.state.busy == ""


def test_resume_after_a_cancelled_server_task_runs_octopus_import_again_and_finishes(drive: Drive) -> None:
    target = drive.target
    with drive.flow_ends() as finished:
        wizard, run_page = drive.start_slow_import()
        cancelled = drive.cancel_mid_task(run_page)
        target.set_faults(latency_ms=0)
        run_page.resume_button.click()
        assert drive.results(wizard).results.headline.text() == "Migrated Billing API."
        wizard.accept()
    assert finished.args == ["migrate", "succeeded"]
    states = {task.id: task.state for task in target.tasks.tasks.values() if task.name == "ImportProjects"}
    assert states.pop(cancelled.id) == "Canceled" and list(states.values()) == ["Success"]
    assert projects_on(target) == ["Billing API"]


def test_a_failed_server_task_says_the_servers_own_message_on_the_run_page(drive: Drive) -> None:
    with drive.flow_ends() as finished:
        wizard, _preview = drive.to_preview(["Billing API"])
        drive.target.tasks.fail_next("The disk of the Octopus Server is full.")
        run_page = drive.apply(wizard)
        drive.qtbot.waitUntil(run_page.resume_button.isVisible, timeout=TIMEOUT)
        task = import_task(drive.target)
        failed = (
            f"Octopus's import into 'Default' ({task.id}) failed: The disk of the Octopus Server is full."
        )
        assert failed in run_page.stopped_label.text()
        assert run_page.run_view.task_panel.state_label.text().startswith(f"Octopus task {task.id}: Failed")
        assert run_page.run_view.phase_label.text().startswith("Failed: ")
        wizard.reject()
    assert finished.args == ["migrate", "stopped"]
    assert drive.window.migrate_action.isEnabled() and drive.window.state.busy == ""


def test_migrating_again_after_a_cancelled_server_task_continues_with_the_same_bundle(drive: Drive) -> None:
    qtbot, window = drive.qtbot, drive.window
    with drive.flow_ends() as first:
        wizard, run_page = drive.start_slow_import()
        bundle = wizard.migration.bundle_path
        drive.cancel_mid_task(run_page)
        wizard.reject()
    assert first.args == ["migrate", "cancelled"]
    drive.target.set_faults(latency_ms=0)
    exports = len(drive.source.tasks.tasks)
    with drive.flow_ends() as second:
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
        drive.apply(wizard)
        drive.results(wizard)
        wizard.accept()
    assert second.args == ["migrate", "succeeded"]
    assert len(drive.source.tasks.tasks) == exports, "no second export: the kept bundle was used"
    assert projects_on(drive.target) == ["Billing API"]

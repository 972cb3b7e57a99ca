"""The migrate wizard against sandbox servers: start to results, Back and Next keeping what was typed,
problems said on the page where they are known, cancel and resume, and running a stopped migration again."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import shiboken6
from gui_helpers import ACCOUNT_SECRETS, connection_to, script_yes_no
from migrate_helpers import (
    PASSWORD,
    TIMEOUT,
    advance,
    choose_engine,
    open_wizard,
    set_password,
    wait_complete,
)
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWizard

from octodesk.core import paths
from octodesk.core.bundle import read_bundle
from octodesk.core.bundle.writer import PreparedKey
from octodesk.core.octopus.client import OctopusClient
from octodesk.gui.main_window import MainWindow
from octodesk.gui.migrate.connection_page import SourcePage, TargetPage
from octodesk.gui.migrate.password_page import PasswordPage
from octodesk.gui.migrate.preview_page import PreviewPage
from octodesk.gui.migrate.projects_page import ProjectsPage
from octodesk.gui.migrate.results_page import ResultsPage
from octodesk.gui.migrate.run_page import RunPage
from octodesk.gui.migrate.secrets_page import SecretsPage

STRIPE_KEY = "variable:Project/Billing API/Billing.StripeKey[Environment=Production]"


def connect_both(window: MainWindow, run_async: Callable[..., Any], source: Any, target: Any) -> None:
    run_async(window.set_connection("source", connection_to(source)))
    run_async(window.set_connection("target", connection_to(target)))


def projects_on(server: Any) -> list[str]:
    with OctopusClient(server.url, server.api_key) as client:
        return sorted(p["Name"] for p in client.get_all(f"/api/{server.space_id('Default')}/projects"))


def to_preview(qtbot: QtBot, wizard: Any, secrets: dict[str, str] | None = None) -> PreviewPage:
    """From the source page to a finished preview, choosing what the main window had ticked, with the
    accounts' secrets typed on the sensitive-values page (the plan refuses to create them without)."""
    advance(qtbot, wizard, ProjectsPage)
    advance(qtbot, wizard, TargetPage)
    choose_engine(qtbot, wizard, "client")  # the client engine: values typed by hand
    advance(qtbot, wizard, PasswordPage)
    set_password(wizard)
    page = advance(qtbot, wizard, SecretsPage)
    wait_complete(qtbot, page)
    for ref, value in {**ACCOUNT_SECRETS, **(secrets or {})}.items():
        page.editor.model.set_value(ref, value)  # only the references these projects use are offered
    preview = advance(qtbot, wizard, PreviewPage)
    wait_complete(qtbot, preview)
    return preview


def test_migrate_wizard_from_start_to_results(
    qtbot: QtBot, window: MainWindow, run_async: Callable[..., Any], demo_server: Any, empty_server: Any
) -> None:
    connect_both(window, run_async, demo_server, empty_server)
    window.project_panel.model.set_checked_names(["Billing API"])
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT) as finished:
        wizard = open_wizard(qtbot, window)
        assert wizard.currentPage() is wizard.page_of(SourcePage) and wizard.currentPage().isComplete()
        assert "<b>▶ Source</b>" in wizard.steps.text(), "the step indicator shows where the user is"
        assert wizard.steps.alignment() & Qt.AlignmentFlag.AlignTop, "at the top, not floating mid-side"
        preview = to_preview(qtbot, wizard, {STRIPE_KEY: "sk_live_from_the_wizard"})
        assert "✓ Projects" in wizard.steps.text() and "<b>▶ Preview</b>" in wizard.steps.text()
        project = preview.preview.model.find("Project", "Billing API")
        assert project.siblingAtColumn(1).data() == "Create"
        bundle_path = wizard.migration.bundle_path
        assert bundle_path is not None and bundle_path.parent == paths.bundles_dir()
        assert bundle_path.name.startswith("Billing-API-"), "bundles are named after their projects"
        assert str(bundle_path) in preview.bundle_label.text()
        wizard.next()  # Apply (commit page)
        results = wizard.page_of(ResultsPage)
        qtbot.waitUntil(lambda: wizard.currentPage() is results, timeout=TIMEOUT)
        assert results.results.headline.text() == "Migrated Billing API."
        assert results.results.counts_model.total("create") > 0
        wizard.accept()
    assert finished.args == ["migrate", "succeeded"]
    bundle = read_bundle(bundle_path, PASSWORD)
    assert bundle.manifest["projects"] == ["Billing API"]
    assert bundle.secrets[STRIPE_KEY] == "sk_live_from_the_wizard"
    assert projects_on(empty_server) == ["Billing API"]
    accounts = empty_server.snapshot()["documents"]["accounts"].values()
    aws = next(account for account in accounts if account["Name"] == "AWS Billing")
    assert aws["SecretKey"]["NewValue"] == ACCOUNT_SECRETS["account:AWS Billing/SecretKey"]
    assert window.migrate_action.isEnabled()


def test_back_from_the_preview_keeps_the_values_and_the_bundle(
    qtbot: QtBot, window: MainWindow, run_async: Callable[..., Any], demo_server: Any, empty_server: Any
) -> None:
    """Issue 11 fault 4: Back from the preview, then Next, threw the typed values away and exported again."""
    connect_both(window, run_async, demo_server, empty_server)
    window.project_panel.model.set_checked_names(["Billing API"])
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT):
        wizard = open_wizard(qtbot, window)
        to_preview(qtbot, wizard, {STRIPE_KEY: "typed-once"})
        first_bundle = wizard.migration.bundle_path
        secrets_page = wizard.page_of(SecretsPage)
        wizard.back()
        assert wizard.currentPage() is secrets_page
        typed = secrets_page.editor.values()
        assert typed[STRIPE_KEY] == "typed-once"
        wizard.back()
        wizard.next()  # password page → sensitive values: still there after leaving the page
        assert secrets_page.editor.values() == typed
        preview = advance(qtbot, wizard, PreviewPage)
        wait_complete(qtbot, preview)
        assert wizard.migration.bundle_path == first_bundle
        assert "unchanged" in preview.bundle_label.text()
        wizard.reject()
    assert list(paths.bundles_dir().glob("*.octobundle")) == [first_bundle], "one bundle, not two"


def test_the_target_page_says_what_is_wrong_before_any_export(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    demo_server: Any,
    sandbox_factory: Callable[..., Any],
) -> None:
    """Issue 11 fault 7: an older target was refused only after the whole export and the secrets entry."""
    older = sandbox_factory("empty", version="2020.6.4000")
    connect_both(window, run_async, demo_server, demo_server)
    window.project_panel.model.set_checked_names(["Billing API"])
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT) as finished:
        wizard = open_wizard(qtbot, window)
        advance(qtbot, wizard, ProjectsPage)
        target = advance(qtbot, wizard, TargetPage)
        assert not target.isComplete()
        assert "same space" in target.note.text()
        run_async(window.set_connection("target", connection_to(older)))
        assert not target.isComplete()
        assert "newer than the target's 2020.6.4000" in target.note.text()
        wizard.reject()
    assert finished.args == ["migrate", "abandoned"]
    assert not list(paths.bundles_dir().glob("*.octobundle"))


def test_projects_deployed_by_a_chosen_project_are_offered(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    demo_server: Any,
    empty_server: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    connect_both(window, run_async, demo_server, empty_server)
    window.project_panel.model.set_checked_names(["Release Orchestrator"])
    questions = script_yes_no(monkeypatch, True)
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT):
        wizard = open_wizard(qtbot, window)
        projects = advance(qtbot, wizard, ProjectsPage)
        advance(qtbot, wizard, TargetPage)
        assert len(questions.questions) == 1
        assert (
            "“Release Orchestrator” deploys releases of “Billing API”, “Web Portal”" in questions.questions[0]
        )
        assert sorted(projects.panel.checked_names()) == ["Billing API", "Release Orchestrator", "Web Portal"]
        assert sorted(wizard.migration.projects) == ["Billing API", "Release Orchestrator", "Web Portal"]
        wizard.reject()


def test_escape_during_the_export_asks_then_stops_and_writes_no_bundle(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    sandbox_factory: Callable[..., Any],
    empty_server: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slow = sandbox_factory("demo")
    connect_both(window, run_async, slow, empty_server)
    window.project_panel.model.set_checked_names(["Billing API"])
    questions = script_yes_no(monkeypatch, True)
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT) as finished:
        wizard = open_wizard(qtbot, window)
        advance(qtbot, wizard, ProjectsPage)
        advance(qtbot, wizard, TargetPage)
        choose_engine(qtbot, wizard, "client")  # the client engine: values typed by hand
        advance(qtbot, wizard, PasswordPage)
        set_password(wizard)
        secrets = advance(qtbot, wizard, SecretsPage)
        wait_complete(qtbot, secrets)
        for ref, value in ACCOUNT_SECRETS.items():
            secrets.editor.model.set_value(ref, value)
        with slow_bundle_key():
            preview = advance(qtbot, wizard, PreviewPage)
            qtbot.waitUntil(
                lambda: preview.run_view.title_label.text().startswith("Exporting"), timeout=TIMEOUT
            )
            qtbot.keyClick(wizard, Qt.Key.Key_Escape)
    assert len(questions.questions) == 1
    assert finished.args == ["migrate", "cancelled"]
    assert not list(paths.bundles_dir().glob("*.octobundle"))
    assert window.migrate_action.isEnabled() and window.import_action.isEnabled()


def start_slow_import(
    qtbot: QtBot, window: MainWindow, run_async: Callable[..., Any], source: Any, target: Any
) -> tuple[Any, RunPage]:
    connect_both(window, run_async, source, target)
    window.project_panel.model.set_checked_names(["Billing API"])
    wizard = open_wizard(qtbot, window)
    to_preview(qtbot, wizard)
    target.set_faults(latency_ms=150)
    wizard.next()  # Apply
    run_page = wizard.page_of(RunPage)
    qtbot.waitUntil(a_write_is_journaled, timeout=TIMEOUT)  # at least one resource is on the target
    return wizard, run_page


def a_write_is_journaled() -> bool:
    for journal in paths.journal_dir().glob("import-*.jsonl"):
        for line in journal.read_text().splitlines():
            if '"target_id": "' in line:
                return True
    return False


@contextmanager
def slow_bundle_key() -> Iterator[None]:
    """The export after the sensitive-values scan reads nothing more (it reuses the scan): a slow key
    derivation keeps it busy long enough to be stopped."""
    derive = PreparedKey._derive

    def slowly(self: PreparedKey) -> None:
        time.sleep(2)
        derive(self)

    PreparedKey._derive = slowly  # type: ignore[method-assign]
    try:
        yield
    finally:
        PreparedKey._derive = derive  # type: ignore[method-assign]


def test_cancel_during_the_import_says_what_was_written_and_resume_finishes_it(
    qtbot: QtBot, window: MainWindow, run_async: Callable[..., Any], demo_server: Any, empty_server: Any
) -> None:
    """Issue 11 fault 3: inline Cancel left "Cancelling…" greyed forever, with no way on."""
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT) as finished:
        wizard, run_page = start_slow_import(qtbot, window, run_async, demo_server, empty_server)
        results_button = wizard.button(QWizard.WizardButton.CommitButton)
        assert not run_page.isComplete() and not results_button.isEnabled(), "no results while writing"
        run_page.run_view.cancel_button.click()
        qtbot.waitUntil(run_page.resume_button.isVisible, timeout=TIMEOUT)
        assert results_button.isEnabled()
        assert not run_page.run_view.cancel_button.isVisible(), "no greyed 'Cancelling…' left behind"
        assert "was cancelled" in run_page.stopped_label.text()
        assert "written to the target" in run_page.stopped_label.text()
        assert run_page.isComplete(), "Results can be opened to see what was written"
        empty_server.set_faults(latency_ms=0)
        run_page.resume_button.click()
        results = wizard.page_of(ResultsPage)
        qtbot.waitUntil(lambda: wizard.currentPage() is results, timeout=TIMEOUT)
        assert results.results.headline.text() == "Migrated Billing API."
        wizard.accept()
    assert finished.args == ["migrate", "succeeded"]
    assert projects_on(empty_server) == ["Billing API"]


def test_escape_during_the_import_asks_and_the_question_goes_when_the_import_ends(
    qtbot: QtBot, window: MainWindow, run_async: Callable[..., Any], demo_server: Any, empty_server: Any
) -> None:
    """Issue 11 fault 3: Escape asked "Cancel…?" while the import went on and then said "succeeded"."""
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT) as finished:
        wizard, _run_page = start_slow_import(qtbot, window, run_async, demo_server, empty_server)
        qtbot.keyClick(wizard, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), QMessageBox), timeout=TIMEOUT)
        question = QApplication.activeModalWidget()
        empty_server.set_faults(latency_ms=0)  # the import ends while the question is open
        results = wizard.page_of(ResultsPage)
        qtbot.waitUntil(lambda: wizard.currentPage() is results, timeout=TIMEOUT)
        qtbot.waitUntil(lambda: not shiboken6.isValid(question) or not question.isVisible(), timeout=5000)
        assert wizard.isVisible(), "a question about a run that ended is not an answer"
        assert results.results.headline.text() == "Migrated Billing API."
        wizard.accept()
    assert finished.args == ["migrate", "succeeded"]


def test_migrating_again_after_a_cancel_continues_with_the_same_bundle(
    qtbot: QtBot, window: MainWindow, run_async: Callable[..., Any], demo_server: Any, empty_server: Any
) -> None:
    """Issue 11 fault 3: running Migrate again after a cancel was refused ("already exists")."""
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT) as first:
        wizard, run_page = start_slow_import(qtbot, window, run_async, demo_server, empty_server)
        bundle = wizard.migration.bundle_path
        run_page.run_view.cancel_button.click()
        qtbot.waitUntil(run_page.resume_button.isVisible, timeout=TIMEOUT)
        wizard.reject()
    assert first.args == ["migrate", "cancelled"]
    empty_server.set_faults(latency_ms=0)
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT) as second:
        wizard = open_wizard(qtbot, window)
        advance(qtbot, wizard, ProjectsPage)
        target = advance(qtbot, wizard, TargetPage)
        assert target.resume_box.isVisible() and target.resume_box.isChecked()
        assert str(bundle) in target.resume_detail.text() and target.resume_detail.isVisible()
        password = advance(qtbot, wizard, PasswordPage)
        assert not password.confirm.isVisible(), "the bundle's password, not a new one"
        password.password.setText("not the password")
        wizard.next()
        qtbot.waitUntil(lambda: "Wrong password" in password.hint.text(), timeout=TIMEOUT)
        assert wizard.currentPage() is password
        password.password.setText(PASSWORD)
        preview = advance(qtbot, wizard, PreviewPage)  # the sensitive values page is passed over
        wait_complete(qtbot, preview)
        assert wizard.migration.bundle_path == bundle
        plan = wizard.migration.plan
        assert plan is not None and not plan.refused
        assert any(item.resumed for item in plan.items)
        wizard.next()
        results = wizard.page_of(ResultsPage)
        qtbot.waitUntil(lambda: wizard.currentPage() is results, timeout=TIMEOUT)
        wizard.accept()
    assert second.args == ["migrate", "succeeded"]
    assert projects_on(empty_server) == ["Billing API"]
    assert list(paths.bundles_dir().glob("*.octobundle")) == [bundle]


def test_enter_means_next_and_a_closed_wizard_leaves_nothing_listening(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    demo_server: Any,
    empty_server: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Found under Xvfb: Enter on the first page opened "Change source…" (an auto-default button), and a
    closed wizard's pages still answered connection changes (RuntimeError dialogs)."""
    import sys

    uncaught: list[BaseException] = []
    monkeypatch.setattr(sys, "excepthook", lambda _type, error, _trace: uncaught.append(error))
    connect_both(window, run_async, demo_server, empty_server)
    window.project_panel.model.set_checked_names(["Billing API"])
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT):
        wizard = open_wizard(qtbot, window)
        wizard.activateWindow()
        qtbot.keyClick(wizard, Qt.Key.Key_Return)
        projects = wizard.page_of(ProjectsPage)
        qtbot.waitUntil(lambda: wizard.currentPage() is projects, timeout=TIMEOUT)
        assert not [w for w in QApplication.topLevelWidgets() if type(w).__name__ == "ConnectionWizard"]
        wizard.reject()
    QApplication.processEvents()
    run_async(window.set_connection("target", connection_to(demo_server)))
    QApplication.processEvents()
    assert uncaught == []


def test_back_while_the_bundle_is_written_stops_it_and_next_writes_one(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    sandbox_factory: Callable[..., Any],
    empty_server: Any,
) -> None:
    slow = sandbox_factory("demo")
    connect_both(window, run_async, slow, empty_server)
    window.project_panel.model.set_checked_names(["Billing API"])
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT):
        wizard = open_wizard(qtbot, window)
        advance(qtbot, wizard, ProjectsPage)
        advance(qtbot, wizard, TargetPage)
        choose_engine(qtbot, wizard, "client")  # the client engine: values typed by hand
        advance(qtbot, wizard, PasswordPage)
        set_password(wizard)
        secrets = advance(qtbot, wizard, SecretsPage)
        wait_complete(qtbot, secrets)
        for ref, value in ACCOUNT_SECRETS.items():
            secrets.editor.model.set_value(ref, value)
        with slow_bundle_key():
            preview = advance(qtbot, wizard, PreviewPage)
            qtbot.waitUntil(
                lambda: preview.run_view.title_label.text().startswith("Exporting"), timeout=TIMEOUT
            )
            wizard.back()
            qtbot.waitUntil(lambda: not preview.runner.running, timeout=TIMEOUT)
        assert not list(paths.bundles_dir().glob("*.octobundle")), "the stopped export left no bundle"
        preview = advance(qtbot, wizard, PreviewPage)
        wait_complete(qtbot, preview)
        wizard.reject()
    assert len(list(paths.bundles_dir().glob("*.octobundle"))) == 1


def test_enter_on_the_sensitive_values_page_goes_on_even_with_focus_left_on_back(
    qtbot: QtBot, window: MainWindow, run_async: Callable[..., Any], demo_server: Any, empty_server: Any
) -> None:
    """Found under Xvfb: once the sensitive values were listed, focus sat on "< Back" (the password field it
    was on had gone with its page) and Enter went back to the password page instead of on to the preview."""
    connect_both(window, run_async, demo_server, empty_server)
    window.project_panel.model.set_checked_names(["Billing API"])
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT):
        wizard = open_wizard(qtbot, window)
        wizard.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is wizard)
        advance(qtbot, wizard, ProjectsPage)
        advance(qtbot, wizard, TargetPage)
        password = advance(qtbot, wizard, PasswordPage)
        set_password(wizard)
        qtbot.keyClick(password.confirm, Qt.Key.Key_Return)
        secrets = wizard.page_of(SecretsPage)
        qtbot.waitUntil(lambda: wizard.currentPage() is secrets, timeout=TIMEOUT)
        wait_complete(qtbot, secrets)
        focus = QApplication.focusWidget()
        assert focus is not None
        qtbot.keyClick(focus, Qt.Key.Key_Return)
        assert wizard.currentPage() is wizard.page_of(PreviewPage), f"Enter on {focus!r} did not mean Next"
        wizard.reject()

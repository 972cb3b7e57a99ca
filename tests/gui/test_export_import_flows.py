"""Export and import flows end to end against sandbox servers, dialogs answered by scripts."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from gui_helpers import (
    PASSWORD,
    connection_to,
    import_directly,
    make_bundle,
    preview_window,
    ready_to_import,
    record_errors,
    script_open_path,
    script_passwords,
    script_save_path,
    script_secrets,
    script_yes_no,
)
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt

from octodesk.core.bundle import read_bundle
from octodesk.core.octopus.client import OctopusClient
from octodesk.gui import flows
from octodesk.gui.flows import WRONG_PASSWORD_RETRY
from octodesk.gui.main_window import MainWindow
from octodesk.gui.operation_window import OperationWindow
from octodesk.gui.run_view import RunView

FLOW_TIMEOUT = 60000
STRIPE_KEY = "variable:Project/Billing API/Billing.StripeKey[Environment=Production]"
SMTP_PASSWORD = "variable:LibraryVariableSet/Common Settings/Smtp.Password"


def connect(window: MainWindow, run_async: Callable[..., Any], role: str, server: Any) -> None:
    with_projects = role == "source"
    run_async(window.set_connection(role, connection_to(server)))
    if with_projects:
        assert window.project_panel.model.total_count() > 0


AWS_SECRET = {"account:AWS Billing/SecretKey": "aws-secret-from-the-secrets-page"}


def wait_for_export_progress(qtbot: QtBot, run_view: RunView) -> None:
    """Block until the export is reading the source (the sensitive-value scan does that reading, once, and
    the export writes from it), so there is still most of the run to stop."""
    qtbot.waitSignal(
        run_view.progressed,
        timeout=FLOW_TIMEOUT,
        check_params_cb=lambda progress: progress.phase == "read",
    ).wait()


def operation_window(window: MainWindow) -> OperationWindow:
    assert window.operations, "no operation window was opened"
    return window.operations[-1]


def test_project_list_search_and_selection(
    qtbot: QtBot, window: MainWindow, run_async: Callable[..., Any], demo_server: Any
) -> None:
    connect(window, run_async, "source", demo_server)
    panel = window.project_panel
    assert not window.export_action.isEnabled()
    assert "0 of 5 selected" in panel.count_label.text()
    assert "1 version-controlled" in panel.count_label.text()
    qtbot.keyClicks(panel.search, "api")
    assert panel.proxy.visible_project_names() == ["Billing API"]
    panel.select_all_button.click()
    assert panel.checked_names() == ["Billing API"]
    assert window.export_action.isEnabled()
    panel.search.clear()
    panel.select_all_button.click()
    assert "Mobile App (Git)" not in panel.checked_names()
    assert len(panel.checked_names()) == 4
    assert window.source_panel.state_label.text() == "Connected · 5 projects"
    panel.select_none_button.click()
    assert panel.checked_names() == []
    assert not window.export_action.isEnabled()


def test_export_to_a_file(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    demo_server: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    connect(window, run_async, "source", demo_server)
    window.project_panel.model.set_checked_names(["Billing API"])
    passwords = script_passwords(monkeypatch, PASSWORD)
    destination = tmp_path / "billing.octobundle"
    script_save_path(monkeypatch, destination)
    secrets = script_secrets(monkeypatch, {STRIPE_KEY: "sk_live_entered_in_the_gui"})
    with qtbot.waitSignal(window.flow_finished, timeout=FLOW_TIMEOUT) as finished:
        window.export_action.trigger()
    assert finished.args == ["export", "succeeded"]
    assert passwords.calls[0]["mode"] == "export"
    bundle = read_bundle(destination, PASSWORD)
    assert bundle.manifest["projects"] == ["Billing API"]
    assert STRIPE_KEY in secrets.offered[0] and SMTP_PASSWORD in secrets.offered[0]
    assert bundle.secrets[STRIPE_KEY] == "sk_live_entered_in_the_gui"
    assert SMTP_PASSWORD not in bundle.secrets  # left empty: a follow-up instead
    follow_ups = [f.message for f in operation_window(window).results.report.follow_ups]
    assert any(SMTP_PASSWORD in message for message in follow_ups)
    assert not any(STRIPE_KEY in message for message in follow_ups)
    results = operation_window(window).results
    assert operation_window(window).stack.currentWidget() is results
    assert results.counts_model.total() == len(bundle.resources)
    assert results.bundle_label.text() == f"Bundle: {destination}"
    assert operation_window(window)._preview is None  # an export never builds the plan preview


def test_import_preview_shows_the_right_actions_then_applies(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    demo_server: Any,
    empty_server: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bundle = make_bundle(demo_server, tmp_path / "b.octobundle", ["Billing API"], secrets={})
    connect(window, run_async, "target", empty_server)
    script_open_path(monkeypatch, bundle)
    script_passwords(monkeypatch, PASSWORD)
    with qtbot.waitSignal(window.flow_finished, timeout=FLOW_TIMEOUT) as finished:
        window.import_action.trigger()
        qtbot.waitUntil(
            lambda: bool(window.operations) and operation_window(window).apply_button.isVisible(),
            timeout=FLOW_TIMEOUT,
        )
        operation = operation_window(window)
        # The bundle lacks the AWS account's secret: refused until placeholders are allowed.
        assert operation.preview.refused and "AWS Billing" in operation.preview.refusals_label.text()
        assert not operation.apply_button.isEnabled()
        operation.import_options.placeholder_secrets.setChecked(True)  # re-plans
        qtbot.waitUntil(
            lambda: operation.apply_button.isVisible() and operation.apply_button.isEnabled(),
            timeout=FLOW_TIMEOUT,
        )
        model = operation.preview.model
        project = model.find("Project", "Billing API")
        assert project.siblingAtColumn(1).data() == "Create"
        assert model.find("Lifecycle", "Default Lifecycle").siblingAtColumn(1).data() == "Reuse"
        assert operation.apply_button.isEnabled()
        assert operation.context_label.text() == f"Bundle b.octobundle → space Default on {empty_server.url}"
        before = empty_server.request_log[:]
        assert not any(method in ("POST", "PUT") for method, _path in before)
        operation.apply_button.click()
    assert finished.args == ["import", "succeeded"]
    assert operation.stack.currentWidget() is operation.results
    assert operation.results.counts_model.total("create") > 0
    with OctopusClient(empty_server.url, empty_server.api_key) as client:
        names = [p["Name"] for p in client.get_all(f"/api/{empty_server.space_id('Default')}/projects")]
    assert names == ["Billing API"]


def test_refused_plan_disables_apply_until_update_existing(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    demo_server: Any,
    empty_server: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bundle = make_bundle(demo_server, tmp_path / "b.octobundle", ["Billing API"], AWS_SECRET)
    target = connection_to(empty_server)
    import_directly(empty_server, bundle)  # the project now exists there
    connect(window, run_async, "target", empty_server)
    assert window.target_panel.connection == target
    script_passwords(monkeypatch, PASSWORD)
    with qtbot.waitSignal(window.flow_finished, timeout=FLOW_TIMEOUT) as finished:
        assert window.start_flow("import", flows.import_flow(window, bundle))
        qtbot.waitUntil(
            lambda: bool(window.operations) and operation_window(window).apply_button.isVisible(),
            timeout=FLOW_TIMEOUT,
        )
        operation = operation_window(window)
        assert operation.preview.refused
        assert operation.preview.refusals_label.isVisible()
        assert "already exists" in operation.preview.refusals_label.text()
        assert not operation.apply_button.isEnabled()
        operation.import_options.update_existing.setChecked(True)  # re-plans as a promotion
        qtbot.waitUntil(
            lambda: operation.apply_button.isVisible() and operation.apply_button.isEnabled(),
            timeout=FLOW_TIMEOUT,
        )
        assert not operation.preview.refused
        operation.close()
    assert finished.args == ["import", "abandoned"]


def test_wrong_password_says_so_and_retries(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    demo_server: Any,
    empty_server: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bundle = make_bundle(demo_server, tmp_path / "b.octobundle", ["Billing API"])
    connect(window, run_async, "target", empty_server)
    script_open_path(monkeypatch, bundle)
    passwords = script_passwords(monkeypatch, "not the password", PASSWORD)
    with qtbot.waitSignal(window.flow_finished, timeout=FLOW_TIMEOUT) as finished:
        window.import_action.trigger()
        qtbot.waitUntil(
            lambda: bool(window.operations) and operation_window(window).apply_button.isVisible(),
            timeout=FLOW_TIMEOUT,
        )
        operation_window(window).close()
    assert finished.args == ["import", "abandoned"]
    assert [call["error"] for call in passwords.calls] == ["", WRONG_PASSWORD_RETRY]
    assert "Billing API" in passwords.calls[0]["prompt"]


def test_damaged_bundle_is_one_clear_error(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = tmp_path / "broken.octobundle"
    bundle.write_bytes(b"this is not a zip file")
    script_open_path(monkeypatch, bundle)
    errors = record_errors(monkeypatch)
    with qtbot.waitSignal(window.flow_finished, timeout=FLOW_TIMEOUT) as finished:
        window.import_action.trigger()
    assert finished.args[1] == "failed"
    assert len(errors.messages) == 1
    assert "broken.octobundle" in errors.messages[0]


def slow_export_setup(
    window: MainWindow,
    run_async: Callable[..., Any],
    sandbox_factory: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
    destination: Path,
) -> Any:
    """A demo source slow enough (40 ms a request) to act mid-export; every project ticked and every
    dialog of the export answered. Returns the source sandbox."""
    slow = sandbox_factory("demo")
    connect(window, run_async, "source", slow)
    slow.set_faults(latency_ms=40)
    window.project_panel.set_shown_checked(True)
    script_passwords(monkeypatch, PASSWORD)
    script_secrets(monkeypatch)
    script_save_path(monkeypatch, destination)
    return slow


def test_cancel_mid_export_stops_cleanly(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    sandbox_factory: Callable[..., Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    destination = tmp_path / "cancelled.octobundle"
    slow = slow_export_setup(window, run_async, sandbox_factory, monkeypatch, destination)
    with qtbot.waitSignal(window.flow_finished, timeout=FLOW_TIMEOUT) as finished:
        window.export_action.trigger()
        qtbot.waitUntil(lambda: bool(window.operations), timeout=FLOW_TIMEOUT)
        run_view = operation_window(window).run_view
        wait_for_export_progress(qtbot, run_view)
        run_view.cancel_button.click()
        requests_at_cancel = slow.request_count
    assert finished.args == ["export", "cancelled"]
    assert not destination.exists()
    assert not list(tmp_path.iterdir()), "a temporary bundle file was left behind"
    assert slow.request_count - requests_at_cancel <= 16  # at most the requests already in flight
    assert "Cancelled" in run_view.phase_label.text()
    assert window.export_action.isEnabled()


def test_closing_the_operation_window_during_a_run_asks_then_cancels(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    sandbox_factory: Callable[..., Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slow_export_setup(window, run_async, sandbox_factory, monkeypatch, tmp_path / "closed.octobundle")
    questions = script_yes_no(monkeypatch, False)
    with qtbot.waitSignal(window.flow_finished, timeout=FLOW_TIMEOUT) as finished:
        window.export_action.trigger()
        qtbot.waitUntil(lambda: bool(window.operations), timeout=FLOW_TIMEOUT)
        operation = operation_window(window)
        wait_for_export_progress(qtbot, operation.run_view)
        operation.close()
        qtbot.waitUntil(lambda: len(questions.questions) == 1)
        assert operation.isVisible() and operation.running  # "No": keeps running
        questions.answer = True
        operation.close()
    assert finished.args == ["export", "cancelled"]
    assert len(questions.questions) == 2
    assert not (tmp_path / "closed.octobundle").exists()


def test_closing_the_main_window_during_a_run_asks_first(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    sandbox_factory: Callable[..., Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slow_export_setup(window, run_async, sandbox_factory, monkeypatch, tmp_path / "quit.octobundle")
    questions = script_yes_no(monkeypatch, True)
    with qtbot.waitSignal(window.flow_finished, timeout=FLOW_TIMEOUT) as finished:
        window.export_action.trigger()
        qtbot.waitUntil(lambda: bool(window.operations), timeout=FLOW_TIMEOUT)
        wait_for_export_progress(qtbot, operation_window(window).run_view)
        window.close()
        qtbot.waitUntil(lambda: not window.isVisible())
    assert len(questions.questions) == 1
    assert finished.args == ["export", "cancelled"]


def test_dropping_a_bundle_starts_the_import(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    bundle = tmp_path / "dropped.octobundle"
    bundle.write_bytes(b"not a bundle")
    errors = record_errors(monkeypatch)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(bundle))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(window.flow_finished, timeout=FLOW_TIMEOUT) as finished:
        window.dropEvent(event)
    assert finished.args[0] == "import"
    assert "dropped.octobundle" in errors.messages[0]


def test_cancelling_the_sensitive_values_dialog_abandons_the_export(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    demo_server: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    connect(window, run_async, "source", demo_server)
    window.project_panel.model.set_checked_names(["Billing API"])
    script_passwords(monkeypatch, PASSWORD)
    script_save_path(monkeypatch, tmp_path / "never.octobundle")
    secrets = script_secrets(monkeypatch)
    secrets.values = None  # the user pressed Cancel
    with qtbot.waitSignal(window.flow_finished, timeout=FLOW_TIMEOUT) as finished:
        window.export_action.trigger()
    assert finished.args == ["export", "abandoned"]
    assert not list(tmp_path.iterdir())


def test_cancel_during_an_import_says_what_was_written_and_resume_finishes_it(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    demo_server: Any,
    empty_server: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Issue 11 fault 3, in the import window: Cancel during the import ends it (no greyed "Cancelling…"
    left), says what was written and offers Resume, which continues the same journal to the end."""
    caplog.set_level(logging.INFO, logger="octodesk")
    bundle = make_bundle(demo_server, tmp_path / "b.octobundle", ["Billing API"])
    ready_to_import(window, run_async, empty_server, monkeypatch, bundle)
    with qtbot.waitSignal(window.flow_finished, timeout=FLOW_TIMEOUT) as finished:
        window.import_action.trigger()
        operation = preview_window(qtbot, window)
        empty_server.set_faults(latency_ms=150)
        operation.apply_button.click()
        qtbot.waitUntil(
            lambda: any(method == "POST" for method, _path in empty_server.request_log), timeout=FLOW_TIMEOUT
        )
        operation.run_view.cancel_button.click()
        qtbot.waitUntil(operation.resume_button.isVisible, timeout=FLOW_TIMEOUT)
        assert operation.stack.currentWidget() is operation.results
        headline = operation.results.headline.text()
        assert headline.startswith("The import was cancelled.") and "written to the target" in headline
        written = len(operation.results.report.written)
        posted = len([method for method, _path in empty_server.request_log if method == "POST"])
        assert written == posted > 0, "every create the target received is counted as written"
        assert operation.close_button.isEnabled() and not operation.running
        empty_server.set_faults(latency_ms=0)
        operation.resume_button.click()
        qtbot.waitUntil(
            lambda: operation.apply_button.isVisible() and operation.apply_button.isEnabled(),
            timeout=FLOW_TIMEOUT,
        )
        plan = operation.preview.plan
        assert plan is not None and any(item.resumed for item in plan.items), "the same journal"
        operation.apply_button.click()
    assert finished.args == ["import", "succeeded"]
    assert operation.results.headline.text() == "The import succeeded."
    with OctopusClient(empty_server.url, empty_server.api_key) as client:
        names = [p["Name"] for p in client.get_all(f"/api/{empty_server.space_id('Default')}/projects")]
    assert names == ["Billing API"]
    assert f"Imported b.octobundle into Default on {empty_server.url}: The import succeeded." in (
        caplog.messages
    ), "the log says how the resumed import ended, not only that the first run was cancelled"

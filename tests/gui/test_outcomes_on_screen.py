"""What the user reads is what happened: a failed item is a failure on every surface, an update preview
says what changes and asks before replacing, nothing on screen names a command-line flag, the saved
report holds what a user files, and a save dialog refuses a place that cannot be written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from bundle_repack import NOT_A_CERTIFICATE, repack
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
    script_yes_no,
)
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget

from octodesk.core.octopus.client import OctopusClient
from octodesk.core.vocabulary import Action
from octodesk.gui import dialogs
from octodesk.gui.actions import action_colour
from octodesk.gui.main_window import MainWindow

TIMEOUT = 60000


def test_a_refused_certificate_is_a_failure_on_every_surface(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    demo_server: Any,
    empty_server: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 11 fault 2: the 'Portal TLS' certificate refused with a 400 was reported as migrated."""
    plain = make_bundle(demo_server, tmp_path / "plain.octobundle", ["Web Portal"])
    bundle = repack(
        plain, tmp_path / "refused.octobundle", PASSWORD, {"certificate:Portal TLS": NOT_A_CERTIFICATE}
    )
    ready_to_import(window, run_async, empty_server, monkeypatch, bundle)
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT) as finished:
        window.import_action.trigger()
        preview_window(qtbot, window).apply_button.click()
    assert finished.args == ["import", "completed with failures"]
    assert window.statusBar().currentMessage() == "Import: completed with 1 failure."
    results = window.operations[-1].results
    assert results.headline.text() == "The import completed with 1 failure."
    counts = results.counts_model
    row = next(
        r for r in range(counts.rowCount()) if counts.headerData(r, Qt.Orientation.Vertical) == "Certificate"
    )
    cells = {
        counts.headerData(c, Qt.Orientation.Horizontal): counts.index(row, c).data()
        for c in range(counts.columnCount())
    }
    assert cells["Failed"] == "1" and cells.get("Create", "\u2013") == "\u2013" and cells["Total"] == "1"
    assert results.failures_view.isVisibleTo(results)
    failure = results.failures_model.stringList()[0]
    assert failure.startswith("Certificate “Portal TLS”:") and "Certificates-" not in failure


def test_the_update_preview_says_what_changes_and_asks_before_replacing(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    demo_server: Any,
    empty_server: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 11 fault 6: update mode pushed the columns off-screen, showed '8 update' for an identical
    bundle with no diff, and replaced existing projects without asking."""
    first = make_bundle(demo_server, tmp_path / "first.octobundle", ["Billing API", "Database Migrations"])
    import_directly(empty_server, first)
    space = f"/api/{demo_server.space_id('Default')}"
    with OctopusClient(demo_server.url, demo_server.api_key) as client:
        project = next(p for p in client.get_all(f"{space}/projects/all") if p["Name"] == "Billing API")
        variables = client.get(f"{space}/variables/{project['VariableSetId']}")
        variables["Variables"].append(
            {"Name": "Billing.Region", "Value": "eu", "Type": "String", "Scope": {}}
        )
        client.put(f"{space}/variables/{project['VariableSetId']}", variables)
    second = make_bundle(demo_server, tmp_path / "second.octobundle", ["Billing API", "Database Migrations"])
    run_async(window.set_connection("target", connection_to(empty_server)))
    script_open_path(monkeypatch, second)
    script_passwords(monkeypatch, PASSWORD)
    questions = script_yes_no(monkeypatch, False)
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT) as finished:
        window.import_action.trigger()
        operation = preview_window(qtbot, window)
        assert operation.preview.refused
        operation.import_options.update_existing.setChecked(True)
        qtbot.waitUntil(
            lambda: operation.apply_button.isVisible() and operation.apply_button.isEnabled(), timeout=TIMEOUT
        )
        preview = operation.preview
        index = preview.select("Project", "Billing API")
        assert index.siblingAtColumn(1).data() == "Update"
        update_colour = index.siblingAtColumn(1).data(Qt.ItemDataRole.ForegroundRole)
        assert update_colour == action_colour("update"), "update has its own colour"
        assert update_colour not in [action_colour(a) for a in Action if a != Action.UPDATE]
        assert "variable Billing.Region added" in preview.detail.toPlainText()
        unchanged = preview.select("Project", "Database Migrations")
        assert unchanged.siblingAtColumn(1).data() == "Reuse"
        assert "no change" in preview.detail.toPlainText()
        header = preview.tree.header()
        width = preview.tree.viewport().width()
        for column in range(3):
            assert header.sectionViewportPosition(column) < width, f"column {column} is off-screen"
        preview.show_action("update")
        shown = [
            preview.proxy.index(row, 1, preview.proxy.index(kind, 0)).data()
            for kind in range(preview.proxy.rowCount())
            for row in range(preview.proxy.rowCount(preview.proxy.index(kind, 0)))
        ]
        assert shown and set(shown) == {"Update"}
        assert preview.shown_label.text().startswith(f"{len(shown)} of ")
        before = len([e for e in empty_server.request_log if e[0] in ("POST", "PUT")])
        operation.apply_button.click()  # asks first; the scripted answer is No
        qtbot.waitUntil(lambda: bool(questions.questions), timeout=TIMEOUT)
        qtbot.waitUntil(operation.apply_button.isVisible, timeout=TIMEOUT)
        assert "1 existing project on the target (Billing API)" in questions.questions[0]
        assert len([e for e in empty_server.request_log if e[0] in ("POST", "PUT")]) == before
        operation.reject()
    assert finished.args == ["import", "abandoned"]


def test_nothing_on_screen_names_a_command_line_flag(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    demo_server: Any,
    empty_server: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 11 fault 8: GUI text said "supply it with --secrets-file" and "update-existing mode"."""
    bundle = make_bundle(demo_server, tmp_path / "b.octobundle", ["Web Portal"])
    import_directly(empty_server, bundle)
    ready_to_import(window, run_async, empty_server, monkeypatch, bundle)
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT):
        window.import_action.trigger()
        operation = preview_window(qtbot, window)
        preview = operation.preview
        texts = [preview.refusals_label.text(), preview.summary_label.text()]
        texts += [preview.follow_ups.item(i).text() for i in range(preview.follow_ups.count())]
        operation.reject()
    assert any("not carried" in text for text in texts)
    assert any("already exists" in text for text in texts)
    for text in texts:
        assert "--" not in text and "update-existing" not in text, text
    assert any("Sensitive values page" in text for text in texts), "the app words the remedy its own way"


def test_the_saved_html_report_is_one_a_user_can_file(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    demo_server: Any,
    empty_server: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 11 fault 8: the HTML report had no date, source, bundle, projects or items."""
    bundle = make_bundle(demo_server, tmp_path / "b.octobundle", ["Billing API"])
    ready_to_import(window, run_async, empty_server, monkeypatch, bundle)
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT):
        window.import_action.trigger()
        preview_window(qtbot, window).apply_button.click()
    results = window.operations[-1].results
    model = results.follow_ups_model
    model.setData(model.index(0), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    saved = tmp_path / "report.html"

    async def choose(parent: Any, start_dir: str, suggested_name: str) -> Path:
        return saved

    monkeypatch.setattr(dialogs, "choose_report_path", choose)
    run_async(results.save_report())
    page = saved.read_text()
    report = results.report
    assert report is not None
    for fact in (report.started_at, report.tool_version, str(bundle), report.bundle_sha256, demo_server.url):
        assert fact in page, fact
    assert empty_server.url in page and "Billing API" in page
    assert "<thead><tr><th>Kind</th><th>Name</th><th>Action</th><th>Outcome</th>" in page
    assert f"Follow-ups (1 of {len(report.follow_ups)} done)" in page and "☑" in page
    assert "--" not in page.split("<body>", 1)[1]


def test_a_place_that_cannot_be_written_is_named_before_any_work(tmp_path: Path) -> None:
    """Issue 11 fault 7: a place the bundle could not be written to failed only after all the reads."""
    assert dialogs.unwritable_reason(tmp_path / "b.octobundle") is None
    assert dialogs.unwritable_reason(tmp_path / "missing" / "b.octobundle") == (
        f"The folder {tmp_path / 'missing'} does not exist."
    )
    assert dialogs.unwritable_reason(tmp_path) == f"{tmp_path} is a folder."
    too_long = dialogs.unwritable_reason(tmp_path / ("x" * 300 + ".octobundle"))
    assert (
        too_long is not None and too_long.startswith("OctoDesk cannot write xxx") and "too long" in too_long
    )
    assert not list(tmp_path.iterdir()), "the check leaves nothing behind"


def test_the_save_dialog_asks_again_for_a_place_that_cannot_be_written(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    errors = record_errors(monkeypatch)
    refused = tmp_path / "refused"
    refused.mkdir()
    monkeypatch.setattr(
        dialogs, "unwritable_reason", lambda path: "Read-only." if path.parent == refused else None
    )
    choices = [refused / "b.octobundle", tmp_path / "b.octobundle"]

    def answer_dialog() -> None:
        dialog = next(
            w for w in QApplication.topLevelWidgets() if isinstance(w, QFileDialog) and w.isVisible()
        )
        dialog.selectFile(str(choices.pop(0)))
        dialog.accept()

    from octodesk.gui.worker import spawn

    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    task = spawn(dialogs.choose_save_bundle(parent, str(tmp_path), "b.octobundle"))
    while choices:
        qtbot.waitUntil(
            lambda: any(isinstance(w, QFileDialog) and w.isVisible() for w in QApplication.topLevelWidgets()),
            timeout=TIMEOUT,
        )
        answer_dialog()
    qtbot.waitUntil(task.done, timeout=TIMEOUT)
    assert task.result() == tmp_path / "b.octobundle"
    assert errors.messages == ["Read-only. Choose another place."]


def test_sensitive_values_are_named_as_the_sensitive_values_page_lists_them(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    demo_server: Any,
    empty_server: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Found under Xvfb: the preview and the results listed values the bundle lacks by their internal
    reference ("variable:Project/Web Portal/Portal.SigningKey is not carried", "Set the sensitive tenant
    variable tenant:Contoso Pharmacy/Project/Web Portal/..."), not as the Sensitive values page lists them."""
    bundle = make_bundle(demo_server, tmp_path / "b.octobundle", ["Web Portal"])
    ready_to_import(window, run_async, empty_server, monkeypatch, bundle)
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT):
        window.import_action.trigger()
        operation = preview_window(qtbot, window)
        follow_ups = operation.preview.follow_ups
        planned = [follow_ups.item(i).text() for i in range(follow_ups.count())]
        operation.apply_button.click()
    model = window.operations[-1].results.follow_ups_model
    done = [model.index(row).data() for row in range(model.rowCount())]
    assert (
        "Sensitive values: Variable Portal.SigningKey (Web Portal) is not carried: the Octopus API never "
        "returns this value" in " ".join(planned)
    )
    assert any(
        "Set the sensitive tenant variable Web Portal: Tenant.LicenceKey in Production (Tenant Contoso "
        "Pharmacy): the bundle does not carry it." in text
        for text in done
    ), done
    assert any("Smtp.Password of Library variable set 'Common Settings'" in text for text in done), done
    for text in planned + done:
        assert not any(f"{prefix}:" in text for prefix in ("variable", "tenant", "feed", "action")), text
        assert "LibraryVariableSet" not in text, "kinds by their human names"

"""What keeps a large GUI export cheap: the source is read once (the sensitive-value scan feeds the export),
full garbage collections stay off while an engine job runs, and follow-ups cost no per-item text layout."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from gui_helpers import (
    PASSWORD,
    connection_to,
    inventory_threads,
    script_passwords,
    script_save_path,
    script_secrets,
)
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt

from octodesk.core.bundle import read_bundle
from octodesk.core.gc_pause import NO_FULL_COLLECTION, no_full_collections
from octodesk.core.report import FollowUp, Report
from octodesk.core.vocabulary import FollowUpCategory
from octodesk.gui import engine_jobs
from octodesk.gui.engine_choice import ExportEngineDialog
from octodesk.gui.main_window import MainWindow
from octodesk.gui.results_view import ResultsView
from octodesk.gui.run_view import RunView
from octodesk.render import some_names


def test_a_gui_export_reads_every_source_document_once(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    demo_server: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run_async(window.set_connection("source", connection_to(demo_server)))
    window.project_panel.model.set_checked_names(["Billing API", "Web Portal"])
    script_passwords(monkeypatch, PASSWORD)
    destination = tmp_path / "two.octobundle"
    script_save_path(monkeypatch, destination)
    script_secrets(monkeypatch, {})
    demo_server.reset_counters()
    with qtbot.waitSignal(window.flow_finished, timeout=60000) as finished:
        window.export_action.trigger()
    assert finished.args == ["export", "succeeded"]
    gets = [path for method, path in demo_server.request_log if method == "GET"]
    assert len(gets) == len(set(gets)), sorted(path for path in set(gets) if gets.count(path) > 1)
    assert read_bundle(destination, PASSWORD).manifest["projects"] == ["Billing API", "Web Portal"]
    report = window.operations[-1].results.report
    assert report.http_requests == demo_server.request_count  # the scan's requests are the export's


def test_the_sensitive_value_inventory_is_worked_out_on_the_worker_thread(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    demo_server: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    threads = inventory_threads(monkeypatch)
    run_async(window.set_connection("source", connection_to(demo_server)))
    window.project_panel.model.set_checked_names(["Web Portal"])
    script_passwords(monkeypatch, PASSWORD)
    script_save_path(monkeypatch, tmp_path / "one.octobundle")
    script_secrets(monkeypatch, {})
    with qtbot.waitSignal(window.flow_finished, timeout=60000) as finished:
        window.export_action.trigger()
    assert finished.args == ["export", "succeeded"]
    assert threads and threading.main_thread().name not in threads


async def choose_client_keeping_nothing(parent: Any, outlook: Any) -> str:
    return "client"  # as the real dialog, which keeps no reference to what it was shown


def test_what_the_scan_read_is_freed_on_the_worker_thread(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    demo_server: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # At 1,000 projects, freeing what the scan read takes ~150 ms: on the GUI thread, a frozen window; and
    # held by the worker's futures (a reference cycle), it lived until a full collection, or for good.
    freed_on: list[str] = []
    real_scan = engine_jobs.scan_source

    def watched_scan(*args: Any, **kwargs: Any) -> Any:
        scan = real_scan(*args, **kwargs)
        weakref.finalize(scan.data, lambda: freed_on.append(threading.current_thread().name))
        return scan

    monkeypatch.setattr(engine_jobs, "scan_source", watched_scan)  # Export's read, before the engine choice
    for attempt in range(2):  # the second export runs after the first one's job ended (and froze survivors)
        run_async(window.set_connection("source", connection_to(demo_server)))
        window.project_panel.model.set_checked_names(["Web Portal"])
        script_passwords(monkeypatch, PASSWORD)
        script_save_path(monkeypatch, tmp_path / f"export-{attempt}.octobundle")
        script_secrets(monkeypatch, {})
        monkeypatch.setattr(ExportEngineDialog, "launch", choose_client_keeping_nothing)
        with qtbot.waitSignal(window.flow_finished, timeout=60000) as finished:
            window.export_action.trigger()
        assert finished.args == ["export", "succeeded"]
        qtbot.waitUntil(lambda expected=attempt + 1: len(freed_on) == expected, timeout=5000)
    assert threading.main_thread().name not in freed_on


def test_no_full_collection_while_engine_jobs_run() -> None:
    before = gc.get_threshold()
    with no_full_collections():
        assert gc.get_threshold() == (before[0], before[1], NO_FULL_COLLECTION)
        with no_full_collections():  # a second window's job at the same time
            pass
        assert gc.get_threshold()[2] == NO_FULL_COLLECTION
        survivor = [object()]
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() > 0  # what survived the job is not walked by later collections
    assert survivor


def test_follow_ups_are_one_uniform_line_each_with_the_whole_message_in_the_tooltip(qtbot: QtBot) -> None:
    view = ResultsView()
    qtbot.addWidget(view)
    report = Report(operation="export")
    long_message = "Register deployment targets with roles " + ", ".join(f"role-{n}" for n in range(60))
    report.follow_ups = [FollowUp(FollowUpCategory.DEPLOYMENT_TARGETS, long_message)] * 2500
    view.set_report(report, headline="Exported.")
    assert view.follow_ups_view.uniformItemSizes() and not view.follow_ups_view.wordWrap()
    first = view.follow_ups_model.index(0)
    assert long_message in first.data(Qt.ItemDataRole.ToolTipRole)
    assert view.follow_ups_title.text() == "Follow-ups to do by hand (0 of 2500 done)"


def test_a_results_title_names_a_few_projects_and_counts_the_rest() -> None:
    # A title naming all 1,000 projects was unreadable, and laying it out froze the window for 120 ms.
    assert some_names(["Web Portal"]) == "Web Portal"
    assert some_names(["A", "B", "C", "D"]) == "A, B, C, D"
    many = [f"Project {i}" for i in range(1000)]
    assert some_names(many) == "1000 projects: Project 0, Project 1, Project 2 and 997 more"
    view = ResultsView()
    view.set_report(Report(operation="export", finished=True), headline=f"Exported {some_names(many)}.")
    assert len(view.headline.text()) < 80


def test_a_long_run_title_wraps_instead_of_widening_the_page(qtbot: QtBot) -> None:
    # Under Xvfb the server engine's title ran off the migrate wizard's right edge.
    view = RunView()
    qtbot.addWidget(view)
    view.start("Octopus imports into Production Space, then OctoDesk adds what it leaves out " * 3)
    assert view.minimumSizeHint().width() < 500

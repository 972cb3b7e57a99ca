"""While a large export runs on the worker thread, the GUI thread keeps ticking (benchmark figure)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from gui_helpers import PASSWORD, connection_to, script_passwords, script_save_path, script_secrets
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QTimer

from octodesk.gui.main_window import MainWindow

HEARTBEAT_MS = 10
GENEROUS_STALL_LIMIT_S = 0.5  # the goal is < 100 ms; the test only catches real blocking of the GUI thread
EXPORTED_PROJECTS = 40


class Heartbeat:
    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(self.beat)
        self.last = 0.0
        self.worst_gap = 0.0
        self.beats = 0

    def start(self) -> None:
        self.last = time.perf_counter()
        self.timer.start()

    def beat(self) -> None:
        now = time.perf_counter()
        self.worst_gap = max(self.worst_gap, now - self.last)
        self.last = now
        self.beats += 1


def test_gui_thread_keeps_ticking_during_a_large_export(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    sandbox_factory: Callable[..., Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    large = sandbox_factory("large")
    run_async(window.set_connection("source", connection_to(large)))
    names = [p.name for p in window.project_panel.model.projects() if not p.is_version_controlled]
    window.project_panel.model.set_checked_names(names[:EXPORTED_PROJECTS])
    large.set_faults(latency_ms=5)
    script_passwords(monkeypatch, PASSWORD)
    script_secrets(monkeypatch)
    destination = tmp_path / "large.octobundle"
    script_save_path(monkeypatch, destination)
    heartbeat = Heartbeat()
    large.reset_counters()
    with qtbot.waitSignal(window.flow_finished, timeout=240000) as finished:
        heartbeat.start()
        window.export_action.trigger()
    heartbeat.timer.stop()
    assert finished.args == ["export", "succeeded"]
    assert destination.exists()
    run_view = window.operations[-1].run_view
    assert run_view.progress_updates > 10  # the user saw it move
    with capsys.disabled():
        print(
            f"\n[responsiveness] {EXPORTED_PROJECTS} projects, {large.request_count} requests, 5 ms latency: "
            f"{heartbeat.beats} heartbeats, worst GUI-thread stall {heartbeat.worst_gap * 1000:.0f} ms"
        )
    assert heartbeat.worst_gap < GENEROUS_STALL_LIMIT_S

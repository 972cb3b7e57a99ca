"""The desktop app's worst main-thread stall while it exports.

The real main window starts offscreen, connects to the source sandbox, selects the projects and runs its
own Export action (dialogs answered by a script, as a user would), so the export goes through the GUI's
worker mechanism (``octodesk/gui/worker.py``). A QTimer ticking every few milliseconds on the main thread
records the largest gap between two ticks: the longest the window could not repaint or react, from the
Export click until 1.5 s after the flow ended.

The floors are measured in the same process just before the export: the worst gap of the heartbeat over
a second of an idle window (timer and scheduler jitter), and the peak RSS of the app with the project list
shown (what the export adds is the rest).

Part of ``python -m benchmarks``; the scenario runs in a child process (``benchmarks.memory``).
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

TICK_MS = 5
STALL_GOAL_MS = 50.0  # issue 14: the window never pauses long enough for a user to notice
IDLE_SECONDS = 1.0
# The heartbeat goes on this long after the flow ends: what the app does then (its results page's first paint,
# keeping the run for Recent runs) is still the user's window freezing.
SETTLE_SECONDS = 1.5
FLOW_TIMEOUT_S = 900


class Heartbeat:
    """Ticks on the main thread; remembers the largest gap between ticks."""

    def __init__(self, interval_ms: int) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.tick)
        self.ticks = 0
        self.worst_gap = 0.0
        self.gaps_over_goal = 0
        self._last = 0.0

    def start(self) -> None:
        self._last = time.perf_counter()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        self.tick()

    def tick(self) -> None:
        now = time.perf_counter()
        gap = now - self._last
        self.worst_gap = max(self.worst_gap, gap)
        self.gaps_over_goal += gap * 1000 > STALL_GOAL_MS
        self._last = now
        self.ticks += 1


def export_through_window(url: str, space: str, names: list[str], destination: str) -> dict[str, Any]:
    """Scenario (child process): one export run by the main window, measured by the heartbeat."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync

    from octodesk.gui.app import create_application

    app = create_application(["octodesk-benchmark"])
    result: dict[str, Any] = qasync.run(_export(url, space, names, Path(destination)))
    app.processEvents()
    return result


async def _export(url: str, space: str, names: list[str], destination: Path) -> dict[str, Any]:
    from benchmarks.common import PASSWORD
    from benchmarks.memory import BenchmarkFailed, api_key_from_env, peak_rss_mb
    from octodesk.gui import dialogs
    from octodesk.gui.connection import Connection, probe_server
    from octodesk.gui.engine_choice import ExportEngineDialog
    from octodesk.gui.main_window import MainWindow
    from octodesk.gui.password_dialog import PasswordDialog
    from octodesk.gui.secrets_dialog import SecretsDialog
    from octodesk.gui.settings import Settings
    from octodesk.gui.worker import run_in_worker

    async def type_password(*_args: Any, **_kwargs: Any) -> str:
        return PASSWORD

    async def choose_destination(*_args: Any, **_kwargs: Any) -> Path:
        return destination

    async def choose_the_client_engine(*_args: Any, **_kwargs: Any) -> str:
        return "client"  # the engine this benchmark measures

    async def leave_secrets_empty(*_args: Any, **_kwargs: Any) -> dict[str, str]:
        return {}  # every sensitive value becomes a follow-up, as when the user just clicks on

    errors_shown: list[str] = []

    async def show_error(parent: QWidget | None, title: str, message: str) -> None:
        errors_shown.append(f"{title}: {message}")

    # The user's answers to the dialogs of the export flow; an error dialog is recorded, not waited for.
    PasswordDialog.launch = type_password  # type: ignore[method-assign]
    dialogs.choose_save_bundle = choose_destination
    ExportEngineDialog.launch = choose_the_client_engine  # type: ignore[method-assign]
    SecretsDialog.launch = leave_secrets_empty  # type: ignore[method-assign]
    dialogs.show_error = show_error

    api_key = api_key_from_env()
    window = MainWindow(Settings())
    window.show()
    probe = await run_in_worker(probe_server, url, api_key, True)
    await window.set_connection("source", Connection(probe.url, api_key, space, probe.version, probe.hosting))
    window.project_panel.model.set_checked_names(names)
    if sorted(window.project_panel.checked_names()) != sorted(names):
        raise BenchmarkFailed("The project list did not offer every project to export.")

    finished: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    def flow_finished(flow: str, outcome: str) -> None:
        if not finished.done():
            finished.set_result(outcome)

    window.flow_finished.connect(flow_finished)
    idle = Heartbeat(TICK_MS)
    idle.start()
    await asyncio.sleep(IDLE_SECONDS)
    idle.stop()
    rss_before_export = peak_rss_mb()
    heartbeat = Heartbeat(TICK_MS)
    started = time.perf_counter()
    heartbeat.start()
    window.export_action.trigger()
    try:
        outcome = await asyncio.wait_for(finished, timeout=FLOW_TIMEOUT_S)
    except TimeoutError:
        raise BenchmarkFailed(f"The GUI export did not finish within {FLOW_TIMEOUT_S} s.") from None
    seconds = time.perf_counter() - started
    await asyncio.sleep(SETTLE_SECONDS)
    heartbeat.stop()
    progress_updates = window.operations[-1].run_view.progress_updates if window.operations else 0
    for operation in window.operations:
        operation.close()
    window.hide()
    window.deleteLater()
    if outcome != "succeeded":
        raise BenchmarkFailed(f"The GUI export ended '{outcome}': {' '.join(errors_shown)}")
    return {
        "seconds": seconds,
        "worst_stall_ms": heartbeat.worst_gap * 1000,
        "idle_worst_gap_ms": idle.worst_gap * 1000,
        "rss_before_export_mb": round(rss_before_export, 1),
        "ticks": heartbeat.ticks,
        "gaps_over_goal": heartbeat.gaps_over_goal,
        "progress_updates": progress_updates,
    }

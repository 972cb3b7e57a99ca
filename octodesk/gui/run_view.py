"""A running operation: determinate progress, the current item, elapsed time, Cancel."""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from octodesk.core.progress import Progress
from octodesk.gui.byte_progress import ByteProgress
from octodesk.gui.task_panel import TaskPanel
from octodesk.render import kind_label

PHASE_LABELS = {
    "connect": "Connecting",
    "read": "Reading from the source",
    "write": "Writing the bundle",
    "plan": "Comparing with the target",
    "packages": "Copying packages",
    "apply": "Importing",
    "verify": "Verifying",
    "task": "Octopus runs its task",  # the server engine: Octopus's own export or import task
    "download": "Downloading Octopus's export",
}


def format_elapsed(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class RunView(QWidget):
    cancel_requested = Signal()
    progressed = Signal(object)  # each Progress shown, after the widgets were updated

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title_label = QLabel()
        self.title_label.setObjectName("titleLabel")
        self.title_label.setWordWrap(True)  # a long title never widens the page
        self.phase_label = QLabel()
        self.progress_bar = QProgressBar()
        self.progress_bar.setAccessibleName("Progress")
        self.current_label = QLabel()
        self.current_label.setWordWrap(True)
        self.byte_progress = ByteProgress()
        self.elapsed_label = QLabel()
        self.task_panel = TaskPanel()  # a server task's state and log, when one runs
        self.progressed.connect(self.task_panel.show_progress)
        self.cancel_button = QPushButton("&Cancel")
        self.cancel_button.clicked.connect(self.request_cancel)
        self.last_progress: Progress | None = None
        self.progress_updates = 0
        self._started = 0.0
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._show_elapsed)

        bottom = QHBoxLayout()
        bottom.addWidget(self.elapsed_label, 1)
        bottom.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.phase_label)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.current_label)
        layout.addWidget(self.task_panel)
        layout.addWidget(self.byte_progress)
        layout.addStretch(1)
        layout.addLayout(bottom)

    def start(self, title: str) -> None:
        self.title_label.setText(title)
        self.phase_label.setText("Starting…")
        self.phase_label.setProperty("state", "")
        self.current_label.clear()
        self.task_panel.clear()
        self.byte_progress.reset()
        self.progress_bar.setRange(0, 0)
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("&Cancel")
        self.cancel_button.show()
        self._started = time.monotonic()
        self._show_elapsed()
        self._clock.start()

    def update_progress(self, progress: Progress) -> None:
        self.last_progress = progress
        self.progress_updates += 1
        if not self.cancelling:
            self.phase_label.setText(PHASE_LABELS.get(progress.phase, progress.phase.capitalize()))
        if progress.total:
            self.progress_bar.setRange(0, progress.total)
            self.progress_bar.setValue(min(progress.done, progress.total))
            self.progress_bar.setFormat(f"{progress.done} / {progress.total}")
        else:
            self.progress_bar.setRange(0, 0)
        named = f"“{progress.name}”" if progress.name else ""
        current = progress.message or " ".join(p for p in (kind_label(progress.kind), named) if p)
        self.current_label.setText(current)
        self.byte_progress.show_progress(progress)
        self.progressed.emit(progress)

    def request_cancel(self) -> None:
        self.cancel_requested.emit()

    def show_cancelling(self) -> None:
        """Until the worker finishes its current request; ``finish`` ends this state, whatever happens."""
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText("Cancelling…")
        self.phase_label.setText("Cancelling: finishing the current request…")

    def finish(self, message: str, *, failed: bool = False) -> None:
        self._clock.stop()
        self._show_elapsed()
        self.phase_label.setText(message)
        self.phase_label.setProperty("state", "error" if failed else "")
        self.phase_label.style().unpolish(self.phase_label)
        self.phase_label.style().polish(self.phase_label)
        self.cancel_button.setText("&Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.hide()
        if self.progress_bar.maximum() == 0:
            self.progress_bar.setRange(0, 1)
            self.progress_bar.setValue(1)

    @property
    def cancelling(self) -> bool:
        return self.cancel_button.isVisible() and not self.cancel_button.isEnabled()

    def _show_elapsed(self) -> None:
        self.elapsed_label.setText(f"Elapsed {format_elapsed(time.monotonic() - self._started)}")

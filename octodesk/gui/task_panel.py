"""A server task's progress under a run view: its state (Queued, Executing, …), how long it has run and the
last lines of its log, as Octopus reports them. Hidden until a task reports; it keeps showing how the task
ended after the run finished (e.g. "Canceled" after Cancel)."""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from octodesk.core.progress import Progress
from octodesk.core.server_engine import TaskProgress
from octodesk.core.text import safe_lines, safe_text

STATE_LABELS = {
    "Queued": "Queued: waiting for the server to start it",
    "Executing": "Executing",
    "Cancelling": "Cancelling: the server is stopping it",
    "Success": "Finished successfully",
    "Failed": "Failed",
    "Canceled": "Canceled on the server",
    "TimedOut": "Timed out",
}
LOG_HEIGHT_LINES = 8


def task_state_text(progress: TaskProgress) -> str:
    state = STATE_LABELS.get(progress.state, progress.state or "?")
    duration = f" · ran {progress.duration}" if progress.duration else ""
    return f"Octopus task {progress.task_id}: {state}{duration}"


class TaskPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state_label = QLabel()
        self.state_label.setAccessibleName("Server task state")
        self.log_view = QPlainTextEdit()
        self.log_view.setReadOnly(True)
        self.log_view.setAccessibleName("Server task log")
        self.log_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.log_view.setFixedHeight(self.log_view.fontMetrics().lineSpacing() * LOG_HEIGHT_LINES + 12)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.state_label)
        layout.addWidget(self.log_view)
        self.last: TaskProgress | None = None
        self.hide()

    def clear(self) -> None:
        self.last = None
        self.state_label.clear()
        self.log_view.clear()
        self.hide()

    def show_progress(self, progress: Progress) -> None:
        if not isinstance(progress, TaskProgress):
            return
        self.last = progress
        self.state_label.setText(safe_text(task_state_text(progress)))
        text = safe_lines(progress.log_lines)
        if text != self.log_view.toPlainText():
            self.log_view.setPlainText(text)
            self.log_view.verticalScrollBar().setValue(self.log_view.verticalScrollBar().maximum())
        self.show()

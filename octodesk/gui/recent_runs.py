"""Recent runs: the last exports and imports with how they ended, each reopened in full to read again,
tick off follow-ups, or save as a report to file."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from octodesk.gui import history
from octodesk.gui.dialogs import show_modal
from octodesk.gui.outcome import local_time
from octodesk.gui.results_view import ResultsView
from octodesk.render import headline, some_names


def run_title(record: history.RunRecord) -> str:
    report = record.summary
    when = local_time(report.finished_at or report.started_at)
    projects = some_names(report.projects) or "no projects"
    return f"{when} · {record.flow.capitalize()} · {projects} · {headline(report)}"


class RecentRunsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Recent runs")
        self.setMinimumSize(900, 620)
        self.records = history.recent_runs()
        self.list = QListWidget()
        self.list.setAccessibleName("Recent runs")
        for record in self.records:
            item = QListWidgetItem(run_title(record))
            item.setToolTip(str(record.path))
            self.list.addItem(item)
        self.results = ResultsView()
        self.empty = QLabel("No runs yet: the reports of exports, imports and migrations appear here.")
        self.empty.setVisible(not self.records)
        self.list.currentRowChanged.connect(self.show_run)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.list)
        splitter.addWidget(self.results)
        splitter.setStretchFactor(1, 3)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        if self.records:
            self.list.setCurrentRow(0)
        else:
            self.results.hide()

    def show_run(self, row: int) -> None:
        if not 0 <= row < len(self.records):
            return
        record = self.records[row]
        report = record.report
        path = report.bundle_path
        from pathlib import Path

        self.results.set_report(report, headline=headline(report), bundle_path=Path(path) if path else None)
        self.results.on_ticked = lambda _report: record.save()

    @classmethod
    async def launch(cls, parent: QWidget | None) -> None:
        dialog = cls(parent)
        try:
            await show_modal(dialog)
        finally:
            dialog.deleteLater()

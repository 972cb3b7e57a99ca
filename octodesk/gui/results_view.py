"""Results of an export or import: how it ended, from where to where, counts per kind and action, what
failed, warnings, the follow-up checklist; save the report (JSON, HTML or text); open the bundle folder."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QStringListModel, QUrl
from PySide6.QtGui import QDesktopServices, QFontDatabase
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from octodesk.core.errors import OctoDeskError
from octodesk.core.report import Report
from octodesk.core.text import safe_lines
from octodesk.gui import dialogs
from octodesk.gui.outcome import local_time
from octodesk.gui.results_model import CountsModel, FollowUpModel
from octodesk.gui.wording import GUI_REMEDIES
from octodesk.gui.worker import spawn
from octodesk.render import kind_label, place_text, write_report
from octodesk.render.engines import by_engine_lines

log = logging.getLogger(__name__)


def open_folder(folder: Path) -> bool:
    """Show ``folder`` in the system file manager; False when no file manager could be started."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


def facts_text(report: Report) -> str:
    lines = []
    if report.source:
        lines.append(f"From {place_text(report.source)}")
    if report.target:
        lines.append(f"To {place_text(report.target)}")
    when = report.finished_at or report.started_at
    if when:
        lines.append(f"{local_time(when)} · OctoDesk {report.tool_version}")
    return "\n".join(lines)


class ResultsView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report: Report | None = None
        self.bundle_path: Path | None = None
        self.on_ticked: Callable[[Report], None] | None = None  # e.g. keep the ticks in "Recent runs"
        self.headline = QLabel()
        self.headline.setObjectName("titleLabel")
        self.headline.setWordWrap(True)
        self.facts = QLabel()
        self.facts.setWordWrap(True)
        self.bundle_label = QLabel()
        self.bundle_label.setWordWrap(True)
        self.bundle_label.setTextInteractionFlags(
            self.bundle_label.textInteractionFlags().TextSelectableByMouse
        )
        # Which engine did what, when the server engine ran (Octopus's task, then OctoDesk's additions).
        self.engines_label = QPlainTextEdit()
        self.engines_label.setReadOnly(True)
        self.engines_label.setAccessibleName("Who did what")
        self.engines_label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.engines_label.setMaximumHeight(self.engines_label.fontMetrics().lineSpacing() * 8 + 12)
        self.engines_label.hide()
        self.counts_model = CountsModel(self)
        self.counts_table = QTableView()
        self.counts_table.setModel(self.counts_model)
        self.counts_table.setAccessibleName("Counts per kind and action")
        self.counts_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.counts_table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.failures_title = QLabel()
        self.failures_title.setObjectName("errorLabel")
        self.failures_model = QStringListModel(self)
        self.failures_view = QListView()
        self.failures_view.setModel(self.failures_model)
        self.failures_view.setAccessibleName("Failed items")
        self.failures_view.setWordWrap(True)
        self.warnings_model = QStringListModel(self)
        self.warnings_view = QListView()
        self.warnings_view.setModel(self.warnings_model)
        self.warnings_view.setWordWrap(True)
        self.warnings_view.setLayoutMode(QListView.LayoutMode.Batched)
        self.warnings_view.setBatchSize(50)
        self.warnings_title = QLabel("Warnings")
        self.follow_ups_model = FollowUpModel(self)
        self.follow_ups_model.ticked.connect(self._ticked)
        self.follow_ups_view = QListView()
        self.follow_ups_view.setModel(self.follow_ups_model)
        self.follow_ups_view.setAccessibleName("Follow-ups")
        # A large import has thousands of follow-ups: one line each, all of one height, so showing them
        # costs no text layout per item (word wrap laid out 2,500 of them in up to 100 ms); the whole
        # message is in the tooltip and the saved report.
        self.follow_ups_view.setUniformItemSizes(True)
        self.follow_ups_view.setLayoutMode(QListView.LayoutMode.Batched)  # spread over event-loop turns
        self.follow_ups_view.setBatchSize(200)
        self.follow_ups_title = QLabel("Follow-ups (to do by hand)")
        self.save_button = QPushButton("&Save report…")
        self.save_button.clicked.connect(lambda: spawn(self.save_report()))
        self.open_folder_button = QPushButton("&Open bundle folder")
        self.open_folder_button.clicked.connect(self.open_bundle_folder)
        self.message = QLabel()
        self.message.setWordWrap(True)

        for button in (self.save_button, self.open_folder_button):
            button.setAutoDefault(False)  # Enter closes the window, never opens a file dialog
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.open_folder_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.headline)
        layout.addWidget(self.facts)
        layout.addWidget(self.bundle_label)
        layout.addWidget(self.engines_label, 2)
        layout.addWidget(self.counts_table, 4)
        layout.addWidget(self.failures_title)
        layout.addWidget(self.failures_view, 1)
        layout.addWidget(self.warnings_title)
        layout.addWidget(self.warnings_view, 1)
        layout.addWidget(self.follow_ups_title)
        layout.addWidget(self.follow_ups_view, 2)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

    def set_report(self, report: Report | None, *, headline: str, bundle_path: Path | None = None) -> None:
        self.report = report
        self.bundle_path = bundle_path
        self.headline.setText(headline)
        self.facts.setText(facts_text(report) if report is not None else "")
        self.bundle_label.setText(f"Bundle: {bundle_path}" if bundle_path else "")
        self.bundle_label.setVisible(bundle_path is not None)
        self.open_folder_button.setVisible(bundle_path is not None)
        by_engine = [line for line in by_engine_lines(report) if line] if report is not None else []
        self.engines_label.setPlainText(safe_lines(by_engine))
        self.engines_label.setVisible(bool(by_engine))
        self.counts_model.set_counts(report.counts if report is not None else {})
        failures = report.failures if report is not None else []
        self.failures_model.setStringList(
            [f"{kind_label(item.kind)} “{item.name}”: {item.reason}" for item in failures]
        )
        self.failures_title.setText(f"Failed ({len(failures)})")
        for widget in (self.failures_title, self.failures_view):
            widget.setVisible(bool(failures))
        warnings = list(report.warnings) if report is not None else []
        self.warnings_model.setStringList(warnings)
        self.warnings_title.setText(f"Warnings ({len(warnings)})")
        for widget in (self.warnings_title, self.warnings_view):
            widget.setVisible(bool(warnings))
        self.follow_ups_model.set_follow_ups(report.follow_ups if report is not None else [])
        self._update_follow_up_title()
        self.save_button.setEnabled(report is not None)
        self.message.clear()

    def _update_follow_up_title(self) -> None:
        total = self.follow_ups_model.rowCount()
        done = total - self.follow_ups_model.remaining()
        self.follow_ups_title.setText(f"Follow-ups to do by hand ({done} of {total} done)")

    def _ticked(self) -> None:
        self._update_follow_up_title()
        if self.report is not None and self.on_ticked is not None:
            self.on_ticked(self.report)

    def open_bundle_folder(self) -> None:
        if self.bundle_path is not None and not open_folder(self.bundle_path.parent):
            self.message.setText(
                f"No file manager could be opened. The bundle is in {self.bundle_path.parent}"
            )

    async def save_report(self) -> None:
        if self.report is None:
            return
        start = str(self.bundle_path.parent) if self.bundle_path else ""
        path = await dialogs.choose_report_path(self, start, f"octodesk-{self.report.operation}-report.html")
        if path is None:
            return
        try:
            write_report(self.report, path, GUI_REMEDIES)
        except OctoDeskError as error:
            self.message.setText(str(error))
            return
        log.info("Report saved to %s", path)
        self.message.setText(f"Report saved to {path}")

"""Results of an export or import: outcome, counts per kind and action, warnings, follow-up checklist,
Save report (JSON or HTML) and Open bundle folder."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStringListModel, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from octodesk.core.errors import OctoDeskError
from octodesk.gui import dialogs
from octodesk.gui.results_model import CountsModel, FollowUpModel
from octodesk.gui.worker import spawn

log = logging.getLogger(__name__)


def open_folder(folder: Path) -> bool:
    """Show ``folder`` in the system file manager."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


def write_report(report: Any, path: Path) -> None:
    """JSON, or HTML when the file name ends in .html (rendered by the core's report renderer)."""
    if path.suffix.lower() in (".html", ".htm"):
        from octodesk.render import to_html

        text = to_html(report)
    else:
        text = report.to_json()
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise OctoDeskError(f"Could not save the report to {path}: {error.strerror or error}") from None


class ResultsView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report: Any = None
        self.bundle_path: Path | None = None
        self.headline = QLabel()
        self.headline.setObjectName("titleLabel")
        self.headline.setWordWrap(True)
        self.bundle_label = QLabel()
        self.bundle_label.setWordWrap(True)
        self.bundle_label.setTextInteractionFlags(
            self.bundle_label.textInteractionFlags().TextSelectableByMouse
        )
        self.counts_model = CountsModel(self)
        self.counts_table = QTableView()
        self.counts_table.setModel(self.counts_model)
        self.counts_table.setAccessibleName("Counts per kind and action")
        self.counts_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.counts_table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.warnings_model = QStringListModel(self)
        self.warnings_view = QListView()
        self.warnings_view.setModel(self.warnings_model)
        self.warnings_view.setWordWrap(True)
        self.warnings_view.setLayoutMode(QListView.LayoutMode.Batched)
        self.warnings_view.setBatchSize(50)
        self.warnings_title = QLabel("Warnings")
        self.follow_ups_model = FollowUpModel(self)
        self.follow_ups_view = QListView()
        self.follow_ups_view.setModel(self.follow_ups_model)
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

        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.open_folder_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.headline)
        layout.addWidget(self.bundle_label)
        layout.addWidget(self.counts_table, 4)
        layout.addWidget(self.warnings_title)
        layout.addWidget(self.warnings_view, 1)
        layout.addWidget(self.follow_ups_title)
        layout.addWidget(self.follow_ups_view, 2)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

    def set_report(self, report: Any, *, headline: str, bundle_path: Path | None = None) -> None:
        self.report = report
        self.bundle_path = bundle_path
        self.headline.setText(headline)
        self.bundle_label.setText(f"Bundle: {bundle_path}" if bundle_path else "")
        self.bundle_label.setVisible(bundle_path is not None)
        self.open_folder_button.setVisible(bundle_path is not None)
        self.counts_model.set_counts(report.counts if report is not None else {})
        warnings = list(report.warnings) if report is not None else []
        self.warnings_model.setStringList(warnings)
        self.warnings_title.setText(f"Warnings ({len(warnings)})")
        self.warnings_view.setVisible(bool(warnings))
        follow_ups = list(report.follow_ups) if report is not None else []
        self.follow_ups_model.set_follow_ups(follow_ups)
        self.follow_ups_title.setText(f"Follow-ups to do by hand ({len(follow_ups)})")
        self.save_button.setEnabled(report is not None)
        self.message.clear()

    def open_bundle_folder(self) -> None:
        if self.bundle_path is not None:
            open_folder(self.bundle_path.parent)

    async def save_report(self) -> None:
        if self.report is None:
            return
        start = str(self.bundle_path.parent) if self.bundle_path else ""
        path = await dialogs.choose_report_path(self, start, f"octodesk-{self.report.operation}-report.json")
        if path is None:
            return
        try:
            write_report(self.report, path)
        except OctoDeskError as error:
            self.message.setText(str(error))
            return
        log.info("Report saved to %s", path)
        self.message.setText(f"Report saved to {path}")

"""Bundle housekeeping: where migrations keep their bundles (a folder the user may choose), the bundles in
it with their projects, dates and sizes, and deleting the ones no longer needed."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from octodesk.core.bundle import BundleFile, list_bundles
from octodesk.gui import dialogs
from octodesk.gui.dialogs import show_modal, unwritable_reason
from octodesk.gui.results_view import open_folder
from octodesk.gui.settings import Settings
from octodesk.gui.worker import spawn
from octodesk.render import plural

log = logging.getLogger(__name__)
COLUMNS = ("Bundle", "Projects", "Written", "Size")


def size_text(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    value = size / 1024
    for unit in ("KB", "MB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


class BundlesDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle("Bundles")
        self.setMinimumSize(860, 480)
        self.folder_label = QLabel()
        self.folder_label.setWordWrap(True)
        choose = QPushButton("&Choose folder…")
        choose.setAutoDefault(False)
        choose.clicked.connect(self._choose_folder)
        open_button = QPushButton("&Open folder")
        open_button.setAutoDefault(False)
        open_button.clicked.connect(lambda: open_folder(self.folder()))
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setAccessibleName("Bundles")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.delete_button = QPushButton("&Delete…")
        self.delete_button.setAutoDefault(False)
        self.delete_button.clicked.connect(lambda: spawn(self.delete_selected()))
        self.message = QLabel()
        self.message.setWordWrap(True)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_label, 1)
        folder_row.addWidget(choose)
        folder_row.addWidget(open_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.delete_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(folder_row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.bundles: list[BundleFile] = []
        self.refresh()

    def folder(self) -> Path:
        try:
            return self.settings.bundle_folder()
        except OSError:
            return Path(self.settings.bundles_dir)

    def refresh(self) -> None:
        folder = self.folder()
        self.folder_label.setText(f"Migrations keep their bundles in {folder}")
        self.bundles = list_bundles(folder)
        self.table.setRowCount(len(self.bundles))
        for row, bundle in enumerate(self.bundles):
            projects = ", ".join(bundle.projects) if bundle.summary else f"(unreadable: {bundle.problem})"
            written = datetime.fromtimestamp(bundle.modified).strftime("%Y-%m-%d %H:%M")
            for column, text in enumerate((bundle.path.name, projects, written, size_text(bundle.size))):
                item = QTableWidgetItem(text)
                item.setToolTip(str(bundle.path))
                if column == 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        self._selection_changed()

    def selected(self) -> list[BundleFile]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.bundles[row] for row in rows]

    def _selection_changed(self) -> None:
        self.delete_button.setEnabled(bool(self.selected()))

    async def delete_selected(self) -> None:
        chosen = self.selected()
        if not chosen:
            return
        names = ", ".join(bundle.path.name for bundle in chosen)
        question = (
            f"Delete {plural(len(chosen), 'bundle')}: {names}? A migration that stopped can only be "
            "continued with its bundle."
        )
        if not await dialogs.ask_yes_no(self, "Delete bundles", question):
            return
        problems = []
        for bundle in chosen:
            try:
                bundle.path.unlink()
                log.info("Deleted the bundle %s", bundle.path)
            except OSError as error:
                problems.append(f"{bundle.path.name}: {error.strerror or error}")
        self.refresh()
        self.message.setText("Could not delete " + "; ".join(problems) if problems else f"Deleted {names}.")

    def _choose_folder(self) -> None:
        dialog = QFileDialog(self, "Folder for bundles", str(self.folder()))
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.fileSelected.connect(self.use_folder)
        dialog.open()

    def use_folder(self, path: str) -> None:
        problem = unwritable_reason(Path(path) / "bundle.octobundle")
        if problem:
            self.message.setText(f"{problem} The bundles stay in {self.folder()}.")
            return
        self.settings.bundles_dir = path
        try:
            self.settings.save()
        except OSError as error:
            log.warning("Could not save the settings: %s", error)
        self.message.setText(f"New migrations keep their bundles in {path}.")
        self.refresh()

    @classmethod
    async def launch(cls, parent: QWidget | None, settings: Settings) -> None:
        dialog = cls(settings, parent)
        try:
            await show_modal(dialog)
        finally:
            dialog.deleteLater()

"""The engine choice, as the migrate wizard and Export show it: a plain table of what each engine carries
(with the sensitive values counted), the recommendation with its reason, and the user's pick, the server
engine disabled with the reason when it cannot move these projects."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from octodesk.core.server_engine import ENGINE_CLIENT, ENGINE_SERVER
from octodesk.gui.dialogs import show_modal
from octodesk.gui.engine_jobs import EngineOutlook
from octodesk.render.engines import capability_rows

CLIENT_TITLE = "Client engine (OctoDesk)"
SERVER_TITLE = "Server engine (Octopus's Export/Import)"


CLIENT_CHOICE = "&Client engine: OctoDesk's own export and import"
SERVER_CHOICE = "&Server engine: Octopus's own Export/Import Projects task"
RECOMMENDED = " (recommended)"


def recommendation_text(outlook: EngineOutlook) -> str:
    return f"Recommended: {outlook.recommended().reason}."


def unavailable_text(obstacles: list[str]) -> str:
    return "The server engine cannot be used: " + "; ".join(obstacles) + "." if obstacles else ""


class EngineChoiceView(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["", CLIENT_TITLE, SERVER_TITLE])
        self.table.setAccessibleName("What each engine carries")
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setWordWrap(True)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a table to read, not to edit
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.recommendation = QLabel()
        self.recommendation.setWordWrap(True)
        self.recommendation.setAccessibleName("Recommendation")
        self.client_radio = QRadioButton(CLIENT_CHOICE)
        self.server_radio = QRadioButton(SERVER_CHOICE)
        self.group = QButtonGroup(self)
        self.group.addButton(self.client_radio)
        self.group.addButton(self.server_radio)
        self.group.buttonToggled.connect(lambda _button, checked: self.changed.emit() if checked else None)
        self.unavailable = QLabel()
        self.unavailable.setWordWrap(True)
        self.unavailable.setObjectName("errorLabel")
        self.unavailable.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addSpacing(8)
        layout.addWidget(self.recommendation)
        layout.addWidget(self.client_radio)
        layout.addWidget(self.server_radio)
        layout.addWidget(self.unavailable)
        layout.addStretch(1)
        self.set_rows(capability_rows())

    def set_rows(self, rows: list[tuple[str, str, str]]) -> None:
        self.table.setRowCount(len(rows))
        for row, cells in enumerate(rows):
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()
        rows_height = sum(self.table.rowHeight(row) for row in range(len(rows)))
        frame = 2 * self.table.frameWidth()
        self.table.setFixedHeight(self.table.horizontalHeader().height() + rows_height + frame)

    def set_outlook(self, outlook: EngineOutlook, chosen: str = "") -> None:
        """Show what the choice rests on; ``chosen`` (the user's earlier pick) wins over the recommendation
        while it is still possible."""
        self.set_rows(capability_rows(outlook.sensitive_values, outlook.client_carries))
        self.recommendation.setText(recommendation_text(outlook))
        obstacles = outlook.server_obstacles()
        self.server_radio.setEnabled(not obstacles)
        self.server_radio.setToolTip(unavailable_text(obstacles))
        self.unavailable.setText(unavailable_text(obstacles))
        self.unavailable.setVisible(bool(obstacles))
        recommended = outlook.recommended().engine
        self.client_radio.setText(CLIENT_CHOICE + (RECOMMENDED if recommended == ENGINE_CLIENT else ""))
        self.server_radio.setText(SERVER_CHOICE + (RECOMMENDED if recommended == ENGINE_SERVER else ""))
        self.set_engine(chosen if chosen and not (chosen == ENGINE_SERVER and obstacles) else recommended)

    def set_engine(self, engine: str) -> None:
        (self.server_radio if engine == ENGINE_SERVER else self.client_radio).setChecked(True)

    def engine(self) -> str:
        return ENGINE_SERVER if self.server_radio.isChecked() else ENGINE_CLIENT


class ExportEngineDialog(QDialog):
    """Export's engine choice, once the source's projects were read."""

    def __init__(self, outlook: EngineOutlook, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export with which engine?")
        self.setMinimumSize(900, 420)
        self.view = EngineChoiceView()
        self.view.set_outlook(outlook)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.continue_button = buttons.addButton("&Continue", QDialogButtonBox.ButtonRole.AcceptRole)
        self.continue_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)

    @classmethod
    async def launch(cls, parent: QWidget | None, outlook: EngineOutlook) -> str | None:
        """The engine chosen, or None when the user cancelled the export."""
        dialog = cls(outlook, parent)
        try:
            if await show_modal(dialog) != QDialog.DialogCode.Accepted:
                return None
            return dialog.view.engine()
        finally:
            dialog.deleteLater()

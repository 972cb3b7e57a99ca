"""The preview of a server-engine import: Octopus's own preview per kind (create, or reuse of a same-named
resource on the target), what OctoDesk adds after Octopus's import, and refusals, warnings and follow-ups."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from octodesk.core.server_engine import ServerImportPlan
from octodesk.core.text import safe_lines, safe_text
from octodesk.gui.wording import GUI_REMEDIES
from octodesk.render import action_label, follow_up_text, kind_label, plural

COLUMNS = ["Kind", "Name", "Action", "Details"]


def summary_text(plan: ServerImportPlan) -> str:
    how = (
        "reads the export task itself (same instance)"
        if plan.same_instance and plan.import_source.get("Type") == "space"
        else "reads the uploaded Octopus export"
    )
    return (
        f"Octopus's own import into '{plan.space_name}' on {plan.target.server_url} "
        f"(Octopus {plan.target.version}) {how}: {plural(len(plan.items), 'resource')} in its preview."
    )


def notes_lines(plan: ServerImportPlan) -> list[str]:
    lines = []
    if plan.extras:
        lines += ["OctoDesk adds after Octopus's import:", *(f"  • {line}" for line in plan.extras)]
    if plan.warnings:
        lines += [f"Warnings ({len(plan.warnings)}):", *(f"  • {line}" for line in plan.warnings)]
    if plan.follow_ups:
        lines += [f"Follow-ups ({len(plan.follow_ups)}):"]
        lines += [f"  • {follow_up_text(item, GUI_REMEDIES)}" for item in plan.follow_ups]
    return lines


class ServerPreviewView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan: ServerImportPlan | None = None
        self.refusals_label = QLabel()
        self.refusals_label.setObjectName("errorBanner")
        self.refusals_label.setWordWrap(True)
        self.refusals_label.hide()
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setAccessibleName("Octopus's import preview")
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(False)
        header = self.table.horizontalHeader()
        for column in range(len(COLUMNS) - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.notes = QPlainTextEdit()
        self.notes.setReadOnly(True)
        self.notes.setAccessibleName("What OctoDesk adds, warnings and follow-ups")
        self.notes.setMaximumHeight(160)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.refusals_label)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.notes)

    @property
    def refused(self) -> bool:
        return self.plan is not None and self.plan.refused

    def set_plan(self, plan: ServerImportPlan) -> None:
        self.plan = plan
        refusals = [f"• {safe_text(line)}" for line in plan.refusals]
        self.refusals_label.setText(
            "\n".join([f"Refused ({len(plan.refusals)}): nothing will be written.", *refusals])
        )
        self.refusals_label.setVisible(plan.refused)
        self.summary_label.setText(safe_text(summary_text(plan)))
        self.table.setRowCount(len(plan.items))
        for row, item in enumerate(plan.items):
            cells = [kind_label(item.kind), item.name, action_label(item.action), ", ".join(item.details)]
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(safe_text(text))
                cell.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                self.table.setItem(row, column, cell)
        notes = notes_lines(plan)
        self.notes.setPlainText(safe_lines(notes))
        self.notes.setVisible(bool(notes))

"""Preview of an import plan: refusals and warnings on top, then the plan tree with the action per row."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QHeaderView, QLabel, QTreeView, QVBoxLayout, QWidget

from octodesk.gui.actions import ACTIONS
from octodesk.gui.plan_model import PlanTreeModel


def bullet_list(lines: list[str]) -> str:
    from html import escape

    return "".join(f"• {escape(line)}<br>" for line in lines)


class PreviewView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan: Any = None
        self.refusals_label = QLabel()
        self.refusals_label.setObjectName("errorBanner")
        self.refusals_label.setWordWrap(True)
        self.refusals_label.hide()
        self.warnings_label = QLabel()
        self.warnings_label.setObjectName("warningBanner")
        self.warnings_label.setWordWrap(True)
        self.warnings_label.hide()
        self.summary_label = QLabel("No plan yet.")
        self.summary_label.setWordWrap(True)
        self.model = PlanTreeModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setAccessibleName("Import plan")
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.refusals_label)
        layout.addWidget(self.warnings_label)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.tree, 1)

    @property
    def refused(self) -> bool:
        return bool(self.plan is not None and self.plan.refused)

    def set_plan(self, plan: Any) -> None:
        self.plan = plan
        self.model.set_plan(plan)
        refusals = list(plan.refusals) if plan is not None else []
        warnings = list(plan.warnings) if plan is not None else []
        self.refusals_label.setText(
            "<b>The import is refused; nothing will be written:</b><br>" + bullet_list(refusals)
        )
        self.refusals_label.setVisible(bool(refusals))
        self.warnings_label.setText(f"<b>Warnings ({len(warnings)}):</b><br>" + bullet_list(warnings))
        self.warnings_label.setVisible(bool(warnings))
        counts = self.model.action_counts()
        parts = [f"{counts[a]} {a}" for a in ACTIONS if counts.get(a)]
        follow_ups = len(plan.follow_ups) if plan is not None else 0
        self.summary_label.setText(
            (f"{sum(counts.values())} resources: " + ", ".join(parts) if parts else "The plan is empty.")
            + (f" · {follow_ups} follow-ups after the import" if follow_ups else "")
        )
        self.tree.expandToDepth(0)
        self._expand_items_with_details()
        for column in (0, 1):
            self.tree.resizeColumnToContents(column)

    def _expand_items_with_details(self) -> None:
        """Merge details (which variables will be added) are the point of a merge: show them open."""
        for kind_row in range(self.model.rowCount()):
            kind_index = self.model.index(kind_row, 0)
            for item_row in range(self.model.rowCount(kind_index)):
                item_index = self.model.index(item_row, 0, kind_index)
                if self.model.rowCount(item_index):
                    self.tree.expand(item_index)

    def first_index_with_action(self, action: str) -> QModelIndex:
        for kind_row in range(self.model.rowCount()):
            kind_index = self.model.index(kind_row, 0)
            for item_row in range(self.model.rowCount(kind_index)):
                item_index = self.model.index(item_row, 1, kind_index)
                if item_index.data() == action:
                    return item_index.siblingAtColumn(0)
        return QModelIndex()

"""Preview of an import plan that stays readable with hundreds of resources: refusals on top, then the plan
(filter by action, search, a detail pane with the full reason), the follow-ups and the warnings."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QItemSelection, QModelIndex, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QSplitter,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from octodesk.core.plan import ImportPlan, PlanItem
from octodesk.core.vocabulary import IMPORT_ACTIONS
from octodesk.gui.plan_model import ITEM_ROLE, PlanFilter, PlanTreeModel, describe_item
from octodesk.gui.wording import GUI_REMEDIES
from octodesk.render import action_label, category_label, follow_up_text, plural

ALL_ACTIONS = ""
DETAIL_HINT = "Select a resource to see everything the plan says about it."


def bullet_list(lines: list[str]) -> str:
    return "".join(f"• {escape(line)}<br>" for line in lines)


class PreviewView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan: ImportPlan | None = None
        self.refusals_label = QLabel()
        self.refusals_label.setObjectName("errorBanner")
        self.refusals_label.setWordWrap(True)
        self.refusals_label.hide()
        self.summary_label = QLabel("No plan yet.")
        self.summary_label.setWordWrap(True)
        self.packages_label = QLabel()
        self.packages_label.setWordWrap(True)
        self.packages_label.setTextFormat(Qt.TextFormat.PlainText)
        self.packages_label.hide()

        self.action_filter = QComboBox()
        self.action_filter.setAccessibleName("Show actions")
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search resources and reasons")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search the plan")
        self.action_filter.currentIndexChanged.connect(self._filter)
        self.search.textChanged.connect(self._filter)
        self.shown_label = QLabel()
        filters = QHBoxLayout()
        filters.addWidget(QLabel("Show:"))
        filters.addWidget(self.action_filter)
        filters.addWidget(self.search, 1)
        filters.addWidget(self.shown_label)

        self.model = PlanTreeModel(self)
        self.proxy = PlanFilter(self)
        self.proxy.setSourceModel(self.model)
        self.tree = QTreeView()
        self.tree.setModel(self.proxy)
        self.tree.setAccessibleName("Import plan")
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.tree.header()
        # Never wider than the view: the reason column takes what is left and elides; the full text is in
        # the detail pane and the tooltip.
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setMinimumSectionSize(60)
        self.tree.selectionModel().selectionChanged.connect(self._show_selected)
        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.detail.setAccessibleName("Details of the selected resource")
        self.detail.setPlaceholderText(DETAIL_HINT)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.tree)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        plan_tab = QWidget()
        plan_layout = QVBoxLayout(plan_tab)
        plan_layout.addLayout(filters)
        plan_layout.addWidget(splitter, 1)

        self.follow_ups = QListWidget()
        self.follow_ups.setAccessibleName("Follow-ups after the import")
        self.follow_ups.setWordWrap(True)
        self.warnings = QListWidget()
        self.warnings.setAccessibleName("Warnings")
        self.warnings.setWordWrap(True)
        self.tabs = QTabWidget()
        self.tabs.addTab(plan_tab, "&Plan")
        self.tabs.addTab(self.follow_ups, "&Follow-ups")
        self.tabs.addTab(self.warnings, "&Warnings")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.refusals_label)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.packages_label)
        layout.addWidget(self.tabs, 1)

    @property
    def refused(self) -> bool:
        return bool(self.plan is not None and self.plan.refused)

    def set_plan(self, plan: ImportPlan | None) -> None:
        self.plan = plan
        self.model.set_plan(plan)
        refusals = list(plan.refusals) if plan is not None else []
        self.refusals_label.setText(
            "<b>The import is refused; nothing will be written:</b><br>" + bullet_list(refusals)
        )
        self.refusals_label.setVisible(bool(refusals))
        counts = self.model.action_counts()
        parts = [f"{counts[a]} {a}" for a in IMPORT_ACTIONS if counts.get(a)]
        follow_ups = list(plan.follow_ups) if plan is not None else []
        warnings = list(plan.warnings) if plan is not None else []
        self.summary_label.setText(
            (
                f"{plural(sum(counts.values()), 'resource')}: " + ", ".join(parts)
                if parts
                else "The plan is empty."
            )
            + (f" · {plural(len(follow_ups), 'follow-up')} after the import" if follow_ups else "")
            + (f" · {plural(len(warnings), 'warning')}" if warnings else "")
        )
        packages = getattr(plan, "packages", None)  # plans of Octopus's own import have no package part
        self.packages_label.setText(f"Packages: {packages.storage_line()}" if packages else "")
        self.packages_label.setVisible(bool(packages and packages.decisions))
        self._fill_action_filter(counts)
        self.follow_ups.clear()
        self.follow_ups.addItems(
            [f"{category_label(f.category)}: {follow_up_text(f, GUI_REMEDIES)}" for f in follow_ups]
        )
        self.warnings.clear()
        self.warnings.addItems(warnings)
        self.tabs.setTabText(1, f"&Follow-ups ({len(follow_ups)})")
        self.tabs.setTabText(2, f"&Warnings ({len(warnings)})")
        self.detail.clear()
        self._filter()
        width = max(self.tree.viewport().width(), 600)
        self.tree.setColumnWidth(0, int(width * 0.38))
        self.tree.setColumnWidth(1, 110)

    def _fill_action_filter(self, counts: dict[str, int]) -> None:
        self.action_filter.blockSignals(True)
        self.action_filter.clear()
        self.action_filter.addItem(f"All actions ({sum(counts.values())})", ALL_ACTIONS)
        for action in IMPORT_ACTIONS:
            if counts.get(action):
                self.action_filter.addItem(f"{action_label(action)} ({counts[action]})", str(action))
        self.action_filter.blockSignals(False)

    def show_action(self, action: str) -> None:
        """Filter to one action ("" for all)."""
        position = self.action_filter.findData(action)
        self.action_filter.setCurrentIndex(max(0, position))

    def _filter(self) -> None:
        self.proxy.set_filter(str(self.action_filter.currentData() or ""), self.search.text())
        self.tree.expandToDepth(0)
        shown = sum(self.proxy.rowCount(self.proxy.index(row, 0)) for row in range(self.proxy.rowCount()))
        total = sum(self.model.action_counts().values())
        self.shown_label.setText(f"{shown} of {total} shown" if shown != total else "")

    def _show_selected(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        item = indexes[0].data(ITEM_ROLE) if indexes else None
        self.detail.setPlainText(describe_item(item) if isinstance(item, PlanItem) else "")

    def select(self, kind: str, name: str) -> QModelIndex:
        """Select (and show in the detail pane) one resource; its index in the view."""
        index = self.proxy.mapFromSource(self.model.find(kind, name))
        if index.isValid():
            self.tree.setCurrentIndex(index)
        return index

    def first_index_with_action(self, action: str) -> QModelIndex:
        for kind_row in range(self.model.rowCount()):
            kind_index = self.model.index(kind_row, 0)
            for item_row in range(self.model.rowCount(kind_index)):
                item = self.model.index(item_row, 0, kind_index).data(ITEM_ROLE)
                if isinstance(item, PlanItem) and item.action == action:
                    return self.model.index(item_row, 0, kind_index)
        return QModelIndex()

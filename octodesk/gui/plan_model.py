"""The import plan as a tree: kind → resource → detail lines (what a merge adds, what an update changes),
with the action per resource; and the filter (action, search) the preview puts over it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor

from octodesk.core.packages.copier import PACKAGE_KIND
from octodesk.core.plan import ImportPlan, PlanItem
from octodesk.core.plan.packages import CONFLICT_PREFIX
from octodesk.core.resources.kinds import sort_key
from octodesk.core.vocabulary import IMPORT_ACTIONS
from octodesk.gui.actions import action_colour, action_icon
from octodesk.gui.package_table import WARNING_COLOUR
from octodesk.gui.safe_display import safe_display_data
from octodesk.render import action_label, kind_label
from octodesk.render.words import ACTION_DESCRIPTIONS

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Resource", "Action", "Reason")
ACTION_ROLE = Qt.ItemDataRole.UserRole
ITEM_ROLE = Qt.ItemDataRole.UserRole + 1  # the PlanItem of a resource row (its detail rows too)


@dataclass
class _Detail:
    text: str
    item: _ItemNode


@dataclass
class _ItemNode:
    plan_item: PlanItem
    kind: _KindNode
    details: list[_Detail] = field(default_factory=list)


@dataclass
class _KindNode:
    name: str
    items: list[_ItemNode] = field(default_factory=list)

    def action_summary(self) -> str:
        counts = Counter(node.plan_item.action for node in self.items)
        ordered = [a for a in IMPORT_ACTIONS if a in counts] + sorted(
            a for a in counts if a not in IMPORT_ACTIONS
        )
        return ", ".join(f"{counts[a]} {a}" for a in ordered)


def is_package_conflict(item: PlanItem) -> bool:
    """A package version the target has with other contents: skipped, and worth the user's eye."""
    return item.kind == PACKAGE_KIND and str(item.reason or "").startswith(CONFLICT_PREFIX)


def describe_item(item: PlanItem) -> str:
    """Everything the plan says about one resource, for the detail pane and tooltips."""
    lines = [
        f"{kind_label(item.kind)} “{item.name}” {ACTION_DESCRIPTIONS.get(item.action, str(item.action))}.",
        f"Why: {item.reason}" if item.reason else "",
        "Created by the interrupted run of this import: it is completed, not created again."
        if item.resumed
        else "",
    ]
    lines += [f"• {detail}" for detail in item.details]
    return "\n".join(line for line in lines if line)


class PlanTreeModel(QAbstractItemModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._kinds: list[_KindNode] = []

    def set_plan(self, plan: ImportPlan | None) -> None:
        self.beginResetModel()
        kinds: dict[str, _KindNode] = {}
        for plan_item in plan.items if plan is not None else []:
            kind = kinds.setdefault(plan_item.kind, _KindNode(plan_item.kind))
            node = _ItemNode(plan_item, kind)
            node.details = [_Detail(str(text), node) for text in plan_item.details]
            kind.items.append(node)
        for kind in kinds.values():
            kind.items.sort(key=lambda n: str(n.plan_item.name).lower())
        self._kinds = sorted(kinds.values(), key=lambda k: sort_key(k.name))
        self.endResetModel()

    def action_counts(self) -> Counter[str]:
        return Counter(node.plan_item.action for kind in self._kinds for node in kind.items)

    def find(self, kind: str, name: str) -> QModelIndex:
        for row, kind_node in enumerate(self._kinds):
            if kind_node.name == kind:
                for child, node in enumerate(kind_node.items):
                    if node.plan_item.name == name:
                        return self.index(child, 0, self.index(row, 0))
        return QModelIndex()

    # --- QAbstractItemModel ---------------------------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if row < 0 or not 0 <= column < len(COLUMNS):
            return QModelIndex()
        if not parent.isValid():
            return (
                self.createIndex(row, column, self._kinds[row]) if row < len(self._kinds) else QModelIndex()
            )
        node = parent.internalPointer()
        children: list[Any] = node.items if isinstance(node, _KindNode) else getattr(node, "details", [])
        return self.createIndex(row, column, children[row]) if row < len(children) else QModelIndex()

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        node = index.internalPointer()
        if isinstance(node, _ItemNode):
            return self.createIndex(self._kinds.index(node.kind), 0, node.kind)
        if isinstance(node, _Detail):
            return self.createIndex(node.item.kind.items.index(node.item), 0, node.item)
        return QModelIndex()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._kinds)
        if parent.column() != 0:
            return 0
        node = parent.internalPointer()
        if isinstance(node, _KindNode):
            return len(node.items)
        if isinstance(node, _ItemNode):
            return len(node.details)
        return 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    @safe_display_data
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node = index.internalPointer()
        column = index.column()
        if isinstance(node, _KindNode):
            if role == Qt.ItemDataRole.DisplayRole and column < 2:
                return (
                    f"{kind_label(node.name)} ({len(node.items)})" if column == 0 else node.action_summary()
                )
            return None
        if isinstance(node, _Detail):
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole) and column == 0:
                return node.text
            if role == ITEM_ROLE:
                return node.item.plan_item
            return None
        item = node.plan_item
        action = str(item.action)
        if role == Qt.ItemDataRole.DisplayRole:
            name = f"{item.name} (resumed)" if item.resumed else str(item.name)
            return (name, action_label(action), str(item.reason or ""))[column]
        if role == Qt.ItemDataRole.DecorationRole and column == 1:
            return action_icon(action)
        if role == Qt.ItemDataRole.ForegroundRole and is_package_conflict(item):
            return QColor(WARNING_COLOUR)
        if role == Qt.ItemDataRole.ForegroundRole and column == 1:
            return action_colour(action)
        if role == Qt.ItemDataRole.ToolTipRole:
            return describe_item(item)
        if role == ACTION_ROLE:
            return action
        if role == ITEM_ROLE:
            return item
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class PlanFilter(QSortFilterProxyModel):
    """Resources with one action (or any), whose kind, name or reason contains the search text; a kind shows
    when one of its resources does, a resource's detail lines with it."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setRecursiveFilteringEnabled(True)
        self.setAutoAcceptChildRows(True)
        self.action = ""
        self.text = ""

    def set_filter(self, action: str, text: str) -> None:
        if not hasattr(self, "beginFilterChange"):  # Qt before 6.9
            self.action, self.text = action, text.strip().casefold()
            self.invalidateFilter()
            return
        self.beginFilterChange()
        self.action, self.text = action, text.strip().casefold()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        index = model.index(source_row, 0, source_parent)
        item = index.data(ITEM_ROLE)
        if not isinstance(item, PlanItem) or not source_parent.isValid() or source_parent.parent().isValid():
            return False  # kinds and detail lines follow their resources
        if self.action and str(item.action) != self.action:
            return False
        haystack = f"{kind_label(item.kind)} {item.name} {item.reason}".casefold()
        return not self.text or self.text in haystack

"""The import plan as a tree: kind → resource → detail lines, with the action per resource."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt

from octodesk.core.resources.kinds import ALL_KINDS
from octodesk.gui.actions import ACTION_DESCRIPTIONS, ACTIONS, action_colour, action_icon
from octodesk.gui.safe_display import safe_display_data

Index = QModelIndex | QPersistentModelIndex
KIND_ORDER = {kind.name: position for position, kind in enumerate(ALL_KINDS)}
COLUMNS = ("Resource", "Action", "Reason")


@dataclass
class _Detail:
    text: str
    item: _ItemNode


@dataclass
class _ItemNode:
    plan_item: Any
    kind: _KindNode
    details: list[_Detail] = field(default_factory=list)


@dataclass
class _KindNode:
    name: str
    items: list[_ItemNode] = field(default_factory=list)

    def action_summary(self) -> str:
        counts = Counter(node.plan_item.action for node in self.items)
        ordered = [a for a in ACTIONS if a in counts] + sorted(a for a in counts if a not in ACTIONS)
        return ", ".join(f"{counts[a]} {a}" for a in ordered)


class PlanTreeModel(QAbstractItemModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._kinds: list[_KindNode] = []

    def set_plan(self, plan: Any) -> None:
        self.beginResetModel()
        kinds: dict[str, _KindNode] = {}
        for plan_item in plan.items if plan is not None else []:
            kind = kinds.setdefault(plan_item.kind, _KindNode(plan_item.kind))
            node = _ItemNode(plan_item, kind)
            node.details = [_Detail(str(text), node) for text in (plan_item.details or [])]
            kind.items.append(node)
        for kind in kinds.values():
            kind.items.sort(key=lambda n: str(n.plan_item.name).lower())
        self._kinds = sorted(kinds.values(), key=lambda k: (KIND_ORDER.get(k.name, len(KIND_ORDER)), k.name))
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
            if role == Qt.ItemDataRole.DisplayRole:
                return (
                    f"{node.name} ({len(node.items)})"
                    if column == 0
                    else (node.action_summary() if column == 1 else None)
                )
            return None
        if isinstance(node, _Detail):
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole) and column == 0:
                return node.text
            return None
        item = node.plan_item
        action = str(item.action)
        if role == Qt.ItemDataRole.DisplayRole:
            return (str(item.name), action, str(item.reason or ""))[column]
        if role == Qt.ItemDataRole.DecorationRole and column == 1:
            return action_icon(action)
        if role == Qt.ItemDataRole.ForegroundRole and column == 1:
            return action_colour(action)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{item.kind} “{item.name}” {ACTION_DESCRIPTIONS.get(action, action)}." + (
                f"\n{item.reason}" if item.reason else ""
            )
        if role == Qt.ItemDataRole.UserRole:
            return action
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

"""Results of an export or import: counts per kind and action, and the follow-ups as a checklist."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from octodesk.core.resources.kinds import ALL_KINDS
from octodesk.gui.actions import ACTIONS, action_colour, action_icon

Index = QModelIndex | QPersistentModelIndex
EMPTY_CELL = "\u2013"  # an en dash: zero, without drawing the eye
KIND_ORDER = {kind.name: position for position, kind in enumerate(ALL_KINDS)}


class CountsModel(QAbstractTableModel):
    """Rows: kinds (plus a Total row); columns: the actions that occur (plus Total)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._kinds: list[str] = []
        self._actions: list[str] = []
        self._counts: dict[str, dict[str, int]] = {}

    def set_counts(self, counts: dict[str, dict[str, int]]) -> None:
        self.beginResetModel()
        self._counts = {kind: dict(per_action) for kind, per_action in counts.items()}
        self._kinds = sorted(self._counts, key=lambda k: (KIND_ORDER.get(k, len(KIND_ORDER)), k))
        present = {action for per_action in self._counts.values() for action in per_action}
        self._actions = [a for a in ACTIONS if a in present] + sorted(present - set(ACTIONS))
        self.endResetModel()

    def total(self, action: str | None = None) -> int:
        return sum(
            n for per_action in self._counts.values() for a, n in per_action.items() if action in (None, a)
        )

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or not self._kinds else len(self._kinds) + 1

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._actions) + 1

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            action = self._actions[section] if section < len(self._actions) else None
            if role == Qt.ItemDataRole.DisplayRole:
                return action.capitalize() if action else "Total"
            if role == Qt.ItemDataRole.DecorationRole and action:
                return action_icon(action)
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._kinds[section] if section < len(self._kinds) else "Total"
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        action = self._actions[column] if column < len(self._actions) else None
        if role == Qt.ItemDataRole.DisplayRole:
            if row < len(self._kinds):
                per_action = self._counts[self._kinds[row]]
                value = per_action.get(action, 0) if action else sum(per_action.values())
            else:
                value = self.total(action)
            return str(value) if value else EMPTY_CELL
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and action and index.data() != EMPTY_CELL:
            return action_colour(action)
        return None


class FollowUpModel(QAbstractListModel):
    """Follow-ups the user must do by hand, as a checklist they can tick off while working through it."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._items: list[Any] = []
        self._done: list[bool] = []

    def set_follow_ups(self, follow_ups: list[Any]) -> None:
        self.beginResetModel()
        self._items = list(follow_ups)
        self._done = [False] * len(self._items)
        self.endResetModel()

    def remaining(self) -> int:
        return self._done.count(False)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self._items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if not item.name or item.name in item.message:
                return item.message  # the message already names its subject
            return f"{item.kind} “{item.name}”: {item.message}".strip()
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if self._done[index.row()] else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{item.message}\n\nCategory: {item.category}"
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.CheckStateRole:
            return False
        self._done[index.row()] = Qt.CheckState(value) == Qt.CheckState.Checked
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        return True

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable

"""Results of an export or import: counts per kind and action, and the follow-ups as a checklist."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from octodesk.core.report import FAILED_COLUMN, FollowUp
from octodesk.core.resources.kinds import sort_key
from octodesk.gui.actions import action_colour, action_icon
from octodesk.gui.safe_display import safe_display_data
from octodesk.gui.wording import GUI_REMEDIES
from octodesk.render import action_label, category_label, follow_up_text, kind_label, ordered_columns

Index = QModelIndex | QPersistentModelIndex
EMPTY_CELL = "\u2013"  # an en dash: zero, without drawing the eye


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
        self._kinds = sorted(self._counts, key=sort_key)
        self._actions = ordered_columns(
            {action for per_action in self._counts.values() for action in per_action}
        )
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
                if action == FAILED_COLUMN:
                    return "Failed"
                return action_label(action) if action else "Total"
            if role == Qt.ItemDataRole.DecorationRole and action:
                return action_icon(action)
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return kind_label(self._kinds[section]) if section < len(self._kinds) else "Total"
        return None

    @safe_display_data
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
    """Follow-ups the user must do by hand, as a checklist they tick off while working through it; the
    ticks live on the follow-ups themselves, so a saved report (and a reopened run) keeps them."""

    ticked = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._items: list[FollowUp] = []

    def set_follow_ups(self, follow_ups: list[FollowUp]) -> None:
        self.beginResetModel()
        self._items = follow_ups
        self.endResetModel()

    def remaining(self) -> int:
        return sum(not item.done for item in self._items)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    @safe_display_data
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self._items[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            text = follow_up_text(item, GUI_REMEDIES)
            if item.name and item.name not in text:  # unless the message already names its subject
                text = f"{kind_label(item.kind)} “{item.name}”: {text}"
            if role == Qt.ItemDataRole.DisplayRole:
                return " ".join(text.split())  # one line each: the list lays out no wrapped text
            return f"{text}\n\nCategory: {category_label(item.category)}"
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if item.done else Qt.CheckState.Unchecked
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.CheckStateRole:
            return False
        self._items[index.row()].done = Qt.CheckState(value) == Qt.CheckState.Checked
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        self.ticked.emit()
        return True

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable

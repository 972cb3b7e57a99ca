"""The two-level tree both the project list and the sensitive-values list are: groups, each with its
members. Subclasses keep ``groups`` (objects with a ``members`` list; each member knows its ``group``)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex

Index = QModelIndex | QPersistentModelIndex


class GroupedModel(QAbstractItemModel):
    column_count = 1

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.groups: list[Any] = []

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if row < 0 or not 0 <= column < self.column_count:
            return QModelIndex()
        if not parent.isValid():
            return (
                self.createIndex(row, column, self.groups[row]) if row < len(self.groups) else QModelIndex()
            )
        node = parent.internalPointer()
        members = getattr(node, "members", None)
        if members is not None and parent.column() == 0 and row < len(members):
            return self.createIndex(row, column, members[row])
        return QModelIndex()

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        group = getattr(index.internalPointer(), "group", None)
        if group is None:
            return QModelIndex()
        return self.createIndex(self.groups.index(group), 0, group)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self.groups)
        members = getattr(parent.internalPointer(), "members", None)
        return len(members) if members is not None and parent.column() == 0 else 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return self.column_count

"""The source project list as a tree: project group → project, with check boxes for the export selection."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal

from octodesk.gui.grouped_model import GroupedModel, Index
from octodesk.gui.safe_display import safe_display_data

VERSION_CONTROLLED_REASON = (
    "Version-controlled (Config as Code) project: its process lives in Git, "
    "so Octopus export/import does not support it."
)


class ProjectLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def group(self) -> str: ...
    @property
    def is_version_controlled(self) -> bool: ...
    @property
    def description(self) -> str: ...


@dataclass
class _ProjectNode:
    project: Any
    group: _GroupNode
    checked: bool = False

    @property
    def selectable(self) -> bool:
        return not self.project.is_version_controlled


@dataclass
class _GroupNode:
    name: str
    members: list[_ProjectNode] = field(default_factory=list)


class ProjectListModel(GroupedModel):
    """Two levels: groups (sorted by name) and their projects (sorted by name). Groups are tri-state."""

    selection_changed = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.groups: list[_GroupNode] = []

    # --- content ------------------------------------------------------------------------------------

    def set_projects(self, projects: Iterable[ProjectLike]) -> None:
        self.beginResetModel()
        groups: dict[str, _GroupNode] = {}
        for project in sorted(projects, key=lambda p: p.name.lower()):
            group_name = project.group or "(no group)"
            group = groups.setdefault(group_name, _GroupNode(group_name))
            group.members.append(_ProjectNode(project, group))
        self.groups = sorted(groups.values(), key=lambda g: g.name.lower())
        self.endResetModel()
        self.selection_changed.emit()

    def clear(self) -> None:
        self.set_projects([])

    def projects(self) -> list[Any]:
        return [node.project for g in self.groups for node in g.members]

    def total_count(self) -> int:
        return sum(len(g.members) for g in self.groups)

    def selectable_count(self) -> int:
        return sum(node.selectable for g in self.groups for node in g.members)

    def checked_names(self) -> list[str]:
        return [node.project.name for g in self.groups for node in g.members if node.checked]

    def set_all_checked(self, checked: bool, names: Iterable[str] | None = None) -> None:
        """Check or uncheck every selectable project, or only those in ``names``."""
        wanted = set(names) if names is not None else None
        for group in self.groups:
            for node in group.members:
                if node.selectable and (wanted is None or node.project.name in wanted):
                    node.checked = checked
        self._emit_all_changed()

    def set_checked_names(self, names: Iterable[str]) -> None:
        wanted = set(names)
        for group in self.groups:
            for node in group.members:
                node.checked = node.selectable and node.project.name in wanted
        self._emit_all_changed()

    def _emit_all_changed(self) -> None:
        for row, group in enumerate(self.groups):
            group_index = self.index(row, 0)
            self.dataChanged.emit(group_index, group_index, [Qt.ItemDataRole.CheckStateRole])
            if group.members:
                first = self.index(0, 0, group_index)
                last = self.index(len(group.members) - 1, 0, group_index)
                self.dataChanged.emit(first, last, [Qt.ItemDataRole.CheckStateRole])
        self.selection_changed.emit()

    # --- QAbstractItemModel ---------------------------------------------------------------------------

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        node = index.internalPointer()
        if isinstance(node, _GroupNode):
            flags = (
                Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsAutoTristate
            )
            if not any(p.selectable for p in node.members):
                flags &= ~Qt.ItemFlag.ItemIsEnabled
            return flags | Qt.ItemFlag.ItemIsSelectable
        if not node.selectable:
            return Qt.ItemFlag.ItemIsSelectable  # shown, not enabled: the tooltip says why
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable

    @safe_display_data
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node = index.internalPointer()
        if isinstance(node, _GroupNode):
            return self._group_data(node, role)
        project = node.project
        if role == Qt.ItemDataRole.DisplayRole:
            return project.name + ("  (version-controlled)" if project.is_version_controlled else "")
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if node.checked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole:
            if project.is_version_controlled:
                return VERSION_CONTROLLED_REASON
            return project.description or None
        if role == Qt.ItemDataRole.UserRole:
            return project.name
        return None

    def _group_data(self, group: _GroupNode, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{group.name} ({len(group.members)})"
        if role == Qt.ItemDataRole.CheckStateRole:
            selectable = [p for p in group.members if p.selectable]
            checked = sum(p.checked for p in selectable)
            if selectable and checked == len(selectable):
                return Qt.CheckState.Checked
            return Qt.CheckState.PartiallyChecked if checked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.UserRole:
            return None
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.CheckStateRole:
            return False
        checked = Qt.CheckState(value) == Qt.CheckState.Checked if not isinstance(value, bool) else value
        node = index.internalPointer()
        if isinstance(node, _GroupNode):
            for project in node.members:
                if project.selectable:
                    project.checked = checked
            self._emit_all_changed()
            return True
        if not node.selectable:
            return False
        node.checked = checked
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        group_index = self.parent(index)
        self.dataChanged.emit(group_index, group_index, [Qt.ItemDataRole.CheckStateRole])
        self.selection_changed.emit()
        return True


class ProjectFilterProxy(QSortFilterProxyModel):
    """Filters projects by a case-insensitive substring of their name; groups stay when a child matches."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setRecursiveFilteringEnabled(True)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterRole(Qt.ItemDataRole.UserRole)

    def visible_project_names(self) -> list[str]:
        names = []
        for row in range(self.rowCount()):
            group = self.index(row, 0)
            for child in range(self.rowCount(group)):
                names.append(self.index(child, 0, group).data(Qt.ItemDataRole.UserRole))
        return names

"""The package versions a migration would copy, one row each: id, version, size and what the target has
of it (not there: copied; the same file: skipped; other contents: a conflict, in the warning colour, with
the core's reason)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from octodesk.core.packages.decide import CONFLICT, COPY, PackageDecision, PackagePlan, human_bytes
from octodesk.gui.safe_display import safe_display_data

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Package", "Version", "Size", "On the target")
WARNING_COLOUR = "#c07a12"  # the warning banner's accent: readable on light and dark palettes


def target_state(decision: PackageDecision) -> str:
    if decision.resumed:
        return "Copied by the stopped run"
    if decision.action == COPY:
        return "Not there: copy"
    if decision.action == CONFLICT:
        return "Other contents: conflict, left as it is"
    return "Same contents: skip"


class PackageTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.decisions: list[PackageDecision] = []

    def set_plan(self, plan: PackagePlan | None) -> None:
        self.beginResetModel()
        self.decisions = list(plan.decisions) if plan is not None else []
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.decisions)

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
        decision = self.decisions[index.row()]
        version = decision.version
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                version.package_id,
                version.version,
                human_bytes(version.size),
                target_state(decision),
            )[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{version.label}: {decision.reason}"
        if role == Qt.ItemDataRole.ForegroundRole and decision.action == CONFLICT:
            return QColor(WARNING_COLOUR)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

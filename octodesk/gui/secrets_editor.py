"""The sensitive values an export needs, grouped by project (or shared resource) with readable labels, as
one list that stays usable with hundreds of values: search, a masked value per row, a count, a secrets file
to load, and a template file to fill in offline. Used by the export dialog and the migrate wizard's page."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from octodesk.core.errors import OctoDeskError
from octodesk.core.redact import register_secret
from octodesk.core.resources.secret_refs import SecretRef, read_secrets_file, secrets_template, unknown_refs
from octodesk.gui.grouped_model import GroupedModel, Index
from octodesk.gui.password_dialog import PasswordField
from octodesk.gui.secret_labels import describe

MASK = "•" * 8
COLUMNS = ("Sensitive value", "Value")
REF_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass
class _Entry:
    ref: SecretRef
    label: str
    group: _Group


@dataclass
class _Group:
    name: str
    order: int
    members: list[_Entry] = field(default_factory=list)


class SecretsModel(GroupedModel):
    """Groups → entries; column 1 holds the value (shown masked, edited in a masked field)."""

    values_changed = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.column_count = len(COLUMNS)
        self._values: dict[str, str] = {}

    def set_refs(self, refs: list[SecretRef], values: dict[str, str]) -> None:
        self.beginResetModel()
        groups: dict[str, _Group] = {}
        for ref in refs:
            label = describe(ref.ref)
            group = groups.setdefault(label.group, _Group(label.group, label.order))
            group.members.append(_Entry(ref, label.label, group))
        self.groups = sorted(groups.values(), key=lambda g: (g.order, g.name.casefold()))
        for group in self.groups:
            group.members.sort(key=lambda e: e.label.casefold())
        known = {ref.ref for ref in refs}
        self._values = {ref: value for ref, value in values.items() if ref in known and value}
        self.endResetModel()
        self.values_changed.emit()

    def refs(self) -> list[str]:
        return [entry.ref.ref for group in self.groups for entry in group.members]

    def values(self) -> dict[str, str]:
        return dict(self._values)

    def set_value(self, ref: str, value: str) -> bool:
        for row, group in enumerate(self.groups):
            for child, entry in enumerate(group.members):
                if entry.ref.ref == ref:
                    return self.setData(self.index(child, 1, self.index(row, 0)), value)
        return False

    # --- QAbstractItemModel ---------------------------------------------------------------------------

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node = index.internalPointer()
        if isinstance(node, _Group):
            if role == Qt.ItemDataRole.DisplayRole and index.column() == 0:
                filled = sum(entry.ref.ref in self._values for entry in node.members)
                return f"{node.name} ({filled} of {len(node.members)})"
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            return None
        value = self._values.get(node.ref.ref, "")
        if role == Qt.ItemDataRole.DisplayRole:
            return node.label if index.column() == 0 else (MASK if value else "")
        if role == Qt.ItemDataRole.EditRole and index.column() == 1:
            return value
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{node.ref.description}\n{node.ref.ref}"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{node.label}: {'set' if value else 'empty'}"
        if role == REF_ROLE:
            return node.ref.ref
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        node = index.internalPointer() if index.isValid() else None
        if not isinstance(node, _Entry) or index.column() != 1 or role != Qt.ItemDataRole.EditRole:
            return False
        text = str(value or "")
        if text:
            register_secret(text)
            self._values[node.ref.ref] = text
        else:
            self._values.pop(node.ref.ref, None)
        self.dataChanged.emit(self.index(index.row(), 0, index.parent()), index)
        group_index = self.parent(index)
        self.dataChanged.emit(group_index, group_index)
        self.values_changed.emit()
        return True

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if isinstance(index.internalPointer(), _Entry) and index.column() == 1:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags


class _MaskedDelegate(QStyledItemDelegate):
    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        editor = PasswordField(parent)
        editor.setAccessibleName(str(index.model().index(index.row(), 0, index.parent()).data()))
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        if isinstance(editor, QLineEdit):
            editor.setText(str(index.data(Qt.ItemDataRole.EditRole) or ""))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        if isinstance(editor, QLineEdit):
            model.setData(index, editor.text(), Qt.ItemDataRole.EditRole)


class SecretsEditor(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = SecretsModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setRecursiveFilteringEnabled(True)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(0)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search sensitive values")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search sensitive values")
        self.search.textChanged.connect(self._filter)
        self.tree = QTreeView()
        self.tree.setModel(self.proxy)
        self.tree.setAccessibleName("Sensitive values")
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setItemDelegateForColumn(1, _MaskedDelegate(self.tree))
        self.tree.setEditTriggers(
            QTreeView.EditTrigger.DoubleClicked
            | QTreeView.EditTrigger.EditKeyPressed
            | QTreeView.EditTrigger.AnyKeyPressed
            | QTreeView.EditTrigger.SelectedClicked
        )
        # Typing on a row edits its value, whichever cell of the row was clicked.
        self.tree.selectionModel().currentChanged.connect(self._to_value_cell)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(1, 220)
        self.load_button = QPushButton("&Load secrets file…")
        self.load_button.setToolTip('A JSON file {"secrets": {"<reference>": "<value>"}}')
        self.load_button.clicked.connect(self._browse_load)
        self.template_button = QPushButton("Save &template…")
        self.template_button.setToolTip(
            "Save every reference with an empty value, to fill in offline and load here (or pass to "
            "octodesk export --secrets-file). The values you typed are not written."
        )
        self.template_button.clicked.connect(self._browse_template)
        self.count_label = QLabel()
        self.message = QLabel()
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.load_button)
        buttons.addWidget(self.template_button)
        buttons.addStretch(1)
        buttons.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.model.values_changed.connect(self._values_changed)

    def set_refs(self, refs: list[SecretRef], values: dict[str, str] | None = None) -> None:
        self.model.set_refs(refs, values or {})
        self.tree.expandAll()
        self.message.clear()

    def values(self) -> dict[str, str]:
        return self.model.values()

    def _to_value_cell(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.column() == 0 and current.parent().isValid():
            self.tree.setCurrentIndex(current.siblingAtColumn(1))

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        self.tree.expandAll()

    def _values_changed(self) -> None:
        total, filled = len(self.model.refs()), len(self.model.values())
        self.count_label.setText(f"{filled} of {total} entered · {total - filled} become follow-ups")
        self.changed.emit()

    def _browse_load(self) -> None:
        dialog = QFileDialog(self, "Secrets file")
        dialog.setNameFilter("JSON files (*.json);;All files (*)")
        dialog.fileSelected.connect(self.load_file)
        dialog.open()

    def _browse_template(self) -> None:
        dialog = QFileDialog(self, "Save secrets template", str(Path.home() / "octodesk-secrets.json"))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter("JSON files (*.json)")
        dialog.setDefaultSuffix("json")
        dialog.fileSelected.connect(self.save_template)
        dialog.open()

    def load_file(self, path: str) -> None:
        try:
            supplied = read_secrets_file(path)
        except OctoDeskError as error:
            self.message.setText(str(error))
            return
        refs = set(self.model.refs())
        for ref, value in supplied.items():
            register_secret(value)
            if ref in refs:
                self.model.set_value(ref, value)
        unknown = unknown_refs(supplied, refs)
        text = f"Loaded {len(supplied) - len(unknown)} values from {path}."
        if unknown:
            text += f" {len(unknown)} references in the file are not needed here: {', '.join(unknown)}"
        self.message.setText(text)

    def save_template(self, path: str) -> None:
        try:
            Path(path).write_text(secrets_template(self.model.refs()), encoding="utf-8")
        except OSError as error:
            self.message.setText(f"Could not save the template to {path}: {error.strerror or error}")
            return
        self.message.setText(
            f"Template saved to {path}: fill in the values, then load it here. It holds no values."
        )

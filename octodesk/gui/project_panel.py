"""The source project list: search box, grouped tree with check boxes, select all/none, counts."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QTreeView, QVBoxLayout, QWidget

from octodesk.gui.project_model import ProjectFilterProxy, ProjectLike, ProjectListModel


class ProjectPanel(QWidget):
    selection_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ProjectListModel(self)
        self.proxy = ProjectFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search projects")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search projects")
        self.search.textChanged.connect(self._filter)
        self.tree = QTreeView()
        self.tree.setModel(self.proxy)
        self.tree.setHeaderHidden(True)
        self.tree.setAccessibleName("Source projects")
        self.tree.setUniformRowHeights(True)
        self.select_all_button = QPushButton("Select &all")
        self.select_all_button.setToolTip("Select every project shown (respects the search)")
        self.select_all_button.clicked.connect(lambda: self.set_shown_checked(True))
        self.select_none_button = QPushButton("Select &none")
        self.select_none_button.clicked.connect(lambda: self.set_shown_checked(False))
        self.count_label = QLabel()
        self.placeholder = QLabel("Connect a source server to list its projects.")
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)

        buttons = QHBoxLayout()
        buttons.addWidget(self.select_all_button)
        buttons.addWidget(self.select_none_button)
        buttons.addStretch(1)
        buttons.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.placeholder)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        self.model.selection_changed.connect(self._update_counts)
        self.model.selection_changed.connect(self.selection_changed)
        self._update_counts()
        self.tree.hide()

    def set_projects(self, projects: Iterable[ProjectLike]) -> None:
        self.model.set_projects(projects)
        self.tree.expandAll()
        self.tree.setVisible(True)
        self.placeholder.setVisible(self.model.total_count() == 0)
        self.placeholder.setText("This space has no projects.")

    def clear(self, message: str) -> None:
        self.model.clear()
        self.tree.hide()
        self.placeholder.setText(message)
        self.placeholder.show()

    def checked_names(self) -> list[str]:
        return self.model.checked_names()

    def set_shown_checked(self, checked: bool) -> None:
        self.model.set_all_checked(checked, self.proxy.visible_project_names())

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        self.tree.expandAll()
        self._update_counts()

    def _update_counts(self) -> None:
        total = self.model.total_count()
        shown = len(self.proxy.visible_project_names())
        selected = len(self.model.checked_names())
        disabled = total - self.model.selectable_count()
        text = f"{selected} of {total} selected"
        if shown != total:
            text += f" · {shown} shown"
        if disabled:
            text += f" · {disabled} version-controlled"
        self.count_label.setText(text)

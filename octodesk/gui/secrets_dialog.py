"""Sensitive values for an export: the Octopus API never returns them, so only values entered here (or
loaded from a secrets file) travel in the bundle, encrypted. Empty fields become follow-ups."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from octodesk.core.errors import OctoDeskError
from octodesk.core.redact import register_secret
from octodesk.gui.dialogs import show_modal
from octodesk.gui.password_dialog import PasswordField


class SecretsDialog(QDialog):
    def __init__(self, refs: list[Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sensitive values")
        self.setMinimumSize(720, 480)
        intro = QLabel(
            f"These projects use {len(refs)} sensitive values. The Octopus API never returns them, so the "
            "bundle carries only the values you enter here (encrypted with the bundle password). "
            "Leave a field empty to set that value on the target by hand later: it is listed as a follow-up."
        )
        intro.setWordWrap(True)
        self.fields: dict[str, PasswordField] = {}
        form_widget = QWidget()
        form = QFormLayout(form_widget)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)  # references are long: label above
        for ref in refs:
            label = QLabel(ref.ref)
            label.setToolTip(ref.description)
            field = PasswordField()
            field.setAccessibleName(ref.ref)
            field.setToolTip(ref.description)
            field.textChanged.connect(self._update_count)
            label.setBuddy(field)
            form.addRow(label, field)
            self.fields[ref.ref] = field
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(form_widget)
        self.load_button = QPushButton("&Load secrets file…")
        self.load_button.setToolTip('JSON {"secrets": {"<reference>": "<value>"}}, as for octodesk export')
        self.load_button.clicked.connect(self._browse)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.count_label = QLabel()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = buttons.addButton("&Continue", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.load_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.count_label)
        layout.addWidget(buttons)
        self._update_count()

    def values(self) -> dict[str, str]:
        return {ref: field.text() for ref, field in self.fields.items() if field.text()}

    def _update_count(self) -> None:
        carried = len(self.values())
        self.count_label.setText(
            f"{carried} of {len(self.fields)} values will be carried; "
            f"{len(self.fields) - carried} become follow-ups."
        )

    def _browse(self) -> None:
        dialog = QFileDialog(self, "Secrets file")
        dialog.setNameFilter("JSON files (*.json);;All files (*)")
        dialog.fileSelected.connect(self.load_file)
        dialog.open()

    def load_file(self, path: str) -> None:
        from octodesk.core.resources.secret_refs import read_secrets_file, unknown_refs

        try:
            supplied = read_secrets_file(path)
        except OctoDeskError as error:
            self.message.setText(str(error))
            return
        for ref, value in supplied.items():
            register_secret(value)
            if ref in self.fields:
                self.fields[ref].setText(value)
        unknown = unknown_refs(supplied, self.fields)
        loaded = len(supplied) - len(unknown)
        text = f"Loaded {loaded} values from {path}."
        if unknown:
            text += f" {len(unknown)} references in the file are not needed here: {', '.join(unknown)}"
        self.message.setText(text)

    @classmethod
    async def launch(cls, parent: QWidget | None, refs: list[Any]) -> dict[str, str] | None:
        """The values entered (references → values), or None when the user cancelled the export."""
        dialog = cls(refs, parent)
        try:
            if await show_modal(dialog) != QDialog.DialogCode.Accepted:
                return None
            values = dialog.values()
            for value in values.values():
                register_secret(value)
            return values
        finally:
            dialog.deleteLater()


async def ask_secret_values(parent: QWidget | None, refs: list[Any]) -> dict[str, str] | None:
    """Values for the references only the user can supply; {} when there are none; None when cancelled."""
    from octodesk.core.resources.secret_refs import CARRIED_BY_USER

    user_refs = [ref for ref in refs if ref.carried_by == CARRIED_BY_USER]
    if not user_refs:
        return {}
    return await SecretsDialog.launch(parent, user_refs)

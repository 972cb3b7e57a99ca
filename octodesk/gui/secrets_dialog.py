"""Sensitive values for an export: the Octopus API never returns them, so only values entered here (or
loaded from a secrets file) travel in the bundle, encrypted. Empty ones become follow-ups."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from octodesk.core.resources.secret_refs import CARRIED_BY_USER, SecretRef
from octodesk.gui.dialogs import show_modal
from octodesk.gui.secrets_editor import SecretsEditor

INTRO = (
    "These projects use {count} sensitive values the Octopus API never returns, so the bundle carries only "
    "the values you enter here (encrypted with the bundle password). Leave a value empty to set it on the "
    "target by hand later: it is listed as a follow-up."
)


def user_refs(refs: list[SecretRef]) -> list[SecretRef]:
    """The references only the user can supply (certificates the server exports are not asked for)."""
    return [ref for ref in refs if ref.carried_by == CARRIED_BY_USER]


class SecretsDialog(QDialog):
    def __init__(self, refs: list[SecretRef], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sensitive values")
        self.setMinimumSize(760, 520)
        intro = QLabel(INTRO.format(count=len(refs)))
        intro.setWordWrap(True)
        self.editor = SecretsEditor()
        self.editor.set_refs(refs)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.continue_button = buttons.addButton("&Continue", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.editor, 1)
        layout.addWidget(buttons)

    def values(self) -> dict[str, str]:
        return self.editor.values()

    @classmethod
    async def launch(cls, parent: QWidget | None, refs: list[SecretRef]) -> dict[str, str] | None:
        """The values entered (references → values), or None when the user cancelled the export."""
        dialog = cls(refs, parent)
        try:
            if await show_modal(dialog) != QDialog.DialogCode.Accepted:
                return None
            return dialog.values()
        finally:
            dialog.deleteLater()


async def ask_secret_values(parent: QWidget | None, refs: list[SecretRef]) -> dict[str, str] | None:
    """Values for the references only the user can supply; {} when there are none; None when cancelled."""
    wanted = user_refs(refs)
    if not wanted:
        return {}
    return await SecretsDialog.launch(parent, wanted)

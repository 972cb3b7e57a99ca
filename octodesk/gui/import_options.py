"""The choices that change an import plan, in one box the import window and the migrate wizard share.

Each choice is a check box; ``changed`` asks for a new plan. Add a choice here (and to ``options()``) and
both places offer it.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QVBoxLayout, QWidget

from octodesk.core.plan import ImportOptions

PLACEHOLDER_SECRETS_LABEL = (
    "Create accounts whose secrets the bundle lacks with &placeholder values (listed as follow-ups)"
)


class ImportOptionsBox(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.update_existing = QCheckBox("&Update projects that already exist on the target (promotion)")
        self.update_existing.setToolTip(
            "Instead of refusing, replace their deployment process, channels and runbooks and update "
            "their variables from the bundle (variables only the target has are kept)."
        )
        self.placeholder_secrets = QCheckBox(PLACEHOLDER_SECRETS_LABEL)
        self.placeholder_secrets.setToolTip(
            "Without it, an import that must create something whose secret the bundle does not carry is "
            "refused before any write."
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for box in self.boxes():
            layout.addWidget(box)
            box.toggled.connect(lambda _checked: self.changed.emit())

    def boxes(self) -> list[QCheckBox]:
        return [self.update_existing, self.placeholder_secrets]

    def options(self) -> ImportOptions:
        return ImportOptions(
            update_existing=self.update_existing.isChecked(),
            placeholder_secrets=self.placeholder_secrets.isChecked(),
        )

    def set_enabled(self, enabled: bool) -> None:
        """Off while a plan is being made: a change then would not reach it."""
        for box in self.boxes():
            box.setEnabled(enabled)

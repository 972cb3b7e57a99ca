"""Bundle password: export asks for it twice with a strength hint; import asks once and can say "wrong"."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QAction, QColor, QIcon, QPainter, QPainterPath, QPalette, QPen, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from octodesk.core.passwords import estimate_strength, password_problem
from octodesk.core.redact import register_secret
from octodesk.gui.dialogs import show_modal
from octodesk.gui.safe_display import plain_label


def password_strength(password: str) -> tuple[int, str]:
    """The core policy's estimate for the password fields: a score 0-4 and a hint (empty for no text)."""
    strength = estimate_strength(password)
    return strength.score, strength.hint if password else ""


def eye_icon(colour: QColor, crossed: bool) -> QIcon:
    """An eye (or a crossed-out eye) drawn in the text colour: icon themes are missing on many systems."""
    pixmap = QPixmap(32, 32)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(colour, 2.5))
    outline = QPainterPath()
    outline.moveTo(3, 16)
    outline.quadTo(16, 3, 29, 16)
    outline.quadTo(16, 29, 3, 16)
    painter.drawPath(outline)
    painter.setBrush(colour)
    painter.drawEllipse(QRectF(11.5, 11.5, 9, 9))
    if crossed:
        painter.drawLine(QPointF(6, 27), QPointF(26, 5))
    painter.end()
    return QIcon(pixmap)


class PasswordField(QLineEdit):
    """A masked line edit with a show/hide toggle at its end."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEchoMode(QLineEdit.EchoMode.Password)
        text_colour = self.palette().color(QPalette.ColorRole.Text)
        self._show_icon = eye_icon(text_colour, crossed=False)
        self._hide_icon = eye_icon(text_colour, crossed=True)
        self.toggle_action = QAction(self._show_icon, "Show", self)
        self.toggle_action.setCheckable(True)
        self.toggle_action.setToolTip("Show or hide the text")
        self.toggle_action.toggled.connect(self.set_revealed)
        self.addAction(self.toggle_action, QLineEdit.ActionPosition.TrailingPosition)

    def set_revealed(self, revealed: bool) -> None:
        self.setEchoMode(QLineEdit.EchoMode.Normal if revealed else QLineEdit.EchoMode.Password)
        self.toggle_action.setText("Hide" if revealed else "Show")
        self.toggle_action.setIcon(self._hide_icon if revealed else self._show_icon)
        if self.toggle_action.isChecked() != revealed:
            self.toggle_action.setChecked(revealed)


class PasswordDialog(QDialog):
    def __init__(
        self, mode: str, *, error: str = "", prompt: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        if mode not in ("export", "import"):
            raise ValueError(f"unknown password dialog mode {mode!r}")
        self.mode = mode
        self.setWindowTitle("Bundle password")
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        default_prompt = (
            "Choose a password to encrypt the bundle. You need it to import the bundle; "
            "it cannot be recovered."
            if mode == "export"
            else "Enter the password the bundle was exported with."
        )
        self.prompt_label = QLabel()
        plain_label(self.prompt_label, prompt or default_prompt)  # the prompt may quote a bundle's manifest
        self.prompt_label.setWordWrap(True)
        layout.addWidget(self.prompt_label)

        self.error_label = QLabel(error)
        self.error_label.setObjectName("errorLabel")
        self.error_label.setWordWrap(True)
        self.error_label.setVisible(bool(error))
        layout.addWidget(self.error_label)

        form = QFormLayout()
        self.password = PasswordField()
        self.password.setAccessibleName("Password")
        form.addRow("&Password:", self.password)
        self.confirm = PasswordField()
        self.confirm.setAccessibleName("Confirm password")
        self.strength_label = QLabel()
        self.strength_label.setObjectName("hintLabel")
        self.strength_label.setWordWrap(True)
        if mode == "export":
            form.addRow("&Confirm:", self.confirm)
            form.addRow("", self.strength_label)
        else:
            self.confirm.hide()
            self.strength_label.hide()
        layout.addLayout(form)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        self.password.textChanged.connect(self._update)
        self.confirm.textChanged.connect(self._update)
        self.password.toggle_action.toggled.connect(self.confirm.set_revealed)
        self._update()
        self.password.setFocus()

    def _update(self) -> None:
        text = self.password.text()
        if self.mode == "import":
            self.ok_button.setEnabled(bool(text))
            return
        _score, hint = password_strength(text)
        if text and self.confirm.text() and self.confirm.text() != text:
            hint = "The two passwords do not match."
        self.strength_label.setText(hint)
        self.ok_button.setEnabled(password_problem(text) is None and self.confirm.text() == text)

    @property
    def ok_button(self) -> QWidget:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def value(self) -> str:
        return self.password.text()

    @classmethod
    async def launch(
        cls, parent: QWidget | None, mode: str, *, error: str = "", prompt: str = ""
    ) -> str | None:
        """The password the user entered, or None when they cancelled."""
        dialog = cls(mode, error=error, prompt=prompt, parent=parent)
        try:
            if await show_modal(dialog) != QDialog.DialogCode.Accepted:
                return None
            password = dialog.value()
            register_secret(password)
            return password
        finally:
            dialog.deleteLater()

"""The bundle password: chosen twice for a new bundle; for a stopped migration being continued, the
password of its bundle, checked before moving on."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel

from octodesk.core.errors import BundleError, WrongPassword
from octodesk.core.passwords import password_problem
from octodesk.core.redact import register_secret
from octodesk.gui.jobs import check_password_job
from octodesk.gui.migrate.page import MigrationContext, MigrationPage
from octodesk.gui.password_dialog import PasswordField, password_strength
from octodesk.gui.runner import run_quietly


class PasswordPage(MigrationPage):
    step = "Password"

    def __init__(self, context: MigrationContext) -> None:
        super().__init__(context)
        self.setTitle("Bundle password")
        self.password = PasswordField()
        self.password.setAccessibleName("Password")
        self.confirm = PasswordField()
        self.confirm.setAccessibleName("Confirm password")
        self.password.toggle_action.toggled.connect(self.confirm.set_revealed)
        self.confirm_label = QLabel("&Confirm:")
        self.confirm_label.setBuddy(self.confirm)
        self.hint = QLabel()
        self.hint.setObjectName("hintLabel")
        self.hint.setWordWrap(True)
        self.location = QLabel()
        self.location.setWordWrap(True)
        self.location_label = QLabel("Bundle folder:")
        form = QFormLayout(self)
        form.addRow("&Password:", self.password)
        form.addRow(self.confirm_label, self.confirm)
        form.addRow("", self.hint)
        form.addRow(self.location_label, self.location)
        self.password.textChanged.connect(self._update)
        self.confirm.textChanged.connect(self._update)

    def initializePage(self) -> None:
        resuming = self.migration.resuming
        self.confirm.setVisible(not resuming)
        self.confirm_label.setVisible(not resuming)
        if resuming:
            self.setSubTitle("Enter the password of the stopped migration's bundle.")
            bundle = self.migration.resume.summary.bundle_path if self.migration.resume else ""
            self.location_label.setText("Bundle:")
            self.location.setText(bundle)
        else:
            self.setSubTitle(
                "The bundle is encrypted with this password. Keep it: importing the bundle again needs it."
            )
            self.location_label.setText("Bundle folder:")
            try:
                self.location.setText(str(self.host.state.settings.bundle_folder()))
            except OSError as error:
                self.location.setText(f"The bundle folder cannot be used: {error.strerror or error}")
        self._update()

    def _update(self) -> None:
        text = self.password.text()
        if self.migration.resuming:
            self.hint.setText("")
        else:
            _score, hint = password_strength(text)
            if self.confirm.text() and self.confirm.text() != text:
                hint = "The two passwords do not match."
            self.hint.setText(hint)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        text = self.password.text()
        if self.checking:
            return False
        if self.migration.resuming:
            return bool(text)
        return password_problem(text) is None and self.confirm.text() == text

    def validatePage(self) -> bool:
        password = self.password.text()
        register_secret(password)
        self.migration.password = password
        if not self.migration.resuming or self.migration.resume is None:
            return True
        bundle = self.migration.resume.summary.bundle_path
        return self.validate_with((bundle, password), lambda: self._opens(bundle, password))

    async def _opens(self, bundle: str, password: str) -> bool:
        from pathlib import Path

        try:
            await run_quietly(check_password_job(Path(bundle), password))
        except WrongPassword:
            self.hint.setText("Wrong password: the bundle could not be decrypted with it.")
            return False
        except BundleError as error:
            self.hint.setText(f"The stopped migration's bundle cannot be used: {error}")
            return False
        return True

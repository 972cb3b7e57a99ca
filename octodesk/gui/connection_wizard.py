"""Connection wizard: server URL, API key, TLS, a background "Test connection", then the space.

Enter (or Next) tests the connection when it has not been tested with exactly these values, and goes on
when the server said yes; focus never lands on Cancel, so Enter can never cancel by surprise.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from octodesk.core.cancel import CancelToken
from octodesk.core.errors import (
    AuthenticationFailed,
    ConnectionFailed,
    InvalidServerUrl,
    NotAnOctopusServer,
    OctoDeskError,
    PermissionDenied,
    RequestTimedOut,
    TlsError,
)
from octodesk.core.octopus.http import normalise_server_url
from octodesk.core.octopus.probe import ServerProbe
from octodesk.core.progress import no_progress
from octodesk.core.redact import register_secret
from octodesk.gui import keystore
from octodesk.gui.connection import Connection, verify_option
from octodesk.gui.dialogs import show_modal
from octodesk.gui.jobs import probe_job
from octodesk.gui.password_dialog import PasswordField
from octodesk.gui.settings import RecentServer, Settings
from octodesk.gui.worker import run_in_worker, spawn
from octodesk.render import hosting_label

log = logging.getLogger(__name__)

HEADINGS: list[tuple[type[OctoDeskError], str]] = [
    (InvalidServerUrl, "Invalid server URL"),
    (PermissionDenied, "Permission denied (403)"),
    (TlsError, "TLS/certificate problem"),
    (RequestTimedOut, "Server did not answer in time"),
    (ConnectionFailed, "Server unreachable"),
    (NotAnOctopusServer, "Not an Octopus Server"),
]
REJECTED_KEY = (
    "The server rejected this API key (401): check it, or create one under your profile → My API Keys."
)


def describe_failure(error: OctoDeskError) -> str:
    """One inline message: a short heading for the kind of failure, then the engine's explanation. A
    rejected key is one sentence: the engine's text would say the same thing again."""
    if isinstance(error, AuthenticationFailed):
        return REJECTED_KEY
    for error_type, heading in HEADINGS:
        if isinstance(error, error_type):
            return f"{heading}: {error}"
    return str(error)


class ServerPage(QWizardPage):
    """URL, key and TLS; complete only once "Test connection" succeeded for exactly these values."""

    probe_finished = Signal(bool)  # True when the server answered and accepted the key

    def __init__(self, settings: Settings, initial: Connection | None) -> None:
        super().__init__()
        self.settings = settings
        self.setTitle("Server")
        self.setSubTitle("Where is the Octopus Server, and which API key should OctoDesk use?")
        self.probe: ServerProbe | None = None
        self.probe_task: asyncio.Task[None] | None = None
        self._probe_cancel = CancelToken()
        self._probe_values: tuple[str, str, bool | str] | None = None
        self._busy = False

        self.url_edit = QComboBox()
        self.url_edit.setEditable(True)
        self.url_edit.setAccessibleName("Server URL")
        url_line = self.url_edit.lineEdit()
        assert url_line is not None
        url_line.setPlaceholderText("https://octopus.example.com")
        self.url_edit.addItems([s.url for s in settings.recent_servers])
        self.url_edit.setCurrentText(initial.url if initial else "")
        self.api_key_edit = PasswordField()
        self.api_key_edit.setAccessibleName("API key")
        self.api_key_edit.setPlaceholderText("API-XXXXXXXXXXXXXXXXXXXXXXXXXX")
        if initial:
            self.api_key_edit.setText(initial.api_key)
        self.remember_key = QCheckBox("&Remember the API key in the system keyring")
        self.keyring_note = QLabel()
        self.keyring_note.setObjectName("hintLabel")
        self.keyring_note.setWordWrap(True)
        keyring_problem = keystore.keyring_problem()
        if keyring_problem:
            self.remember_key.setEnabled(False)
            self.keyring_note.setText(keyring_problem)
        else:
            self.keyring_note.hide()
        self.verify_tls = QCheckBox("&Verify the server's TLS certificate (recommended)")
        self.verify_tls.setChecked(initial.verify_tls if initial else True)
        self.ca_file = QLineEdit(initial.ca_file if initial else "")
        self.ca_file.setPlaceholderText("optional: PEM file of CA certificates to trust")
        self.ca_file.setAccessibleName("CA certificates file")
        browse = QPushButton("Browse…")
        browse.setAutoDefault(False)
        browse.clicked.connect(self._browse_ca)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_file, 1)
        ca_row.addWidget(browse)

        self.test_button = QPushButton("&Test connection")
        self.test_button.setAutoDefault(False)  # Enter always means Next (which tests first when needed)
        self.test_button.clicked.connect(self.start_probe)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setObjectName("statusLabel")
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.busy)
        test_row.addStretch(1)

        form = QFormLayout()
        form.addRow("Server &URL:", self.url_edit)
        form.addRow("&API key:", self.api_key_edit)
        form.addRow("", self.remember_key)
        form.addRow("", self.keyring_note)
        form.addRow("", self.verify_tls)
        ca_label = QLabel("CA &file:")
        ca_label.setBuddy(self.ca_file)
        form.addRow(ca_label, ca_row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(test_row)
        layout.addWidget(self.status)
        layout.addStretch(1)

        self.url_edit.currentTextChanged.connect(self._values_changed)
        self.url_edit.currentTextChanged.connect(self._fill_from_recent)
        self.api_key_edit.textChanged.connect(self._values_changed)
        self.verify_tls.toggled.connect(self._values_changed)
        self.verify_tls.toggled.connect(self.ca_file.setEnabled)
        self.ca_file.textChanged.connect(self._values_changed)
        if initial is None and settings.recent_servers:
            self.url_edit.setCurrentText(settings.recent_servers[0].url)
            self._fill_from_recent(settings.recent_servers[0].url)

    def _fill_from_recent(self, url: str) -> None:
        recent = self.settings.find_server(url)
        if recent is None:
            return
        self.verify_tls.setChecked(recent.verify_tls)
        self.ca_file.setText(recent.ca_file)
        self.remember_key.setChecked(recent.remember_key and self.remember_key.isEnabled())
        if recent.remember_key and not self.api_key_edit.text():
            self.api_key_edit.setText(keystore.load_api_key(recent.url) or "")

    def _browse_ca(self) -> None:
        dialog = QFileDialog(self, "CA certificates", self.ca_file.text())
        dialog.setNameFilter("PEM certificates (*.pem *.crt *.cer);;All files (*)")
        dialog.fileSelected.connect(self.ca_file.setText)
        dialog.open()

    def current_values(self) -> tuple[str, str, bool | str]:
        return (
            self.url_edit.currentText().strip().rstrip("/"),
            self.api_key_edit.text().strip(),
            verify_option(self.verify_tls.isChecked(), self.ca_file.text().strip()),
        )

    def _values_changed(self) -> None:
        if self.probe is not None and self._probe_values != self.current_values():
            self.probe = None
            self._show_state("Settings changed: test the connection again.", "")
        self.completeChanged.emit()

    def tested(self) -> bool:
        return self.probe is not None and self._probe_values == self.current_values()

    def isComplete(self) -> bool:
        """Next is on as soon as there is something to test: it tests first when needed."""
        url, api_key, _verify = self.current_values()
        return bool(url and api_key) and not self._busy

    def validatePage(self) -> bool:
        if self.tested():
            return True
        self.start_probe(then_continue=True)
        return False

    def start_probe(self, then_continue: bool = False) -> None:
        if not self._busy:
            self.probe_task = spawn(self.run_probe(then_continue))

    async def abandon_probe(self) -> None:
        """The wizard is closing: stop waiting for a running test (its result is no longer wanted)."""
        task = self.probe_task
        if task is not None and not task.done():
            self._probe_cancel.cancel()  # the worker stops before its next request
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def run_probe(self, then_continue: bool = False) -> None:
        url, api_key, verify = self.current_values()
        try:
            url = normalise_server_url(url)
        except InvalidServerUrl as error:
            self._show_result(describe_failure(error), ok=False, focus=self.url_edit)
            return
        if not api_key:
            self._show_result(
                "Enter the API key (your profile → My API Keys in Octopus).",
                ok=False,
                focus=self.api_key_edit,
            )
            return
        register_secret(api_key)
        self._set_busy(True)
        self._show_state(f"Connecting to {url}…", "")
        try:
            self._probe_cancel = CancelToken()
            probe = await run_in_worker(probe_job(url, api_key, verify), no_progress, self._probe_cancel)
        except OctoDeskError as error:
            log.info("Connection test to %s failed: %s", url, error)
            self._set_busy(False)
            wrong_key = isinstance(error, AuthenticationFailed)
            self._show_result(
                describe_failure(error), ok=False, focus=self.api_key_edit if wrong_key else self.url_edit
            )
            return
        self.probe = probe
        self._probe_values = self.current_values()
        hosting = hosting_label(probe.hosting)
        log.info("Connected to %s (Octopus %s, %s)", probe.url, probe.version, hosting)
        self._set_busy(False)
        self._show_result(
            f"Connected: Octopus Server {probe.version}, {hosting}.", ok=True, focus=self.test_button
        )
        wizard = self.wizard()
        if then_continue and wizard is not None and wizard.currentPage() is self:
            wizard.next()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy.setVisible(busy)
        # Disabling the focused button would pass focus on (to Cancel, next in line): keep it in the form.
        if busy and self.test_button.hasFocus():
            self.api_key_edit.setFocus()
        self.test_button.setEnabled(not busy)
        self.completeChanged.emit()

    def _show_state(self, text: str, state: str) -> None:
        self.status.setText(text)
        self.status.setProperty("state", state)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)

    def _show_result(self, text: str, ok: bool, focus: QWidget | None = None) -> None:
        self._show_state(text, "ok" if ok else "error")
        if focus is not None and self.isVisible():
            focus.setFocus()
        self.probe_finished.emit(ok)


class SpacePage(QWizardPage):
    def __init__(self, server_page: ServerPage, initial: Connection | None) -> None:
        super().__init__()
        self.server_page = server_page
        self.initial_space = initial.space if initial else ""
        self.setTitle("Space")
        self.setSubTitle("Choose the space to work in.")
        self.server_label = QLabel()
        self.version_label = QLabel()
        self.hosting_label = QLabel()
        self.space_combo = QComboBox()
        self.space_combo.setAccessibleName("Space")
        self.space_combo.currentTextChanged.connect(lambda _text: self.completeChanged.emit())
        form = QFormLayout(self)
        form.addRow("Server:", self.server_label)
        form.addRow("Version:", self.version_label)
        form.addRow("Hosting:", self.hosting_label)
        form.addRow("&Space:", self.space_combo)

    def initializePage(self) -> None:
        probe = self.server_page.probe
        if probe is None:
            return
        self.server_label.setText(probe.url)
        self.version_label.setText(probe.version)
        self.hosting_label.setText(hosting_label(probe.hosting))
        recent = self.server_page.settings.find_server(probe.url)
        preferred = self.initial_space or (recent.space if recent else "")
        self.space_combo.clear()
        self.space_combo.addItems(probe.spaces)
        if preferred in probe.spaces:
            self.space_combo.setCurrentText(preferred)
        elif "Default" in probe.spaces:
            self.space_combo.setCurrentText("Default")

    def isComplete(self) -> bool:
        return bool(self.space_combo.currentText())


class ConnectionWizard(QWizard):
    def __init__(
        self,
        role: str,
        settings: Settings,
        initial: Connection | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle(f"Connect to the {role} server")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setMinimumSize(620, 460)
        self.server_page = ServerPage(settings, initial)
        self.space_page = SpacePage(self.server_page, initial)
        self.addPage(self.server_page)
        self.addPage(self.space_page)
        self.keyring_message = ""
        cancel = self.button(QWizard.WizardButton.CancelButton)
        cancel.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Escape cancels; Enter never does
        if isinstance(cancel, QPushButton):
            cancel.setAutoDefault(False)

    def connection(self) -> Connection:
        probe = self.server_page.probe
        if probe is None:
            raise RuntimeError("connection() before a successful connection test")
        return Connection.from_probe(
            probe,
            self.server_page.api_key_edit.text().strip(),
            self.space_page.space_combo.currentText(),
            verify_tls=self.server_page.verify_tls.isChecked(),
            ca_file=self.server_page.ca_file.text().strip(),
        )

    def save_settings(self) -> None:
        """Called on Finish only: recent servers in settings, the key in the keyring when asked."""
        connection = self.connection()
        remember = self.server_page.remember_key.isChecked()
        self.settings.remember_server(
            RecentServer(
                connection.url, connection.space, connection.verify_tls, connection.ca_file, remember
            )
        )
        self.settings.save()
        if remember:
            try:
                keystore.save_api_key(connection.url, connection.api_key)
            except keystore.KeyringUnavailable as error:
                self.keyring_message = str(error)
                log.warning("%s", error)
        else:
            keystore.forget_api_key(connection.url)

    def accept(self) -> None:
        self.save_settings()
        super().accept()

    @classmethod
    async def launch(
        cls, parent: QWidget | None, role: str, settings: Settings, initial: Connection | None = None
    ) -> Connection | None:
        wizard = cls(role, settings, initial, parent)
        try:
            if await show_modal(wizard) != QWizard.DialogCode.Accepted:
                return None
            return wizard.connection()
        finally:
            await wizard.server_page.abandon_probe()
            wizard.deleteLater()

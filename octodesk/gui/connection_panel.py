"""A source or target connection at a glance: server, version, hosting, space, state; Connect… button."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from octodesk.gui.connection import Connection
from octodesk.gui.safe_display import plain_label


class ConnectionPanel(QGroupBox):
    connect_requested = Signal()

    def __init__(self, role: str, parent: QWidget | None = None) -> None:
        super().__init__(f"{role.capitalize()}", parent)
        self.role = role
        self.connection: Connection | None = None
        self.server_label = QLabel()
        self.version_label = QLabel()
        self.hosting_label = QLabel()
        self.space_label = QLabel()
        self.state_label = QLabel()
        self.state_label.setObjectName("statusLabel")
        for label in (self.server_label, self.space_label):
            label.setWordWrap(True)
        self.connect_button = QPushButton(f"Connect {role}…")
        self.connect_button.setAccessibleName(f"Connect to the {role} server")
        self.connect_button.clicked.connect(self.connect_requested)
        form = QFormLayout()
        form.addRow("Server:", self.server_label)
        form.addRow("Version:", self.version_label)
        form.addRow("Hosting:", self.hosting_label)
        form.addRow("Space:", self.space_label)
        form.addRow("State:", self.state_label)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.connect_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(row)
        self.set_connection(None)

    def set_connection(self, connection: Connection | None) -> None:
        self.connection = connection
        plain_label(self.server_label, connection.url if connection else "—")
        plain_label(self.version_label, connection.version if connection else "—")  # as the server said
        self.hosting_label.setText(connection.hosting_label if connection else "—")
        self.space_label.setText(connection.space if connection else "—")
        self.set_state("Connected" if connection else "Not connected", "ok" if connection else "")
        self.connect_button.setText(f"Change {self.role}…" if connection else f"Connect {self.role}…")

    def set_state(self, text: str, state: str = "") -> None:
        self.state_label.setText(text)
        self.state_label.setProperty("state", state)
        self.state_label.style().unpolish(self.state_label)
        self.state_label.style().polish(self.state_label)

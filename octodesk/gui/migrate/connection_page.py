"""The source and target pages: the connection (changed through the connection wizard), and on the target
page what is known as soon as both servers are: the same space, a target older than the source, and an
earlier migration of these projects that stopped and can be continued."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QLabel, QVBoxLayout

from octodesk.core.plan import version_refusal
from octodesk.gui import history
from octodesk.gui.connection import Connection
from octodesk.gui.connection_panel import ConnectionPanel
from octodesk.gui.migrate.page import MigrationContext, MigrationPage
from octodesk.gui.outcome import local_time
from octodesk.gui.state import Role
from octodesk.gui.worker import spawn


class ConnectionPage(MigrationPage):
    role = Role.SOURCE

    def __init__(self, context: MigrationContext) -> None:
        super().__init__(context)
        self.panel = ConnectionPanel(str(self.role))
        self.panel.connect_requested.connect(lambda: spawn(self.host.connect_server(self.role)))
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setObjectName("errorLabel")
        self.layout_ = QVBoxLayout(self)
        self.layout_.addWidget(self.panel)
        self.layout_.addWidget(self.note)
        # A bound method, not a lambda: Qt drops the connection when the page is deleted with its wizard.
        self.context.app.connection_changed.connect(self._connection_changed)

    def _connection_changed(self, _role: str) -> None:
        self.initializePage()

    @property
    def connection(self) -> Connection | None:
        return self.context.app.connection(self.role)

    def initializePage(self) -> None:
        self.panel.set_connection(self.connection)
        self.note.setText(self.problem())
        self.completeChanged.emit()

    def problem(self) -> str:
        """Why this connection cannot be used for the migration ("" when it can)."""
        return ""

    def isComplete(self) -> bool:
        return self.connection is not None and not self.problem()


class SourcePage(ConnectionPage):
    step = "Source"
    role = Role.SOURCE

    def __init__(self, context: MigrationContext) -> None:
        super().__init__(context)
        self.setTitle("Source server")
        self.setSubTitle("Projects are exported from this space.")
        self.layout_.addStretch(1)

    def validatePage(self) -> bool:
        self.migration.source = self.connection
        return self.connection is not None


class TargetPage(ConnectionPage):
    step = "Target"
    role = Role.TARGET

    def __init__(self, context: MigrationContext) -> None:
        super().__init__(context)
        self.setTitle("Target server")
        self.setSubTitle("The bundle is imported into this space.")
        self.resume_box = QCheckBox("&Continue the migration of these projects that stopped")
        self.resume_box.setChecked(True)
        self.resume_detail = QLabel()
        self.resume_detail.setWordWrap(True)
        self.resume_detail.setObjectName("hintLabel")
        for widget in (self.resume_box, self.resume_detail):
            widget.hide()
            self.layout_.addWidget(widget)
        self.layout_.addStretch(1)
        self.unfinished: history.RunRecord | None = None

    def initializePage(self) -> None:
        target = self.connection
        self.unfinished = (
            history.unfinished_migration(self.migration.projects, target.url, target.space)
            if target
            else None
        )
        if self.unfinished is not None:
            report = self.unfinished.summary
            self.resume_detail.setText(
                f"It stopped on {local_time(report.finished_at or report.started_at)}. Its bundle is kept "
                f"({report.bundle_path}): the import continues where it stopped and writes nothing twice. "
                "Untick to export a new bundle instead."
            )
        for widget in (self.resume_box, self.resume_detail):
            widget.setVisible(self.unfinished is not None)
        super().initializePage()

    def problem(self) -> str:
        target, source = self.connection, self.context.app.connection(Role.SOURCE)
        if target is None or source is None:
            return ""
        if target.same_space(source):
            return "The target is the same space as the source; choose another space."
        return version_refusal(source.version, target.version) or ""

    def validatePage(self) -> bool:
        self.migration.target = self.connection
        self.migration.resume = self.unfinished if self.resume_box.isChecked() else None
        return self.isComplete()

"""The sensitive values the export needs and only the user can give. What is typed stays in the migration
state, so Back and Next keep it; the list can be saved as a template to fill in offline."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout

from octodesk.gui.jobs import secret_refs_job
from octodesk.gui.migrate.page import MigrationContext, MigrationPage
from octodesk.gui.run_view import RunView
from octodesk.gui.runner import JobFailed, Runner
from octodesk.gui.secrets_dialog import INTRO
from octodesk.gui.secrets_editor import SecretsEditor
from octodesk.gui.worker import spawn

NONE_NEEDED = "These projects have no sensitive values to enter: go on to the preview."


class SecretsPage(MigrationPage):
    step = "Sensitive values"

    def __init__(self, context: MigrationContext) -> None:
        super().__init__(context)
        self.setTitle("Sensitive values")
        self.setSubTitle("Values the export carries, encrypted; what you leave empty becomes a follow-up.")
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.editor = SecretsEditor()
        self.editor.changed.connect(self._keep_values)
        self.run_view = RunView()
        self.runner = Runner(self.run_view)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.run_view)
        self.stack.addWidget(self.editor)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.stack, 1)
        self.loaded = False

    def skipped(self) -> bool:
        # The stopped migration's bundle already carries its values; Octopus's own export carries them all.
        return self.migration.resuming or self.migration.server_engine

    def runners(self) -> list[Runner]:
        return [self.runner]

    def initializePage(self) -> None:
        wanted = tuple(self.migration.projects)
        if self.migration.refs_for == wanted:
            self._show()
            return
        self.loaded = False
        self.completeChanged.emit()
        spawn(self._load(wanted))

    def cleanupPage(self) -> None:
        self.runner.cancel()  # Back while the references are listed

    async def _load(self, projects: tuple[str, ...]) -> None:
        await self.runner.wait_idle()
        source = self.migration.source
        if source is None:
            return
        self.loaded = False
        self.stack.setCurrentWidget(self.run_view)
        self.intro.setText("Looking for the sensitive values these projects use…")
        self.completeChanged.emit()
        try:
            scan = await self.runner.run_job(
                "Looking for sensitive values", secret_refs_job(source, list(projects))
            )
        except JobFailed as failed:
            self.intro.setText(
                "Cancelled."
                if failed.cancelled
                else f"The sensitive values could not be listed: {failed.error}"
            )
            return
        self.migration.keep_scan(scan, projects)
        self._show()

    def _show(self) -> None:
        refs = self.migration.secret_refs
        self.editor.set_refs(refs, self.migration.secret_values)
        self.intro.setText(INTRO.format(count=len(refs)) if refs else NONE_NEEDED)
        self.editor.setVisible(bool(refs))
        self.stack.setCurrentWidget(self.editor)
        self.loaded = True
        self.completeChanged.emit()

    def _keep_values(self) -> None:
        if self.loaded:
            self.migration.secret_values = self.editor.values()

    def isComplete(self) -> bool:
        return self.loaded and not self.runner.running

    def validatePage(self) -> bool:
        self.migration.secret_values = self.editor.values()
        return True

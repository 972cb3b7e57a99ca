"""The import itself. When it stops (cancel, network, a refused write) the page says what was written and
offers Resume, which plans again with the same bundle and continues the same journal.

Other panels can sit under the progress (e.g. a server task's progress): add a factory to ``RUN_PANELS``;
it receives the migration context and returns a widget.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget, QWizard

from octodesk.core.report import Report
from octodesk.core.server_engine import ServerImportPlan
from octodesk.gui.engine_jobs import stopped_text
from octodesk.gui.flows import stopped_headline
from octodesk.gui.jobs import apply_job
from octodesk.gui.migrate.page import MigrationContext, MigrationPage
from octodesk.gui.migrate.server_run import import_with_server, replan_job
from octodesk.gui.run_view import RunView
from octodesk.gui.runner import JobFailed, Runner
from octodesk.gui.worker import spawn

RunPanelFactory = Callable[[MigrationContext], QWidget]
RUN_PANELS: list[RunPanelFactory] = []


class RunPage(MigrationPage):
    step = "Import"

    def __init__(self, context: MigrationContext) -> None:
        super().__init__(context)
        self.setTitle("Import")
        self.setSubTitle("Writing to the target. Cancel stops after the current request.")
        self.setCommitPage(True)  # what was written stays written: no way back to the preview
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Results")
        self.run_view = RunView()
        self.runner = Runner(self.run_view)
        self.stopped_label = QLabel()
        self.stopped_label.setWordWrap(True)
        self.stopped_label.setObjectName("errorLabel")
        self.stopped_label.hide()
        self.resume_button = QPushButton("&Resume")
        self.resume_button.setToolTip("Continue where the import stopped: nothing is written twice.")
        self.resume_button.hide()
        self.resume_button.clicked.connect(lambda: spawn(self.resume()))
        resume_row = QHBoxLayout()
        resume_row.addWidget(self.stopped_label, 1)
        resume_row.addWidget(self.resume_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.run_view)
        for factory in RUN_PANELS:
            layout.addWidget(factory(context))
        layout.addLayout(resume_row)
        self.ended = False

    def runners(self) -> list[Runner]:
        return [self.runner]

    def initializePage(self) -> None:
        self.migration.report = None
        spawn(self.apply())

    async def apply(self) -> None:
        migration = self.migration
        target, plan = migration.target, migration.plan
        if target is None or plan is None:
            return
        report = migration.report = Report(operation="import")
        self.ended = False
        self.stopped_label.hide()
        self.resume_button.hide()
        self.completeChanged.emit()
        try:
            if isinstance(plan, ServerImportPlan):
                report = migration.report = await import_with_server(
                    self.runner, migration, target, plan, report
                )
            else:
                await self.runner.run_job(
                    f"Importing into {target.space}", apply_job(target, plan, report, migration.source)
                )
        except JobFailed as failed:
            self.ended = True
            migration.record = self.host.record_run("migrate", report)
            server = isinstance(plan, ServerImportPlan)
            self.stopped_label.setText(stopped_text(failed) if server else stopped_headline(report))
            self.stopped_label.show()
            self.resume_button.show()
            self.resume_button.setFocus()
            self.completeChanged.emit()
            return
        self.ended = True
        migration.record = self.host.record_run("migrate", report)
        self.completeChanged.emit()
        if self.wizard() is not None and self.wizard().currentPage() is self:
            self.wizard().next()  # straight on to the results

    async def resume(self) -> None:
        migration = self.migration
        if migration.target is None or migration.bundle_path is None:
            return
        self.resume_button.hide()
        self.stopped_label.hide()
        self.ended = False
        self.completeChanged.emit()
        try:
            migration.plan = await self.runner.run_job(
                "Planning the rest of the import",
                replan_job(migration, migration.target, migration.bundle_path),
            )
        except JobFailed as failed:
            self.stopped_label.setText(f"The import could not be planned again: {failed.error}")
            self.stopped_label.show()
            self.resume_button.show()
            self.ended = True
            self.completeChanged.emit()
            return
        if migration.plan.refused:
            self.stopped_label.setText(
                "The rest of the import is refused: " + " ".join(migration.plan.refusals)
            )
            self.stopped_label.show()
            return
        await self.apply()

    def isComplete(self) -> bool:
        """Results open once the import ended, however it ended; never while it writes."""
        return self.ended and not self.runner.running

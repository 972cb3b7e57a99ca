"""Writes the bundle (only when what it depends on changed since the last one), plans the import, shows
the plan. Complete only when the plan can be applied; Apply asks first before replacing existing projects."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWizard

from octodesk.core.errors import OctoDeskError
from octodesk.core.plan import ImportPlan
from octodesk.core.report import Report
from octodesk.core.server_engine import ServerImportPlan
from octodesk.gui import dialogs
from octodesk.gui.engine_jobs import bundle_engine_job, server_export_job, server_plan_job
from octodesk.gui.flows import replace_question, suggested_bundle_name
from octodesk.gui.import_options import ImportOptionsBox
from octodesk.gui.jobs import Job, export_job, plan_job
from octodesk.gui.migrate.page import MigrationContext, MigrationPage
from octodesk.gui.preview_view import PreviewView
from octodesk.gui.results_view import open_folder
from octodesk.gui.run_view import RunView
from octodesk.gui.runner import JobFailed, Runner, run_quietly
from octodesk.gui.server_preview import ServerPreviewView
from octodesk.gui.worker import spawn
from octodesk.render import plural

log = logging.getLogger(__name__)


def new_bundle_path(folder: Path, projects: list[str]) -> Path:
    """Named after the projects and the time, so the bundles folder reads as a history."""
    stem = suggested_bundle_name(projects).removesuffix(".octobundle")
    return folder / f"{stem}-{datetime.now():%Y%m%d-%H%M%S}.octobundle"


class PreviewPage(MigrationPage):
    step = "Preview"

    def __init__(self, context: MigrationContext) -> None:
        super().__init__(context)
        self.setTitle("Preview")
        self.setSubTitle("Nothing has been written to the target yet. Check the plan, then Apply.")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Apply")
        self.run_view = RunView()
        self.runner = Runner(self.run_view)
        self.preview = PreviewView()
        self.server_preview = ServerPreviewView()  # Octopus's own preview, for the server engine
        self.stack = QStackedWidget()
        for widget in (self.run_view, self.preview, self.server_preview):
            self.stack.addWidget(widget)
        self.bundle_label = QLabel()
        self.bundle_label.setWordWrap(True)
        self.open_folder_button = QPushButton("Open bundle &folder")
        self.open_folder_button.clicked.connect(self._open_folder)
        self.retry_button = QPushButton("&Try again")
        self.retry_button.hide()
        self.retry_button.clicked.connect(lambda: spawn(self.export_and_plan()))
        self.options = ImportOptionsBox()
        self.options.changed.connect(lambda: spawn(self.make_plan()))
        bundle_row = QHBoxLayout()
        bundle_row.addWidget(self.bundle_label, 1)
        bundle_row.addWidget(self.retry_button)
        bundle_row.addWidget(self.open_folder_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bundle_row)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.options)
        self.failed = ""  # "failed" | "cancelled" when the export or the plan did not finish

    def runners(self) -> list[Runner]:
        return [self.runner]

    def initializePage(self) -> None:
        self.migration.plan = None  # not complete until this visit's plan is made
        self.completeChanged.emit()
        spawn(self.export_and_plan())

    def cleanupPage(self) -> None:
        """Back while the bundle is written or the plan made: that job stops (Next starts it again)."""
        self.runner.cancel()

    def _open_folder(self) -> None:
        if self.migration.bundle_path is not None and not open_folder(self.migration.bundle_path.parent):
            self.bundle_label.setText(
                f"No file manager could be opened. The bundle is {self.migration.bundle_path}"
            )

    def _show_bundle(self, text: str) -> None:
        self.bundle_label.setText(text)
        self.open_folder_button.setEnabled(self.migration.bundle_path is not None)

    async def export_and_plan(self) -> None:
        await self.runner.wait_idle()  # a job stopped by Back finishes its current request first
        migration = self.migration
        self.failed = ""
        self.retry_button.hide()
        migration.plan = None
        self.completeChanged.emit()
        if migration.resume is not None:
            migration.bundle_path = Path(migration.resume.summary.bundle_path)
            self._show_bundle(f"Continuing with the stopped migration's bundle: {migration.bundle_path}")
            try:  # the engine that began it continues it
                migration.engine = await run_quietly(bundle_engine_job(migration.bundle_path))
            except OctoDeskError as error:
                self._fail("failed", f"The stopped migration's bundle cannot be used: {error}")
                return
        elif migration.needs_export():
            if not await self._export():
                return
        else:
            self._show_bundle(f"Bundle (unchanged since it was written): {migration.bundle_path}")
        await self.make_plan()

    async def _export(self) -> bool:
        migration = self.migration
        source = migration.source
        if source is None:
            return False
        try:
            destination = new_bundle_path(self.host.state.settings.bundle_folder(), migration.projects)
        except OSError as error:
            self._fail(
                "failed",
                f"The bundle folder cannot be used: {error.strerror or error}. Choose another "
                "under File → Bundles…",
            )
            return False
        migration.bundle_path = None
        self._show_bundle(f"Writing the bundle {destination}")
        self.stack.setCurrentWidget(self.run_view)
        inputs = migration.export_inputs()
        job: Job[Report]
        if migration.server_engine:
            job = server_export_job(source, migration.projects, destination, migration.password)
        else:
            job = export_job(
                source,
                migration.projects,
                destination,
                migration.password,
                migration.secret_values,
                migration.scan_for(tuple(migration.projects)),
                migration.package_choice,
            )
        try:
            migration.export_report = await self.runner.run_job(
                f"Exporting {plural(len(migration.projects), 'project')}", job
            )
        except JobFailed as failed:
            self._fail("cancelled" if failed.cancelled else "failed", "No bundle was written.")
            return False
        migration.bundle_path, migration.exported_with = destination, inputs
        log.info("Bundle saved to %s", destination)
        self._show_bundle(f"Bundle: {destination}")
        return True

    def _fail(self, how: str, text: str) -> None:
        self.failed = how
        self._show_bundle(text)
        self.retry_button.show()
        self.completeChanged.emit()

    async def make_plan(self) -> None:
        migration = self.migration
        target = migration.target
        if migration.bundle_path is None or target is None or self.runner.running:
            return
        migration.plan = None
        migration.options = self.options.options()
        self.completeChanged.emit()
        self.stack.setCurrentWidget(self.run_view)
        self.options.set_enabled(False)
        self.options.setVisible(not migration.server_engine)  # Octopus's import never updates a project
        title = f"Comparing with {target.space} on {target.url}"
        try:
            plan: ImportPlan | ServerImportPlan
            if migration.server_engine:
                plan = server_plan = await self.runner.run_job(
                    title, server_plan_job(target, migration.bundle_path, migration.password)
                )
                self.server_preview.set_plan(server_plan)
                self.stack.setCurrentWidget(self.server_preview)
            else:
                plan = client_plan = await self.runner.run_job(
                    title, plan_job(
                        target, migration.bundle_path, migration.password, migration.options, migration.source
                    )
                )
                self.preview.set_plan(client_plan)
                self.stack.setCurrentWidget(self.preview)
        except JobFailed as failed:
            self._fail("cancelled" if failed.cancelled else "failed", f"Bundle: {migration.bundle_path}")
            return
        finally:
            self.options.set_enabled(True)
        migration.plan = plan
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        plan = self.migration.plan
        return plan is not None and not plan.refused and not self.runner.running and not self.checking

    def validatePage(self) -> bool:
        plan = self.migration.plan
        if plan is None:
            return False
        question = replace_question(plan) if isinstance(plan, ImportPlan) else None
        if question is None:
            return True
        return self.validate_with(
            id(plan), lambda: dialogs.ask_yes_no(self, "Replace existing projects", question)
        )

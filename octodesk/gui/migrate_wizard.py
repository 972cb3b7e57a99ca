"""Migrate wizard: source → projects → target → password → preview → run → results.

The bundle is exported to the local data folder on the way (path shown, folder openable); the preview and
the run call the same plan/apply functions as ``octodesk import``.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWizard,
    QWizardPage,
)

from octodesk.core import paths
from octodesk.core.errors import Cancelled
from octodesk.core.redact import register_secret
from octodesk.gui import dialogs
from octodesk.gui.connection_panel import ConnectionPanel
from octodesk.gui.flows import apply_job, export_job, plan_job, secret_refs_job, suggested_bundle_name
from octodesk.gui.operation_window import PLACEHOLDER_SECRETS_LABEL, JobFailed, Runner
from octodesk.gui.password_dialog import MIN_EXPORT_LENGTH, PasswordField, password_strength
from octodesk.gui.preview_view import PreviewView
from octodesk.gui.project_panel import ProjectPanel
from octodesk.gui.results_view import ResultsView, open_folder
from octodesk.gui.run_view import RunView
from octodesk.gui.secrets_dialog import ask_secret_values
from octodesk.gui.worker import spawn

if TYPE_CHECKING:
    from octodesk.gui.main_window import MainWindow

log = logging.getLogger(__name__)


def bundles_dir() -> Path:
    folder = paths.data_dir() / "bundles"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class ConnectionPage(QWizardPage):
    def __init__(self, window: MainWindow, role: str) -> None:
        super().__init__()
        self.window_ = window
        self.role = role
        self.setTitle(f"{role.capitalize()} server")
        self.setSubTitle(
            "Projects are exported from this space."
            if role == "source"
            else "The bundle is imported into this space."
        )
        self.panel = ConnectionPanel(role)
        self.panel.connect_requested.connect(lambda: spawn(self._change()))
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setObjectName("errorLabel")
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)
        layout.addWidget(self.note)
        layout.addStretch(1)

    def _main_panel(self) -> ConnectionPanel:
        return self.window_.source_panel if self.role == "source" else self.window_.target_panel

    def initializePage(self) -> None:
        self.panel.set_connection(self._main_panel().connection)
        self._check()

    async def _change(self) -> None:
        await self.window_.connect_server(self.role)
        self.initializePage()

    def _check(self) -> None:
        source = self.window_.source_panel.connection
        target = self.window_.target_panel.connection
        same = (
            self.role == "target"
            and source is not None
            and target is not None
            and (source.url, source.space) == (target.url, target.space)
        )
        self.note.setText("The target is the same space as the source; choose another space." if same else "")
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self._main_panel().connection is not None and not self.note.text()


class ProjectsPage(QWizardPage):
    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.window_ = window
        self.setTitle("Projects")
        self.setSubTitle("Choose the projects to migrate. Everything they reference comes with them.")
        self.panel = ProjectPanel()
        self.panel.selection_changed.connect(self.completeChanged)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)

    def initializePage(self) -> None:
        main_model = self.window_.project_panel.model
        self.panel.set_projects(main_model.projects())
        self.panel.model.set_checked_names(main_model.checked_names())

    def isComplete(self) -> bool:
        return bool(self.panel.checked_names())


class PasswordPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Bundle password")
        self.setSubTitle(
            "The bundle is encrypted with this password. Keep it: importing the bundle again needs it."
        )
        self.password = PasswordField()
        self.password.setAccessibleName("Password")
        self.confirm = PasswordField()
        self.confirm.setAccessibleName("Confirm password")
        self.password.toggle_action.toggled.connect(self.confirm.set_revealed)
        self.hint = QLabel()
        self.hint.setObjectName("hintLabel")
        self.hint.setWordWrap(True)
        self.location = QLabel()
        self.location.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("&Password:", self.password)
        form.addRow("&Confirm:", self.confirm)
        form.addRow("", self.hint)
        form.addRow("Bundle folder:", self.location)
        self.password.textChanged.connect(self._update)
        self.confirm.textChanged.connect(self._update)

    def initializePage(self) -> None:
        self.location.setText(str(bundles_dir()))

    def _update(self) -> None:
        text = self.password.text()
        _score, hint = password_strength(text)
        if self.confirm.text() and self.confirm.text() != text:
            hint = "The two passwords do not match."
        self.hint.setText(hint)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        text = self.password.text()
        return len(text) >= MIN_EXPORT_LENGTH and self.confirm.text() == text


class PreviewPage(QWizardPage):
    """Exports the bundle, plans the import, shows the plan. Complete only when the plan can be applied."""

    def __init__(self, wizard: MigrateWizard) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.setTitle("Preview")
        self.setSubTitle("Nothing has been written to the target yet. Check the plan, then Apply.")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Apply")
        self.run_view = RunView()
        self.runner = Runner(self.run_view)
        self.preview = PreviewView()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.run_view)
        self.stack.addWidget(self.preview)
        self.bundle_label = QLabel()
        self.bundle_label.setWordWrap(True)
        self.open_folder_button = QPushButton("Open bundle &folder")
        self.open_folder_button.clicked.connect(
            lambda: self.bundle_path and open_folder(self.bundle_path.parent)
        )
        self.update_existing = QCheckBox("&Update projects that already exist on the target (promotion)")
        self.update_existing.toggled.connect(lambda _checked: spawn(self.make_plan()))
        self.placeholder_secrets = QCheckBox(PLACEHOLDER_SECRETS_LABEL)
        self.placeholder_secrets.toggled.connect(lambda _checked: spawn(self.make_plan()))
        bundle_row = QHBoxLayout()
        bundle_row.addWidget(self.bundle_label, 1)
        bundle_row.addWidget(self.open_folder_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bundle_row)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.update_existing)
        layout.addWidget(self.placeholder_secrets)
        self.bundle_path: Path | None = None
        self.plan: Any = None
        self.export_report: Any = None
        self.failed = ""

    def initializePage(self) -> None:
        spawn(self.export_and_plan())

    async def export_and_plan(self) -> None:
        wizard = self.wizard_
        source = wizard.window_.source_panel.connection
        assert source is not None
        names = wizard.projects_page.panel.checked_names()
        password = wizard.password_page.password.text()
        register_secret(password)
        self.plan = None
        self.failed = ""
        self.completeChanged.emit()
        self.bundle_path = bundles_dir() / suggested_bundle_name(names)
        self.bundle_label.setText(f"Bundle: {self.bundle_path}")
        self.open_folder_button.setEnabled(False)
        self.stack.setCurrentWidget(self.run_view)
        try:
            scan = await self.runner.run_job("Looking for sensitive values", secret_refs_job(source, names))
            secrets = await ask_secret_values(self.wizard_, scan.refs)
            if secrets is None:
                self.run_view.finish("Cancelled: no bundle was written.")
                raise JobFailed(Cancelled())
            self.export_report = await self.runner.run_job(
                f"Exporting {len(names)} project(s)",
                export_job(source, names, self.bundle_path, password, secrets, scan),
            )
        except JobFailed as failed:
            self.failed = "cancelled" if failed.cancelled else "failed"
            self.bundle_path = None
            self.bundle_label.setText("No bundle was written.")
            self.completeChanged.emit()
            return
        self.open_folder_button.setEnabled(True)
        log.info("Bundle saved to %s", self.bundle_path)
        await self.make_plan()

    async def make_plan(self) -> None:
        target = self.wizard_.window_.target_panel.connection
        if self.bundle_path is None or target is None or self.runner.running:
            return
        self.plan = None
        self.completeChanged.emit()
        self.stack.setCurrentWidget(self.run_view)
        password = self.wizard_.password_page.password.text()
        self.update_existing.setEnabled(False)  # a change now would not reach the plan being made
        self.placeholder_secrets.setEnabled(False)
        try:
            self.plan = await self.runner.run_job(
                f"Comparing with {target.space} on {target.url}",
                plan_job(
                    target,
                    self.bundle_path,
                    password,
                    self.update_existing.isChecked(),
                    self.placeholder_secrets.isChecked(),
                ),
            )
        except JobFailed as failed:
            self.failed = "cancelled" if failed.cancelled else "failed"
            self.completeChanged.emit()
            return
        finally:
            self.update_existing.setEnabled(True)
            self.placeholder_secrets.setEnabled(True)
        self.preview.set_plan(self.plan)
        self.stack.setCurrentWidget(self.preview)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.plan is not None and not self.plan.refused and not self.runner.running


class RunPage(QWizardPage):
    def __init__(self, wizard: MigrateWizard) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.setTitle("Import")
        self.setSubTitle("Writing to the target. Cancel stops after the current request.")
        self.setCommitPage(True)  # what was written stays written: no way back to the preview
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Results")
        self.run_view = RunView()
        self.runner = Runner(self.run_view)
        layout = QVBoxLayout(self)
        layout.addWidget(self.run_view)
        self.report: Any = None
        self.outcome = ""

    def initializePage(self) -> None:
        spawn(self.apply())

    async def apply(self) -> None:
        target = self.wizard_.window_.target_panel.connection
        plan = self.wizard_.preview_page.plan
        assert target is not None and plan is not None
        self.report = None
        self.outcome = ""
        self.completeChanged.emit()
        try:
            self.report = await self.runner.run_job(f"Importing into {target.space}", apply_job(target, plan))
        except JobFailed as failed:
            self.outcome = "cancelled" if failed.cancelled else "failed"
        else:
            self.outcome = "succeeded" if self.report.succeeded else "failed"
            self.completeChanged.emit()
            self.wizard_.next()  # straight on to the results

    def isComplete(self) -> bool:
        return self.report is not None


class ResultsPage(QWizardPage):
    def __init__(self, wizard: MigrateWizard) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.setTitle("Results")
        self.results = ResultsView()
        layout = QVBoxLayout(self)
        layout.addWidget(self.results)

    def initializePage(self) -> None:
        report = self.wizard_.run_page.report
        names = self.wizard_.projects_page.panel.checked_names()
        headline = (
            f"Migrated {', '.join(names)}."
            if report.succeeded
            else "The import finished with problems: see below."
        )
        self.results.set_report(report, headline=headline, bundle_path=self.wizard_.preview_page.bundle_path)


class MigrateWizard(QWizard):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle("Migrate projects")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setMinimumSize(820, 620)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.source_page = ConnectionPage(window, "source")
        self.projects_page = ProjectsPage(window)
        self.target_page = ConnectionPage(window, "target")
        self.password_page = PasswordPage()
        self.preview_page = PreviewPage(self)
        self.run_page = RunPage(self)
        self.results_page = ResultsPage(self)
        for page in (
            self.source_page,
            self.projects_page,
            self.target_page,
            self.password_page,
            self.preview_page,
            self.run_page,
            self.results_page,
        ):
            self.addPage(page)
        self.started_at = datetime.now()

    def runners(self) -> list[Runner]:
        return [self.preview_page.runner, self.run_page.runner]

    @property
    def running(self) -> bool:
        return any(r.running for r in self.runners())

    def outcome(self) -> str:
        if self.run_page.outcome:
            return self.run_page.outcome
        return self.preview_page.failed or "abandoned"

    def reject(self) -> None:
        if self.running:
            spawn(self._confirm_cancel())
            return
        super().reject()

    async def _confirm_cancel(self) -> None:
        if await dialogs.ask_yes_no(
            self, "Migration running", "Cancel the running step and close the wizard?"
        ):
            for runner in self.runners():
                runner.cancel()
            self.hide()
            super().reject()

    @classmethod
    async def launch(cls, window: MainWindow) -> str:
        wizard = cls(window)
        window.migrate_wizard = wizard
        try:
            await dialogs.show_modal(wizard)
            for runner in wizard.runners():
                await runner.wait_idle()
            return wizard.outcome()
        finally:
            window.migrate_wizard = None
            wizard.deleteLater()

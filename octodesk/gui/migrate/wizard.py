"""Migrate wizard: source → projects → target → engine → password → sensitive values (client engine only) →
preview → import → results.

The bundle is written to the bundles folder on the way (named after the projects; kept, so a stopped
migration run again continues with it); the preview and the import call the same plan/apply functions as
``octodesk import``. Every way out (Escape, Cancel, the close button, Finish) ends what is running.
"""

from __future__ import annotations

import logging
from html import escape
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QWidget, QWizard

from octodesk.gui import dialogs
from octodesk.gui.host import OperationHost
from octodesk.gui.migrate.page import MigrationContext, MigrationPage
from octodesk.gui.migrate.pages import PAGES
from octodesk.gui.migrate.preview_page import PreviewPage
from octodesk.gui.migrate.state import MigrationState
from octodesk.gui.outcome import FlowOutcome, of_report
from octodesk.gui.runner import Runner, confirm_cancel
from octodesk.gui.worker import spawn

log = logging.getLogger(__name__)
P = TypeVar("P", bound=MigrationPage)


class MigrateWizard(QWizard):
    def __init__(self, host: OperationHost, parent: QWidget | None = None) -> None:
        super().__init__(parent if parent is not None else host.dialog_parent())
        self.host = host
        self.migration = MigrationState()
        self.context = MigrationContext(host, self.migration)
        self.setWindowTitle("Migrate projects")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setMinimumSize(900, 660)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.pages: list[MigrationPage] = [factory(self.context) for factory in PAGES]
        for page in self.pages:
            self.addPage(page)
            page.completeChanged.connect(self._show_steps)  # a choice on a page may skip a later step
            for button in page.findChildren(QPushButton):
                button.setAutoDefault(False)  # Enter always means the wizard's Next, never a page's button
        for which in (QWizard.WizardButton.BackButton, QWizard.WizardButton.CancelButton):
            wizard_button = self.button(which)
            if isinstance(wizard_button, QPushButton):  # nor Back or Cancel (a page change may focus them)
                wizard_button.setAutoDefault(False)
        self.steps = QLabel()
        self.steps.setObjectName("stepIndicator")
        self.steps.setMinimumWidth(150)
        self.steps.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)  # beside the title
        self.setSideWidget(self.steps)
        self.currentIdChanged.connect(lambda _id: self._show_steps())
        self._confirming = False
        self._show_steps()

    def page_of(self, kind: type[P]) -> P:
        return next(page for page in self.pages if isinstance(page, kind))

    def _show_steps(self) -> None:
        """The steps down the side: done ones ticked, the current one bold, skipped ones greyed."""
        current = self.currentPage()
        position = self.pages.index(current) if current in self.pages else 0
        lines = []
        for index, page in enumerate(self.pages):
            name = escape(page.step or page.title())
            if page is current:
                lines.append(f"<b>▶ {name}</b>")
            elif page.skipped():
                lines.append(f"<span style='color:gray'>– {name}</span>")  # noqa: RUF001
            else:
                lines.append(("✓ " if index < position else "  ") + name)
        self.steps.setText("<br>".join(lines))

    def runners(self) -> list[Runner]:
        return [runner for page in self.pages for runner in page.runners()]

    @property
    def running(self) -> bool:
        return any(runner.running for runner in self.runners())

    def cancel_all(self) -> None:
        for runner in self.runners():
            runner.cancel()

    def outcome(self) -> FlowOutcome:
        if self.migration.report is not None:
            return of_report(self.migration.report)
        failed = self.page_of(PreviewPage).failed
        if failed:
            return FlowOutcome.CANCELLED if failed == "cancelled" else FlowOutcome.FAILED
        return FlowOutcome.ABANDONED

    # --- every way out ----------------------------------------------------------------------------

    def reject(self) -> None:
        """Escape, Cancel and the title bar's close button: ask while something runs, then stop it."""
        if self.running:
            if not self._confirming:
                spawn(self._confirm_cancel())
            return
        super().reject()

    async def _confirm_cancel(self) -> None:
        self._confirming = True
        try:
            stopped = await confirm_cancel(
                self,
                "Migration running",
                "Cancel the running step and close the wizard? What was written stays written; "
                "migrating these projects again continues where it stopped.",
                self.runners(),
            )
        finally:
            self._confirming = False
        if stopped:
            super().reject()

    async def run(self) -> FlowOutcome:
        """Show the wizard until it is closed, then wait for its jobs to stop; how the migration ended."""
        await dialogs.show_modal(self)
        self.cancel_all()  # nothing outlives the wizard
        for runner in self.runners():
            await runner.wait_idle()
        return self.outcome()

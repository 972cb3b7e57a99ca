"""A window for one export or import: run progress, the preview to approve, then the results.

Every way of leaving it ends its operation: Escape, the close button and Close all go through ``reject``.
While a job runs it asks first, then cancels and lets the flow end; while the preview waits for Apply it
tells the flow the user closed it.
"""

from __future__ import annotations

import asyncio
import logging
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from octodesk.core.plan import ImportOptions, ImportPlan
from octodesk.core.report import Report
from octodesk.core.server_engine import ServerImportPlan
from octodesk.gui.import_options import ImportOptionsBox
from octodesk.gui.jobs import Job
from octodesk.gui.preview_view import PreviewView
from octodesk.gui.results_view import ResultsView
from octodesk.gui.run_view import RunView
from octodesk.gui.runner import Runner, confirm_cancel
from octodesk.gui.server_preview import ServerPreviewView
from octodesk.gui.worker import spawn

log = logging.getLogger(__name__)
T = TypeVar("T")


class Decision(StrEnum):
    APPLY = "apply"
    REPLAN = "replan"  # an import option changed
    RESUME = "resume"  # continue a stopped import (same bundle, same journal)
    CLOSE = "close"


class OperationWindow(QDialog):
    decision = Signal(str)  # a Decision
    outcome = Signal(str)  # the flow's FlowOutcome, once it ended

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumSize(820, 600)
        self.run_view = RunView()
        self.runner = Runner(self.run_view)
        self._preview: PreviewView | None = None  # made when a plan is shown: an export never shows one
        self.import_options = ImportOptionsBox()
        self.import_options.changed.connect(lambda: self.decision.emit(Decision.REPLAN))
        preview_page = QWidget()
        preview_layout = self._preview_layout = QVBoxLayout(preview_page)
        preview_layout.setContentsMargins(0, 0, 0, 0)
        self.server_preview = ServerPreviewView()  # Octopus's own preview, for a server-engine bundle
        preview_layout.addWidget(self.server_preview, 1)
        preview_layout.addWidget(self.import_options)
        self.results = ResultsView()
        self.context_label = QLabel()  # what goes where: checked by the user before Apply
        self.context_label.setWordWrap(True)
        self.context_label.hide()
        self.stack = QStackedWidget()
        for page in (self.run_view, preview_page, self.results):
            self.stack.addWidget(page)
        self.apply_button = QPushButton("&Apply")
        self.resume_button = QPushButton("&Resume")
        self.resume_button.setToolTip("Continue the import where it stopped: nothing is written twice.")
        self.buttons = QDialogButtonBox()
        self.buttons.addButton(self.apply_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.resume_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        for button in (self.apply_button, self.resume_button):
            button.hide()
        self.apply_button.clicked.connect(lambda: self.decision.emit(Decision.APPLY))
        self.resume_button.clicked.connect(lambda: self.decision.emit(Decision.RESUME))
        self.close_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.context_label)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.buttons)
        self._waiting: asyncio.Future[str] | None = None
        self._confirming = False
        self.closed_by_user = False  # the flow must not wait for a decision any more

    @property
    def preview(self) -> PreviewView:
        """The plan's preview, made the first time it is needed (it was nearly half the window's cost to
        open, paid by every export at its start)."""
        if self._preview is None:
            self._preview = PreviewView()
            self._preview_layout.insertWidget(0, self._preview, 1)
        return self._preview

    @property
    def running(self) -> bool:
        return self.runner.running

    def set_context(self, text: str) -> None:
        self.context_label.setText(text)
        self.context_label.setVisible(bool(text))

    def options(self) -> ImportOptions:
        return self.import_options.options()

    async def run_job(self, title: str, job: Job[T]) -> T:
        self.stack.setCurrentWidget(self.run_view)
        self.apply_button.hide()
        self.resume_button.hide()
        self.import_options.set_enabled(False)
        try:
            return await self.runner.run_job(title, job)
        finally:
            self.import_options.set_enabled(True)

    async def ask_to_apply(
        self, plan: ImportPlan | ServerImportPlan, *, offer_options: bool = True
    ) -> Decision:
        """Show the plan and wait: Apply, a changed option (re-plan), or the window closed."""
        server = isinstance(plan, ServerImportPlan)
        if isinstance(plan, ServerImportPlan):
            self.server_preview.set_plan(plan)
        else:
            self.preview.set_plan(plan)
        if self._preview is not None:
            self._preview.setVisible(not server)
        self.server_preview.setVisible(server)
        self.stack.setCurrentIndex(1)
        self.import_options.setVisible(offer_options and not server)  # Octopus never updates a project
        self.apply_button.show()
        self.apply_button.setDefault(True)
        self.apply_button.setEnabled(not plan.refused)
        self.apply_button.setToolTip(
            "The plan is refused: resolve the refusals listed at the top first." if plan.refused else ""
        )
        try:
            return await self.wait_decision()
        finally:
            self.apply_button.hide()

    def show_results(
        self, report: Report, headline: str, bundle_path: Path | None = None, *, resumable: bool = False
    ) -> None:
        self.results.set_report(report, headline=headline, bundle_path=bundle_path)
        self.stack.setCurrentWidget(self.results)
        self.resume_button.setVisible(resumable)
        if resumable:
            self.resume_button.setDefault(True)
            self.resume_button.setFocus()

    async def wait_decision(self) -> Decision:
        if self.closed_by_user:
            return Decision.CLOSE
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[str] = loop.create_future()

        def decided(choice: str) -> None:
            if not answer.done():
                answer.set_result(choice)

        self.decision.connect(decided)
        self._waiting = answer
        try:
            return Decision(await answer)
        finally:
            self._waiting = None
            self.decision.disconnect(decided)

    # --- every way out ----------------------------------------------------------------------------

    def reject(self) -> None:
        """Escape, the title bar's close button and Close all end here."""
        if self.running:
            if not self._confirming:
                spawn(self._confirm_cancel())
            return
        self.closed_by_user = True
        if self._waiting is not None:
            self.decision.emit(Decision.CLOSE)
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.running:
            event.ignore()
            self.reject()
            return
        super().closeEvent(event)

    async def _confirm_cancel(self) -> None:
        self._confirming = True
        try:
            stopped = await confirm_cancel(
                self,
                "Operation running",
                "An operation is still running. Cancel it and close the window?",
                [self.runner],
            )
        finally:
            self._confirming = False
        if stopped:
            self.closed_by_user = True
            if self._waiting is not None:
                self.decision.emit(Decision.CLOSE)
            super().reject()

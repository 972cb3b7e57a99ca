"""A window for one export or import: run progress, the preview to approve, then the results.

Every engine call runs through ``run_job``: worker thread, coalesced progress, CancelToken, typed errors.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from octodesk.core.cancel import CancelToken
from octodesk.core.errors import Cancelled, OctoDeskError
from octodesk.core.progress import ProgressCallback
from octodesk.gui import dialogs
from octodesk.gui.preview_view import PreviewView
from octodesk.gui.results_view import ResultsView
from octodesk.gui.run_view import RunView
from octodesk.gui.worker import Operation, ProgressForwarder, no_full_collections, run_in_worker, spawn

log = logging.getLogger(__name__)
T = TypeVar("T")

Job = Callable[[ProgressCallback, CancelToken], T]


class JobFailed(Exception):
    """The job ended without a result (failed or cancelled); the window already shows why."""

    def __init__(self, error: OctoDeskError) -> None:
        super().__init__(str(error))
        self.error = error

    @property
    def cancelled(self) -> bool:
        return isinstance(self.error, Cancelled)


class Runner:
    """Runs jobs for one RunView: the single place that crosses to the worker thread and back."""

    def __init__(self, run_view: RunView) -> None:
        self.run_view = run_view
        self.operation: Operation | None = None
        self._idle = asyncio.Event()
        self._idle.set()
        run_view.cancel_requested.connect(self.cancel)

    async def wait_idle(self) -> None:
        """Return once no job is running (after a cancel, the worker finishes its current request)."""
        await self._idle.wait()

    @property
    def running(self) -> bool:
        return self.operation is not None and self.operation.running

    def cancel(self) -> None:
        if self.operation is not None:
            log.info("Cancelling…")
            self.operation.cancel()

    async def run_job(self, title: str, job: Job[T]) -> T:
        operation = self.operation = Operation()
        operation.running = True
        self._idle.clear()
        self.run_view.start(title)
        forward = ProgressForwarder(self.run_view.update_progress)
        try:
            with no_full_collections():
                result = await run_in_worker(job, forward, operation.cancel_token)
        except Cancelled as error:
            log.info("%s: cancelled.", title)
            self.run_view.finish("Cancelled. Nothing more was written.")
            raise JobFailed(error) from None
        except OctoDeskError as error:
            log.error("%s failed: %s", title, error)
            self.run_view.finish(f"Failed: {error}")
            raise JobFailed(error) from None
        finally:
            operation.running = False
            self._idle.set()
        self.run_view.finish("Done.")
        return result


PLACEHOLDER_SECRETS_LABEL = (
    "Create accounts whose secrets the bundle lacks with &placeholder values (listed as follow-ups)"
)


class OperationWindow(QDialog):
    outcome = Signal(str)  # "succeeded" | "cancelled" | "failed" | "refused" | "abandoned"
    decision = Signal(str)  # "apply" | "replan" | "cancel"

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumSize(760, 560)
        self.run_view = RunView()
        self.runner = Runner(self.run_view)
        self.preview = PreviewView()
        self.update_existing = QCheckBox(
            "&Update projects that already exist on the target (promotion) instead of refusing"
        )
        self.update_existing.setVisible(False)
        self.placeholder_secrets = QCheckBox(PLACEHOLDER_SECRETS_LABEL)
        self.placeholder_secrets.setVisible(False)
        self.apply_button = QPushButton("&Apply")
        self.apply_button.setDefault(True)
        preview_page = QWidget()
        preview_layout = QVBoxLayout(preview_page)
        preview_layout.addWidget(self.preview, 1)
        preview_layout.addWidget(self.update_existing)
        preview_layout.addWidget(self.placeholder_secrets)
        self.results = ResultsView()
        self.context_label = QLabel()  # what goes where: checked by the user before Apply
        self.context_label.setWordWrap(True)
        self.context_label.hide()
        self.stack = QStackedWidget()
        for page in (self.run_view, preview_page, self.results):
            self.stack.addWidget(page)
        self.buttons = QDialogButtonBox()
        self.buttons.addButton(self.apply_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.apply_button.hide()
        self.apply_button.clicked.connect(lambda: self.decision.emit("apply"))
        self.close_button.clicked.connect(self.close)
        self.update_existing.toggled.connect(lambda _checked: self.decision.emit("replan"))
        self.placeholder_secrets.toggled.connect(lambda _checked: self.decision.emit("replan"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.context_label)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.buttons)
        self._closing_allowed = False
        self._waiting_decision = False

    @property
    def running(self) -> bool:
        return self.runner.running

    def set_context(self, text: str) -> None:
        self.context_label.setText(text)
        self.context_label.setVisible(bool(text))

    async def run_job(self, title: str, job: Job[T]) -> T:
        self.stack.setCurrentWidget(self.run_view)
        self.apply_button.hide()
        self.update_existing.setEnabled(False)  # a change now would not reach the plan being made
        self.placeholder_secrets.setEnabled(False)
        return await self.runner.run_job(title, job)

    async def ask_to_apply(self, plan: Any, *, offer_update_existing: bool = True) -> str:
        """Show the plan; "apply", "replan" (update-existing toggled) or "cancel" (window closed)."""
        self.preview.set_plan(plan)
        self.stack.setCurrentIndex(1)
        self.update_existing.setVisible(offer_update_existing)
        self.update_existing.setEnabled(True)
        self.placeholder_secrets.setVisible(True)
        self.placeholder_secrets.setEnabled(True)
        self.apply_button.show()
        self.apply_button.setEnabled(not self.preview.refused)
        self.apply_button.setToolTip(
            "The plan is refused: resolve the refusals listed at the top first."
            if self.preview.refused
            else "",
        )
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[str] = loop.create_future()

        def decided(choice: str) -> None:
            if not answer.done():
                answer.set_result(choice)

        self.decision.connect(decided)
        self._waiting_decision = True
        try:
            return await answer
        finally:
            self._waiting_decision = False
            self.decision.disconnect(decided)
            self.apply_button.hide()

    def show_results(self, report: Any, headline: str, bundle_path: Path | None = None) -> None:
        self.results.set_report(report, headline=headline, bundle_path=bundle_path)
        self.stack.setCurrentWidget(self.results)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.running and not self._closing_allowed:
            event.ignore()
            spawn(self._confirm_close())
            return
        if self._waiting_decision:
            self.decision.emit("cancel")
        super().closeEvent(event)

    async def _confirm_close(self) -> None:
        if await dialogs.ask_yes_no(
            self, "Operation running", "An operation is still running. Cancel it and close the window?"
        ):
            self.runner.cancel()
            self._closing_allowed = True
            self.hide()

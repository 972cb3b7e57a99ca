"""Runs engine jobs for one progress view: the single place that crosses to the worker thread and back,
with coalesced progress, a CancelToken and the core's typed errors."""

from __future__ import annotations

import asyncio
import logging
from typing import TypeVar

from PySide6.QtWidgets import QWidget

from octodesk.core.errors import Cancelled, OctoDeskError
from octodesk.gui import dialogs
from octodesk.gui.jobs import Job
from octodesk.gui.run_view import RunView
from octodesk.gui.worker import Operation, ProgressForwarder, no_full_collections, run_in_worker

log = logging.getLogger(__name__)
T = TypeVar("T")


class JobFailed(Exception):
    """The job ended without a result (failed or cancelled); the run view already shows why."""

    def __init__(self, error: OctoDeskError) -> None:
        super().__init__(str(error))
        self.error = error

    @property
    def cancelled(self) -> bool:
        return isinstance(self.error, Cancelled)


class Runner:
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
        if self.running and self.operation is not None:
            log.info("Cancelling…")
            self.run_view.show_cancelling()
            self.operation.cancel()

    async def run_job(self, title: str, job: Job[T]) -> T:
        operation = self.operation = Operation()
        operation.running = True
        self._idle.clear()
        self.run_view.start(title)
        forward = ProgressForwarder(self.run_view.update_progress)
        try:
            with no_full_collections():  # a full collection on the worker holds the GIL: the window stalls
                result = await run_in_worker(job, forward, operation.cancel_token)
        except Cancelled as error:
            log.info("%s: cancelled.", title)
            self.run_view.finish("Cancelled.")
            raise JobFailed(error) from None
        except OctoDeskError as error:
            log.error("%s failed: %s", title, error)
            self.run_view.finish(f"Failed: {error}", failed=True)
            raise JobFailed(error) from None
        finally:
            operation.running = False
            self._idle.set()
        self.run_view.finish("Done.")
        return result


async def run_quietly(job: Job[T]) -> T:
    """A short job with no progress view (listing projects, checking a password)."""
    from octodesk.core.cancel import CancelToken
    from octodesk.core.progress import no_progress

    return await run_in_worker(job, no_progress, CancelToken())


async def confirm_cancel(parent: QWidget, title: str, question: str, runners: list[Runner]) -> bool:
    """Ask while a job runs (the question goes away by itself when they all end); on Yes cancel them and
    wait until they stopped. False when the user said No or nothing ran any more."""
    stop = await dialogs.ask_yes_no(parent, title, question, relevant=lambda: any(r.running for r in runners))
    if not stop:
        return False
    for runner in runners:
        runner.cancel()
    for runner in runners:
        await runner.wait_idle()
    return True

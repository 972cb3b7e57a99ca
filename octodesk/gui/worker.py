"""The one background mechanism: blocking engine calls run on a worker thread through the qasync loop's
``run_in_executor``; progress comes back with ``call_soon_threadsafe``; a CancelToken stops the engine."""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from octodesk.core.cancel import CancelToken
from octodesk.core.gc_pause import no_full_collections

__all__ = ["Operation", "ProgressForwarder", "executor", "no_full_collections", "run_in_worker", "spawn"]
from octodesk.core.progress import Progress

T = TypeVar("T")

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def executor() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="octodesk-worker")
        return _executor


async def run_in_worker(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``fn`` on the worker thread; the GUI thread keeps processing events while it runs."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(executor(), functools.partial(fn, *args, **kwargs))


class ProgressForwarder:
    """An engine progress callback that hands the latest Progress to ``handler`` on the GUI thread.

    Updates are coalesced: while one is waiting to be delivered, newer ones of the same phase replace it, so
    a fast engine cannot flood the GUI thread's queue; the last update of each phase is always delivered
    (the bytes a package copy ended with, before the import's own progress).
    """

    def __init__(self, handler: Callable[[Progress], None], loop: asyncio.AbstractEventLoop | None = None):
        self._handler = handler
        self._loop = loop or asyncio.get_running_loop()
        self._lock = threading.Lock()
        self._pending: list[Progress] = []

    def __call__(self, progress: Progress) -> None:
        with self._lock:
            already_scheduled = bool(self._pending)
            if already_scheduled and self._pending[-1].phase == progress.phase:
                self._pending[-1] = progress
            else:
                self._pending.append(progress)
        if not already_scheduled and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._deliver)

    def _deliver(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, []
        for progress in pending:
            self._handler(progress)


class Operation:
    """One cancellable run (export, plan, apply): the token the engine checks and whether it is running."""

    def __init__(self) -> None:
        self.cancel_token = CancelToken()
        self.running = False

    def cancel(self) -> None:
        self.cancel_token.cancel()


_running_tasks: set[asyncio.Task[Any]] = set()


def spawn(coroutine: Any) -> asyncio.Task[Any]:
    """Start a coroutine on the qasync loop from a slot, keeping a reference so it is not collected.

    A bug that escapes the coroutine goes to ``sys.excepthook`` (the error dialog), never into silence.
    """
    task: asyncio.Task[Any] = asyncio.ensure_future(coroutine)
    _running_tasks.add(task)

    def finished(done: asyncio.Task[Any]) -> None:
        _running_tasks.discard(done)
        if done.cancelled():
            return
        error = done.exception()
        if error is not None:
            import sys

            sys.excepthook(type(error), error, error.__traceback__)

    task.add_done_callback(finished)
    return task

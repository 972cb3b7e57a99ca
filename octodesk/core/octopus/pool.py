"""The client's shared, bounded thread pool: independent requests in parallel, never more than the
connection pool holds, stopping at the first error or a cancel."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, TypeVar

from octodesk.core.cancel import CancelToken
from octodesk.core.errors import Cancelled

T = TypeVar("T")
R = TypeVar("R")


class BoundedPool:
    def __init__(self, concurrency: int, cancel: CancelToken) -> None:
        self.concurrency = max(1, concurrency)
        self.cancel = cancel
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._worker = threading.local()

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """``fn`` over ``items``, results in input order, at most ``concurrency`` running at once.

        Stops scheduling after the first error (re-raised once the running calls finish) or a cancel
        (Cancelled). Called from inside a pool worker it runs inline, so nested maps cannot take every
        worker and deadlock waiting for each other.
        """
        pending = list(items)
        if getattr(self._worker, "active", False) or self.concurrency == 1 or len(pending) <= 1:
            results: list[R] = []
            for item in pending:
                self.cancel.raise_if_cancelled()
                results.append(fn(item))
            return results
        executor = self._pool()
        slots: list[Any] = [None] * len(pending)
        running: dict[Future[R], int] = {}
        first_error: BaseException | None = None
        next_index = 0
        while True:
            while (
                first_error is None
                and not self.cancel.cancelled
                and next_index < len(pending)
                and len(running) < self.concurrency
            ):
                running[executor.submit(self._run, fn, pending[next_index])] = next_index
                next_index += 1
            if not running:
                break
            try:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
            except KeyboardInterrupt:
                self.cancel.cancel()  # Ctrl+C: the running calls stop at their next request or back-off
                raise
            for future in done:
                index = running.pop(future)
                error = future.exception()
                if error is None:
                    slots[index] = future.result()
                elif first_error is None:
                    first_error = error
        if first_error is not None:
            raise first_error
        if next_index < len(pending):
            raise Cancelled()
        return slots

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    def _run(self, fn: Callable[[T], R], item: T) -> R:
        self._worker.active = True
        try:
            self.cancel.raise_if_cancelled()
            return fn(item)
        finally:
            self._worker.active = False

    def _pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self.concurrency, thread_name_prefix="octodesk-http")
            return self._executor

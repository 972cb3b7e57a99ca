"""The client's shared, bounded thread pool: independent requests in parallel, never more than the
connection pool holds, stopping at the first error or a cancel.

Its own worker threads and queues rather than ``concurrent.futures``: a Future, its Condition and a
``wait()`` that locks every running future cost more client CPU per request than parsing the answer."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from queue import Empty, SimpleQueue
from typing import Any, TypeVar

from octodesk.core.cancel import CancelToken
from octodesk.core.errors import Cancelled

T = TypeVar("T")
R = TypeVar("R")

# (index, error or None, result) of one finished call, posted to the queue of the map that asked for it.
Finished = tuple[int, BaseException | None, Any]
# (fn, item, index, where to post it) of one call to make.
Task = tuple[Callable[[Any], Any], Any, int, "SimpleQueue[Finished]"]
_STOP = None  # the task that ends a worker thread


class BoundedPool:
    def __init__(self, concurrency: int, cancel: CancelToken) -> None:
        self.concurrency = max(1, concurrency)
        self.cancel = cancel
        self._lock = threading.Lock()
        # Workers of the current generation take tasks from this queue. close() ends a generation; a map
        # called afterwards starts the next one.
        self._tasks: SimpleQueue[Task | None] = SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._generation = 0
        self._worker = threading.local()

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """``fn`` over ``items``, results in input order, at most ``concurrency`` running at once.

        Stops scheduling after the first error (re-raised once the running calls finish) or a cancel
        (Cancelled); so does a close() while it waits. Called from inside a pool worker it runs inline, so
        nested maps cannot take every worker and deadlock waiting for each other.
        """
        pending = list(items)
        if getattr(self._worker, "active", False) or self.concurrency == 1 or len(pending) <= 1:
            results: list[R] = []
            for item in pending:
                self.cancel.raise_if_cancelled()
                results.append(fn(item))
            return results
        generation = self._start_workers(len(pending))
        finished: SimpleQueue[Finished] = SimpleQueue()
        slots: list[Any] = [None] * len(pending)
        running = 0
        first_error: BaseException | None = None
        next_index = 0
        while True:
            while (
                first_error is None
                and not self.cancel.cancelled
                and next_index < len(pending)
                and running < self.concurrency
            ):
                self._submit(generation, (fn, pending[next_index], next_index, finished))
                next_index += 1
                running += 1
            if not running:
                break
            try:
                index, error, result = wait_for_one(finished)
            except KeyboardInterrupt:
                self.cancel.cancel()  # Ctrl+C: the running calls stop at their next request or back-off
                raise
            running -= 1
            if error is None:
                slots[index] = result
            elif first_error is None:
                first_error = error
        if first_error is not None:
            raise first_error
        if next_index < len(pending):
            raise Cancelled()
        return slots

    def close(self) -> None:
        """Drop the calls not started yet (their maps raise Cancelled), let the running ones finish, end
        the workers."""
        with self._lock:
            self._generation += 1
            tasks, self._tasks = self._tasks, SimpleQueue()
            threads, self._threads = self._threads, []
        try:
            while (task := tasks.get_nowait()) is not _STOP:
                _drop(task)
        except Empty:
            pass
        for _ in threads:
            tasks.put(_STOP)
        for thread in threads:
            thread.join()

    def start(self) -> None:
        """Start every worker now, ahead of a map that will want them all."""
        self._start_workers(self.concurrency)

    def _start_workers(self, wanted: int) -> int:
        """As many workers as this map can use (up to ``concurrency``), the others when a map needs them:
        a thread started while the key derivation touches its 128 MB waits on the memory map's lock (two
        requests at connect took 47 ms to start all 24)."""
        with self._lock:
            while len(self._threads) < min(self.concurrency, wanted):
                name = f"octodesk-http-{len(self._threads)}"
                thread = threading.Thread(target=self._work, args=(self._tasks,), name=name, daemon=True)
                thread.start()
                self._threads.append(thread)
            return self._generation

    def _submit(self, generation: int, task: Task) -> None:
        with self._lock:
            if generation == self._generation:
                self._tasks.put(task)
                return
        _drop(task)  # closed since the map began

    def _work(self, tasks: SimpleQueue[Task | None]) -> None:
        self._worker.active = True  # a map called from here runs inline
        while (task := tasks.get()) is not _STOP:
            fn, item, index, finished = task
            try:
                self.cancel.raise_if_cancelled()
                finished.put((index, None, fn(item)))
            except BaseException as error:  # handed to the map that asked, which re-raises it
                finished.put((index, error, None))
            del task, fn, item, finished  # an idle worker keeps nothing of a finished call alive


def _drop(task: Task) -> None:
    """A call that will not be made: its map gets Cancelled for it instead of waiting for ever."""
    _, _, index, finished = task
    finished.put((index, Cancelled(), None))


def wait_for_one(finished: SimpleQueue[Finished]) -> Finished:
    """The next call to finish (its own function so a test can stand in a Ctrl+C)."""
    return finished.get()

"""Hashing large files while they move: each chunk is hashed on a worker thread while the caller handles it
(hashlib releases the GIL for buffers past a few KB), so checking a package costs little wall time beyond
moving it."""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import Protocol


class _Hash(Protocol):
    def update(self, data: bytes, /) -> None: ...

    def hexdigest(self) -> str: ...


class OverlappedHash:
    """``update`` returns at once; the previous chunk's hashing must finish before the next starts (a hash is
    sequential), so at most one chunk is in flight. Use as a context manager: the worker ends with it."""

    def __init__(self, digest: _Hash) -> None:
        self._digest = digest
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="octodesk-hash")
        self._pending: Future[None] | None = None
        self._lock = threading.Lock()

    def update(self, chunk: bytes) -> None:
        with self._lock:
            self._wait()
            self._pending = self._pool.submit(self._digest.update, chunk)

    def hexdigest(self) -> str:
        with self._lock:
            self._wait()
            return self._digest.hexdigest()

    def _wait(self) -> None:
        if self._pending is not None:
            self._pending.result()
            self._pending = None

    def __enter__(self) -> OverlappedHash:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._pool.shutdown(wait=True)

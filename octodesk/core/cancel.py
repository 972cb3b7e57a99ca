"""Cancellation token shared between a face (GUI/CLI) and the engine's worker threads."""

from __future__ import annotations

import threading

from octodesk.core.errors import Cancelled


class CancelToken:
    """Checked by the engine between requests; ``cancel()`` may be called from any thread."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; returns True (early) when cancelled. Use for back-off waits."""
        return self._event.wait(seconds)

"""The Qt binding itself must be sound: a long export emits thousands of signals."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    fired = Signal()
    counted = Signal(int)


def test_emitting_signals_does_not_leak_references_to_true() -> None:
    """PySide6 6.12.0 decremented True's reference count on every emit(); after a few thousand signals the
    process aborted with 'Fatal Python error: bool_dealloc' (seen at the end of large exports)."""
    emitter = _Emitter()
    received: list[int] = []
    emitter.counted.connect(received.append)
    before = sys.getrefcount(True)
    for n in range(200):
        emitter.fired.emit()
        emitter.counted.emit(n)
    assert len(received) == 200
    assert sys.getrefcount(True) >= before - 5

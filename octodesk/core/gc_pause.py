"""No full garbage collections while the engine works.

A full collection walks every object and holds the GIL while it does: with a 1,000-project bundle and its
target in memory that is a quarter of a second, repeated as the heap grows (the GUI's window freezes for
it; the command line just loses the time). While engine work runs, what already exists is frozen out of the
collector's sight (``gc.freeze``) and the third generation is never collected; the young generations still
are, and the engine's documents (no reference cycles) are freed by reference counting. When the last piece
of engine work ends, the survivors are frozen too and the thresholds come back.
"""

from __future__ import annotations

import functools
import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

NO_FULL_COLLECTION = 1 << 30  # a third-generation threshold that is never reached

P = ParamSpec("P")
R = TypeVar("R")

_lock = threading.Lock()
_depth = 0
_thresholds = gc.get_threshold()


@contextmanager
def no_full_collections() -> Iterator[None]:
    global _depth, _thresholds
    with _lock:
        if _depth == 0:
            _thresholds = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(_thresholds[0], _thresholds[1], NO_FULL_COLLECTION)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.freeze()
                gc.set_threshold(*_thresholds)


def engine_work(function: Callable[P, R]) -> Callable[P, R]:
    """Run ``function`` under :func:`no_full_collections`."""

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with no_full_collections():
            return function(*args, **kwargs)

    return run

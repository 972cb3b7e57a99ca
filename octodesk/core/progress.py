"""Progress reporting from the engine: a plain callback, no Qt."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Progress:
    phase: str  # e.g. "read", "write", "plan", "apply", "verify"
    kind: str = ""  # resource kind, e.g. "Project"
    name: str = ""  # the resource being handled, when there is one
    done: int = 0
    total: int = 0  # 0 = unknown (indeterminate)
    message: str = ""
    bytes_done: int = 0  # file transfers (packages): bytes moved so far of bytes_total
    bytes_total: int = 0


ProgressCallback = Callable[[Progress], None]


def no_progress(_: Progress) -> None:
    """Default callback: ignore progress."""

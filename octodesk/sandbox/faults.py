"""Injected faults: a random fraction of requests (seeded) and deterministic ones queued by tests."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

FAULT_MODES = frozenset({"503", "drop", "slow", "html", "truncated", "429", "content-type"})


@dataclass
class Fault:
    mode: str
    retry_after: int | None = None


@dataclass
class _Queued:
    remaining: int
    fault: Fault
    method: str | None
    path_contains: str | None


class FaultPlan:
    def __init__(self, *, fail_rate: float = 0.0, latency_ms: float = 0.0, seed: int = 20212) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(seed)
        self._queue: list[_Queued] = []
        self.fail_rate = 0.0
        self.latency_ms = 0.0
        self.modes: tuple[str, ...] = ("503", "drop")
        self.slow_seconds = 2.0
        self.configure(fail_rate=fail_rate, latency_ms=latency_ms)

    def configure(
        self,
        *,
        fail_rate: float | None = None,
        latency_ms: float | None = None,
        modes: set[str] | frozenset[str] | None = None,
        slow_seconds: float | None = None,
    ) -> None:
        with self._lock:
            if fail_rate is not None:
                if not 0.0 <= fail_rate <= 1.0:
                    raise ValueError(f"fail_rate must be between 0 and 1, not {fail_rate}")
                self.fail_rate = fail_rate
            if latency_ms is not None:
                if latency_ms < 0:
                    raise ValueError(f"latency_ms must not be negative, not {latency_ms}")
                self.latency_ms = latency_ms
            if modes is not None:
                unknown = set(modes) - FAULT_MODES
                if unknown or not modes:
                    raise ValueError(
                        f"unknown fault modes {sorted(unknown)}; use some of {sorted(FAULT_MODES)}"
                    )
                self.modes = tuple(sorted(modes))
            if slow_seconds is not None:
                self.slow_seconds = slow_seconds

    def fail_next(
        self, count: int, mode: str, *, method: str | None, path_contains: str | None, retry_after: int | None
    ) -> None:
        if mode not in FAULT_MODES:
            raise ValueError(f"unknown fault mode {mode!r}; use one of {sorted(FAULT_MODES)}")
        with self._lock:
            self._queue.append(
                _Queued(count, Fault(mode, retry_after), method.upper() if method else None, path_contains)
            )

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()

    def choose(self, method: str, path: str) -> Fault | None:
        """The fault for this request: a matching queued one first, else one drawn at ``fail_rate``."""
        with self._lock:
            for queued in self._queue:
                if (queued.method is None or queued.method == method) and (
                    queued.path_contains is None or queued.path_contains in path
                ):
                    queued.remaining -= 1
                    if queued.remaining <= 0:
                        self._queue.remove(queued)
                    return queued.fault
            if self.fail_rate and self._rng.random() < self.fail_rate:
                return Fault(self._rng.choice(self.modes), retry_after=1)
        return None

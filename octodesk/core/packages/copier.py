"""Copying the planned package versions: several at once, progress in bytes, every finished copy journaled
so a stopped run continues with the packages it had not finished (a package is copied whole or not at all).
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from octodesk.core.cancel import CancelToken
from octodesk.core.errors import (
    Cancelled,
    ConnectionFailed,
    OctoDeskError,
    PackageConflict,
    RateLimited,
    RequestTimedOut,
    ServerFailure,
)
from octodesk.core.packages.decide import PackageDecision, human_bytes
from octodesk.core.packages.transfer import PackageSource, copy_package
from octodesk.core.packages.versions import PackageVersion
from octodesk.core.progress import Progress, ProgressCallback

if TYPE_CHECKING:
    from octodesk.core.journal import Journal
    from octodesk.core.octopus.client import OctopusClient

PACKAGE_KIND = "Package"
PARALLEL_COPIES = 3
RETRIES = 2  # a package whose transfer broke is sent again whole, at most this often
RATE_LIMITED_TRIES = 100  # a rate limiter's refusals are waited out (each after its Retry-After), this many
PROGRESS_INTERVAL = 0.1  # seconds between byte-progress reports
# Worth sending the whole package again: the connection broke, the server failed or was busy, or the bytes
# were not the ones described (a truncated download). FailIfExists makes a repeat safe: a copy that did
# land answers 409 and is recognised by its hash.
_RETRYABLE = (ConnectionFailed, RequestTimedOut, ServerFailure)

COPIED = "copied"
FAILED = "failed"
CONFLICT = "conflict"


def journal_step(version: PackageVersion) -> str:
    package_id, number = version.key
    return f"package:{package_id}@{number}"


@dataclass
class CopyOutcome:
    decision: PackageDecision
    status: str  # COPIED, FAILED or CONFLICT
    message: str = ""
    error: OctoDeskError | None = None


@dataclass
class _Totals:
    """Byte and package counts across the parallel copies, reported at most every PROGRESS_INTERVAL."""

    progress: ProgressCallback
    packages: int
    bytes_total: int
    bytes_done: int = 0
    finished: int = 0
    current: str = ""
    _last: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def moved(self, label: str, count: int) -> None:
        with self._lock:
            self.bytes_done += count
            self.current = label
            now = time.monotonic()
            if now - self._last < PROGRESS_INTERVAL:
                return
            self._last = now
        self._report(f"Copying {label}")

    def start(self) -> None:
        self._report(f"Copying {self.packages} package version{'s' if self.packages != 1 else ''}")

    def done(self, label: str, message: str) -> None:
        with self._lock:
            self.finished += 1
            self.current = label
        self._report(message)

    def _report(self, message: str) -> None:
        with self._lock:
            progress = Progress(
                "packages",
                PACKAGE_KIND,
                self.current,
                done=self.finished,
                total=self.packages,
                message=f"{message} ({human_bytes(self.bytes_done)} of {human_bytes(self.bytes_total)})",
                bytes_done=self.bytes_done,
                bytes_total=self.bytes_total,
            )
        self.progress(progress)


def copy_packages(
    decisions: list[PackageDecision],
    source: PackageSource,
    client: OctopusClient,
    space_id: str,
    journal: Journal,
    progress: ProgressCallback,
    cancel: CancelToken | None = None,
    *,
    parallel: int = PARALLEL_COPIES,
) -> list[CopyOutcome]:
    """Copy every decision to the target (``PARALLEL_COPIES`` at a time); one outcome per decision, in
    order. A failed package does not stop the others; cancelling does (Cancelled is raised)."""
    totals = _Totals(progress, len(decisions), sum(item.version.size or 0 for item in decisions))
    totals.start()

    def one(decision: PackageDecision) -> CopyOutcome:
        outcome = _copy_with_retries(decision, source, client, space_id, totals, cancel)
        if outcome.status == COPIED:
            journal.mark_done(journal_step(decision.version))
        totals.done(decision.version.label, f"{decision.version.label}: {outcome.status}")
        return outcome

    with ThreadPoolExecutor(max_workers=max(1, parallel), thread_name_prefix="package-copy") as pool:
        outcomes = list(pool.map(one, decisions))
    if cancel is not None:
        cancel.raise_if_cancelled()
    return outcomes


def _copy_with_retries(
    decision: PackageDecision,
    source: PackageSource,
    client: OctopusClient,
    space_id: str,
    totals: _Totals,
    cancel: CancelToken | None,
) -> CopyOutcome:
    label = decision.version.label
    attempt = 0
    rate_limited = 0
    while True:
        attempt += 1
        moved = 0

        def count(size: int) -> None:
            nonlocal moved
            moved += size
            totals.moved(label, size)

        try:
            if cancel is not None:
                cancel.raise_if_cancelled()
            copy_package(source, decision.version, client, space_id, on_bytes=count, cancel=cancel)
            return CopyOutcome(decision, COPIED, f"copied from {source.description}")
        except Cancelled as cancelled:
            return CopyOutcome(decision, FAILED, "cancelled", cancelled)
        except PackageConflict as conflict:
            return CopyOutcome(decision, CONFLICT, str(conflict), conflict)
        except RateLimited as error:  # refused unprocessed: the client holds the next try for Retry-After
            totals.moved(label, -moved)
            rate_limited += 1
            attempt -= 1
            if rate_limited > RATE_LIMITED_TRIES:
                return CopyOutcome(decision, FAILED, str(error), error)
        except _RETRYABLE as error:
            totals.moved(label, -moved)  # the bytes of the broken attempt are sent again
            if attempt > RETRIES:
                return CopyOutcome(decision, FAILED, str(error), error)
            try:
                client.sleep(client.backoff_base * 2 ** (attempt - 1))
            except Cancelled as cancelled:
                return CopyOutcome(decision, FAILED, "cancelled", cancelled)
        except OctoDeskError as error:
            return CopyOutcome(decision, FAILED, str(error), error)

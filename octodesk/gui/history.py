"""The app's recent runs: every export and import report is kept (in the data folder) so it can be reopened
from "Recent runs", filed later, and so running a stopped migration again continues it."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from octodesk.core import paths
from octodesk.core.errors import OctoDeskError
from octodesk.core.report import Report
from octodesk.core.vocabulary import RunOutcome
from octodesk.render.write import write_text

log = logging.getLogger(__name__)

KEEP_RUNS = 50
KEEP_BYTES = 100 * 1024 * 1024
# Reports are written on one background thread, in order: a 1,000-project report is megabytes of JSON,
# and writing it on the GUI thread froze the window for most of a second after every run.
_writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="octodesk-history")
_pending: list[Future[None]] = []
_WRITE_AFTER_S = 0.5
_hurry = threading.Event()  # set while flush() waits: nothing is deferred then


class RunRecord:
    """One kept run. ``summary`` is the report without its done and skipped items (what the list of recent
    runs shows, read fast); ``report``, the whole report, is read from disk the first time it is asked for."""

    def __init__(self, path: Path, flow: str, report: Report | None, summary: Report | None = None) -> None:
        self.path = path
        self.flow = flow  # "export" | "import" | "migrate"
        self._report = report
        self._summary = summary

    @property
    def summary(self) -> Report:
        if self._summary is None:  # derived when first asked for, not on the GUI thread at every run's end
            self._summary = _summary_of(self.report)
        return self._summary

    @property
    def report(self) -> Report:
        if self._report is None:
            self._report = _read(self.path)[1]
        return self._report

    @property
    def unfinished(self) -> bool:
        return self.summary.outcome in (RunOutcome.STOPPED, RunOutcome.CANCELLED)

    def save(self) -> None:
        """Written (again when the user ticks follow-ups off) on the history thread, the summary beside it."""
        report, flow, path = self.report, self.flow, self.path

        def write() -> None:
            # The results page is laid out and painted first: the encoding, holding the interpreter for a
            # piece at a time, slowed every Python call of that first paint (the window froze ~100 ms).
            _hurry.wait(_WRITE_AFTER_S)
            try:
                _write_compact(path, {"flow": flow, "report": report.to_dict()})
                _write_compact(_summary_path(path), {"flow": flow, "report": _summary_of(report).to_dict()})
            except OctoDeskError as error:
                log.warning("The run could not be kept for Recent runs: %s", error)

        _pending[:] = [future for future in _pending if not future.done()]
        _pending.append(_writer.submit(write))


def _write_compact(path: Path, data: dict[str, Any]) -> None:
    """Machine-read JSON, no indentation, encoded by the C encoder a piece at a time: encoded in one call,
    a 1,000-project report held the interpreter for tens of milliseconds and the window froze that long."""
    write_text(path, "".join(_compact_pieces(data)))


def _compact_pieces(value: Any, depth: int = 0) -> Iterator[str]:
    """The compact JSON text of ``value`` in pieces: the outer levels walked here, each element below them
    one short call of the C encoder, so the GUI thread gets the interpreter between two of them."""
    if depth < _PIECE_DEPTH and isinstance(value, dict) and value:
        yield "{"
        for index, (key, item) in enumerate(value.items()):
            yield f"{',' if index else ''}{json.dumps(key)}:"
            yield from _compact_pieces(item, depth + 1)
        yield "}"
    elif depth < _PIECE_DEPTH and isinstance(value, list) and value:
        yield "["
        for index, item in enumerate(value):
            if index:
                yield ","
            yield from _compact_pieces(item, depth + 1)
        yield "]"
    else:
        yield json.dumps(value, separators=(",", ":"))


_PIECE_DEPTH = 3  # {"report": {"items": [each item]}}


def flush() -> None:
    """Wait until every report handed to the history thread is on disk."""
    _hurry.set()
    try:
        for future in list(_pending):
            future.result()
    finally:
        _hurry.clear()


def runs_dir() -> Path:
    folder = paths.data_dir() / "runs"
    (folder / _SUMMARIES).mkdir(parents=True, exist_ok=True)
    return folder


_SUMMARIES = "summaries"


def _summary_path(path: Path) -> Path:
    return path.parent / _SUMMARIES / path.name


def _summary_of(report: Report) -> Report:
    """The report as the list of runs needs it: its facts and failures, not every item."""
    return dataclasses.replace(report, items=report.failures, follow_ups=[], warnings=[], details={})


def _read(path: Path) -> tuple[str, Report]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return str(data["flow"]), Report.from_dict(data["report"])


def record_run(flow: str, report: Report) -> RunRecord:
    """Keep ``report``; the oldest runs beyond the last ``KEEP_RUNS``, or beyond ``KEEP_BYTES`` in all,
    are removed."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    record = RunRecord(runs_dir() / f"{stamp}-{flow}.json", flow, report)
    record.save()
    for old in _beyond_what_is_kept(sorted(runs_dir().glob("*.json"), reverse=True)):
        old.unlink(missing_ok=True)
        _summary_path(old).unlink(missing_ok=True)
    return record


def _beyond_what_is_kept(newest_first: list[Path]) -> list[Path]:
    """The runs to remove: past the newest ``KEEP_RUNS``, or once the kept ones (the new run, not written
    yet, aside) come to ``KEEP_BYTES``. A 1,000-project report is megabytes: fifty of them were 300 MB."""
    kept_bytes = 0
    for position, path in enumerate(newest_first):
        try:
            kept_bytes += path.stat().st_size
        except OSError:
            continue
        if position >= KEEP_RUNS or kept_bytes > KEEP_BYTES:
            return newest_first[max(position, 1) :]
    return []


def recent_runs(limit: int = 20) -> list[RunRecord]:
    """Newest first, from their summaries (a run kept before summaries existed is read whole); a file that
    cannot be read is skipped (and logged)."""
    flush()
    records = []
    for path in sorted(runs_dir().glob("*.json"), reverse=True)[:limit]:
        summary = _summary_path(path)
        try:
            if summary.is_file():
                flow, report = _read(summary)
                records.append(RunRecord(path, flow, None, report))
            else:
                flow, report = _read(path)
                records.append(RunRecord(path, flow, report))
        except (OSError, ValueError, KeyError, TypeError) as error:
            log.warning("Ignoring the unreadable run record %s: %s", path, error)
    return records


def unfinished_migration(projects: list[str], target_url: str, target_space: str) -> RunRecord | None:
    """The last migration of these projects into this space, when it stopped and its bundle still exists:
    running it again with that bundle continues its journal instead of starting over."""
    for record in recent_runs(limit=KEEP_RUNS):
        report = record.summary
        same = (
            record.flow == "migrate"
            and sorted(report.projects) == sorted(projects)
            and report.target.get("url", "").lower() == target_url.lower()
            and report.target.get("space") == target_space
        )
        if same:
            exists = bool(report.bundle_path) and os.path.isfile(report.bundle_path)
            return record if record.unfinished and exists else None
    return None

"""The app's recent runs: every export and import report is kept (in the data folder) so it can be reopened
from "Recent runs", filed later, and so running a stopped migration again continues it."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from octodesk.core import paths
from octodesk.core.report import Report
from octodesk.core.vocabulary import RunOutcome
from octodesk.render import write_json

log = logging.getLogger(__name__)

KEEP_RUNS = 50


@dataclass
class RunRecord:
    path: Path
    flow: str  # "export" | "import" | "migrate"
    report: Report

    @property
    def unfinished(self) -> bool:
        return self.report.outcome in (RunOutcome.STOPPED, RunOutcome.CANCELLED)

    def save(self) -> None:
        """Written again when the user ticks follow-ups off."""
        write_json(self.path, {"flow": self.flow, "report": self.report.to_dict()})


def runs_dir() -> Path:
    folder = paths.data_dir() / "runs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def record_run(flow: str, report: Report) -> RunRecord:
    """Keep ``report``; the oldest runs beyond the last ``KEEP_RUNS`` are removed."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    record = RunRecord(runs_dir() / f"{stamp}-{flow}.json", flow, report)
    record.save()
    for old in sorted(runs_dir().glob("*.json"))[:-KEEP_RUNS]:
        old.unlink(missing_ok=True)
    return record


def recent_runs(limit: int = 20) -> list[RunRecord]:
    """Newest first; a file that cannot be read is skipped (and logged)."""
    records = []
    for path in sorted(runs_dir().glob("*.json"), reverse=True)[:limit]:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            records.append(RunRecord(path, str(data["flow"]), Report.from_dict(data["report"])))
        except (OSError, ValueError, KeyError, TypeError) as error:
            log.warning("Ignoring the unreadable run record %s: %s", path, error)
    return records


def unfinished_migration(projects: list[str], target_url: str, target_space: str) -> RunRecord | None:
    """The last migration of these projects into this space, when it stopped and its bundle still exists:
    running it again with that bundle continues its journal instead of starting over."""
    for record in recent_runs(limit=KEEP_RUNS):
        report = record.report
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

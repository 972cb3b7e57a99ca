"""How an operation the user started in the app ended, and the one line the status bar says about it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from octodesk.core.report import Report
from octodesk.core.vocabulary import RunOutcome
from octodesk.render import plural


class FlowOutcome(StrEnum):
    SUCCEEDED = "succeeded"
    COMPLETED_WITH_FAILURES = "completed with failures"
    STOPPED = "stopped"  # an error stopped it part way
    FAILED = "failed"  # it could not start (bad bundle, unreachable server, ...)
    CANCELLED = "cancelled"
    REFUSED = "refused"  # the import plan refused; nothing written
    ABANDONED = "abandoned"  # closed before anything ran


_FROM_RUN = {
    RunOutcome.SUCCEEDED: FlowOutcome.SUCCEEDED,
    RunOutcome.COMPLETED_WITH_FAILURES: FlowOutcome.COMPLETED_WITH_FAILURES,
    RunOutcome.STOPPED: FlowOutcome.STOPPED,
    RunOutcome.CANCELLED: FlowOutcome.CANCELLED,
}


def of_report(report: Report) -> FlowOutcome:
    return _FROM_RUN[report.outcome]


def status_text(flow: str, outcome: FlowOutcome, report: Report | None = None) -> str:
    """``Import: completed with 2 failures.`` — the same words as the results' headline."""
    if outcome == FlowOutcome.COMPLETED_WITH_FAILURES and report is not None:
        return f"{flow.capitalize()}: completed with {plural(len(report.failures), 'failure')}."
    return f"{flow.capitalize()}: {outcome}."


def local_time(stamp: str) -> str:
    """``2026-12-04T01:55:05+00:00`` as the user's local time, ``2026-12-04 02:55``; unknown as it came."""
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp or "?"

"""Reports shared by export and import: what was done to each item and how it ended, warnings, follow-ups,
where it came from and went to, and the cost in requests. The faces render them (``octodesk.render``)."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field, fields
from typing import Any

from octodesk.core.vocabulary import (
    Action,
    FollowUpCategory,
    NotCarriedReason,
    Outcome,
    RunOutcome,
    follow_up_category,
    not_carried_reason,
)

FAILED_COLUMN = "failed"  # counts: items that failed are counted here, not under their planned action


@dataclass
class FollowUp:
    """Something the user must do by hand after the operation (recreate targets, set a secret, ...)."""

    category: FollowUpCategory
    message: str
    kind: str = ""
    name: str = ""
    ref: str = ""  # sensitive values: the secret reference
    reason: NotCarriedReason | str = ""  # sensitive values: why it is not carried (a code)
    done: bool = False  # ticked off by the user in the results' checklist

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FollowUp:
        return cls(
            follow_up_category(str(data.get("category", ""))),
            str(data.get("message", "")),
            str(data.get("kind", "")),
            str(data.get("name", "")),
            str(data.get("ref", "")),
            not_carried_reason(str(data.get("reason", ""))),
            bool(data.get("done", False)),
        )


@dataclass
class ItemResult:
    """How one plan item ended: done, failed or skipped, and why."""

    kind: str
    name: str
    action: Action
    outcome: Outcome
    reason: str = ""
    resumed: bool = False


@dataclass
class Report:
    operation: str  # "export" | "import"
    finished: bool = False  # ran to the end (items may still have failed)
    cancelled: bool = False
    stopped_by: str = ""  # the error that stopped the run part way
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> action (or "failed") -> n
    items: list[ItemResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    # Where the run came from and went to: what a user filing the report needs.
    started_at: str = ""  # ISO 8601, UTC
    finished_at: str = ""
    tool_version: str = ""
    source: dict[str, str] = field(default_factory=dict)  # url, version, hosting, space
    target: dict[str, str] = field(default_factory=dict)
    projects: list[str] = field(default_factory=list)
    bundle_path: str = ""
    bundle_sha256: str = ""
    http_requests: int = 0
    phase_seconds: dict[str, float] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)

    def count(self, kind: str, action: str, n: int = 1) -> None:
        per_kind = self.counts.setdefault(kind, {})
        per_kind[action] = per_kind.get(action, 0) + n

    @property
    def failures(self) -> list[ItemResult]:
        return [item for item in self.items if item.outcome == Outcome.FAILED]

    @property
    def outcome(self) -> RunOutcome:
        if self.cancelled:
            return RunOutcome.CANCELLED
        if not self.finished:
            return RunOutcome.STOPPED
        return RunOutcome.COMPLETED_WITH_FAILURES if self.failures else RunOutcome.SUCCEEDED

    @property
    def succeeded(self) -> bool:
        """Ran to the end and every item is done or skipped with its reason."""
        return self.outcome == RunOutcome.SUCCEEDED

    @property
    def written(self) -> list[ItemResult]:
        """Items this run wrote to the target (created, updated, merged, converted)."""
        unchanged = (Action.REUSE, Action.SKIP)
        return [item for item in self.items if item.outcome == Outcome.DONE and item.action not in unchanged]

    def to_dict(self) -> dict[str, Any]:
        # What ``asdict`` gives, at a sixth of its cost: a 1,000-project report has 10,000 follow-ups, and
        # ``asdict`` deep-copied them field by field for 140 ms (the GUI keeps every run's report).
        data: dict[str, Any] = {}
        for entry in fields(self):
            value = getattr(self, entry.name)
            if entry.name in ("items", "follow_ups"):
                value = [dict(vars(element)) for element in value]
            else:
                value = copy.deepcopy(value)
            data[entry.name] = value
        data.update(outcome=str(self.outcome), succeeded=self.succeeded, failure_count=len(self.failures))
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        """A report saved with ``to_json`` (the GUI's "Recent runs"); tolerant of missing fields."""
        items = [
            ItemResult(
                str(item.get("kind", "")),
                str(item.get("name", "")),
                _action(str(item.get("action", ""))),
                _outcome(str(item.get("outcome", ""))),
                str(item.get("reason", "")),
                bool(item.get("resumed", False)),
            )
            for item in _dicts(data.get("items"))
        ]
        counts = data.get("counts") if isinstance(data.get("counts"), dict) else {}
        return cls(
            operation=str(data.get("operation", "")),
            finished=bool(data.get("finished", data.get("succeeded", False))),
            cancelled=bool(data.get("cancelled", False)),
            stopped_by=str(data.get("stopped_by", "")),
            counts={
                str(kind): {str(a): int(n) for a, n in per.items() if isinstance(n, int)}
                for kind, per in (counts or {}).items()
                if isinstance(per, dict)
            },
            items=items,
            warnings=[str(w) for w in data.get("warnings") or [] if isinstance(w, str)],
            follow_ups=[FollowUp.from_dict(f) for f in _dicts(data.get("follow_ups"))],
            started_at=str(data.get("started_at", "")),
            finished_at=str(data.get("finished_at", "")),
            tool_version=str(data.get("tool_version", "")),
            source=_strings(data.get("source")),
            target=_strings(data.get("target")),
            projects=[str(p) for p in data.get("projects") or [] if isinstance(p, str)],
            bundle_path=str(data.get("bundle_path", "")),
            bundle_sha256=str(data.get("bundle_sha256", "")),
            http_requests=int(data.get("http_requests") or 0),
            phase_seconds=_numbers(data.get("phase_seconds")),
            details=dict(data["details"]) if isinstance(data.get("details"), dict) else {},
        )


def _dicts(value: object) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _strings(value: object) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _numbers(value: object) -> dict[str, float]:
    if not isinstance(value, dict):
        return {}
    return {str(k): float(v) for k, v in value.items() if isinstance(v, int | float)}


def _action(text: str) -> Action:
    try:
        return Action(text)
    except ValueError:
        return Action.SKIP


def _outcome(text: str) -> Outcome:
    try:
        return Outcome(text)
    except ValueError:
        return Outcome.SKIPPED


def not_carried_follow_up(item: dict[str, Any]) -> FollowUp:
    """The follow-up for a sensitive value a bundle does not carry (a ``secrets_not_carried`` entry)."""
    ref = str(item.get("ref", ""))
    return FollowUp(
        FollowUpCategory.SENSITIVE_VALUE,
        f"{ref} is not carried.",
        ref=ref,
        reason=not_carried_reason(str(item.get("reason", ""))),
    )

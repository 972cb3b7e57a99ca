"""Reports shared by export and import: what was done, warnings, follow-ups, and the cost in requests."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class FollowUp:
    """Something the user must do by hand after the operation (recreate targets, set a secret, ...)."""

    category: str  # e.g. "deployment-targets", "sensitive-value", "package", "trigger", "logo", "scope"
    message: str
    kind: str = ""
    name: str = ""


@dataclass
class Report:
    operation: str  # "export" | "import" | "plan"
    succeeded: bool = False
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> action -> n
    warnings: list[str] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    http_requests: int = 0
    phase_seconds: dict[str, float] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)

    def count(self, kind: str, action: str, n: int = 1) -> None:
        per_kind = self.counts.setdefault(kind, {})
        per_kind[action] = per_kind.get(action, 0) + n

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)


SENSITIVE_VALUE = "sensitive-value"


def not_carried_follow_up(item: dict[str, Any]) -> FollowUp:
    """The follow-up for a sensitive value a bundle does not carry (``secrets_not_carried`` entry)."""
    return FollowUp(SENSITIVE_VALUE, f"{item.get('ref')} is not carried: {item.get('reason')}.")

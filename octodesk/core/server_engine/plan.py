"""What an import with Octopus's own import task will do: the server's preview per kind, what OctoDesk adds
after it, and the refusals found before anything was sent."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from octodesk.core.bundle import Bundle
from octodesk.core.journal import Journal
from octodesk.core.plan.target import TargetSpace
from octodesk.core.plan.types import action_counts
from octodesk.core.report import FollowUp
from octodesk.core.server_engine.bundle import ENGINE_SERVER


@dataclass
class PreviewItem:
    """One resource of the server's preview, and whether the target already has one of that name."""

    kind: str
    name: str
    action: str  # "create" | "reuse" (matched by name, as Octopus's import does)
    details: list[str] = field(default_factory=list)


@dataclass
class ServerImportPlan:
    bundle_path: str
    source: dict[str, Any]
    target: TargetSpace = field(repr=False)
    bundle: Bundle = field(repr=False)
    journal: Journal = field(repr=False)
    password: str = field(repr=False)
    same_instance: bool = False
    import_source: dict[str, Any] = field(default_factory=dict)
    items: list[PreviewItem] = field(default_factory=list)  # the server's preview, per kind
    extras: list[str] = field(default_factory=list)  # what OctoDesk adds after the server's import
    refusals: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    resumed_task: str = ""  # an import task an earlier run started
    resumed_done: bool = False  # an earlier run's import task succeeded: only the extras are left
    http_requests: int = 0
    seconds: float = 0.0

    @property
    def refused(self) -> bool:
        return bool(self.refusals)

    @property
    def space_name(self) -> str:
        return self.target.space_name

    def counts(self) -> dict[str, dict[str, int]]:
        return action_counts(self.items)

    def to_dict(self) -> dict[str, Any]:
        return {
            "operation": "plan",
            "engine": ENGINE_SERVER,
            "bundle": self.bundle_path,
            "source": dict(self.source),
            "target": {
                "url": self.target.server_url,
                "space": self.target.space_name,
                "version": self.target.version,
                "hosting": self.target.hosting,
            },
            "same_instance": self.same_instance,
            "import_source": {key: value for key, value in self.import_source.items()},
            "refused": self.refused,
            "refusals": list(self.refusals),
            "warnings": list(self.warnings),
            "follow_ups": [asdict(item) for item in self.follow_ups],
            "counts": self.counts(),
            "items": [asdict(item) for item in self.items],
            "extras": list(self.extras),
            "resumed": {"task": self.resumed_task, "import_done": self.resumed_done},
            "http_requests": self.http_requests,
        }

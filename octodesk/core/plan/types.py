"""What an import plan is: per resource, the action and its reason, plus refusals, warnings and follow-ups.

The planner (``octodesk.core.plan.planner``) fills it in; apply (``octodesk.core.apply``) carries it out.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from octodesk.core.report import FollowUp
from octodesk.core.vocabulary import IMPORT_ACTIONS, Action

if TYPE_CHECKING:
    from octodesk.core.bundle import Bundle
    from octodesk.core.journal import Journal
    from octodesk.core.packages.decide import PackagePlan
    from octodesk.core.packages.transfer import PackageSource
    from octodesk.core.plan.target import TargetSpace

ACTIONS = IMPORT_ACTIONS


@dataclass
class ImportOptions:
    update_existing: bool = False
    # Create accounts and Git credentials whose required secret the bundle lacks with a named placeholder
    # (each listed as a follow-up); otherwise such an import is refused before anything is written.
    placeholder_secrets: bool = False


@dataclass
class PlanItem:
    kind: str
    name: str
    source_id: str
    action: Action
    reason: str
    details: list[str] = field(default_factory=list)
    target_id: str | None = None
    resumed: bool = False  # created by an earlier, interrupted run of this import


@dataclass
class ExternalReferences:
    """Resources the bundle names but does not carry (Deploy-a-Release child projects, machines in scopes),
    keyed by (kind, source id): their names, and the target ids of those the target has by name."""

    names: dict[tuple[str, str], str] = field(default_factory=dict)
    targets: dict[tuple[str, str], str] = field(default_factory=dict)


@dataclass
class ImportPlan:
    bundle_path: str
    source: dict[str, Any]
    options: ImportOptions
    # What apply needs, kept out of to_dict(): the decrypted bundle never leaves memory.
    bundle: Bundle = field(repr=False)
    target: TargetSpace = field(repr=False)
    journal: Journal = field(repr=False)
    items: list[PlanItem] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    external: ExternalReferences = field(default_factory=ExternalReferences, repr=False)
    bundle_sha256: str = ""  # the bundle file's hash: the same bundle resumes the same journal
    # Built-in feed packages (items of kind "Package"), and where apply reads their files from.
    packages: PackagePlan | None = None
    package_source: PackageSource | None = field(default=None, repr=False)
    http_requests: int = 0
    seconds: float = 0.0
    _index: dict[tuple[str, str], PlanItem] = field(default_factory=dict, init=False, repr=False)

    @property
    def server_url(self) -> str:
        return self.target.server_url

    @property
    def space_name(self) -> str:
        return self.target.space_name

    @property
    def space_id(self) -> str:
        return self.target.space_id

    @property
    def target_version(self) -> str:
        return self.target.version

    @property
    def target_hosting(self) -> str:
        return self.target.hosting

    @property
    def refused(self) -> bool:
        return bool(self.refusals)

    def item(self, kind: str, source_id: str) -> PlanItem | None:
        if len(self._index) != len(self.items):
            self._index = {(item.kind, item.source_id): item for item in self.items}
        return self._index.get((kind, source_id))

    def counts(self) -> dict[str, dict[str, int]]:
        return action_counts(self.items)

    def to_dict(self) -> dict[str, Any]:
        return {
            "operation": "plan",
            "bundle": os.fspath(self.bundle_path),
            "target": {
                "url": self.server_url,
                "space": self.space_name,
                "version": self.target_version,
                "hosting": self.target_hosting,
            },
            "source": dict(self.source),
            "options": asdict(self.options),
            "refused": self.refused,
            "refusals": list(self.refusals),
            "warnings": list(self.warnings),
            "follow_ups": [asdict(follow_up) for follow_up in self.follow_ups],
            "counts": self.counts(),
            "items": [
                {key: value for key, value in asdict(item).items() if key != "resumed" or value}
                for item in self.items
            ],
            "packages": self.packages.to_dict() if self.packages is not None else None,
            "http_requests": self.http_requests,
        }


class _Planned(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def action(self) -> str: ...


def action_counts(items: Iterable[_Planned]) -> dict[str, dict[str, int]]:
    """How many items of each kind each action takes: the totals of a plan (either engine's)."""
    counts: dict[str, dict[str, int]] = {}
    for item in items:
        per_kind = counts.setdefault(item.kind, {})
        per_kind[item.action] = per_kind.get(item.action, 0) + 1
    return counts

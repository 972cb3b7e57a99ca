"""Import preview: for every resource in a bundle, what will happen on the target and why. Writes nothing.

``plan_import`` reads the bundle (password and integrity first), the target space (one request per shared
collection) and the journal of an earlier, interrupted run of the same import, then lets
``octodesk.core.plan_rules`` decide create / reuse / merge / update / convert / skip per resource.
A plan with refusals must not be applied; ``apply_plan`` checks.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from octodesk.core.bundle import read_bundle
from octodesk.core.cancel import CancelToken
from octodesk.core.journal import Journal, bundle_fingerprint
from octodesk.core.plan_target import TargetSpace, read_target
from octodesk.core.progress import Progress, ProgressCallback, no_progress
from octodesk.core.report import FollowUp

if TYPE_CHECKING:
    from octodesk.core.bundle import Bundle
    from octodesk.core.client import OctopusClient

ACTIONS = ("create", "reuse", "merge", "update", "convert", "skip")


@dataclass
class ImportOptions:
    update_existing: bool = False


@dataclass
class PlanItem:
    kind: str
    name: str
    source_id: str
    action: str  # one of ACTIONS
    reason: str
    details: list[str] = field(default_factory=list)
    target_id: str | None = None
    resumed: bool = False  # created by an earlier, interrupted run of this import


@dataclass
class ImportPlan:
    bundle_path: str
    server_url: str
    space_name: str
    space_id: str
    source: dict[str, Any]
    target_version: str
    target_hosting: str
    options: ImportOptions
    items: list[PlanItem] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    http_requests: int = 0
    seconds: float = 0.0
    # What apply needs, kept out of to_dict(): the decrypted bundle never leaves memory.
    bundle: Bundle | None = field(default=None, repr=False)
    target: TargetSpace | None = field(default=None, repr=False)
    journal: Journal | None = field(default=None, repr=False)
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def refused(self) -> bool:
        return bool(self.refusals)

    def item(self, kind: str, source_id: str) -> PlanItem | None:
        return self._index().get((kind, source_id))

    def _index(self) -> dict[tuple[str, str], PlanItem]:
        index: dict[tuple[str, str], PlanItem] | None = self.extra.get("index")
        if index is None or len(index) != len(self.items):
            index = {(item.kind, item.source_id): item for item in self.items}
            self.extra["index"] = index
        return index

    def counts(self) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {}
        for item in self.items:
            per_kind = counts.setdefault(item.kind, {})
            per_kind[item.action] = per_kind.get(item.action, 0) + 1
        return counts

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
            "http_requests": self.http_requests,
        }


def plan_import(
    bundle_path: str | os.PathLike[str],
    password: str,
    client: OctopusClient,
    space_name: str,
    options: ImportOptions | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> ImportPlan:
    """Read the bundle and the target space and decide, per resource, what the import will do."""
    from octodesk.core.plan_rules import decide

    options = options or ImportOptions()
    report = progress or no_progress
    started = time.monotonic()
    requests_before = client.request_count
    report(Progress("read", message="Checking the bundle's password and integrity"))
    bundle = read_bundle(bundle_path, password)  # refuses a wrong password or damaged bundle first
    if cancel:
        cancel.raise_if_cancelled()
    report(Progress("connect", message=f"Reading target space {space_name}"))
    target = read_target(client, space_name)
    if cancel:
        cancel.raise_if_cancelled()
    journal = Journal.for_import(bundle_fingerprint(bundle_path), target.server_url, target.space_name)
    source = bundle.manifest.get("source")
    plan = ImportPlan(
        bundle_path=os.fspath(bundle_path),
        server_url=target.server_url,
        space_name=target.space_name,
        space_id=target.space_id,
        source=dict(source) if isinstance(source, dict) else {},
        target_version=target.version,
        target_hosting=target.hosting,
        options=options,
        bundle=bundle,
        target=target,
        journal=journal,
    )
    report(Progress("plan", message="Deciding what to do with each resource"))
    decide(plan, client)
    plan.http_requests = client.request_count - requests_before
    plan.seconds = time.monotonic() - started
    report(Progress("plan", done=len(plan.items), total=len(plan.items), message="Plan ready"))
    return plan

"""What every apply step shares: the plan, the id map, the journal, the report, and the one way to write.

Every document goes through :meth:`ApplyContext.prepare` (strip read-only fields, remap every id through
``octodesk.core.resources.model``) and :meth:`ApplyContext.send` (prove no source id is left, journal,
write, count).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from octodesk.core.cancel import CancelToken
from octodesk.core.errors import ServerFailure, SourceIdLeaked, UnresolvedReference
from octodesk.core.journal import Journal
from octodesk.core.octopus.client import OctopusClient
from octodesk.core.octopus.http import EncodedJson
from octodesk.core.plan.target import TargetSpace
from octodesk.core.plan.types import ImportPlan, PlanItem
from octodesk.core.progress import Progress, ProgressCallback
from octodesk.core.report import FAILED_COLUMN, FollowUp, Report
from octodesk.core.resources import kinds, model
from octodesk.core.resources.ids import IdMap, json_text_tokens, leaked_source_ids
from octodesk.core.vocabulary import Action, FollowUpCategory, Outcome

if TYPE_CHECKING:
    from octodesk.core.bundle import Bundle

# Fields the server owns: never sent on create (docs/octopus-api-facts.md "Server-owned fields").
READ_ONLY_FIELDS = (
    "Id",
    "Links",
    "LastModifiedOn",
    "LastModifiedBy",
    "DeploymentProcessId",
    "VariableSetId",
    "ClonedFromProjectId",
    "ClonedFromTenantId",
    "RunbookProcessId",
    "PublishedRunbookSnapshotId",
)
TEMPLATE_VERSION_KIND = "ActionTemplateVersion"  # journal/id-map entries "<source id>@<source version>"


@dataclass
class ApplyState:
    """What one apply run learns as it goes; the plan itself is never changed by apply."""

    # per project source id: the target project (created, updated or found)
    target_projects: dict[str, dict[str, Any]] = field(default_factory=dict)
    # the target's processes and variable sets of those projects, by document id, read in a few batches
    prefetched_documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    # per target project id: its channels
    prefetched_channels: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # per project source id: (source runbook, target runbook) of each runbook created or matched
    runbooks: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = field(default_factory=dict)
    # per target tenant id: its variables, read in one request
    prefetched_tenant_variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    # accounts/certificates restricted to tenants that did not exist yet: (item, route, target id)
    restrictions_to_complete: list[tuple[PlanItem, str, str]] = field(default_factory=list)
    # how each plan item ended, by (kind, source id): (outcome, reason, the action actually taken)
    outcomes: dict[tuple[str, str], tuple[Outcome, str, Action]] = field(default_factory=dict)




@dataclass
class ApplyContext:
    plan: ImportPlan
    client: OctopusClient
    report: Report
    progress: ProgressCallback
    cancel: CancelToken | None
    ids: IdMap = field(default_factory=IdMap)
    state: ApplyState = field(default_factory=ApplyState)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _target_tokens: set[str] = field(default_factory=set)  # id-like tokens of the target documents read
    _unread_answers: list[Any] = field(default_factory=list)  # target documents not tokenised yet
    _done: int = 0
    _total: int = 0

    def __post_init__(self) -> None:
        self._unread_answers.append(list(self.target.collections.values()))

    @property
    def bundle(self) -> Bundle:
        return self.plan.bundle

    @property
    def target(self) -> TargetSpace:
        return self.plan.target

    @property
    def journal(self) -> Journal:
        return self.plan.journal

    def route(self, collection: str) -> str:
        return self.target.route(collection)

    # --- bookkeeping -----------------------------------------------------------------------------

    def start_phase(self, total: int) -> None:
        with self._lock:
            self._done, self._total = 0, total

    def tick(self, kind: str, name: str) -> None:
        with self._lock:
            self._done += 1
            done, total = self._done, self._total
        self.progress(Progress("apply", kind, name, done, total))

    def count(self, item: PlanItem | None, kind: str, action: str) -> None:
        """``item`` is done as planned (or, without a plan item, one more ``action`` of ``kind``)."""
        with self._lock:
            self.report.count(kind, item.action if item else action)
            if item is not None:
                done = Outcome.SKIPPED if item.action == Action.SKIP else Outcome.DONE
                self.state.outcomes[(item.kind, item.source_id)] = (done, item.reason, item.action)

    def unchanged(self, item: PlanItem, reason: str) -> None:
        """``item`` needed no write after all: the target already holds it (counted as reused)."""
        with self._lock:
            self.report.count(item.kind, Action.REUSE)
            self.state.outcomes[(item.kind, item.source_id)] = (Outcome.DONE, reason, Action.REUSE)

    def skipped(self, item: PlanItem | None, kind: str, reason: str) -> None:
        """``item`` was left out on purpose, for ``reason`` (a follow-up says what to do)."""
        with self._lock:
            self.report.count(kind, Action.SKIP)
            if item is not None:
                self.state.outcomes[(item.kind, item.source_id)] = (Outcome.SKIPPED, reason, item.action)

    def failed(self, item: PlanItem, reason: str) -> None:
        """The target refused ``item``; the rest of the import goes on."""
        with self._lock:
            self.report.count(item.kind, FAILED_COLUMN)
            self.state.outcomes[(item.kind, item.source_id)] = (Outcome.FAILED, reason, item.action)

    def warn(self, message: str) -> None:
        with self._lock:
            self.report.warnings.append(message)

    def follow_up(
        self, category: FollowUpCategory, message: str, kind: str = "", name: str = "", ref: str = ""
    ) -> None:
        with self._lock:
            self.report.follow_ups.append(FollowUp(category, message, kind, name, ref))

    def check_cancel(self) -> None:
        if self.cancel is not None:
            self.cancel.raise_if_cancelled()

    # --- documents -------------------------------------------------------------------------------

    def lookup(self, ref: model.Reference) -> str | None:
        if ref.kind in (model.PROJECT_TEMPLATE, model.LIBRARY_TEMPLATE):
            return self.ids.get(ref.kind, ref.value) or ref.value  # a new owner keeps its template ids
        return self.ids.get(ref.kind, ref.value)

    def prepare(
        self,
        kind: str,
        document: dict[str, Any],
        *,
        strip: Iterable[str] = READ_ONLY_FIELDS,
        allow_unmapped: Callable[[model.Reference], bool] | None = None,
    ) -> tuple[dict[str, Any], list[model.Reference]]:
        """A copy ready to send: read-only fields removed, SpaceId the target's, every id remapped.
        Unmapped references fail unless ``allow_unmapped`` accepts them (they are then returned)."""
        body = dict(document)  # remap copies it deeply; only top-level keys change here
        for name in strip:
            body.pop(name, None)
        if "SpaceId" in body or kinds.KINDS_BY_NAME.get(kind, kinds.PROJECT).space_scoped:
            body["SpaceId"] = self.target.space_id
        result = model.remap(kind, body, self.lookup)
        accepted = []
        for ref in result.unmapped:
            if allow_unmapped is not None and allow_unmapped(ref):
                accepted.append(ref)
                continue
            raise UnresolvedReference(
                f"{kind} '{document.get('Name', document.get('Id', ''))}' refers to {ref.kind} {ref.value} "
                f"({ref.path}), which has no match on the target. Nothing was written for it."
            )
        return result.document, accepted

    # --- talking to the target -------------------------------------------------------------------

    def _unknown_to_target(self, values: set[str]) -> set[str]:
        """Those of ``values`` that no target document seen so far holds: a token of a target answer is a
        target id, whatever a source id may look like. Answers are tokenised only when a write holds a
        stale-looking id, all at once from their JSON text (C speed; the text's tokens are a superset of
        the walked ones): walking each answer as it came cost a fifth of an import's CPU."""
        with self._lock:
            pending, self._unread_answers = self._unread_answers, []
        tokens = json_text_tokens(json.dumps(pending, ensure_ascii=False)) if pending else set()
        with self._lock:
            self._target_tokens |= tokens
            return {value for value in values if value not in self._target_tokens}

    def remember(self, document: Any) -> Any:
        """Ids inside a document the target sent are target ids, whatever a source id may look like."""
        with self._lock:
            self._unread_answers.append(document)
        return document

    def read(self, path: str) -> Any:
        return self.remember(self.client.get(path))

    def read_collection(self, route: str, *, all_route: bool = True) -> list[dict[str, Any]]:
        return list(self.remember(self.client.read_collection(route, all_route=all_route)))

    def send(self, method: str, path: str, body: dict[str, Any], what: str, *, identity: str = "Id") -> Any:
        """The only way an import writes: the leak check first, then the request. ``identity``: the field
        a saved document answers with (tenant values answer with their ``TenantId``).

        The body is encoded once; its JSON text is scanned for stale source ids (a C-speed regex), and only
        a candidate hit walks the document, which names where the id is and tells a target id apart."""
        self.check_cancel()
        encoded = json.dumps(body, allow_nan=False)
        candidates = self.ids.stale_among(json_text_tokens(encoded))
        if candidates or not self.ids.only_ascii_sources:
            found = leaked_source_ids(body, candidates or self.ids.stale_source_ids())
            unknown = self._unknown_to_target({value for _, value in found}) if found else set()
            leaks = [(where, value) for where, value in found if value in unknown]
            if leaks:
                shown = ", ".join(f"{value} at {where}" for where, value in leaks[:5])
                raise SourceIdLeaked(
                    f"Refusing to send {what}: it still refers to source ids that do not exist on the "
                    f"target: {shown}. Nothing was written for it."
                )
        data = EncodedJson(encoded.encode("utf-8"))
        answer = self.client.post(path, data) if method == "POST" else self.client.put(path, data)
        if not isinstance(answer, dict) or not isinstance(answer.get(identity), str) or not answer[identity]:
            # Octopus answers a write with the stored document; anything else leaves us without its id.
            raise ServerFailure(
                f"{method} {path} for {what} was accepted but the server did not answer with the saved "
                "document."
            )
        return self.remember(answer)

    def create(self, kind: str, source_id: str, name: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST a new resource, journaled before (intent) and after (its target id)."""
        self.journal.begin(kind, source_id, name)
        created = self.send("POST", path, body, f"{kind} '{name}'")
        target_id = str(created["Id"])
        self.journal.record(kind, source_id, target_id, name)
        self.ids.put(kind, source_id, target_id)
        return dict(created)

    def map_items(self, fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
        return self.client.map(fn, items) if items else []

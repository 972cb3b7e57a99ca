"""All stored state of one sandbox: documents per collection, id counters, template versions, logos,
built-in feed packages."""

from __future__ import annotations

import copy
import random
import re
import threading
from datetime import UTC, datetime
from typing import Any

from .package_store import PackageStore

Document = dict[str, Any]

_SLUG_UNSAFE = re.compile(r"[^a-z0-9]+")


def slugify(name: str) -> str:
    """Lower-case, runs of other characters to one dash, at most 50 characters (Octopus' slug rules)."""
    slug = _SLUG_UNSAFE.sub("-", name.lower()).strip("-")[:50].strip("-")
    return slug or "blue-ring"


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+00:00"


_ID_BLOCK = 10_000  # ids one store may hand out per prefix before reaching the next store's block
_used_blocks: set[int] = set()
_blocks_lock = threading.Lock()


def _take_id_block(rng: random.Random) -> int:
    """A random block start no other store in this process has (separate processes: random, 1 in 900)."""
    with _blocks_lock:
        free = [n for n in range(1, 901) if n not in _used_blocks] or [rng.randint(901, 100_000)]
        block = rng.choice(free)
        _used_blocks.add(block)
    return block * _ID_BLOCK


class Store:
    """Documents keyed by collection route then id; ``lock`` guards every read-modify-write."""

    def __init__(self, rng: random.Random | None = None) -> None:
        self.lock = threading.RLock()
        self._rng = rng or random.Random()
        self.docs: dict[str, dict[str, Document]] = {}
        # route -> ProjectId -> id -> document, kept by put and delete (a stored document's ProjectId changes
        # only through put; other fields are sometimes changed in place, which the index does not look at):
        # a project's channels or runbooks without a scan of every project's
        self._by_project: dict[str, dict[Any, dict[str, Document]]] = {}
        self._counters: dict[str, int] = {}
        self.template_versions: dict[str, dict[int, Document]] = {}
        self.logos: dict[str, tuple[str, bytes]] = {}
        self.tenant_variables: dict[str, Document] = {}
        self.deployment_settings: dict[str, Document] = {}
        self.certificate_files: dict[str, tuple[str, bytes, bytes]] = {}
        self.packages = PackageStore()
        self._block = _take_id_block(self._rng)

    def new_id(self, prefix: str) -> str:
        """``Prefix-N``; each store starts its ids in a block of its own so two sandboxes never agree on
        ids (a random offset alone collided about once in 400 pairs, hiding unmapped ids)."""
        with self.lock:
            if prefix not in self._counters:
                self._counters[prefix] = self._block + self._rng.randint(0, 9) * 10
            self._counters[prefix] += 1
            return f"{prefix}-{self._counters[prefix]}"

    def collection(self, route: str) -> dict[str, Document]:
        return self.docs.setdefault(route, {})

    def get(self, route: str, doc_id: str) -> Document | None:
        return self.docs.get(route, {}).get(doc_id)

    def put(self, route: str, doc: Document) -> None:
        doc.setdefault("LastModifiedOn", now_iso())
        doc.setdefault("LastModifiedBy", "sandbox-user")
        documents = self.collection(route)
        old = documents.get(doc["Id"])
        documents[doc["Id"]] = doc
        by_project, project = self._by_project.setdefault(route, {}), doc.get("ProjectId")
        if old is None or old.get("ProjectId") == project:
            by_project.setdefault(project, {})[doc["Id"]] = doc  # in place when it was there
            return
        # moved to another project (rare): its new project's documents listed again in stored order
        by_project.get(old.get("ProjectId"), {}).pop(doc["Id"], None)
        by_project[project] = {d["Id"]: d for d in documents.values() if d.get("ProjectId") == project}

    def delete(self, route: str, doc_id: str) -> None:
        old = self.docs.get(route, {}).pop(doc_id, None)
        if old is not None:
            self._by_project.get(route, {}).get(old.get("ProjectId"), {}).pop(doc_id, None)
        self.logos.pop(doc_id, None)

    def of_project(self, route: str, project_id: str | None, space_id: str | None) -> list[Document]:
        """The documents of ``route`` whose ProjectId is ``project_id`` (in the space), in stored order."""
        owned = self._by_project.get(route, {}).get(project_id, {})
        return [doc for doc in owned.values() if doc.get("SpaceId") == space_id]

    def in_space(self, route: str, space_id: str | None) -> list[Document]:
        return [doc for doc in self.docs.get(route, {}).values() if doc.get("SpaceId") == space_id]

    def exists_in_space(self, route: str, doc_id: str, space_id: str) -> bool:
        doc = self.get(route, doc_id)
        return doc is not None and doc.get("SpaceId") == space_id

    def snapshot(self) -> dict[str, Any]:
        """A deep, JSON-able copy of everything stored, secrets included."""
        with self.lock:
            return copy.deepcopy(
                {
                    "documents": self.docs,
                    "template_versions": {
                        tid: {str(v): doc for v, doc in versions.items()}
                        for tid, versions in self.template_versions.items()
                    },
                    "logos": {owner: [ctype, data.hex()] for owner, (ctype, data) in self.logos.items()},
                    # A value's Id is bookkeeping like a GUID: the values themselves are the state.
                    "tenant_variables": {
                        tenant: {
                            **stored,
                            "Values": [
                                {k: v for k, v in value.items() if k != "Id"} for value in stored["Values"]
                            ],
                        }
                        for tenant, stored in self.tenant_variables.items()
                    },
                    "deployment_settings": self.deployment_settings,
                    "certificate_files": {
                        cid: [fmt, data.hex()] for cid, (fmt, data, _pem) in self.certificate_files.items()
                    },
                    "packages": self.packages.snapshot(),
                }
            )

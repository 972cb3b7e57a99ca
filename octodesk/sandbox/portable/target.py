"""The target side of an import: the space written to, the source-to-target id maps, and writes that go
through the sandbox's own routes so every rule a client meets (validation, references, child documents,
sensitive values) applies to the import too."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..http_types import Request, Response
from ..profiles import SCOPED_TENANT_VARIABLES
from ..references import RELEASES_FEED_ID
from ..store import Document, Store
from .archive import ExportContent


class ImportFailed(Exception):
    """Ends the import; the message is the task's ErrorMessage."""


class TaskLog(Protocol):
    def info(self, message: str) -> None: ...

    def verbose(self, message: str) -> None: ...

    def warn(self, message: str) -> None: ...

    def commit(self) -> None: ...


_NOT_WRITTEN = ("Id", "SpaceId", "Slug", "Links", "LastModifiedOn", "LastModifiedBy")


def body_of(doc: Document, *drop: str) -> Document:
    """A stored document as the body of a create: server-owned fields left out."""
    return {k: copy.deepcopy(v) for k, v in doc.items() if k not in _NOT_WRITTEN and k not in drop}


def same_name(a: Any, b: Any) -> bool:
    return str(a or "").strip().lower() == str(b or "").strip().lower()


@dataclass
class ImportTarget:
    store: Store
    handle: Callable[[Request], Response]
    space_id: str
    hosting: str
    content: ExportContent
    log: TaskLog
    same_instance: bool
    maps: dict[str, dict[str, str]] = field(default_factory=dict)
    actions: dict[str, str] = field(default_factory=dict)
    template_ids: dict[str, str] = field(default_factory=dict)  # variable template ids on merged sets

    # reading -------------------------------------------------------------------------------------
    def exported(self, route: str) -> list[Document]:
        return self.content.documents.get(route, [])

    def existing(self, route: str) -> list[Document]:
        return self.store.in_space(route, self.space_id)

    def find(self, route: str, name: Any) -> Document | None:
        candidates = self.existing(route)
        if route == "teams":
            candidates = [
                t
                for t in self.store.collection("teams").values()
                if t.get("SpaceId") in (self.space_id, None)
            ]
        return next((doc for doc in candidates if same_name(doc.get("Name"), name)), None)

    # Mapper --------------------------------------------------------------------------------------
    def ref(self, route: str, ref_id: str) -> str | None:
        if route == "actions":
            return self.actions.setdefault(ref_id, str(uuid.uuid4()))
        if route == "processowners":
            return self.maps.get("projects", {}).get(ref_id) or self.maps.get("runbooks", {}).get(ref_id)
        if route == "tags" or (route == "feeds" and ref_id == RELEASES_FEED_ID):
            return ref_id
        if route == "machines":
            name = self.content.manifest.get("MachineNames", {}).get(ref_id)
            machine = self.find("machines", name) if name else None
            return machine["Id"] if machine else None
        return self.maps.get(route, {}).get(ref_id)

    def left_out(self, message: str) -> None:
        self.log.warn(f"The {message} is left out.")

    @property
    def scoped_tenant_variables(self) -> bool:
        """Whether the server keeps tenant values on projectvariables/commonvariables (and so refuses the
        legacy tenant-variables write), as a client finds out: from the feature toggles."""
        response = self.handle(
            Request("GET", "/api/configuration/feature-toggles", {"Name": SCOPED_TENANT_VARIABLES}, None)
        )
        toggles = response.body.get("FeatureToggles", []) if response.status == 200 else []
        return any(toggle.get("IsEnabled") for toggle in toggles)

    # writing -------------------------------------------------------------------------------------
    def write(self, method: str, path: str, body: Document) -> Document:
        """One write through the sandbox's own route; a refusal ends the import with the route's message."""
        response = self.handle(
            Request(method, f"/api/{self.space_id}/{path}", {}, copy.deepcopy(body), b"", "application/json")
        )
        if response.status >= 400:
            message = (
                response.body.get("ErrorMessage") if isinstance(response.body, dict) else response.status
            )
            raise ImportFailed(f"The import could not write {path}: {message}")
        result: Document = response.body
        return result

    def mapped(self, route: str, source_id: str, target_id: str) -> str:
        self.maps.setdefault(route, {})[source_id] = target_id
        return target_id

    def raw(self, route: str, doc_id: str) -> Document:
        """The stored document (secrets included) the import is about to change."""
        doc = self.store.get(route, doc_id)
        assert doc is not None, f"{route}/{doc_id} vanished during the import"
        return copy.deepcopy(doc)

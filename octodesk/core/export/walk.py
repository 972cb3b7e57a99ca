"""Reading the source space for an export, one dependency level at a time.

The cost of an export is round trips to a server that may be far away, so each level reads every kind it
needs in one go — whole collections through ``/all`` routes, or batches of ids — and runs the reads of a
level in parallel on the client's pool. The number of requests grows with the number of kinds and levels,
not with the number of projects. Every document is read once and kept here (kind -> id -> document).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from octodesk.core.cancel import CancelToken
from octodesk.core.errors import IncompleteAnswer, PermissionDenied, ResourceNotFound
from octodesk.core.octopus.client import OctopusClient
from octodesk.core.progress import Progress, ProgressCallback
from octodesk.core.resources import kinds, settings, tenant_values

IDS_PER_BATCH = 100  # the client's batch size: one request per task

# Shared kinds read whole (one request each, no dependency on anything else) and selected in memory.
WHOLE_COLLECTIONS: tuple[kinds.Kind, ...] = (
    kinds.ENVIRONMENT,
    kinds.LIFECYCLE,
    kinds.PROJECT_GROUP,
    kinds.FEED,
    kinds.WORKER_POOL,
    kinds.TAG_SET,
    kinds.ACCOUNT,
    kinds.CERTIFICATE,
    kinds.LIBRARY_VARIABLE_SET,
    kinds.ACTION_TEMPLATE,
    kinds.CHANNEL,
    kinds.RUNBOOK,
    kinds.TENANT,
)
MACHINE_KIND = "Machine"
Task = tuple[str, Callable[[], None]]


@dataclass
class SourceData:
    """Everything read from the source space."""

    space_id: str
    server_version: str
    docs: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # kind -> id -> document
    template_versions: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    logos: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # project id -> (bytes, content type)
    warnings: list[str] = field(default_factory=list)
    _owned: dict[str, tuple[int, dict[Any, list[dict[str, Any]]]]] = field(
        default_factory=dict, repr=False
    )

    def of(self, kind: str) -> dict[str, dict[str, Any]]:
        return self.docs.setdefault(kind, {})

    def get(self, kind: str, item_id: str) -> dict[str, Any] | None:
        return self.docs.get(kind, {}).get(item_id)

    def name_of(self, kind: str, item_id: str) -> str | None:
        document = self.get(kind, item_id)
        name = document.get("Name") if document else None
        return name if isinstance(name, str) else None

    def owned_by(self, kind: str, project_id: str) -> list[dict[str, Any]]:
        """The documents of ``kind`` whose ProjectId is ``project_id``: indexed once per kind (and again
        only when more were read), not scanned once per project."""
        documents = self.of(kind)
        count, index = self._owned.get(kind, (-1, {}))
        if count != len(documents):
            index = {}
            for document in documents.values():
                index.setdefault(document.get("ProjectId"), []).append(document)
            self._owned[kind] = (len(documents), index)
        return list(index.get(project_id, []))


class SourceReader:
    """Reads levels of documents into a :class:`SourceData`, in parallel, each document once."""

    def __init__(
        self,
        client: OctopusClient,
        data: SourceData,
        progress: ProgressCallback,
        cancel: CancelToken | None = None,
    ) -> None:
        self.client = client
        self.data = data
        self.progress = progress
        self.cancel = cancel
        self.tenant_variables_missing = False
        self.scoped_tenant_variables = False
        # told of every batch of documents as it is stored (on the reading thread)
        self.on_store: Callable[[str, list[dict[str, Any]]], None] | None = None
        self._lock = threading.Lock()

    def api(self, route: str) -> str:
        return f"/api/{self.data.space_id}/{route}"

    # --- running a level -------------------------------------------------------------------------

    def run(self, tasks: list[Task]) -> None:
        """Run one level's reads in parallel; progress per finished read; the cancel token between reads."""
        if not tasks:
            return
        done = 0
        total = len(tasks)

        def run_one(task: Task) -> None:
            nonlocal done
            if self.cancel is not None:
                self.cancel.raise_if_cancelled()
            label, read = task
            read()
            with self._lock:
                done += 1
                finished = done
            self.progress(Progress("read", label, "", finished, total, f"read {label}"))

        self.client.map(run_one, tasks)
        if self.cancel is not None:
            self.cancel.raise_if_cancelled()

    def _store(self, kind: str, documents: Iterable[dict[str, Any]]) -> None:
        stored = []
        with self._lock:
            target = self.data.of(kind)
            for document in documents:
                item_id = document.get("Id")
                if isinstance(item_id, str):
                    target[item_id] = document
                    stored.append(document)
        if self.on_store is not None and stored:
            self.on_store(kind, stored)

    def _missing(self, kind: str, ids: Iterable[object]) -> list[str]:
        known = self.data.of(kind)
        return list(
            dict.fromkeys(item for item in ids if isinstance(item, str) and item and item not in known)
        )

    # --- tasks -----------------------------------------------------------------------------------

    def whole_collection(self, kind: kinds.Kind) -> Task:
        """One kind read whole: its ``/all`` route, or its pages where the server has no ``/all``."""

        def read() -> None:
            self._store(kind.name, self.client.read_collection(self.api(kind.route), all_route=kind.has_all))

        return kind.name, read

    def by_ids(self, kind: str, route: str, ids: Iterable[object], *, required: bool = True) -> list[Task]:
        """One task per batch of ids not read yet. An id the server does not return fails the export when
        ``required`` (a project's own documents), and is a warning otherwise (a reference to something that
        was deleted: the import then reports the reference it cannot resolve)."""
        wanted = self._missing(kind, ids)
        path = route if route.startswith("/api/") else self.api(route)
        batches = [wanted[i : i + IDS_PER_BATCH] for i in range(0, len(wanted), IDS_PER_BATCH)]

        def reader(batch: list[str]) -> Callable[[], None]:
            def read() -> None:
                documents = self.client.get_by_ids(path, batch)
                self._store(kind, documents)
                returned = {document.get("Id") for document in documents}
                missing = [item for item in batch if item not in returned]
                if missing and not required:
                    with self._lock:
                        self.data.warnings.append(
                            f"The server has no {kind} {', '.join(missing)}, though the projects refer to it."
                        )
                elif missing:
                    # A bundle silently lacking part of a project would import as an empty process.
                    raise IncompleteAnswer(
                        f"The server did not return {kind} {', '.join(missing)} when asked for it by id "
                        f"(GET {path}?ids=...); it may have been deleted during the export. Export again."
                    )

            return read

        return [(kind, reader(batch)) for batch in batches]

    def optional_by_ids(
        self, kind: str, route: str, ids: Iterable[object], what: str, *, required: bool = True
    ) -> list[Task]:
        """Reads a key may be refused (targets, teams: permissions of their own) or that only add names: a
        refusal is a warning, not a failure; what could not be read is then not carried."""
        tasks = self.by_ids(kind, route, ids, required=required)

        def tolerant(read: Callable[[], None]) -> Callable[[], None]:
            def run() -> None:
                try:
                    read()
                except (PermissionDenied, ResourceNotFound, IncompleteAnswer) as error:
                    with self._lock:
                        self.data.warnings.append(f"Could not read the names of {what}: {error}")

            return run

        return [(label, tolerant(read)) for label, read in tasks]

    def all_tenant_variables(self, tenant_ids: Iterable[str]) -> list[Task]:
        """Every wanted tenant's variables in one request (``/tenantvariables/all``, 2021.2 Swagger).

        A server without that route leaves ``tenant_variables_missing`` set: read them per tenant then.
        """
        wanted = set(self._missing(kinds.TENANT_VARIABLES.name, tenant_ids))

        def read() -> None:
            try:
                documents = self.client.get_all(self.api("tenantvariables/all"))
            except ResourceNotFound:
                self.tenant_variables_missing = True
                return
            self._store_tenant_variables(d for d in documents if d.get("TenantId") in wanted)
            if wanted - set(self.data.of(kinds.TENANT_VARIABLES.name)):
                self.tenant_variables_missing = True

        return [(kinds.TENANT_VARIABLES.name, read)] if wanted else []

    def tenant_variables(self, tenant_ids: Iterable[str]) -> list[Task]:
        """One request per tenant (``/tenants/{id}/variables``): the fallback of ``all_tenant_variables``."""

        def reader(tenant_id: str) -> Callable[[], None]:
            def read() -> None:
                document = self.client.get(self.api(f"tenants/{tenant_id}/variables"))
                if isinstance(document, dict):
                    document.setdefault("TenantId", tenant_id)
                    self._store_tenant_variables([document])

            return read

        missing = self._missing(kinds.TENANT_VARIABLES.name, tenant_ids)
        return [(kinds.TENANT_VARIABLES.name, reader(item)) for item in missing]

    def deployment_settings(self, projects: list[dict[str, Any]]) -> list[Task]:
        """The first project's settings (one request): where the server has settings a project document
        lacks, ``settings_rest`` reads the others'."""
        if not projects:
            return []

        def read() -> None:
            self._store_settings(str(projects[0]["Id"]))

        return [(kinds.DEPLOYMENT_SETTINGS.name, read)]

    def settings_rest(self, projects: list[dict[str, Any]]) -> list[Task]:
        if not self.data.of(kinds.DEPLOYMENT_SETTINGS.name):
            return []  # the first project's answer had no settings-only field: this server has none

        def reader(project_id: str) -> Callable[[], None]:
            return lambda: self._store_settings(project_id)

        return [(kinds.DEPLOYMENT_SETTINGS.name, reader(str(p["Id"]))) for p in projects[1:]]

    def _store_settings(self, project_id: str) -> None:
        try:
            answer = self.client.get(self.api(f"projects/{project_id}/deploymentsettings"))
        except ResourceNotFound:
            return  # a server older than the settings route: everything is on the project document
        document = settings.settings_only(answer, project_id)
        if document is not None:
            self._store(kinds.DEPLOYMENT_SETTINGS.name, [document])

    def one_by_one(self, kind: kinds.Kind, ids: Iterable[str], what: str) -> list[Task]:
        """Resources whose collection takes no ids filter (Git credentials), one request each; one the key
        may not read or the server no longer has is a warning (the import then reports the reference)."""

        def reader(item_id: str) -> Callable[[], None]:
            def read() -> None:
                try:
                    self._store(kind.name, [self.client.get(self.api(f"{kind.route}/{item_id}"))])
                except (PermissionDenied, ResourceNotFound) as error:
                    with self._lock:
                        self.data.warnings.append(f"Could not read {what} {item_id}: {error}")

            return read

        return [(kind.name, reader(item_id)) for item_id in self._missing(kind.name, ids)]

    def scoped_tenant_variables_toggle(self) -> list[Task]:
        """Whether the server has scoped tenant variables (a feature toggle), read beside the tenants'
        variables rather than a round trip after them."""

        def read() -> None:
            self.scoped_tenant_variables = self.client.feature_enabled(tenant_values.SCOPED_TENANT_VARIABLES)

        return [(kinds.TENANT_VARIABLES.name, read)]

    def scoped_common_variables(self, tenant_ids: Iterable[str]) -> list[Task]:
        """Servers with scoped common variables: each tenant's environment-scoped common values, which the
        2021.2 view leaves out (one request per tenant), added to its TenantVariables document."""

        def reader(tenant_id: str) -> Callable[[], None]:
            def read() -> None:
                answer = self.client.get(self.api(f"tenants/{tenant_id}/commonvariables"))
                with self._lock:
                    document = self.data.of(kinds.TENANT_VARIABLES.name).get(tenant_id)
                    if document is not None:
                        document[tenant_values.SCOPED_COMMON] = tenant_values.scoped_common_values(answer)

            return read

        return [(kinds.TENANT_VARIABLES.name, reader(tenant_id)) for tenant_id in dict.fromkeys(tenant_ids)]

    def _store_tenant_variables(self, documents: Iterable[dict[str, Any]]) -> None:
        for document in documents:
            document["Id"] = document.get("TenantId")  # the tenant-variables resource's id is the tenant's
            self._store(kinds.TENANT_VARIABLES.name, [document])

    def template_versions(self, wanted: Iterable[tuple[str, int]]) -> list[Task]:
        def reader(template_id: str, version: int) -> Callable[[], None]:
            def read() -> None:
                document = self.client.get(self.api(f"actiontemplates/{template_id}/versions/{version}"))
                with self._lock:
                    self.data.template_versions[(template_id, version)] = document

            return read

        missing = [key for key in dict.fromkeys(wanted) if key not in self.data.template_versions]
        return [(kinds.ACTION_TEMPLATE.name, reader(*key)) for key in missing]

    def logos(self, projects: Iterable[dict[str, Any]]) -> list[Task]:
        """Uploaded logos; a default one (its link's cache-buster is the server version) is skipped."""

        def reader(project: dict[str, Any]) -> Callable[[], None]:
            def read() -> None:
                body, content_type = self.client.get_bytes(
                    self.api(f"projects/{project['Id']}/logo"), accept="image/"
                )
                with self._lock:
                    self.data.logos[project["Id"]] = (body, content_type)

            return read

        return [
            (kinds.PROJECT_LOGO, reader(p)) for p in projects if has_custom_logo(p, self.data.server_version)
        ]


def has_custom_logo(project: dict[str, Any], server_version: str) -> bool:
    link = (project.get("Links") or {}).get("Logo")
    if not isinstance(link, str) or not link:
        return False
    cache_buster = parse_qs(urlsplit(link).query).get("cb", [""])[0]
    return bool(cache_buster) and not cache_buster.endswith(server_version)

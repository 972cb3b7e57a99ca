"""Export: the chosen projects and everything they reference, read straight from the store, secrets included.

What goes in follows the documented rules (docs/import-rules.md "Matching"): each project with its settings,
channels, deployment process, runbooks and variables; projects its Deploy Release steps deploy; connected
library variable sets and tenants; and, through the references of all of these, lifecycles, environments
(not those of the default lifecycle), accounts, certificates, feeds, worker pools, teams, tag sets and the
step template versions the steps use. Triggers, logos, deployment targets, workers and packages stay out.
"""

from __future__ import annotations

import copy
from collections import deque

from ..references import RELEASES_FEED_ID, is_expression, split_ids
from ..resources.tenants import stored_legacy_values
from ..store import Document, Store
from .archive import ExportContent
from .walk import visit

DEFAULT_LIFECYCLE = "Default Lifecycle"
_PSEUDO_ROUTES = frozenset({"actions", "processowners"})


def _release_children(store: Store, project: Document) -> set[str]:
    """Projects a project's Deploy Release steps (deployment process and runbooks) deploy."""
    children: set[str] = set()
    for process in _processes(store, project):
        for step in process.get("Steps") or []:
            for action in step.get("Actions") or []:
                if action.get("ActionType") != "Octopus.DeployRelease":
                    continue
                children.update(
                    split_ids((action.get("Properties") or {}).get("Octopus.Action.DeployRelease.ProjectId"))
                )
                children.update(
                    p.get("PackageId") for p in action.get("Packages") or [] if p.get("PackageId")
                )
    return {child for child in children if not is_expression(child)}


def _processes(store: Store, project: Document) -> list[Document]:
    processes = [store.get("deploymentprocesses", project["DeploymentProcessId"])]
    processes += [
        store.get("runbookProcesses", runbook["RunbookProcessId"])
        for runbook in store.collection("runbooks").values()
        if runbook.get("ProjectId") == project["Id"]
    ]
    return [process for process in processes if process is not None]


def project_closure(store: Store, space_id: str, project_ids: list[str]) -> list[str]:
    """The chosen projects, then every project of the space their Deploy Release steps reach, in discovery
    order."""
    ordered = list(dict.fromkeys(project_ids))
    queue = deque(ordered)
    while queue:
        project = store.get("projects", queue.popleft())
        if project is None:
            continue
        for child in sorted(_release_children(store, project)):
            if child not in ordered and store.exists_in_space("projects", child, space_id):
                ordered.append(child)
                queue.append(child)
    return ordered


class _Collector:
    """Walks references breadth-first from the projects, keeping every document they reach."""

    def __init__(self, store: Store, space_id: str, project_ids: list[str]) -> None:
        self.store = store
        self.space_id = space_id
        self.project_ids = set(project_ids)
        self.documents: dict[str, dict[str, Document]] = {}
        self.templates: set[tuple[str, int]] = set()
        self.tag_sets: set[str] = set()
        self.machine_names: dict[str, str] = {}
        self.warnings: list[str] = []
        self._queue: deque[tuple[str, str]] = deque()
        self._queued: set[tuple[str, str]] = set()
        self.current = ""

    # Mapper --------------------------------------------------------------------------------------
    def ref(self, route: str, ref_id: str) -> str | None:
        if route in _PSEUDO_ROUTES or (route == "feeds" and ref_id == RELEASES_FEED_ID):
            return ref_id
        if route == "tags":
            self.tag_sets.add(ref_id.split("/", 1)[0].lower())
            return ref_id
        doc = self.store.get(route, ref_id)
        owned = doc is not None and doc.get("SpaceId") in (
            (self.space_id, None) if route == "teams" else (self.space_id,)
        )
        if not owned or (route == "projects" and ref_id not in self.project_ids):
            self.warnings.append(
                f"{self.current} refers to {route} '{ref_id}', which does not exist in this space; "
                "the reference is left out of the export."
            )
            return None
        assert doc is not None
        if route == "machines":
            self.machine_names[ref_id] = str(doc.get("Name"))
        elif route != "actiontemplates":
            self.add(route, ref_id)
        return ref_id

    def left_out(self, message: str) -> None:
        self.warnings.append(f"{self.current}: {message} is left out of the export.")

    # collecting ----------------------------------------------------------------------------------
    def add(self, route: str, doc_id: str) -> None:
        if (route, doc_id) not in self._queued:
            self._queued.add((route, doc_id))
            self._queue.append((route, doc_id))

    def drain(self) -> None:
        while self._queue:
            route, doc_id = self._queue.popleft()
            doc = self.store.get(route, doc_id)
            if doc is None:
                continue
            self.current = f"{doc.get('Name') or doc_id}"
            if route == "lifecycles" and doc.get("Name") == DEFAULT_LIFECYCLE:
                kept = copy.deepcopy(doc)  # its environments are deliberately not exported
            else:
                kept = visit(route, self._narrowed(route, doc), self)
            self.documents.setdefault(route, {})[doc_id] = kept
            if route in ("deploymentprocesses", "runbookProcesses"):
                self._note_templates(kept)

    def _narrowed(self, route: str, doc: Document) -> Document:
        """A tenant keeps only its connections to exported projects."""
        if route != "tenants":
            return doc
        connections = doc.get("ProjectEnvironments") or {}
        return {**doc, "ProjectEnvironments": {p: e for p, e in connections.items() if p in self.project_ids}}

    def _note_templates(self, process: Document) -> None:
        for step in process.get("Steps") or []:
            for action in step.get("Actions") or []:
                properties = action.get("Properties") or {}
                template_id = properties.get("Octopus.Action.Template.Id")
                if isinstance(template_id, str) and template_id:
                    try:
                        version = int(str(properties.get("Octopus.Action.Template.Version")))
                    except ValueError:
                        continue
                    self.templates.add((template_id, version))


def collect(
    store: Store, space_id: str, project_ids: list[str], manifest: Document
) -> tuple[ExportContent, list[str]]:
    """The export's content (with secrets) and the warnings to log. Call with the store locked."""
    included = project_closure(store, space_id, project_ids)
    collector = _Collector(store, space_id, included)
    for project_id in included:
        project = store.get("projects", project_id)
        assert project is not None
        collector.add("projects", project_id)
        collector.add("deploymentprocesses", project["DeploymentProcessId"])
        collector.add("variables", project["VariableSetId"])
        for route in ("channels", "runbooks", "runbookProcesses"):
            for child in store.in_space(route, space_id):
                if child.get("ProjectId") == project_id:
                    collector.add(route, child["Id"])
    for library in store.in_space("libraryvariablesets", space_id):
        if any(
            library["Id"] in (store.get("projects", p) or {}).get("IncludedLibraryVariableSetIds", [])
            for p in included
        ):
            collector.add("variables", library["VariableSetId"])
    for tenant in store.in_space("tenants", space_id):
        if set(tenant.get("ProjectEnvironments") or {}) & set(included):
            collector.add("tenants", tenant["Id"])
    collector.drain()
    versions = _template_versions(store, collector)
    collector.drain()  # what the template versions reference
    for tag_set in store.in_space("tagsets", space_id):
        if str(tag_set.get("Name", "")).lower() in collector.tag_sets:
            collector.documents.setdefault("tagsets", {})[tag_set["Id"]] = copy.deepcopy(tag_set)
    libraries = set(collector.documents.get("libraryvariablesets", {}))
    tenant_variables = {}
    for tenant_id in collector.documents.get("tenants", {}):
        stored = stored_legacy_values(store, tenant_id) if tenant_id in store.tenant_variables else None
        if stored is not None:
            narrowed = {
                "ProjectVariables": {
                    p: v for p, v in stored.get("ProjectVariables", {}).items() if p in collector.project_ids
                },
                "LibraryVariables": {
                    s: v for s, v in stored.get("LibraryVariables", {}).items() if s in libraries
                },
            }
            tenant_variables[tenant_id] = visit("tenantvariables", narrowed, collector)
    documents = {route: list(docs.values()) for route, docs in collector.documents.items()}
    content = ExportContent(
        manifest={
            **manifest,
            "SpaceId": space_id,
            "ProjectIds": included,
            "IncludedProjectIds": list(project_ids),
            "MachineNames": collector.machine_names,
            "ProjectsWithLogos": [p for p in included if p in store.logos],
            "TriggerCounts": {
                p: n
                for p in included
                if (
                    n := sum(
                        1 for t in store.in_space("projecttriggers", space_id) if t.get("ProjectId") == p
                    )
                )
            },
            "Counts": {route: len(docs) for route, docs in sorted(documents.items())},
        },
        documents=documents,
        tenant_variables=tenant_variables,
        template_versions=versions,
    )
    return content, collector.warnings


def _template_versions(store: Store, collector: _Collector) -> list[Document]:
    versions = []
    for template_id, version in sorted(collector.templates):
        history = store.template_versions.get(template_id, {})
        doc = history.get(version)
        if doc is None or doc.get("SpaceId") != collector.space_id:
            collector.warnings.append(
                f"Step template '{template_id}' version {version} does not exist; the steps using it lose "
                "their link to the template."
            )
            continue
        collector.current = str(doc.get("Name"))
        versions.append(visit("actiontemplates", doc, collector))
    return versions

"""Choosing what an export carries: the closure of the chosen projects over the reference model.

Pure and in memory: given what was read (:class:`SourceData`), follow every reference from the projects out
(docs/octopus-api-facts.md "Reference fields") and keep exactly what is reached, by the rules of
docs/import-rules.md: no environments of the default lifecycle unless reached otherwise, tenants only when
connected to an exported project (their documents trimmed to the exported projects), step templates at the
version the steps use, Deploy-a-Release child projects, machines, releases and users only by name.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from octodesk.core.export.walk import MACHINE_KIND, SourceData
from octodesk.core.resources import model, tenant_values

DEFAULT_LIFECYCLE = "Default Lifecycle"
# Kinds picked from whole collections when referenced (shared resources, matched by name on import).
SHARED_KINDS = frozenset(
    {
        "Environment",
        "Lifecycle",
        "ProjectGroup",
        "Feed",
        "WorkerPool",
        "TagSet",
        "Account",
        "Certificate",
        "LibraryVariableSet",
    }
)
# Kinds that belong to one project (or library set) and are carried with their owner.
CHILD_KINDS = frozenset(
    {
        "Channel",
        "Runbook",
        "DeploymentProcess",
        "VariableSet",
        "RunbookProcess",
        "ProjectTrigger",
        "TenantVariables",
    }
)
PROCESS_KINDS = ("DeploymentProcess", "RunbookProcess")

Doc = dict[str, Any]


@dataclass
class TemplateUse:
    name: str
    latest: int | None
    referenced: set[int] = field(default_factory=set)

    @property
    def carried(self) -> int | None:
        """The newest version any step uses (import applies it when newer than the target's)."""
        return max(self.referenced) if self.referenced else self.latest


@dataclass
class Selection:
    project_ids: list[str]
    carried: dict[str, dict[str, Doc]] = field(default_factory=lambda: defaultdict(dict))
    external: dict[str, dict[str, str]] = field(
        default_factory=lambda: defaultdict(dict)
    )  # kind -> id -> name
    templates: dict[str, TemplateUse] = field(default_factory=dict)
    team_ids: set[str] = field(default_factory=set)
    git_credential_ids: set[str] = field(default_factory=set)
    machine_ids: set[str] = field(default_factory=set)
    roles: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # project id -> roles
    deploy_release_children: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    warnings: list[str] = field(default_factory=list)

    def has(self, kind: str, item_id: str) -> bool:
        return item_id in self.carried.get(kind, {})

    def count(self) -> dict[str, int]:
        return {kind: len(docs) for kind, docs in self.carried.items() if docs}


def library_set_ids(data: SourceData, project_ids: list[str]) -> list[str]:
    ids: list[str] = []
    for project_id in project_ids:
        ids.extend((data.get("Project", project_id) or {}).get("IncludedLibraryVariableSetIds") or [])
    return list(dict.fromkeys(ids))


def connected_tenant_ids(data: SourceData, project_ids: list[str]) -> list[str]:
    wanted = set(project_ids)
    return [
        tenant_id
        for tenant_id, tenant in data.of("Tenant").items()
        if wanted & set((tenant.get("ProjectEnvironments") or {}).keys())
    ]


def project_children(data: SourceData, kind: str, project_ids: list[str]) -> list[Doc]:
    wanted = set(project_ids)
    return [doc for doc in data.of(kind).values() if doc.get("ProjectId") in wanted]


# A project's own documents: those its project document names (field on the project, owner field on theirs),
# then its children (ProjectId).
_NAMED_BY_PROJECT = {
    "DeploymentProcess": ("DeploymentProcessId", "ProjectId"),
    "VariableSet": ("VariableSetId", "OwnerId"),
}
_PROJECT_CHILDREN = ("Channel", "Runbook", "ProjectTrigger", "DeploymentSettings")


def project_documents(data: SourceData, project_ids: list[str]) -> list[tuple[str, Doc]]:
    """The projects and the documents that are theirs alone (process, variables, channels, runbooks,
    triggers, settings): carried whatever else the closure reaches, as they were read, so an export can
    write them before the rest of the source is read. Runbook processes come later (a level 2 read)."""
    found: list[tuple[str, Doc]] = []
    for project_id in project_ids:
        project = data.get("Project", project_id)
        if project is None:
            continue
        found.append(("Project", project))
        for kind, (field_name, _owner_field) in _NAMED_BY_PROJECT.items():
            item_id = project.get(field_name)
            document = data.get(kind, item_id) if isinstance(item_id, str) else None
            if document is not None and is_project_document(data, {project_id}, kind, document):
                found.append((kind, document))  # its owner is this project (once, whoever else names it)
    for kind in _PROJECT_CHILDREN:
        found += [(kind, document) for document in project_children(data, kind, project_ids)]
    return [(kind, document) for kind, document in found if isinstance(document.get("Id"), str)]


def is_project_document(data: SourceData, project_ids: set[str], kind: str, document: Doc) -> bool:
    """Whether ``document`` (of ``kind``, once read) is one of :func:`project_documents`: the export writes
    each as soon as it arrives."""
    if not isinstance(document.get("Id"), str):
        return False
    if kind == "Project":
        return document["Id"] in project_ids
    if kind in _NAMED_BY_PROJECT:
        field_name, owner_field = _NAMED_BY_PROJECT[kind]
        owner = document.get(owner_field)
        project = data.get("Project", owner) if isinstance(owner, str) and owner in project_ids else None
        return project is not None and project.get(field_name) == document["Id"]
    return kind in _PROJECT_CHILDREN and document.get("ProjectId") in project_ids


def select(data: SourceData, project_ids: list[str]) -> Selection:
    closure = Closure(data, project_ids)
    closure.run()
    return closure.complete()


class Closure:
    """The closure in two steps: :meth:`run` follows everything read so far and names the step template
    versions, teams and machines still to read; :meth:`complete` adds those once read (instead of a
    second closure from scratch)."""

    def __init__(self, data: SourceData, project_ids: list[str]) -> None:
        self.data = data
        self.selection = Selection(list(project_ids))
        self.queue: deque[tuple[str, Doc]] = deque()
        self.library_sets = set(library_set_ids(data, project_ids))

    def complete(self) -> Selection:
        """Teams, Git credentials and machines now read, then each template at its version and what that
        references."""
        for team_id in sorted(self.selection.team_ids):
            self.add("Team", self.data.get("Team", team_id))
        for credential_id in sorted(self.selection.git_credential_ids):
            self.add(model.GIT_CREDENTIAL, self.data.get(model.GIT_CREDENTIAL, credential_id))
        for machine_id in sorted(self.selection.machine_ids):
            self._external(MACHINE_KIND, machine_id)
        self._drain()
        self._add_templates()
        return self.selection

    def _drain(self) -> None:
        while self.queue:
            kind, document = self.queue.popleft()
            if kind in PROCESS_KINDS:
                self._note_process(kind, document)
            for ref in model.references(kind, document):
                self.follow(kind, document, ref)

    def run(self) -> Selection:
        projects = set(self.selection.project_ids)
        for kind, document in project_documents(self.data, self.selection.project_ids):
            self.add(kind, document)
        for tenant_id in connected_tenant_ids(self.data, self.selection.project_ids):
            tenant = dict(self.data.get("Tenant", tenant_id) or {})  # the copy's one new value below
            tenant["ProjectEnvironments"] = {
                key: value
                for key, value in (tenant.get("ProjectEnvironments") or {}).items()
                if key in projects
            }
            self.add("Tenant", tenant)
            variables = self.data.get("TenantVariables", tenant_id)
            if variables is not None:
                self.add("TenantVariables", self._trim_tenant_variables(variables, projects))
        self._drain()
        return self.selection

    def add(self, kind: str, document: Doc | None) -> None:
        if not document or not isinstance(document.get("Id"), str):
            return
        if self.selection.has(kind, document["Id"]):
            return
        self.selection.carried[kind][document["Id"]] = document
        self.queue.append((kind, document))

    def _trim_tenant_variables(self, variables: Doc, projects: set[str]) -> Doc:
        """A copy holding only the exported projects and library sets. Only the containers it filters are
        new; the values inside are the ones read, shared as every other carried document is (nothing
        changes a carried document: the writer scrubs into a copy of its own)."""
        kept = {"ProjectVariables": projects, "LibraryVariables": self.library_sets}
        trimmed = {key: value for key, value in variables.items() if key not in kept}
        for key, wanted in kept.items():
            entries = variables.get(key) or {}
            trimmed[key] = {entry: value for entry, value in entries.items() if entry in wanted}
        if tenant_values.SCOPED_COMMON in trimmed:
            trimmed[tenant_values.SCOPED_COMMON] = [
                value
                for value in trimmed[tenant_values.SCOPED_COMMON] or []
                if value.get("LibraryVariableSetId") in self.library_sets
            ]
        return trimmed

    def _external(self, kind: str, item_id: str) -> None:
        name = self.data.name_of(kind, item_id)
        if name is not None:
            self.selection.external[kind][item_id] = name

    def follow(self, kind: str, document: Doc, ref: model.Reference) -> None:
        selection = self.selection
        target = ref.kind
        if ref.by_name:
            if target == model.TENANT_TAG and "/" in ref.value:
                self._add_by_name("TagSet", ref.value.split("/", 1)[0])
            elif target == model.TARGET_ROLE:
                owner = document.get("ProjectId") or document.get("Id")
                if kind in ("Project", "Runbook", *PROCESS_KINDS) and isinstance(owner, str):
                    selection.roles[owner].add(ref.value)
            return
        if target == MACHINE_KIND:
            selection.machine_ids.add(ref.value)
            self._external(MACHINE_KIND, ref.value)
            return
        if target == "Project" and ref.value not in selection.project_ids:
            self._external("Project", ref.value)
            if kind in PROCESS_KINDS and isinstance(document.get("ProjectId"), str):
                selection.deploy_release_children[document["ProjectId"]].add(ref.value)
            return
        if ref.optional:
            self._external(target, ref.value)
            return
        if target == "Environment" and kind == "Lifecycle" and document.get("Name") == DEFAULT_LIFECYCLE:
            return  # the default lifecycle's environments travel only when reached otherwise
        if target in SHARED_KINDS:
            found = self.data.get(target, ref.value)
            if found is None:
                selection.warnings.append(
                    f"{kind} '{_label(document)}' references {target} {ref.value}, "
                    "which does not exist on the source."
                )
            self.add(target, found)
        elif target == "ActionTemplate":
            template = self.data.get("ActionTemplate", ref.value)
            if template is not None and ref.value not in selection.templates:
                latest = template.get("Version")
                selection.templates[ref.value] = TemplateUse(
                    str(template.get("Name", ref.value)), latest if isinstance(latest, int) else None
                )
        elif target == "Team":
            selection.team_ids.add(ref.value)
            self.add("Team", self.data.get("Team", ref.value))
        elif target == model.GIT_CREDENTIAL:
            selection.git_credential_ids.add(ref.value)
            self.add(target, self.data.get(target, ref.value))
        elif target == "Tenant" and not selection.has("Tenant", ref.value):
            self._external("Tenant", ref.value)
        elif target in CHILD_KINDS:
            found = self.data.get(target, ref.value)
            if found is not None and self._owned(found):
                self.add(target, found)
            elif not selection.has(target, ref.value):
                self._external(target, ref.value)

    def _owned(self, document: Doc) -> bool:
        owner = document.get("ProjectId") or document.get("OwnerId")
        return owner in self.selection.project_ids or owner in self.library_sets

    def _add_by_name(self, kind: str, name: str) -> None:
        for document in self.data.of(kind).values():
            if document.get("Name") == name:
                self.add(kind, document)
                return

    def _note_process(self, kind: str, process: Doc) -> None:
        for template_id, version in model.step_template_usages(process):
            use = self.selection.templates.get(template_id)
            template = self.data.get("ActionTemplate", template_id)
            if use is None and template is not None:
                latest = template.get("Version")
                use = TemplateUse(str(template.get("Name")), latest if isinstance(latest, int) else None)
                self.selection.templates[template_id] = use
            if use is not None and version is not None:
                use.referenced.add(version)

    def _add_templates(self) -> None:
        """Each template at the version its steps use, then whatever that version references."""
        for template_id, use in self.selection.templates.items():
            version = use.carried
            document = None
            if version is not None and version != use.latest:
                document = self.data.template_versions.get((template_id, version))
            if document is None:
                document = self.data.get("ActionTemplate", template_id)
            if len(use.referenced) > 1:
                self.selection.warnings.append(
                    f"Steps use versions {sorted(use.referenced)} of step template '{use.name}'; "
                    f"the bundle carries version {version}."
                )
            self.add("ActionTemplate", document)
        self._drain()


def _label(document: Doc) -> str:
    return str(document.get("Name") or document.get("Id") or "?")


def template_versions_to_read(selection: Selection) -> list[tuple[str, int]]:
    return [
        (template_id, use.carried)
        for template_id, use in selection.templates.items()
        if use.carried is not None and use.carried != use.latest
    ]


def deploys_to(data: SourceData, selection: Selection, project_id: str) -> tuple[list[str], list[str]]:
    """(target roles, environment names) of a project: its steps' roles, its lifecycles' environments."""
    lifecycle_ids = {(data.get("Project", project_id) or {}).get("LifecycleId")}
    for channel in data.owned_by("Channel", project_id):
        if channel.get("LifecycleId"):
            lifecycle_ids.add(channel["LifecycleId"])
    environment_ids: list[str] = []
    for lifecycle_id in lifecycle_ids:
        lifecycle = data.get("Lifecycle", lifecycle_id) if isinstance(lifecycle_id, str) else None
        if lifecycle is None:
            continue
        phases = lifecycle.get("Phases") or []
        if not phases:  # a lifecycle without phases deploys to every environment
            environment_ids.extend(data.of("Environment"))
        for phase in phases:
            environment_ids.extend(phase.get("AutomaticDeploymentTargets") or [])
            environment_ids.extend(phase.get("OptionalDeploymentTargets") or [])
    environments = sorted(
        {item for item in environment_ids if data.get("Environment", item)},
        key=lambda item: (
            data.of("Environment")[item].get("SortOrder", 0),
            data.name_of("Environment", item),
        ),
    )
    names = [data.name_of("Environment", item) or item for item in environments]
    return sorted(selection.roles.get(project_id, set())), names

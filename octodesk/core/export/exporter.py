"""Export: the chosen projects, with everything they reference, into an encrypted bundle.

``export_projects`` resolves the space and projects (refusing unknown and version-controlled projects before
anything is written), reads the source level by level (``read_everything``), keeps exactly what the projects
reach (``Closure``), gathers the sensitive values it may carry (``secret_values``) and writes the bundle
(temporary file + rename, so a failed or cancelled export leaves nothing under the chosen name). The
projects' own documents are written as they arrive, while the server is still answering, and the shared
ones once the closure has chosen them, while the last level is read.
"""

from __future__ import annotations

import difflib
import mimetypes
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from itertools import chain
from pathlib import Path
from queue import SimpleQueue
from typing import Any, ClassVar

import octodesk
from octodesk.core.bundle import BundleResource
from octodesk.core.bundle.writer import BundleWriter, PreparedKey
from octodesk.core.cancel import CancelToken
from octodesk.core.errors import ExportRefused
from octodesk.core.export import secret_values
from octodesk.core.export.packages import choose_packages, package_follow_ups, referenced_package_ids
from octodesk.core.export.selection import (
    Closure,
    Selection,
    connected_tenant_ids,
    deploys_to,
    is_project_document,
    library_set_ids,
    project_children,
    template_versions_to_read,
)
from octodesk.core.export.walk import (
    MACHINE_KIND,
    WHOLE_COLLECTIONS,
    SourceData,
    SourceReader,
)
from octodesk.core.gc_pause import engine_work
from octodesk.core.journal import bundle_fingerprint
from octodesk.core.octopus.client import OctopusClient, ServerInfo
from octodesk.core.packages.bundle_entries import carried_entries, record_carried
from octodesk.core.packages.choice import NONE, PackageChoice
from octodesk.core.packages.copier import PACKAGE_KIND
from octodesk.core.packages.manifest import ManifestPackages
from octodesk.core.packages.transfer import ServerSource
from octodesk.core.progress import Progress, ProgressCallback, no_progress
from octodesk.core.report import FollowUp, Report, not_carried_follow_up
from octodesk.core.resources import kinds
from octodesk.core.resources.secret_refs import SecretRef
from octodesk.core.resources.shapes import derived_name
from octodesk.core.vocabulary import FollowUpCategory

Doc = dict[str, Any]


@dataclass
class SourceScan:
    """Everything an export reads from the source, kept so the export after a secrets scan (the GUI asks
    for the values in between) does not read the source a second time."""

    server_url: str
    info: ServerInfo
    space: Doc
    data: SourceData
    projects: list[Doc]
    selection: Selection
    phase_seconds: dict[str, float] = field(default_factory=dict)
    requests: int = 0

    @cached_property
    def refs(self) -> list[SecretRef]:
        """Every sensitive value the export needs, with how it can be carried (worked out once: at 1,000
        projects that takes a quarter of a second, so a face asks for it on its worker thread)."""
        return [entry.as_ref() for entry in secret_values.inventory(self.data, self.selection)]


@engine_work
def scan_source(
    client: OctopusClient,
    space_name: str,
    project_names: list[str],
    *,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    meanwhile: Meanwhile | None = None,
) -> SourceScan:
    """Connect, resolve the projects (refusing unknown and version-controlled ones) and read everything
    they reach; ``meanwhile`` as for :func:`read_everything`."""
    progress = progress or no_progress
    first_request = client.request_count
    report = Report(operation="export")
    timer = _PhaseTimer(report)
    with timer("connect"):
        progress(Progress("connect", message=f"connecting to {client.server_url}"))
        info, space = client.server_info_and_space(space_name)
    data = SourceData(space_id=str(space["Id"]), server_version=info.version)
    reader = SourceReader(client, data, progress, cancel)
    with timer("read"):
        projects = resolve_projects(reader, space_name, project_names)
        selection = read_everything(reader, [p["Id"] for p in projects], meanwhile)
    return SourceScan(
        client.server_url,
        info,
        space,
        data,
        projects,
        selection,
        report.phase_seconds,
        client.request_count - first_request,
    )


@engine_work
def export_projects(
    client: OctopusClient,
    space_name: str,
    project_names: list[str],
    destination: str | Path,
    password: str,
    *,
    secrets: dict[str, str] | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    scan: SourceScan | None = None,
    packages: PackageChoice = NONE,
    carry_packages: bool = False,
) -> Report:
    """Export ``project_names`` of ``space_name`` to ``destination``; the report says what was carried.

    ``scan`` (from :func:`scan_source` with the same server, space and projects) is used instead of
    reading the source again. ``packages``: which versions of the built-in feed packages the projects use
    go with them: with ``carry_packages`` their files are streamed from the source's feed into the bundle
    (an import uploads them from there); otherwise they are only listed in the manifest, for an import with
    a live source to copy (``plan_import(..., package_source=...)``)."""
    report = Report(operation="export", started_at=_now(), tool_version=octodesk.__version__)
    client.start_workers()  # first: threads started while the key derivation takes its memory start slowly
    key = PreparedKey(password)  # derived while the source is read
    first_request = client.request_count
    progress = progress or no_progress
    timer = _PhaseTimer(report)
    scan_given = scan is not None
    if scan is not None and (
        scan.server_url != client.server_url
        or [p["Name"] for p in scan.projects] != list(dict.fromkeys(project_names))
    ):
        raise ValueError("the scan is of another server or other projects")
    writer = BundleWriter(
        destination, password, progress=progress, cancel=cancel, prepared_key=key, index_order=_index_order
    )
    with writer:
        ahead: list[BundleResource] = []
        if scan is None:

            def write_ahead(data: SourceData, project_ids: list[str], arrivals: Arrivals) -> None:
                wanted = set(project_ids)
                projects = [("Project", data.of("Project")[project_id]) for project_id in project_ids]
                for arrival in chain([Arrival(projects)], arrivals):
                    resources = list(_resources(data, _to_write_now(arrival, data, wanted, writer)))
                    ahead.extend(resources)
                    with timer("write"):
                        writer.add(resources)

            scan = scan_source(
                client, space_name, project_names, progress=progress, cancel=cancel, meanwhile=write_ahead
            )
        report.phase_seconds.update(scan.phase_seconds)
        info, space, data, projects = scan.info, scan.space, scan.data, scan.projects
        selection = scan.selection
        _check_written_ahead(ahead, selection)
        reader = SourceReader(client, data, progress, cancel)
        with timer("read"):
            entries = secret_values.inventory(data, selection)
            values = secret_values.collect(reader, entries, dict(secrets or {}))
            progress(Progress("read", "Package", message=f"Choosing {packages.describe()}"))
            chosen = choose_packages(client, data, selection, packages)
        streamed = carried_entries(chosen, ServerSource(client, data.space_id)) if carry_packages else []
        follow_ups = _follow_ups(data, selection, values.not_carried, chosen)
        manifest = {
            "source": {
                "url": client.server_url,
                "version": info.version,
                "hosting": info.hosting,
                "space": space.get("Name", space_name),
            },
            "projects": [p["Name"] for p in projects],
            "tool_version": octodesk.__version__,
            "created_at": _now(),
            "secrets_carried": sorted(values.carried),
            "secrets_not_carried": values.not_carried,
            # sensitive values not carried are listed once, in secrets_not_carried (the plan lists them)
            "follow_ups": [
                asdict(item) for item in follow_ups if item.category != FollowUpCategory.SENSITIVE_VALUE
            ],
            "deploys_to": _deploys_to(data, selection, projects),
            "external_references": {
                kind: dict(sorted(names.items())) for kind, names in selection.external.items()
            },
            "step_templates": {
                template_id: {
                    "name": use.name,
                    "latest_version": use.latest,
                    "carried_version": use.carried,
                    "referenced_versions": sorted(use.referenced),
                }
                for template_id, use in sorted(selection.templates.items())
            },
            "packages": chosen.to_manifest(),
        }
        blobs = logo_blobs(data)
        with timer("write"):
            if cancel is not None:
                cancel.raise_if_cancelled()
            rest = (r for r in bundle_resources(data, selection) if not writer.written(r.kind, r.id))
            writer.add(rest, total=sum(selection.count().values()) + len(blobs))
            writer.finish(
                manifest=manifest,
                secrets=values.carried,
                blobs=blobs,
                streamed=streamed,
                streamed_manifest=lambda hashes: record_carried(chosen, hashes),
            )
    for kind, count in sorted(selection.count().items(), key=lambda item: kinds.sort_key(item[0])):
        report.count(kind, "exported", count)
    if blobs:
        report.count(kinds.PROJECT_LOGO, "exported", len(blobs))
    if streamed:
        report.count(PACKAGE_KIND, "exported", len(streamed))
    report.warnings.extend(data.warnings + selection.warnings)
    if values.unused_supplied:
        report.warnings.append(
            "Values were supplied for references this export does not need: "
            + ", ".join(values.unused_supplied)
        )
    report.follow_ups.extend(follow_ups)
    report.http_requests = client.request_count - first_request + (scan.requests if scan_given else 0)
    record_source_and_bundle(report, client, info, str(space.get("Name", space_name)), manifest, destination)
    report.details.update(
        destination=str(destination),
        space=space.get("Name", space_name),
        projects=manifest["projects"],
        secrets_needed=len(entries),  # the inventory: every sensitive value of the exported resources
        secrets_carried=len(values.carried),
        secrets_not_carried=values.not_carried,
        deploys_to=manifest["deploys_to"],
        packages=chosen.to_manifest(),
    )
    report.finished = True
    report.finished_at = _now()
    return report


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def list_secret_references(
    client: OctopusClient,
    space_name: str,
    project_names: list[str],
    *,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> list[SecretRef]:
    """Every sensitive value the export of these projects needs, with how it can be carried."""
    return scan_source(client, space_name, project_names, progress=progress, cancel=cancel).refs


# --- resolving and reading ------------------------------------------------------------------------


def resolve_projects(reader: SourceReader, space_name: str, project_names: list[str]) -> list[Doc]:
    """The projects by exact name, read with one request; refuses unknown and version-controlled ones."""
    if not project_names:
        raise ExportRefused("Choose at least one project to export.")
    reader.run(
        [("Project", lambda: reader._store("Project", reader.client.read_collection(reader.api("projects"))))]
    )
    by_name = {str(p.get("Name")): p for p in reader.data.of("Project").values()}
    problems: list[str] = []
    chosen: list[Doc] = []
    for name in dict.fromkeys(project_names):
        project = by_name.get(name)
        if project is None:
            close = _close_names(name, list(by_name))
            hint = f" Close names: {', '.join(close)}." if close else ""
            problems.append(f"No project named '{name}' in space '{space_name}'.{hint}")
        elif _is_version_controlled(project):
            problems.append(
                f"'{name}' is a version-controlled (Git) project: its process and variables live in Git, "
                "which OctoDesk cannot export yet."
            )
        else:
            chosen.append(project)
    if problems:
        raise ExportRefused(" ".join(problems))
    return chosen


def _close_names(name: str, names: list[str]) -> list[str]:
    folded = name.casefold()
    similar = [n for n in names if folded in n.casefold() or n.casefold() in folded]
    similar += difflib.get_close_matches(name, names, n=5, cutoff=0.6)
    return list(dict.fromkeys(similar))[:5]


def _is_version_controlled(project: Doc) -> bool:
    persistence = project.get("PersistenceSettings") or {}
    return bool(project.get("IsVersionControlled")) or persistence.get("Type") == "VersionControlled"


@dataclass(frozen=True)
class Arrival:
    """Documents for the writer on the other thread: a batch the reads stored (``chosen`` False: only the
    projects' own are written now), or what the closure's first pass carries (``chosen`` True: every one
    not yet written is)."""

    documents: list[tuple[str, Doc]]
    chosen: bool = False


class Arrivals:
    """The batches of documents the reads store, in the order stored, then what the closure's first pass
    chose, for one consumer on another thread: iterating ends once the read has ended (however it ended)."""

    _END: ClassVar[Arrival] = Arrival([])  # a sentinel: compared by identity

    def __init__(self) -> None:
        self._queue: SimpleQueue[Arrival] = SimpleQueue()

    def put(self, kind: str, documents: list[Doc]) -> None:
        self._queue.put(Arrival([(kind, document) for document in documents]))

    def chosen(self, selection: Selection) -> None:
        """What ``selection`` carries now (listed on this thread: the closure goes on adding to it)."""
        carried = [(kind, doc) for kind, docs in selection.carried.items() for doc in docs.values()]
        self._queue.put(Arrival(carried, chosen=True))

    def close(self) -> None:
        self._queue.put(self._END)

    def __iter__(self) -> Iterator[Arrival]:
        while (arrival := self._queue.get()) is not self._END:
            yield arrival


Meanwhile = Callable[[SourceData, list[str], Arrivals], None]


def _to_write_now(
    arrival: Arrival, data: SourceData, project_ids: set[str], writer: BundleWriter
) -> list[tuple[str, Doc]]:
    """Of a stored batch, the projects' own documents; of what the closure chose, those not yet written."""
    if arrival.chosen:
        return [(kind, doc) for kind, doc in arrival.documents if not writer.written(kind, doc["Id"])]
    return [
        (kind, doc) for kind, doc in arrival.documents if is_project_document(data, project_ids, kind, doc)
    ]


def read_everything(
    reader: SourceReader, project_ids: list[str], meanwhile: Meanwhile | None = None
) -> Selection:
    """Levels 1-3 of the read, then the selection over what was read.

    With ``meanwhile(data, project_ids, arrivals)`` the whole read runs on a thread of its own while
    ``meanwhile`` runs on this one, handed each batch of documents as the reads store it, then what the
    closure's first pass carries: the export writes the projects' own documents while the server is still
    answering, and the rest it carries while level 3 is read."""
    if meanwhile is None:
        _read_own_documents(reader, project_ids)
        return _read_the_rest(reader, project_ids)
    arrivals = Arrivals()
    reader.on_store = arrivals.put

    def read() -> Selection:
        try:
            _read_own_documents(reader, project_ids)
            return _read_the_rest(reader, project_ids, arrivals.chosen)
        finally:
            reader.on_store = None
            arrivals.close()

    return _alongside(reader, read, lambda: meanwhile(reader.data, project_ids, arrivals))


def _read_own_documents(reader: SourceReader, project_ids: list[str]) -> None:
    """Level 1: the shared kinds read whole, and the projects' processes, variables, logos and settings."""
    projects = [reader.data.of("Project")[project_id] for project_id in project_ids]
    level1 = [reader.whole_collection(kind) for kind in WHOLE_COLLECTIONS]
    level1.append(reader.whole_collection(kinds.PROJECT_TRIGGER))
    level1 += reader.by_ids(
        "DeploymentProcess", "deploymentprocesses", [p.get("DeploymentProcessId") for p in projects]
    )
    level1 += reader.by_ids("VariableSet", "variables/all", [p.get("VariableSetId") for p in projects])
    level1 += reader.logos(projects)
    level1 += reader.deployment_settings(projects)
    reader.run(level1)
    reader.run(reader.settings_rest(projects))


def _read_the_rest(
    reader: SourceReader, project_ids: list[str], chosen: Callable[[Selection], None] | None = None
) -> Selection:
    """Levels 2 and 3: what the projects' documents name (runbook processes, library and tenant variables),
    then what the closure names (template versions, teams, Git credentials, machines). ``chosen`` is told
    what the closure carries before level 3 (which only adds to it), to write while level 3 is read."""
    data = reader.data
    runbooks = project_children(data, "Runbook", project_ids)
    library_sets = [
        data.get("LibraryVariableSet", set_id) or {} for set_id in library_set_ids(data, project_ids)
    ]
    level2 = reader.by_ids(
        "RunbookProcess", "runbookProcesses", [r.get("RunbookProcessId") for r in runbooks]
    )
    level2 += reader.by_ids("VariableSet", "variables/all", [s.get("VariableSetId") for s in library_sets])
    tenant_ids = connected_tenant_ids(data, project_ids)
    level2 += reader.all_tenant_variables(tenant_ids)
    if tenant_ids:
        level2 += reader.scoped_tenant_variables_toggle()
    reader.run(level2)
    if reader.tenant_variables_missing:
        reader.run(reader.tenant_variables(tenant_ids))
    if reader.scoped_tenant_variables:
        reader.run(reader.scoped_common_variables(tenant_ids))

    closure = Closure(data, project_ids)
    first = closure.run()  # everything but what level 3 reads: templates' versions, teams, machines
    if chosen is not None:
        chosen(first)
    level3 = reader.template_versions(template_versions_to_read(first))
    level3 += reader.optional_by_ids("Team", "/api/teams", sorted(first.team_ids), "teams", required=False)
    level3 += reader.one_by_one(kinds.GIT_CREDENTIAL, sorted(first.git_credential_ids), "Git credential")
    level3 += reader.optional_by_ids(
        MACHINE_KIND, "machines", sorted(first.machine_ids), "deployment targets"
    )
    reader.run(level3)
    return closure.complete()


def _alongside(
    reader: SourceReader, read: Callable[[], Selection], meanwhile: Callable[[], None]
) -> Selection:
    """``read`` on a thread of its own while ``meanwhile`` runs on this one; the first error of either is
    raised once both have ended (a Ctrl+C here cancels the read)."""
    outcome: list[Selection] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(read())
        except BaseException as error:  # raised on the calling thread
            failure.append(error)

    thread = threading.Thread(target=run, name="octodesk-read-alongside", daemon=True)
    thread.start()
    try:
        meanwhile()
    except KeyboardInterrupt:
        reader.client.cancel.cancel()  # Ctrl+C: the reads stop at their next request
        raise
    finally:
        _join(reader, thread)
    if failure:
        raise failure[0]
    return outcome[0]


def _join(reader: SourceReader, thread: threading.Thread) -> None:
    """Wait for the read; a Ctrl+C meanwhile cancels it."""
    try:
        thread.join()
    except KeyboardInterrupt:  # Ctrl+C while waiting: the reads stop at their next request
        reader.client.cancel.cancel()
        thread.join()
        raise


# --- what goes into the bundle -----------------------------------------------------------------------


def _resources(data: SourceData, documents: Iterable[tuple[str, Doc]]) -> Iterator[BundleResource]:
    for kind, document in documents:
        unlinked = {key: value for key, value in document.items() if key != "Links"}
        yield BundleResource(kind, str(document["Id"]), derived_name(kind, document, data.name_of), unlinked)


def _index_order(kind: str, item_id: str) -> tuple[tuple[int, str], str]:
    """The bundle lists its resources in kind order, then by id, whichever were written first."""
    return kinds.sort_key(kind), item_id


def _check_written_ahead(ahead: list[BundleResource], selection: Selection) -> None:
    """Every document written ahead is one the selection carries, as it was read (else the bundle would
    hold a document the closure did not choose, or an older one)."""
    for resource in ahead:
        carried = selection.carried.get(resource.kind, {}).get(resource.id)
        if carried is None or any(carried.get(key) is not value for key, value in resource.document.items()):
            raise RuntimeError(f"{resource.kind} {resource.id} was written ahead but is not carried as read")


def bundle_resources(data: SourceData, selection: Selection) -> Iterator[BundleResource]:
    """The carried documents without their links, in kind order; the writer nulls any sensitive value."""
    for kind in sorted(selection.carried, key=kinds.sort_key):
        documents = selection.carried[kind]
        yield from _resources(data, ((kind, documents[item_id]) for item_id in sorted(documents)))


def _logo_name(project_id: str, content_type: str) -> str:
    extension = mimetypes.guess_extension(content_type.split(";")[0].strip()) or ".bin"
    return f"logos/{project_id}{extension}"


def _deploys_to(data: SourceData, selection: Selection, projects: list[Doc]) -> dict[str, Any]:
    roles: set[str] = set()
    environments: list[str] = []
    per_project: dict[str, Any] = {}
    for project in projects:
        project_roles, project_environments = deploys_to(data, selection, project["Id"])
        roles.update(project_roles)
        environments += [name for name in project_environments if name not in environments]
        per_project[project["Name"]] = {"roles": project_roles, "environments": project_environments}
    return {"roles": sorted(roles), "environments": environments, "projects": per_project}


def _follow_ups(
    data: SourceData, selection: Selection, not_carried: list[dict[str, str]], packages: ManifestPackages
) -> list[FollowUp]:
    follow_ups: list[FollowUp] = []
    for project_id in selection.project_ids:
        name = data.name_of("Project", project_id) or project_id
        roles, environments = deploys_to(data, selection, project_id)
        if roles:
            follow_ups.append(
                FollowUp(
                    FollowUpCategory.DEPLOYMENT_TARGETS,
                    f"'{name}' deploys to targets with roles {', '.join(roles)} in "
                    f"{', '.join(environments) or 'its environments'}: deployment targets are not exported; "
                    "register them on the target.",
                    "Project",
                    name,
                )
            )
        for child_id in sorted(selection.deploy_release_children.get(project_id, set())):
            child = data.name_of("Project", child_id) or child_id
            follow_ups.append(
                FollowUp(
                    FollowUpCategory.DEPLOY_RELEASE_PROJECT,
                    f"'{name}' deploys releases of '{child}', which is not in this bundle: export it "
                    "too, or make sure a project of that name exists on the target.",
                    "Project",
                    child,
                )
            )
    follow_ups.extend(package_follow_ups(packages))
    for item in not_carried:
        follow_ups.append(not_carried_follow_up(item))
    return follow_ups


class _PhaseTimer:
    def __init__(self, report: Report) -> None:
        self.report = report

    @contextmanager
    def __call__(self, phase: str) -> Iterator[None]:
        started = time.monotonic()
        try:
            yield
        finally:
            spent = time.monotonic() - started
            self.report.phase_seconds[phase] = round(self.report.phase_seconds.get(phase, 0.0) + spent, 3)


# --- what the server engine's bundle shares with this one (octodesk.core.server_engine) ----------------


def export_extras(
    data: SourceData, selection: Selection, projects: list[Doc]
) -> tuple[list[FollowUp], dict[str, Any], dict[str, bytes]]:
    """The follow-ups (no sensitive values: Octopus's own export carries them), ``deploys_to`` and the
    logo blobs of an export whose documents were read here but whose zip the server makes."""
    referenced = ManifestPackages(NONE.label, referenced_package_ids(data, selection), [], [])
    follow_ups = _follow_ups(data, selection, [], referenced)
    return follow_ups, _deploys_to(data, selection, projects), logo_blobs(data)


def logo_blobs(data: SourceData) -> dict[str, bytes]:
    return {
        _logo_name(project_id, content_type): body for project_id, (body, content_type) in data.logos.items()
    }


def record_source_and_bundle(
    report: Report,
    client: OctopusClient,
    info: ServerInfo,
    space_name: str,
    manifest: dict[str, Any],
    destination: str | Path,
) -> None:
    """Where an export came from and what it wrote, as every export report (either engine) says it."""
    report.source = {
        "url": client.server_url,
        "version": info.version,
        "hosting": info.hosting,
        "space": space_name,
    }
    report.projects = list(manifest["projects"])
    report.bundle_path = str(destination)
    report.bundle_sha256 = bundle_fingerprint(destination)

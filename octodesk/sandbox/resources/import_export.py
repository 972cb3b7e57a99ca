"""The Export/Import Projects routes (2021.1+; docs/octopus-api-facts.md "Export/Import Projects",
message-contracts.ts project*Request / Response): export and import run as server tasks; uploads, the file
list and the preview answer at once."""

from __future__ import annotations

import fnmatch
import posixpath
from typing import Any, Protocol

from ..errors import ApiError, bad_request
from ..http_types import Request, Response
from ..portable.archive import ArchiveError, ExportContent, read_archive, read_manifest, write_archive
from ..portable.exporter import collect as collect_export
from ..portable.exporter import project_closure
from ..portable.importer import CAC_EXPORT_VERSION, apply_import, preview, refusals, version_tuple
from ..portable.target import ImportFailed
from ..store import Document, Store, now_iso
from ..tasks import SUCCESS, TaskEngine, TaskFailed, TaskRun
from .base import normalise_keys
from .files import multipart_file

EXPORT_TASK, IMPORT_TASK = "ExportProjects", "ImportProjects"
FEATURE_VERSION = (2021, 1, 0)


class TaskServer(Protocol):
    """What these routes need from the router."""

    store: Store
    version: str
    hosting: str
    installation_id: str
    tasks: TaskEngine

    def handle(self, request: Request) -> Response: ...


def has_import_export(version: str) -> bool:
    return version_tuple(version) >= FEATURE_VERSION


def _password(body: Document) -> str:
    password = body.get("Password")
    value = password.get("NewValue") if isinstance(password, dict) else None
    if not isinstance(value, str) or not value:
        raise bad_request(["A password is required: Password must be {HasValue: true, NewValue: '...'}."])
    return value


# export ---------------------------------------------------------------------------------------------
def export_projects(server: TaskServer, request: Request, space_id: str) -> Response:
    body = normalise_keys(request.body)
    project_ids = body.get("IncludedProjectIds")
    if (
        not isinstance(project_ids, list)
        or not project_ids
        or not all(isinstance(p, str) for p in project_ids)
    ):
        raise bad_request(["Please select at least one project to export (IncludedProjectIds)."])
    password = _password(body)
    store = server.store
    errors, names = [], []
    for project_id in project_ids:
        project = store.get("projects", project_id)
        if project is None or project.get("SpaceId") != space_id:
            errors.append(f"The project '{project_id}' does not exist in space {space_id}.")
        elif project.get("IsVersionControlled") and version_tuple(server.version) < CAC_EXPORT_VERSION:
            errors.append(f"The project '{project['Name']}' is version controlled and cannot be exported.")
        else:
            names.append(str(project["Name"]))
    if errors:
        raise bad_request(errors)
    included = project_closure(store, space_id, project_ids)

    def work(run: TaskRun) -> None:
        _export(server, run, space_id, list(project_ids), password)

    task = server.tasks.queue(
        space_id, EXPORT_TASK, f"Export projects: {', '.join(names)}", {"ProjectIds": list(project_ids)}, work
    )
    return Response(200, {"TaskId": task.id, "ProjectIds": included})


def _export(server: TaskServer, run: TaskRun, space_id: str, project_ids: list[str], password: str) -> None:
    store = server.store
    run.phase("Collecting the projects and everything they reference")
    with store.lock:
        missing = [p for p in project_ids if (store.get("projects", p) or {}).get("SpaceId") != space_id]
        if missing:
            raise TaskFailed(f"The project '{missing[0]}' no longer exists in space {space_id}.")
        space = store.get("spaces", space_id) or {}
        content, warnings = collect_export(
            store,
            space_id,
            project_ids,
            {
                "ServerVersion": server.version,
                "InstallationId": server.installation_id,
                "Hosting": server.hosting,
                "SpaceName": space.get("Name"),
                "TaskId": run.task.id,
                "Created": now_iso(),
            },
        )
    for warning in warnings:
        run.warn(warning)
    for route, count in content.manifest["Counts"].items():
        run.info(f"{count} {route}")
    run.phase("Encrypting the sensitive values and writing the export")
    data = write_archive(content, password)
    run.phase("Attaching the export")
    run.attach(f"Octopus-Export-{run.task.id}.zip", data)


# uploads ------------------------------------------------------------------------------------------
def upload_import_file(server: TaskServer, request: Request, space_id: str) -> Response:
    filename, _content_type, data = multipart_file(request, "fileData")
    name = posixpath.basename(filename.replace("\\", "/")).strip()
    if not name:
        raise ApiError(400, "The uploaded file has no file name.")
    if not data:
        raise ApiError(400, f"The uploaded file '{name}' is empty.")
    with server.tasks.lock:
        server.tasks.import_files.setdefault(space_id, {})[name] = data
    return Response(200, {"Id": name, "FileName": name})


def list_import_files(server: TaskServer, request: Request, space_id: str) -> Response:
    with server.tasks.lock:
        names = sorted(server.tasks.import_files.get(space_id, {}))
    return Response(200, {"ProjectImportFiles": [{"Id": name, "FileName": name} for name in names]})


# preview and import -------------------------------------------------------------------------------
def _source(server: TaskServer, space_id: str, source: Any) -> tuple[bytes, bool]:
    """The export's bytes, and whether it was made by this same instance."""
    if not isinstance(source, dict):
        raise bad_request(
            ["ImportSource is required: {Type: 'upload', UploadedFileId} or {Type: 'space', ...}."]
        )
    kind = source.get("Type")
    engine = server.tasks
    if kind == "upload":
        file_id = source.get("UploadedFileId")
        with engine.lock:
            data = engine.import_files.get(space_id, {}).get(str(file_id))
        if data is None:
            raise bad_request(
                [f"No uploaded file '{file_id}' in space {space_id}: upload it to import-files first."]
            )
        try:
            same = read_manifest(data).get("InstallationId") == server.installation_id
        except ArchiveError as error:
            raise bad_request([str(error)]) from error
        return data, same
    if kind == "space":
        task = engine.get(str(source.get("TaskId")))
        if task is None or task.space_id != source.get("SpaceId") or task.name != EXPORT_TASK:
            raise bad_request(
                [f"No export task '{source.get('TaskId')}' in space '{source.get('SpaceId')}'."]
            )
        if task.state != SUCCESS:
            raise bad_request(
                [f"The export task '{task.id}' has not finished successfully (it is {task.state})."]
            )
        zips = [
            a
            for a in engine.artifacts_of_task(task.space_id, task.id)
            if fnmatch.fnmatch(a.doc["Filename"], "Octopus-Export-*.zip")
        ]
        if not zips:
            raise bad_request([f"The export task '{task.id}' has no export artifact."])
        return zips[-1].data, True
    raise bad_request([f"ImportSource.Type must be 'upload' or 'space' (lower case), not '{kind}'."])


def _content(data: bytes, password: str) -> ExportContent:
    try:
        return read_archive(data, password)
    except ArchiveError as error:
        raise bad_request([str(error)]) from error


def preview_import(server: TaskServer, request: Request, space_id: str) -> Response:
    body = normalise_keys(request.body)
    data, _same = _source(server, space_id, body.get("ImportSource"))
    content = _content(data, _password(body))
    errors = refusals(server.store, space_id, server.version, content)
    if errors:
        raise bad_request(errors)
    return Response(200, preview(content))


def import_projects(server: TaskServer, request: Request, space_id: str) -> Response:
    body = normalise_keys(request.body)
    source = body.get("ImportSource")
    data, same_instance = _source(server, space_id, source)
    password = _password(body)

    def work(run: TaskRun) -> None:
        _import(server, run, space_id, data, password, same_instance)

    task = server.tasks.queue(space_id, IMPORT_TASK, "Import projects", {"ImportSource": source}, work)
    return Response(200, {"TaskId": task.id})


def _import(
    server: TaskServer, run: TaskRun, space_id: str, data: bytes, password: str, same_instance: bool
) -> None:
    run.phase("Reading the export")
    try:
        content = read_archive(data, password)
    except ArchiveError as error:
        raise TaskFailed(str(error)) from error
    names = ", ".join(str(p["Name"]) for p in content.documents.get("projects", []))
    run.info(
        f"The export holds the projects {names}, from Octopus Server {content.manifest.get('ServerVersion')}."
    )
    run.phase("Checking the target space")
    with server.store.lock:
        errors = refusals(server.store, space_id, server.version, content)
    if errors:
        raise TaskFailed(" ".join(errors))
    run.phase("Importing the projects")
    try:
        apply_import(
            server.store,
            server.handle,
            space_id=space_id,
            version=server.version,
            hosting=server.hosting,
            content=content,
            log=run,
            same_instance=same_instance,
        )
    except ImportFailed as error:
        raise TaskFailed(str(error)) from error
    run.info(f"Imported {names}.")

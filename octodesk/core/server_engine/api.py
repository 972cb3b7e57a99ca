"""Octopus's Export/Import Projects routes (2021.1+; docs/octopus-api-facts.md "Export/Import Projects"):
export and import start server tasks, the export's zip is an artifact of its task, an import reads an uploaded
zip or, on the same instance, the export task itself.

Contracts: OctopusDeploy/message-contracts.ts src/projectExportRequest.ts ... projectImportSource.ts; the
steps follow OctopusDeploy/OctopusDeploy-Api REST/PowerShell/Projects/ExportImportProjects.ps1.
"""

from __future__ import annotations

import fnmatch
import hashlib
from dataclasses import dataclass, field
from typing import Any

from octodesk.core.errors import (
    ImportRefused,
    PermissionDenied,
    ResourceNotFound,
    ServerFailure,
    ValidationFailed,
)
from octodesk.core.octopus.client import OctopusClient
from octodesk.core.redact import register_secret

EXPORT_ZIP_PATTERN = "Octopus-Export-*.zip"
ROOT_LINKS = ("ExportProjects", "ImportProjects", "ProjectImportFiles", "ProjectImportPreview")
PREVIEW_KINDS = {  # preview field -> OctoDesk kind name
    "Projects": "Project",
    "Environments": "Environment",
    "Lifecycles": "Lifecycle",
    "Accounts": "Account",
    "Certificates": "Certificate",
    "Feeds": "Feed",
    "WorkerPools": "WorkerPool",
}


class RequestCounter:
    """Requests sent through one or two clients (the work client and the task's control client) since
    this counter was made."""

    def __init__(self, *clients: OctopusClient) -> None:
        self.clients = list({id(client): client for client in clients}.values())
        self.before = [client.request_count for client in self.clients]

    def total(self) -> int:
        return sum(c.request_count - before for c, before in zip(self.clients, self.before, strict=True))


def _base(space_id: str) -> str:
    return f"/api/{space_id}/projects/import-export"


def _password(password: str) -> dict[str, Any]:
    register_secret(password)
    return {"HasValue": True, "NewValue": password}


# --- does the server have the feature? -------------------------------------------------------------


@dataclass(frozen=True)
class Support:
    available: bool
    reason: str = ""  # why not, when it is not


def import_export_support(client: OctopusClient, space_id: str) -> Support:
    """From the space root's links (ExportProjects, ImportProjects, ...); a server that does not list
    them is probed with the read-only ``GET import-files`` instead of being judged by its version."""
    root = client.get(f"/api/{space_id}")
    links = root.get("Links") if isinstance(root, dict) else None
    if isinstance(links, dict) and all(links.get(name) for name in ROOT_LINKS):
        return Support(True)
    try:
        client.get(f"{_base(space_id)}/import-files")
    except ResourceNotFound:
        return Support(
            False, f"{client.server_url} has no Export/Import Projects (it came with Octopus 2021.1)"
        )
    except PermissionDenied:
        return Support(False, f"the API key for {client.server_url} may not use Export/Import Projects")
    return Support(True)


# --- export ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportStarted:
    task_id: str
    project_ids: list[str]  # the chosen projects and those their Deploy a Release steps deploy


def start_export(
    client: OctopusClient, space_id: str, project_ids: list[str], password: str
) -> ExportStarted:
    answer = client.post(
        f"{_base(space_id)}/export", {"IncludedProjectIds": project_ids, "Password": _password(password)}
    )
    if not isinstance(answer, dict) or not isinstance(answer.get("TaskId"), str):
        raise ServerFailure("The server accepted the export but did not answer with its task id.")
    included = answer.get("ProjectIds")
    return ExportStarted(
        answer["TaskId"], [str(p) for p in included] if isinstance(included, list) else project_ids
    )


def export_artifact(client: OctopusClient, space_id: str, task_id: str) -> dict[str, Any]:
    """The export task's ``Octopus-Export-*.zip`` artifact (the newest, should there be several)."""
    artifacts = client.get_all(f"/api/{space_id}/artifacts", {"regarding": task_id})
    zips = [a for a in artifacts if fnmatch.fnmatch(str(a.get("Filename", "")), EXPORT_ZIP_PATTERN)]
    if not zips:
        raise ServerFailure(
            f"The export task {task_id} finished but left no {EXPORT_ZIP_PATTERN} artifact to download."
        )
    return max(zips, key=lambda a: str(a.get("Created", "")))


@dataclass(frozen=True)
class Downloaded:
    filename: str  # as the server named it
    data: bytes = field(repr=False)
    sha256: str


def download_artifact(client: OctopusClient, space_id: str, artifact: dict[str, Any]) -> Downloaded:
    """The artifact's content (``Links.Content``, else the content route)."""
    links = artifact.get("Links")
    path = str((links if isinstance(links, dict) else {}).get("Content") or "")
    data, _content_type = client.get_bytes(path or f"/api/{space_id}/artifacts/{artifact['Id']}/content")
    return Downloaded(str(artifact.get("Filename")), data, hashlib.sha256(data).hexdigest())


# --- import ----------------------------------------------------------------------------------------


def upload_source(file_id: str) -> dict[str, Any]:
    return {"Type": "upload", "UploadedFileId": file_id}


def space_source(space_id: str, task_id: str) -> dict[str, Any]:
    return {"Type": "space", "SpaceId": space_id, "TaskId": task_id}  # "space" must be lower case


def upload_export(client: OctopusClient, space_id: str, filename: str, data: bytes) -> str:
    """Upload the zip (multipart part ``fileData``) and return the id the server lists it under."""
    client.post_file(f"{_base(space_id)}/import-files", "fileData", filename, data, "application/zip")
    listed = client.get(f"{_base(space_id)}/import-files")
    files = listed.get("ProjectImportFiles") if isinstance(listed, dict) else None
    for item in files if isinstance(files, list) else []:
        if isinstance(item, dict) and item.get("FileName") == filename and item.get("Id"):
            return str(item["Id"])
    raise ServerFailure(f"The server accepted the upload of {filename} but does not list it.")


@dataclass(frozen=True)
class PreviewEntry:
    name: str
    type: str = ""
    details: tuple[str, ...] = ()


@dataclass
class ImportPreview:
    """The server's own preview (ProjectImportPreviewResponse), per OctoDesk kind."""

    kinds: dict[str, list[PreviewEntry]] = field(default_factory=dict)

    def names(self, kind: str) -> list[str]:
        return [entry.name for entry in self.kinds.get(kind, [])]

    @classmethod
    def from_response(cls, answer: Any) -> ImportPreview:
        if not isinstance(answer, dict):
            raise ServerFailure("The server's import preview is not a document.")
        kinds: dict[str, list[PreviewEntry]] = {}
        for field_name, kind in PREVIEW_KINDS.items():
            entries = []
            for item in answer.get(field_name) or []:
                entries.append(_preview_entry(kind, item))
            kinds[kind] = entries
        return cls(kinds)


def _preview_entry(kind: str, item: Any) -> PreviewEntry:
    if isinstance(item, str):
        return PreviewEntry(item)
    if not isinstance(item, dict):
        return PreviewEntry(str(item))
    details: list[str] = []
    if kind == "Project":
        details += [f"channel {name}" for name in item.get("Channels") or []]
        details += [f"runbook {name}" for name in item.get("Runbooks") or []]
    if item.get("IsDynamic"):
        details.append("dynamic worker pool")
    return PreviewEntry(str(item.get("Name", "")), str(item.get("Type") or ""), tuple(details))


def preview_import(
    client: OctopusClient, space_id: str, source: dict[str, Any], password: str
) -> ImportPreview:
    """The server's preview; its refusal (a 400 with its reasons) is an ImportRefused."""
    body = {"ImportSource": source, "Password": _password(password)}
    try:
        answer = client.post(f"{_base(space_id)}/import/preview", body)
    except ValidationFailed as error:
        reasons = error.errors or [error.message]
        raise ImportRefused.listing(
            "Octopus's import preview refused the import; nothing was written:", reasons
        ) from None
    return ImportPreview.from_response(answer)


def start_import(client: OctopusClient, space_id: str, source: dict[str, Any], password: str) -> str:
    answer = client.post(
        f"{_base(space_id)}/import", {"ImportSource": source, "Password": _password(password)}
    )
    if not isinstance(answer, dict) or not isinstance(answer.get("TaskId"), str):
        raise ServerFailure("The server accepted the import but did not answer with its task id.")
    return str(answer["TaskId"])


@dataclass(frozen=True)
class ServerRoot:
    version: str
    installation_id: str  # two spaces with the same one are on the same Octopus instance


def server_root(client: OctopusClient) -> ServerRoot:
    """``GET /api``: the server's version and InstallationId."""
    root = client.get("/api")
    root = root if isinstance(root, dict) else {}
    return ServerRoot(str(root.get("Version") or ""), str(root.get("InstallationId") or ""))

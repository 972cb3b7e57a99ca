"""Import as the server runs it: the refusals checked first, the preview, then every write as one unit (a
write refused part-way puts the store back as it was, so a failed import leaves nothing behind)."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from ..http_types import Request, Response
from ..store import Document, Store, slugify
from .archive import ExportContent
from .import_library import import_shared
from .import_projects import import_projects
from .target import ImportFailed, ImportTarget, TaskLog, same_name

CAC_EXPORT_VERSION = (2025, 2, 5601)  # version-controlled projects export/import from here (§5)
_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)")


def version_tuple(version: str) -> tuple[int, int, int]:
    """Major.Minor.Patch; a pre-release suffix is ignored and 0.0.0 (a local build) counts as the newest."""
    match = _VERSION.match(version.strip())
    if match is None:
        return (0, 0, 0)
    parsed = (int(match[1]), int(match[2]), int(match[3]))
    return (10**6, 0, 0) if parsed == (0, 0, 0) else parsed


def refusals(store: Store, space_id: str, version: str, content: ExportContent) -> list[str]:
    """Why this export cannot be imported into the space (none: it can)."""
    source_version = str(content.manifest.get("ServerVersion", ""))
    if version_tuple(source_version) > version_tuple(version):
        return [
            f"The projects were exported from Octopus Server {source_version}, which is newer than this "
            f"server ({version}). Projects can only be imported into the same or a newer version."
        ]
    errors = []
    space = store.get("spaces", space_id) or {}
    existing = store.in_space("projects", space_id)
    for project in content.documents.get("projects", []):
        clash = next(
            (
                p
                for p in existing
                if same_name(p.get("Name"), project.get("Name"))
                or p.get("Slug") == slugify(str(project["Name"]))
            ),
            None,
        )
        if clash is not None:
            errors.append(
                f"The project '{project['Name']}' already exists in the space '{space.get('Name')}' "
                f"(as '{clash['Name']}'). Projects that already exist cannot be imported."
            )
        if project.get("IsVersionControlled") and version_tuple(version) < CAC_EXPORT_VERSION:
            errors.append(
                f"The project '{project['Name']}' is version controlled, which this server cannot import."
            )
    return errors


def preview(content: ExportContent) -> Document:
    """ProjectImportPreviewResponse (message-contracts.ts projectImportPreviewResponse.ts)."""
    docs = content.documents

    def names(route: str) -> list[str]:
        return sorted(str(doc["Name"]) for doc in docs.get(route, []))

    def owned(route: str, project: Document) -> list[str]:
        return sorted(str(d["Name"]) for d in docs.get(route, []) if d.get("ProjectId") == project["Id"])

    return {
        "Accounts": sorted(
            ({"Name": d["Name"], "Type": d.get("AccountType")} for d in docs.get("accounts", [])),
            key=lambda s: str(s["Name"]),
        ),
        "Certificates": names("certificates"),
        "Environments": names("environments"),
        "Feeds": sorted(
            ({"Name": d["Name"], "Type": d.get("FeedType")} for d in docs.get("feeds", [])),
            key=lambda s: str(s["Name"]),
        ),
        "Lifecycles": names("lifecycles"),
        "Projects": [
            {"Name": p["Name"], "Channels": owned("channels", p), "Runbooks": owned("runbooks", p)}
            for p in sorted(docs.get("projects", []), key=lambda p: str(p["Name"]))
        ],
        "WorkerPools": sorted(
            (
                {
                    "Name": d["Name"],
                    "Type": d.get("WorkerPoolType"),
                    "IsDynamic": d.get("WorkerPoolType") == "DynamicWorkerPool",
                }
                for d in docs.get("workerpools", [])
            ),
            key=lambda s: str(s["Name"]),
        ),
    }


def apply_import(
    store: Store,
    handle: Callable[[Request], Response],
    *,
    space_id: str,
    version: str,
    hosting: str,
    content: ExportContent,
    log: TaskLog,
    same_instance: bool,
) -> None:
    """Checks again, then writes everything under the store lock; any refusal restores the store."""
    with store.lock:
        errors = refusals(store, space_id, version, content)
        if errors:
            raise ImportFailed(" ".join(errors))
        saved = _checkpoint(store)
        target = ImportTarget(store, handle, space_id, hosting, content, log, same_instance)
        try:
            import_shared(target)
            import_projects(target)
        except BaseException:
            _restore(store, saved)
            raise
        log.commit()  # still under the lock: no cancel can slip in between the writes and this


def _checkpoint(store: Store) -> dict[str, Any]:
    """Every piece of stored state (the store's dictionaries), deep-copied."""
    return {name: copy.deepcopy(value) for name, value in vars(store).items() if isinstance(value, dict)}


def _restore(store: Store, saved: dict[str, Any]) -> None:
    for name, value in saved.items():
        setattr(store, name, value)

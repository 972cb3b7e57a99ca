"""The built-in feed of each space: list and search, the package document, raw download, raw upload with
overwriteMode (or the older replace flag), delete and bulk delete.

Evidence for every route and shape is in docs/api-evidence.md ("Packages"). These routes stream: an upload
is spooled to a file in the sandbox's own folder as it arrives and a download is sent from the file, so no
package is ever held in memory. They run outside the store lock (the feed index has its own), so a long
transfer never blocks other requests.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from ..body_stream import BodyError
from ..errors import ApiError, method_not_allowed, not_found
from ..http_types import FileBody, Request, Response
from ..multipart import MultipartError, TooLarge, read_file_part
from ..package_identity import PackageName, SemVer, parse_file_name, parse_id_and_version
from ..package_store import StoredPackage, package_key
from ..paging import collection
from ..routes import Call, RouteTable
from ..store import now_iso
from .base import Ctx

# (method, route, answer) of every route this module serves, for the route table and the evidence rows.
ROUTES = (
    ("GET", "/api/{spaceId}/packages", "collection"),
    ("GET", "/api/{spaceId}/packages/{id}", "document"),
    ("GET", "/api/{spaceId}/packages/{id}/raw", "bytes"),
    ("POST", "/api/{spaceId}/packages/raw", "document"),
    ("DELETE", "/api/{spaceId}/packages/{id}", "empty"),
    ("DELETE", "/api/{spaceId}/packages/bulk", "empty"),
)
# Space root links (api-root-2023.1 sample); OctopusClients sends overwriteMode when the upload link names it.
TEMPLATE = "packages{/id}{?nuGetPackageId,filter,latest,skip,take,includeNotes}"
UPLOAD_TEMPLATE = "packages/raw{?replace,overwriteMode}"
BULK_TEMPLATE = "packages/bulk{?ids}"
OVERWRITE_MODES = ("FailIfExists", "OverwriteExisting", "IgnoreIfExists")
# OctopusClients OverwriteMode.cs: IgnoreIfExists "is only supported by Octopus Server 2019.7.9 or newer";
# older servers know only replace=true|false.
OVERWRITE_MODE_SINCE = (2019, 7, 9)

PROBLEM = "There was a problem with your request."
UNSUPPORTED_FORMAT = "The uploaded file isn't in a supported package format."
INVALID_NUGET = "The uploaded file isn't a valid NuGet package."
NO_FILE = "A package file must be provided"
EMPTY_FILE = "The uploaded package file had length equal to 0. Please upload a non-empty file."
ALREADY_EXISTS = (
    "A package with the same ID and version already exists. To proceed anyway, specify an overwriteMode of "
    "OverwriteExisting or IgnoreIfExists."
)
NOT_IN_INDEX = "Package was not found in the index of the built-in package repository."
NOT_ON_DISK = (
    "Package was not found on disk, although metadata was found in the built-in package repository index. "
    "This could mean that the file was manually deleted from disk after being indexed."
)
_SPACE_SEGMENT = re.compile(r"^spaces-\d+$")
_MAX_NUSPEC = 1 << 20


def is_package_route(path: str) -> bool:
    """``/api[/spaces]/[Spaces-N/]packages...``: routed outside the store lock."""
    segments = [segment.lower() for segment in path.split("/") if segment]
    if segments[:1] != ["api"]:
        return False
    rest = segments[1:]
    if rest[:1] == ["spaces"] and len(rest) >= 3:
        rest = rest[2:]
    elif rest and _SPACE_SEGMENT.match(rest[0]):
        rest = rest[1:]
    return rest[:1] == ["packages"]


def is_upload_route(method: str, path: str) -> bool:
    """The one route whose request body the HTTP layer must hand over unread."""
    return method == "POST" and is_package_route(path) and path.rstrip("/").lower().endswith("/packages/raw")


def route(ctx: Ctx, request: Request, rest: list[str]) -> Response:
    """``rest``: the path segments after ``packages``."""
    method = request.method
    if not rest:
        if method == "GET":
            return list_packages(ctx, request)
    elif rest == ["raw"] and method == "POST":
        return upload(ctx, request)
    elif rest == ["bulk"] and method == "DELETE":
        return delete_many(ctx, request)
    elif len(rest) == 1:
        if method == "GET":
            return Response(200, render(ctx, _find(ctx, rest[0])))
        if method == "DELETE":
            removed = ctx.store.packages.remove(_space(ctx), _key_of(rest[0]))
            if removed is None:
                raise not_found(rest[0])
            return Response(200, {})
    elif len(rest) == 2 and rest[1].lower() == "raw" and method == "GET":
        return raw(ctx, rest[0])
    else:
        raise not_found(request.path)
    raise method_not_allowed(method, request.path)


def register_routes(table: RouteTable) -> None:
    def handle(call: Call) -> Response:
        segments = [segment for segment in call.request.path.split("/") if segment]
        at = next(i for i, segment in enumerate(segments) if segment.lower() == "packages")
        return route(call.ctx, call.request, segments[at + 1 :])

    for method, template, answers in ROUTES:
        table.add(method, template, handle, answers=answers)


# reading -------------------------------------------------------------------------------------------------
def list_packages(ctx: Ctx, request: Request) -> Response:
    query = request.query
    package_id, text = _param(query, "nuGetPackageId"), _param(query, "filter")
    if package_id and text:
        raise ApiError(400, "Only one of either nuGetPackageId or filter may be specified.")
    items = ctx.store.packages.in_space(_space(ctx))
    if package_id:
        items = [item for item in items if item.package_id.lower() == package_id.lower()]
    elif text:
        items = [item for item in items if text.lower() in item.package_id.lower()]
    if _flag(query, "latest"):
        newest: dict[str, StoredPackage] = {}
        for item in items:
            best = newest.get(item.package_id.lower())
            if best is None or SemVer(item.version) > SemVer(best.version):
                newest[item.package_id.lower()] = item
        items = list(newest.values())
    items.sort(key=lambda item: SemVer(item.version), reverse=True)
    items.sort(key=lambda item: item.package_id.lower())
    notes = _flag(query, "includeNotes")
    body = collection(
        [render(ctx, item, notes=notes) for item in items],
        query,
        item_type="Package",
        base_path=request.path,
        template=f"{ctx.space_prefix}/{TEMPLATE}",
        render=lambda document: document,
    )
    return Response(200, body)


def render(ctx: Ctx, package: StoredPackage, *, notes: bool = True) -> dict[str, Any]:
    """A PackageFromBuiltInFeedResource."""
    self_path = f"/api/{package.space_id}/packages/{package.document_id}"
    return {
        "Id": package.document_id,
        "PackageId": package.package_id,
        "NuGetPackageId": package.package_id,
        "FeedId": package.feed_id,
        "NuGetFeedId": package.feed_id,
        "Title": package.title,
        "Summary": package.summary,
        "Description": package.description,
        "ReleaseNotes": package.release_notes if notes else None,
        "Version": package.version,
        "Published": package.published,
        "FileExtension": package.extension,
        "PackageSizeBytes": package.size,
        "Hash": package.sha1,
        "PackageVersionBuildInformation": None,
        "LastModifiedOn": None,
        "LastModifiedBy": None,
        "Links": {"Self": self_path, "Raw": f"{self_path}/raw"},
    }


def raw(ctx: Ctx, document_id: str) -> Response:
    key = _key_of(document_id, invalid="Invalid package specified.")
    package = ctx.store.packages.find(_space(ctx), key)
    if package is None:
        raise ApiError(400, NOT_IN_INDEX)
    try:
        handle = package.path.open("rb")
    except FileNotFoundError as error:  # replaced or deleted between the lookup and here
        raise ApiError(400, NOT_ON_DISK) from error
    disposition = f'attachment; filename="{package.package_id}.{package.version}{package.extension}"'
    return Response(
        200,
        FileBody(handle, package.size),
        content_type="application/octet-stream",
        headers={"Content-Disposition": disposition},
    )


# writing -------------------------------------------------------------------------------------------------
def upload(ctx: Ctx, request: Request) -> Response:
    mode = overwrite_mode(ctx, request.query)
    space = _space(ctx)
    feed_id = builtin_feed_id(ctx)
    packages = ctx.store.packages
    read = request.stream.read if request.stream is not None else io.BytesIO(request.raw).read
    names: list[PackageName] = []
    with packages.incoming() as spool:

        def open_sink(file_name: str) -> Any:
            name = parse_file_name(file_name)
            if name is None:
                raise ApiError(400, PROBLEM, [f"{UNSUPPORTED_FORMAT} '{file_name}'" + _NAME_HINT])
            names.append(name)
            return spool.open("wb")

        try:
            part = read_file_part(
                read, request.content_type, open_sink, max_bytes=packages.max_package_bytes(ctx.hosting)
            )
        except (MultipartError, BodyError) as error:
            raise ApiError(400, PROBLEM, [str(error)]) from error
        except TooLarge as error:
            limit = packages.max_package_bytes(ctx.hosting) or 0
            raise ApiError(
                413, f"The package is larger than the maximum package size of {_human(limit)}."
            ) from error
        if part is None:
            raise ApiError(400, PROBLEM, [NO_FILE])
        return store_package(ctx, space, feed_id, names[0], spool, part.size, part.sha1, mode)


_NAME_HINT = (
    ": the file name must be <PackageId>.<Version><extension>, e.g. 'MyPackage.1.0.0.zip', with the "
    "extension of a supported format (.nupkg, .zip, .tar.gz, .tgz, .tar, .tar.bz2, .jar, .war, ...)."
)


def store_package(
    ctx: Ctx, space: str, feed_id: str, name: PackageName, spool: Path, size: int, sha1: str, mode: str
) -> Response:
    """Index a complete file as a package of the space's built-in feed, as ``mode`` says."""
    if size == 0:
        raise ApiError(400, PROBLEM, [EMPTY_FILE])
    metadata = nuget_metadata(spool) if name.extension.lower() == ".nupkg" else {}
    package = StoredPackage(
        space_id=space,
        feed_id=feed_id,
        package_id=name.package_id,
        version=name.version,
        extension=name.extension,
        size=size,
        sha1=sha1,
        published=now_iso(),
        path=spool,
        **metadata,
    )
    existing = ctx.store.packages.add(package, spool, replace=mode == "OverwriteExisting")
    if existing is None:
        return Response(201, render(ctx, package))
    if mode == "IgnoreIfExists":
        return Response(200, render(ctx, existing))
    raise ApiError(409, ALREADY_EXISTS)


def delete_many(ctx: Ctx, request: Request) -> Response:
    ids = [part.strip() for part in (_param(request.query, "ids") or "").split(",") if part.strip()]
    if not ids:
        raise ApiError(400, "No ids parameter was provided.")
    keys = [_key_of(document_id) for document_id in ids]
    for key in keys:
        ctx.store.packages.remove(_space(ctx), key)
    return Response(200, {})


def overwrite_mode(ctx: Ctx, query: dict[str, str]) -> str:
    """overwriteMode (2019.7.9+), else the older replace flag, else FailIfExists."""
    if _version(ctx.version) >= OVERWRITE_MODE_SINCE:
        mode = _param(query, "overwriteMode")
        if mode:
            for known in OVERWRITE_MODES:
                if known.lower() == mode.lower():
                    return known
            raise ApiError(
                400, PROBLEM, [f"'{mode}' is not a valid overwriteMode: use {', '.join(OVERWRITE_MODES)}."]
            )
    replace = _param(query, "replace")
    if replace and replace.lower() not in ("true", "false"):
        raise ApiError(400, PROBLEM, [f"'{replace}' is not a valid value for replace: use true or false."])
    return "OverwriteExisting" if replace and replace.lower() == "true" else "FailIfExists"


def nuget_metadata(path: Path) -> dict[str, str | None]:
    """Title, Summary, Description and ReleaseNotes from the .nuspec at the root of a .nupkg (only NuGet
    packages have them, per the docs); 400 when it is not a NuGet package."""
    try:
        with zipfile.ZipFile(path) as archive:
            manifests = [
                info
                for info in archive.infolist()
                if "/" not in info.filename and info.filename.lower().endswith(".nuspec")
            ]
            if len(manifests) != 1 or manifests[0].file_size > _MAX_NUSPEC:
                raise ApiError(400, PROBLEM, [INVALID_NUGET])
            root = ElementTree.fromstring(archive.read(manifests[0]))
    except (zipfile.BadZipFile, ElementTree.ParseError, OSError, EOFError) as error:
        raise ApiError(400, PROBLEM, [INVALID_NUGET]) from error
    metadata = next((child for child in root if _local(child.tag) == "metadata"), None)
    if metadata is None:
        raise ApiError(400, PROBLEM, [INVALID_NUGET])
    values = {_local(child.tag): (child.text or "").strip() or None for child in metadata}
    return {
        "title": values.get("title"),
        "summary": values.get("summary"),
        "description": values.get("description"),
        "release_notes": values.get("releaseNotes"),
    }


def add_package_file(ctx: Ctx, path: Path, *, mode: str = "FailIfExists") -> dict[str, Any]:
    """Put a package file that is already on disk into the feed without HTTP (large benchmark packages),
    with the same checks as an upload. The file is copied; ValueError says why it was refused."""
    name = parse_file_name(path.name)
    if name is None:
        raise ValueError(f"{UNSUPPORTED_FORMAT} '{path.name}'{_NAME_HINT}")
    with ctx.store.packages.incoming() as spool:
        digest, size = hashlib.sha1(), 0
        with path.open("rb") as source, spool.open("wb") as sink:
            while chunk := source.read(1 << 20):
                digest.update(chunk)
                sink.write(chunk)
                size += len(chunk)
        try:
            response = store_package(
                ctx, _space(ctx), builtin_feed_id(ctx), name, spool, size, digest.hexdigest(), mode
            )
        except ApiError as error:
            raise ValueError("; ".join([error.message, *error.errors])) from error
    document: dict[str, Any] = response.body
    return document


# helpers -------------------------------------------------------------------------------------------------
def builtin_feed_id(ctx: Ctx) -> str:
    with ctx.store.lock:
        for feed in ctx.store.in_space("feeds", ctx.space_id):
            if feed.get("FeedType") == "BuiltIn":
                return str(feed["Id"])
    return "feeds-builtin"


def _space(ctx: Ctx) -> str:
    assert ctx.space_id is not None, "package routes are always space-scoped"
    return ctx.space_id


def _key_of(document_id: str, *, invalid: str = "The provided package id was not valid.") -> str:
    """``packages-Acme.Web.1.0.0`` or ``Acme.Web.1.0.0`` (OctopusClients GetPackage) -> the index key."""
    text = document_id[len("packages-") :] if document_id.lower().startswith("packages-") else document_id
    parsed = parse_id_and_version(text)
    if parsed is None:
        raise ApiError(400, invalid)
    return package_key(*parsed)


def _find(ctx: Ctx, document_id: str) -> StoredPackage:
    package = ctx.store.packages.find(_space(ctx), _key_of(document_id))
    if package is None:
        raise not_found(document_id)
    return package


def _param(query: dict[str, str], name: str) -> str | None:
    """Octopus binds query parameters case-insensitively (SyncPackages.ps1 sends nugetPackageId)."""
    lowered = name.lower()
    for key, value in query.items():
        if key.lower() == lowered:
            return value
    return None


def _flag(query: dict[str, str], name: str) -> bool:
    return (_param(query, name) or "").lower() == "true"


def _version(text: str) -> tuple[int, ...]:
    parts = []
    for part in text.split("."):
        digits = re.match(r"\d+", part)
        parts.append(int(digits.group()) if digits else 0)
    return tuple(parts)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _human(size: int) -> str:
    return f"{size / 1024**3:g} GB" if size >= 1024**3 else f"{size:,} bytes"

"""One package from a source (a server's feed or a bundle entry) to a target feed, a chunk at a time.

The upload is a multipart/form-data body whose file part is read from the source as the target reads the
request: no package is ever held in memory. Before the closing boundary goes out the body proves the bytes
are the ones described (size, and SHA-1 unless the source checks a recorded SHA-256 itself: a bundle's
files); when they are not, the request is abandoned unfinished, so the target never stores a short or
corrupt file.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

from octodesk.core.cancel import CancelToken
from octodesk.core.errors import (
    OctoDeskError,
    PackageConflict,
    ServerFailure,
    TransferIncomplete,
    ValidationFailed,
)
from octodesk.core.packages.decide import human_bytes
from octodesk.core.packages.versions import PackageVersion, packages_route

if TYPE_CHECKING:
    from octodesk.core.octopus.client import OctopusClient

CHUNK_BYTES = 1 << 20
CONFLICT_STATUS = 409


class ChunkStream(Protocol):
    length: int | None  # bytes the source says it will send, when it says

    def chunks(self, size: int) -> Iterator[bytes]: ...


class PackageSource(Protocol):
    """Where package files are read from."""

    description: str  # "the source server", "the bundle"
    # The source itself checks each file against a SHA-256 recorded for it before its last chunk (a bundle's
    # files, whose SHA-1 was checked when they were written): the upload then need not hash them again.
    verifies_contents: bool

    def open(self, version: PackageVersion) -> AbstractContextManager[ChunkStream]: ...


class ServerSource:
    """A space's built-in feed: ``GET /api/{spaceId}/packages/{id}/raw``, streamed."""

    def __init__(self, client: OctopusClient, space_id: str) -> None:
        self.client = client
        self.space_id = space_id
        self.description = f"the source server {client.server_url}"
        self.verifies_contents = False

    @contextmanager
    def open(self, version: PackageVersion) -> Iterator[ChunkStream]:
        route = f"{packages_route(self.space_id)}/{quote(version.document_id, safe='+')}/raw"
        with self.client.open_download(route) as download:
            yield download


class _Abort(Exception):
    """Raised inside the request body to abandon the upload; carries the error for the caller. Not an
    OSError, so the HTTP stack neither retries nor rewords it."""

    def __init__(self, error: OctoDeskError) -> None:
        super().__init__(str(error))
        self.error = error


class MultipartUpload:
    """The package as the ``fileData`` part of a multipart/form-data body (the name the OctopusDeploy-Api
    push scripts use), with its length known up front so it goes out with a Content-Length."""

    def __init__(
        self,
        version: PackageVersion,
        size: int,
        chunks: Iterator[bytes],
        *,
        on_bytes: Callable[[int], None],
        cancel: CancelToken | None = None,
        hashed: bool = True,
    ) -> None:
        boundary = f"octodesk-{uuid.uuid4().hex}"
        self.content_type = f"multipart/form-data; boundary={boundary}"
        head = (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="fileData"; filename="{version.file_name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        self._tail = f"\r\n--{boundary}--\r\n".encode()
        self._length = len(head) + size + len(self._tail)
        self._version = version
        self._size = size
        self._chunks = chunks
        self._on_bytes = on_bytes
        self._cancel = cancel
        self._sha1 = hashlib.sha1() if hashed else None
        self._sent = 0
        self._pending = memoryview(head)
        self._finished = False
        self.sha1 = ""

    def __len__(self) -> int:
        return self._length

    def read(self, size: int = -1, /) -> bytes:
        if size is None or size <= 0:
            size = CHUNK_BYTES
        while not self._pending:
            if self._finished:
                return b""
            try:
                self._pending = memoryview(self._next_piece())
            except _Abort:
                raise
            except OctoDeskError as error:  # the source failed mid-stream (dropped, cancelled)
                raise _Abort(error) from None
        piece = bytes(self._pending[:size])
        self._pending = self._pending[size:]
        return piece

    def _next_piece(self) -> bytes:
        if self._cancel is not None:
            self._cancel.raise_if_cancelled()
        chunk = next(self._chunks, None)
        if chunk is None:
            self._verify()
            self._finished = True
            return self._tail
        self._sent += len(chunk)
        if self._sent > self._size:
            raise _Abort(self._incomplete(f"sent more than the {human_bytes(self._size)} it described"))
        if self._sha1 is not None:
            self._sha1.update(chunk)
        self._on_bytes(len(chunk))
        return chunk

    def _verify(self) -> None:
        version = self._version
        if self._sent != self._size:
            sent, size = human_bytes(self._sent), human_bytes(self._size)
            raise _Abort(self._incomplete(f"ended after {sent} of {size}"))
        if self._sha1 is None:  # the source checked the bytes itself
            self.sha1 = version.sha1 or ""
            return
        self.sha1 = self._sha1.hexdigest()
        if version.sha1 and version.sha1.lower() != self.sha1:
            raise _Abort(self._incomplete(f"sent bytes whose SHA-1 is {self.sha1}, not {version.sha1}"))

    def _incomplete(self, what: str) -> TransferIncomplete:
        return TransferIncomplete(
            f"Package {self._version.label}: the source {what}; the upload was abandoned, so the target "
            "stored nothing."
        )


def copy_package(
    source: PackageSource,
    version: PackageVersion,
    client: OctopusClient,
    space_id: str,
    *,
    on_bytes: Callable[[int], None],
    cancel: CancelToken | None = None,
) -> dict[str, Any]:
    """Stream one package to the target's built-in feed; the package document the target answers with.
    Never overwrites: a version that reached the target meanwhile is accepted only with the same SHA-1."""
    with source.open(version) as stream:
        size = version.size if version.size is not None else stream.length
        if size is None:
            raise ServerFailure(f"Package {version.label}: {source.description} gave no size for it.")
        body = MultipartUpload(
            version,
            size,
            stream.chunks(CHUNK_BYTES),
            on_bytes=on_bytes,
            cancel=cancel,
            hashed=not source.verifies_contents,
        )
        try:
            answer = client.post_streamed(
                f"{packages_route(space_id)}/raw",
                body,
                body.content_type,
                params={"overwriteMode": "FailIfExists"},
            )
        except _Abort as aborted:
            raise aborted.error from None
        except ValidationFailed as error:
            if error.status != CONFLICT_STATUS:
                raise
            return _already_there(client, space_id, version, body.sha1 or version.sha1)
    if not isinstance(answer, dict):
        raise ServerFailure(f"Package {version.label}: the target answered the upload without a package.")
    stored = answer.get("Hash")
    if isinstance(stored, str) and stored and body.sha1 and stored.lower() != body.sha1:
        raise ServerFailure(
            f"Package {version.label}: the target stored a file whose SHA-1 ({stored}) is not the one sent "
            f"({body.sha1})."
        )
    return answer


def _already_there(
    client: OctopusClient, space_id: str, version: PackageVersion, sha1: str | None
) -> dict[str, Any]:
    route = f"{packages_route(space_id)}/{quote(version.document_id, safe='+')}"
    document = client.get(route)
    held = PackageVersion.from_document(document, route) if isinstance(document, dict) else None
    if held is not None and sha1 and held.sha1 == sha1.lower():
        return dict(document)
    raise PackageConflict(
        f"Package {version.label}: the target now has this version with other contents "
        f"(SHA-1 {held.sha1 if held else 'unknown'}); it was not overwritten."
    )

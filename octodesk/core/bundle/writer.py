"""Writing a bundle: every entry streamed into a temporary file beside the destination, then one rename."""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import threading
import time
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence, Sized
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from octodesk.core.bundle import crypto
from octodesk.core.bundle.format import (
    COMPUTED_MANIFEST_KEYS,
    FORMAT_NAME,
    FORMAT_VERSION,
    INDEX_NAME,
    LOGOS_DIR,
    MANIFEST_NAME,
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS_TOTAL_BYTES,
    MAX_BUNDLE_RATIO,
    MAX_CENTRAL_DIRECTORY_BYTES,
    MAX_COMPRESSION_RATIO,
    MAX_ENTRIES,
    MAX_ENTRY_BYTES,
    MAX_JSON_DEPTH,
    MAX_MANIFEST_BYTES,
    MAX_TOTAL_BYTES,
    RATIO_CHECK_FLOOR_BYTES,
    SECRETS_NAME,
    SUMMARY_MANIFEST_KEYS,
    JsonBudget,
    canonical_json,
    foreign_entry_reason,
    is_attachment,
    json_depth,
    manifest_json,
    resource_path,
    unsafe_name_reason,
)
from octodesk.core.bundle.model import BundleResource, BundleSummary
from octodesk.core.bundle.partials import create_partial, remove_stale_partials
from octodesk.core.bundle.scrub import holds_sensitive_value, may_hold_sensitive_value, scrubbed_copy
from octodesk.core.bundle.streamed import StreamedEntry, write_streamed
from octodesk.core.cancel import CancelToken
from octodesk.core.errors import BundleDamaged, BundleError
from octodesk.core.progress import Progress, ProgressCallback, no_progress
from octodesk.core.redact import register_secret
from octodesk.core.resources import kinds
from octodesk.core.resources.shapes import NAME_FIELDS, document_problem, name_problem
from octodesk.core.text import human_bytes

_ENTRY_MODE = (stat.S_IFREG | 0o600) << 16
_COMPRESS_LEVEL = 6


class PreparedKey:
    """A bundle key derived on a thread of its own, started before the export reads the source: the key
    derivation (about 0.4 s of scrypt, which releases the GIL) then overlaps the network waits."""

    def __init__(self, password: str, kdf_cost: crypto.ScryptCost = crypto.DEFAULT_COST) -> None:
        register_secret(password)
        self.password = password
        self.kdf = crypto.KdfSpec.new(kdf_cost)
        self._key: bytes | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._derive, name="octodesk-key-derivation", daemon=True)
        self._thread.start()

    def _derive(self) -> None:
        try:
            self._key = crypto.derive_key(self.password, self.kdf)
        except BaseException as error:  # handed to the writer, which raises it
            self._error = error

    def result(self, cancel: CancelToken | None = None) -> tuple[crypto.KdfSpec, bytes]:
        """The key, once derived; a cancel while waiting for it is honoured at once."""
        while self._thread.is_alive():
            if cancel is not None:
                cancel.raise_if_cancelled()
            self._thread.join(timeout=0.05)
        if self._error is not None:
            raise self._error
        assert self._key is not None
        return self.kdf, self._key


def write_bundle(
    path: str | os.PathLike[str],
    *,
    manifest: dict[str, Any],
    resources: Iterable[BundleResource],
    secrets: dict[str, str],
    blobs: dict[str, bytes],
    password: str,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    kdf_cost: crypto.ScryptCost = crypto.DEFAULT_COST,
    prepared_key: PreparedKey | None = None,
    streamed: Sequence[StreamedEntry] = (),
    streamed_manifest: StreamedManifest | None = None,
) -> BundleSummary:
    """Write a bundle to ``path`` in one call (see :class:`BundleWriter`); on any failure or cancel nothing
    exists under that name (or beside it).

    ``manifest`` holds the caller's fields; the writer adds the format, resource index, counts, entry hashes,
    attachment sizes and KDF parameters. ``resources`` may be a generator: each document is written as it
    arrives. ``prepared_key`` (for the same password) saves waiting for the key derivation here.
    ``streamed``: attachments too large to hold (package files), copied in a chunk at a time after the
    documents, with byte progress; ``streamed_manifest`` then gets their SHA-256 by entry name and returns
    manifest fields that record them (they join ``manifest``).
    """
    _check_inputs(manifest, secrets, blobs, password)  # before anything is written
    _check_streamed(streamed, blobs)
    total = len(resources) + len(blobs) if isinstance(resources, Sized) else 0
    with BundleWriter(
        path, password, progress=progress, cancel=cancel, kdf_cost=kdf_cost, prepared_key=prepared_key
    ) as writer:
        writer.add(resources, total=total)
        return writer.finish(
            manifest=manifest,
            secrets=secrets,
            blobs=blobs,
            streamed=streamed,
            streamed_manifest=streamed_manifest,
        )


class BundleWriter:
    """A bundle written a piece at a time: documents as soon as they are known (an export writes its
    projects' own documents while the rest of the source is still being read), then :meth:`finish` with
    the rest. Everything goes to a temporary file beside ``path``, renamed to ``path`` only by ``finish``;
    leaving the ``with`` block any other way (an error, a cancel) removes it."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        password: str,
        *,
        progress: ProgressCallback | None = None,
        cancel: CancelToken | None = None,
        kdf_cost: crypto.ScryptCost = crypto.DEFAULT_COST,
        prepared_key: PreparedKey | None = None,
        index_order: Callable[[str, str], Any] | None = None,
    ) -> None:
        """``index_order``: a sort key of (kind, id) for the resource index, where documents are written in
        another order than the bundle should list them; by default the index lists them as written."""
        if not password:
            raise BundleError("A bundle password is required.")
        if prepared_key is not None and prepared_key.password != password:
            raise ValueError("the prepared key is for another password")
        register_secret(password)
        self.destination = Path(path)
        self.password = password
        self.progress = progress or no_progress
        self.cancel = cancel
        self.kdf_cost = kdf_cost
        self.prepared_key = prepared_key
        self.index_order = index_order
        self.folder = self.destination.parent if str(self.destination.parent) else Path(".")
        if self.destination.is_dir():
            raise BundleError(f"Cannot write the bundle: {self.destination} is a folder.")
        if not self.folder.is_dir():
            raise BundleError(f"Cannot write the bundle: the folder {self.folder} does not exist.")
        self._index: list[dict[str, str]] = []
        self._names: dict[tuple[str, str], dict[str, Any]] = {}  # what each resource's name derives from
        self._total = 0
        self._temp_path: Path | None = None

    def __enter__(self) -> BundleWriter:
        remove_stale_partials(self.folder, older_than=time.time())
        try:
            handle, temp_path = create_partial(self.folder, self.destination.name)
        except OSError as error:
            reason = error.strerror or error
            raise BundleError(f"Cannot write the bundle in {self.folder}: {reason}.") from None
        self._temp_path = temp_path
        self._stream = os.fdopen(handle, "wb")
        self._archive = zipfile.ZipFile(
            self._stream, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=_COMPRESS_LEVEL
        )
        self._entries = _ZipEntries(self._archive, self._stream)
        return self

    def __exit__(self, *_: object) -> None:
        if self._temp_path is None:
            return  # finished: renamed into place
        with contextlib.suppress(Exception):
            self._archive.close()
        with contextlib.suppress(OSError):
            self._stream.close()
        _remove_quietly(self._temp_path)

    def add(self, resources: Iterable[BundleResource], *, total: int | None = None) -> None:
        """Write these documents now. With ``total`` (of all entries, the blobs included) each one is
        reported as write progress; without it quietly (written ahead, while something else is shown)."""
        if total is not None:
            self._total = total
        try:
            for resource in resources:
                if self.cancel is not None:
                    self.cancel.raise_if_cancelled()
                entry_path = resource_path(resource.kind, resource.id)
                self._entries.add_json(entry_path, _resource_json(resource))
                self._index.append(
                    {"kind": resource.kind, "id": resource.id, "name": resource.name, "path": entry_path}
                )
                self._names[(resource.kind, resource.id)] = {
                    field: resource.document.get(field) for field in NAME_FIELDS
                }
                if total is not None:
                    self.progress(Progress("write", resource.kind, resource.name, len(self._index), total))
        except OSError as error:
            raise self._os_error(error) from None

    def written(self, kind: str, source_id: str) -> bool:
        return (kind, source_id) in self._names

    def finish(
        self,
        *,
        manifest: dict[str, Any],
        secrets: dict[str, str],
        blobs: dict[str, bytes],
        streamed: Sequence[StreamedEntry] = (),
        streamed_manifest: StreamedManifest | None = None,
    ) -> BundleSummary:
        """The blobs, the streamed attachments, the index, the manifest and the sealed secrets; then the
        file is made durable and renamed to its name."""
        _check_inputs(manifest, secrets, blobs, self.password)
        _check_streamed(streamed, blobs)
        for value in secrets.values():
            register_secret(value)
        assert self._temp_path is not None, "finish() once, inside the with block"
        try:
            full_manifest = self._write_rest(
                manifest, secrets, blobs, _Streamed(streamed, streamed_manifest)
            )
            self._archive.close()
            self._stream.flush()
            os.fsync(self._stream.fileno())
            self._stream.close()
            if self.cancel is not None:
                self.cancel.raise_if_cancelled()  # the last moment a cancel can keep the bundle from existing
            os.replace(self._temp_path, self.destination)
        except OSError as error:
            raise self._os_error(error) from None
        self._temp_path = None
        _fsync_folder(self.folder)
        return BundleSummary.from_manifest(full_manifest)

    def _os_error(self, error: OSError) -> BundleError:
        return BundleError(f"Cannot write the bundle {self.destination}: {error.strerror or error}.")

    def _write_rest(
        self,
        caller_manifest: dict[str, Any],
        secrets: dict[str, str],
        blobs: dict[str, bytes],
        streamed: _Streamed,
    ) -> dict[str, Any]:
        cancel, progress, entries, index = self.cancel, self.progress, self._entries, self._index
        _check_names(index, self._names)
        for done, (name, data) in enumerate(sorted(blobs.items()), start=len(index) + 1):
            if cancel is not None:
                cancel.raise_if_cancelled()
            if is_attachment(name):
                entries.attach(name, bytes(data))
                progress(Progress("write", "", name, done, self._total))
                continue
            owner = name.removeprefix(LOGOS_DIR + "/").rsplit(".", 1)[0]
            if (kinds.PROJECT.name, owner) not in self._names:
                raise ValueError(f"{name} is not the logo of a project in the bundle")
            entries.add(name, bytes(data))
            progress(Progress("write", "", name, done, self._total))
        caller_manifest = {**caller_manifest, **_write_streamed(entries, streamed, progress, cancel)}
        if cancel is not None:
            cancel.raise_if_cancelled()
        kdf, key = (self.prepared_key or PreparedKey(self.password, self.kdf_cost)).result(cancel)
        contents = {
            name: value for name, value in caller_manifest.items() if name not in SUMMARY_MANIFEST_KEYS
        }
        if self.index_order is not None:
            order = self.index_order
            index = sorted(index, key=lambda item: order(item["kind"], item["id"]))
        contents.update(
            resources=index,
            entries=dict(sorted(entries.hashes.items())),
            attachments=dict(sorted(entries.attachment_sizes.items())),
        )
        index_bytes = canonical_json(contents)
        entries.add_json(INDEX_NAME, index_bytes, listed=False)
        manifest = {name: value for name, value in caller_manifest.items() if name in SUMMARY_MANIFEST_KEYS}
        manifest.update(
            format=FORMAT_NAME,
            format_version=FORMAT_VERSION,
            counts=dict(sorted(Counter(item["kind"] for item in index).items())),
            kdf=kdf.to_manifest(),
            key_check=crypto.key_check(key),
            index_sha256=hashlib.sha256(index_bytes).hexdigest(),
        )
        manifest_bytes = manifest_json(manifest)
        if len(manifest_bytes) > MAX_MANIFEST_BYTES:
            raise BundleError("Cannot write the bundle: its manifest (source, projects) is too large.")
        entries.add_json(MANIFEST_NAME, manifest_bytes, listed=False, limit=MAX_MANIFEST_BYTES)
        secrets_bytes = canonical_json(dict(sorted(secrets.items())))
        entries.json_budget.charge(secrets_bytes, "the bundle", SECRETS_NAME)
        entries.add(SECRETS_NAME, crypto.seal(key, secrets_bytes, manifest_bytes, kdf), listed=False)
        return {**contents, **manifest}


def _check_inputs(
    manifest: dict[str, Any], secrets: dict[str, str], blobs: dict[str, bytes], password: str
) -> None:
    if not password:
        raise BundleError("A bundle password is required.")
    clash = COMPUTED_MANIFEST_KEYS & set(manifest)
    if clash:
        raise ValueError(f"manifest keys {sorted(clash)} are computed by the bundle writer")
    if not all(isinstance(ref, str) and isinstance(value, str) for ref, value in secrets.items()):
        raise ValueError("secrets must map reference strings to value strings")
    for name, data in blobs.items():
        logo = name.startswith(LOGOS_DIR + "/")
        if unsafe_name_reason(name) or foreign_entry_reason(name) or not (logo or is_attachment(name)):
            raise ValueError(f"blob name {name!r} cannot be used in a bundle")
        if not isinstance(data, bytes | bytearray):
            raise ValueError(f"blob {name!r} is not bytes")


StreamedManifest = Callable[[dict[str, str]], dict[str, Any]]


def _check_streamed(streamed: Sequence[StreamedEntry], blobs: dict[str, bytes]) -> None:
    names = [entry.name for entry in streamed]
    for entry in streamed:
        if unsafe_name_reason(entry.name) or not is_attachment(entry.name) or entry.name in blobs:
            raise ValueError(f"streamed entry name {entry.name!r} cannot be used in a bundle")
        if entry.size < 0:
            raise ValueError(f"streamed entry {entry.name!r} has a negative size")
        if entry.size > MAX_ATTACHMENT_BYTES:  # refused before anything is read
            raise BundleError(
                f"Cannot write the bundle: {entry.label or entry.name} is {human_bytes(entry.size)}, more "
                f"than a bundle may carry in one file ({human_bytes(MAX_ATTACHMENT_BYTES)})."
            )
    if len(set(names)) != len(names):
        raise ValueError("a streamed entry would be written twice")
    if sum(entry.size for entry in streamed) > MAX_ATTACHMENTS_TOTAL_BYTES:
        raise BundleError(
            f"Cannot write the bundle: the files to carry come to more than "
            f"{human_bytes(MAX_ATTACHMENTS_TOTAL_BYTES)}."
        )


@dataclass(frozen=True)
class _Streamed:
    entries: Sequence[StreamedEntry]
    manifest: StreamedManifest | None


class _ZipEntries:
    """The zip being written, within every budget the reader enforces, so the reader accepts it."""

    def __init__(self, archive: zipfile.ZipFile, stream: IO[bytes]) -> None:
        self.archive = archive
        self.stream = stream
        self.hashes: dict[str, str] = {}
        self.total_bytes = 0
        self.directory_bytes = 0
        self.json_budget = JsonBudget()
        self.attached_bytes = 0  # what attachments take in the file: not part of the ratio the reader judges
        self.attachment_sizes: dict[str, int] = {}  # recorded in the index: the reader allows exactly these
        self.timestamp = time.localtime()[:6]

    def add_json(self, name: str, data: bytes, *, listed: bool = True, limit: int = MAX_ENTRY_BYTES) -> None:
        try:
            self.json_budget.charge(data, "the bundle", name)
        except BundleDamaged:
            raise BundleError(
                "Cannot write the bundle: the export holds more JSON values than one bundle may hold."
            ) from None
        self.add(name, data, listed=listed, limit=limit)

    def add(self, name: str, data: bytes, *, listed: bool = True, limit: int = MAX_ENTRY_BYTES) -> None:
        if name in self.hashes:
            raise ValueError(f"{name} would be written twice")
        if len(data) > limit:
            raise BundleError(f"Cannot write the bundle: {name} is larger than a bundle entry may be.")
        self.total_bytes += len(data)
        self.directory_bytes += _DIRECTORY_RECORD_BYTES + len(name.encode("utf-8"))
        if (
            self.total_bytes > MAX_TOTAL_BYTES
            or len(self.archive.infolist()) >= MAX_ENTRIES
            or self.directory_bytes > MAX_CENTRAL_DIRECTORY_BYTES
        ):
            raise BundleError("Cannot write the bundle: the export is larger than one bundle may hold.")
        info = zipfile.ZipInfo(name, date_time=self.timestamp)
        info.external_attr = _ENTRY_MODE
        _write_whole_entry(self.archive, info, data, *self._stored_form(name, data))
        if listed:
            self.hashes[name] = hashlib.sha256(data).hexdigest()

    def attach(self, name: str, data: bytes) -> None:
        """An attachment: stored as it is, outside the budgets of documents and logos (the reader judges it
        by its stored size, which the index records)."""
        self._check_attachment(name, len(data))
        info = zipfile.ZipInfo(name, date_time=self.timestamp)
        info.external_attr = _ENTRY_MODE
        before = self.stream.tell()
        _write_whole_entry(self.archive, info, data, zipfile.ZIP_STORED, data)
        self.attached_bytes += self.stream.tell() - before
        self.hashes[name] = hashlib.sha256(data).hexdigest()

    def attach_streamed(
        self, entry: StreamedEntry, on_bytes: Callable[[int], None], cancel: CancelToken | None
    ) -> None:
        """An attachment copied in a chunk at a time (stored, ZIP64), hashed on the way."""
        self._check_attachment(entry.name, entry.size)
        before = self.stream.tell()
        self.hashes[entry.name] = write_streamed(self.archive, entry, self.timestamp, on_bytes, cancel)
        self.attached_bytes += self.stream.tell() - before

    def _check_attachment(self, name: str, size: int) -> None:
        if name in self.hashes:
            raise ValueError(f"{name} would be written twice")
        if size > MAX_ATTACHMENT_BYTES:
            raise BundleError(f"Cannot write the bundle: {name} is larger than an attachment may be.")
        if sum(self.attachment_sizes.values()) + size > MAX_ATTACHMENTS_TOTAL_BYTES:
            raise BundleError("Cannot write the bundle: its attachments come to more than a bundle may hold.")
        self.directory_bytes += _DIRECTORY_RECORD_BYTES + len(name.encode("utf-8"))
        if len(self.archive.infolist()) >= MAX_ENTRIES or self.directory_bytes > MAX_CENTRAL_DIRECTORY_BYTES:
            raise BundleError("Cannot write the bundle: the export is larger than one bundle may hold.")
        self.attachment_sizes[name] = size

    def _stored_form(self, name: str, data: bytes) -> tuple[int, bytes]:
        """Deflated unless that would look like a zip bomb to the reader: past the floor, one entry's ratio
        stays under half the per-entry limit, and the whole bundle's under half the bundle limit. The
        compression method and the bytes the entry holds."""
        deflated = _deflate(data)
        decoded = self.total_bytes  # this entry included
        written = self.stream.tell() - self.attached_bytes + _LOCAL_HEADER_BYTES + len(name.encode("utf-8"))
        if decoded <= _WRITER_BUNDLE_RATIO * written and len(data) <= RATIO_CHECK_FLOOR_BYTES:
            return zipfile.ZIP_DEFLATED, deflated  # fine even if it compressed to nothing
        entry_ratio_ok = len(data) <= RATIO_CHECK_FLOOR_BYTES or len(data) <= (
            MAX_COMPRESSION_RATIO * len(deflated) // 2
        )
        if entry_ratio_ok and decoded <= _WRITER_BUNDLE_RATIO * (written + len(deflated)):
            return zipfile.ZIP_DEFLATED, deflated
        return zipfile.ZIP_STORED, data


def _deflate(data: bytes) -> bytes:
    """The raw deflate stream zipfile itself writes at level 6."""
    compressor = zlib.compressobj(_COMPRESS_LEVEL, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def _write_whole_entry(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes, method: int, payload: bytes
) -> None:
    """Append an entry whose bytes are all known: its header, with CRC and sizes, then ``payload``, in one
    pass. ``ZipFile.writestr`` writes a header without them, then seeks back to fill them in: its
    bookkeeping took 38 of the 93 ms zipfile spent on an export's 1,751 documents. This does what its
    ``_open_to_write`` and ``_ZipWriteFile.close`` do for a seekable file; the bundle is byte for byte the
    same (tested)."""
    info.compress_type = method
    info.CRC = zlib.crc32(data)
    info.file_size = len(data)
    info.compress_size = len(payload)
    archive._writecheck(info)  # type: ignore[attr-defined]
    archive._didModify = True  # type: ignore[attr-defined]
    stream = archive.fp
    if stream is None:
        raise ValueError("the bundle's zip is closed")
    if stream.tell() != archive.start_dir:  # as zipfile does: an entry starts where the last one ended
        stream.seek(archive.start_dir)
    info.header_offset = archive.start_dir
    stream.write(info.FileHeader(zip64=False))
    stream.write(payload)
    archive.start_dir = stream.tell()
    archive.filelist.append(info)
    archive.NameToInfo[info.filename] = info


# Central-directory record and local header sizes (PKWARE APPNOTE 4.3.12, 4.3.7), without the name.
_DIRECTORY_RECORD_BYTES = 46
_LOCAL_HEADER_BYTES = 30
_WRITER_BUNDLE_RATIO = MAX_BUNDLE_RATIO // 2


def _write_streamed(
    entries: _ZipEntries, streamed: _Streamed, progress: ProgressCallback, cancel: CancelToken | None
) -> dict[str, Any]:
    """Copy the streamed attachments in, with progress in bytes; the manifest fields that record them."""
    if not streamed.entries:
        return {}
    totals = _ByteProgress(progress, len(streamed.entries), sum(entry.size for entry in streamed.entries))
    for done, entry in enumerate(streamed.entries):
        if cancel is not None:
            cancel.raise_if_cancelled()
        totals.start(entry, done)
        entries.attach_streamed(entry, totals.moved, cancel)
    totals.finish()
    if streamed.manifest is None:
        return {}
    extra = streamed.manifest({entry.name: entries.hashes[entry.name] for entry in streamed.entries})
    clash = (COMPUTED_MANIFEST_KEYS | SUMMARY_MANIFEST_KEYS) & set(extra)
    if clash:
        raise ValueError(f"manifest keys {sorted(clash)} cannot record streamed entries")
    return extra


@dataclass
class _ByteProgress:
    """Progress of the streamed attachments in bytes, reported at most every ``interval`` seconds."""

    progress: ProgressCallback
    count: int
    bytes_total: int
    interval: float = 0.1
    bytes_done: int = 0
    done: int = 0
    label: str = ""
    kind: str = ""
    _last: float = 0.0

    def start(self, entry: StreamedEntry, done: int) -> None:
        self.done, self.label, self.kind = done, entry.label or entry.name, entry.kind
        self._report()

    def moved(self, count: int) -> None:
        self.bytes_done += count
        now = time.monotonic()
        if now - self._last >= self.interval:
            self._last = now
            self._report()

    def finish(self) -> None:
        self.done = self.count
        self._report()

    def _report(self) -> None:
        self.progress(
            Progress(
                "write",
                self.kind,
                self.label,
                self.done,
                self.count,
                message=f"Writing {self.label} ({human_bytes(self.bytes_done)} of "
                f"{human_bytes(self.bytes_total)})",
                bytes_done=self.bytes_done,
                bytes_total=self.bytes_total,
            )
        )


def _resource_json(resource: BundleResource) -> bytes:
    """A document's entry, with no sensitive value in clear (``scrub``) and within the reader's checks: a
    bundle the reader refuses is never written."""
    if not isinstance(resource.document, dict):
        raise ValueError(f"{resource.kind} {resource.id}: a document must be a JSON object")
    try:
        data = canonical_json(resource.document)
    except RecursionError:  # nested past the encoder's stack, far past the reader's limit
        raise _too_deep(resource) from None
    # Each object or array opens with one bracket, so a document with fewer brackets than the limit cannot
    # nest past it (six in seven of a space's documents): the walk is left for the others.
    brackets = data.count(b"{") + data.count(b"[")
    if brackets > MAX_JSON_DEPTH and json_depth(resource.document) > MAX_JSON_DEPTH:
        raise _too_deep(resource)
    problem = document_problem(resource.kind, resource.id, resource.document)
    if problem:
        raise BundleError(f"Cannot write the bundle: {resource.kind} '{resource.name}' {problem}.")
    if may_hold_sensitive_value(data) and holds_sensitive_value(resource.document):
        data = canonical_json(scrubbed_copy(resource.document))
    return data


def _too_deep(resource: BundleResource) -> BundleError:
    return BundleError(
        f"Cannot write the bundle: {resource.kind} '{resource.name}' nests deeper than "
        f"{MAX_JSON_DEPTH} levels."
    )


def _check_names(index: list[dict[str, str]], names: dict[tuple[str, str], dict[str, Any]]) -> None:
    def name_of(kind: str, source_id: str) -> str | None:
        name = names.get((kind, source_id), {}).get("Name")
        return name if isinstance(name, str) else None

    for item in index:
        problem = name_problem(item["kind"], item["name"], names[(item["kind"], item["id"])], name_of)
        if problem:
            raise BundleError(f"Cannot write the bundle: {item['kind']} {item['id']} {problem}.")


def _remove_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable where the platform allows opening a folder (not on Windows)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)

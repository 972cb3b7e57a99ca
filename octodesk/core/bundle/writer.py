"""Writing a bundle: every entry streamed into a temporary file beside the destination, then one rename."""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
import threading
import time
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable, Sized
from pathlib import Path
from typing import IO, Any

from octodesk.core.bundle import crypto
from octodesk.core.bundle.format import (
    COMPUTED_MANIFEST_KEYS,
    FORMAT_NAME,
    FORMAT_VERSION,
    MANIFEST_NAME,
    MAX_COMPRESSION_RATIO,
    MAX_ENTRIES,
    MAX_ENTRY_BYTES,
    MAX_JSON_DEPTH,
    MAX_MANIFEST_BYTES,
    MAX_TOTAL_BYTES,
    RATIO_CHECK_FLOOR_BYTES,
    RESERVED_NAMES,
    RESOURCES_DIR,
    SECRETS_NAME,
    canonical_json,
    json_depth,
    manifest_json,
    resource_path,
    unsafe_name_reason,
)
from octodesk.core.bundle.model import BundleResource, BundleSummary
from octodesk.core.cancel import CancelToken
from octodesk.core.errors import BundleError
from octodesk.core.progress import Progress, ProgressCallback, no_progress
from octodesk.core.redact import register_secret

TEMP_SUFFIX = ".partial"
_ENTRY_MODE = (stat.S_IFREG | 0o600) << 16


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

    def result(self) -> tuple[crypto.KdfSpec, bytes]:
        self._thread.join()
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
) -> BundleSummary:
    """Write a bundle to ``path``; on any failure or cancel nothing exists under that name (or beside it).

    ``manifest`` holds the caller's fields; the writer adds the format, resource index, counts, entry hashes
    and KDF parameters. ``resources`` may be a generator: each document is written as it arrives.
    ``prepared_key`` (for the same password) saves waiting for the key derivation here.
    """
    if prepared_key is not None and prepared_key.password != password:
        raise ValueError("the prepared key is for another password")
    destination = Path(path)
    _check_inputs(manifest, secrets, blobs, password)
    register_secret(password)
    for value in secrets.values():
        register_secret(value)
    folder = destination.parent if str(destination.parent) else Path(".")
    if destination.is_dir():
        raise BundleError(f"Cannot write the bundle: {destination} is a folder.")
    if not folder.is_dir():
        raise BundleError(f"Cannot write the bundle: the folder {folder} does not exist.")
    try:
        handle, temp_name = tempfile.mkstemp(dir=folder, prefix=f".{destination.name}.", suffix=TEMP_SUFFIX)
    except OSError as error:
        raise BundleError(f"Cannot write the bundle in {folder}: {error.strerror or error}.") from None
    temp_path = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as stream:
            full_manifest = _write_zip(
                stream,
                manifest,
                resources,
                secrets,
                blobs,
                password,
                progress or no_progress,
                cancel,
                prepared_key or PreparedKey(password, kdf_cost),
            )
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp_path, destination)
    except OSError as error:
        _remove_quietly(temp_path)
        raise BundleError(f"Cannot write the bundle {destination}: {error.strerror or error}.") from None
    except BaseException:
        _remove_quietly(temp_path)
        raise
    _fsync_folder(folder)
    return BundleSummary.from_manifest(full_manifest)


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
        reason = unsafe_name_reason(name)
        if reason or name in RESERVED_NAMES or name.startswith(RESOURCES_DIR + "/"):
            raise ValueError(f"blob name {name!r} cannot be used in a bundle")
        if not isinstance(data, bytes | bytearray):
            raise ValueError(f"blob {name!r} is not bytes")


class _ZipEntries:
    """The zip being written, with the running totals the reader will enforce."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.hashes: dict[str, str] = {}
        self.total_bytes = 0
        self.count = 0
        self.timestamp = time.localtime()[:6]

    def add(self, name: str, data: bytes, *, listed: bool = True, limit: int = MAX_ENTRY_BYTES) -> None:
        if name in self.hashes:
            raise ValueError(f"{name} would be written twice")
        if len(data) > limit:
            raise BundleError(f"Cannot write the bundle: {name} is larger than a bundle entry may be.")
        self.total_bytes += len(data)
        self.count += 1
        if self.total_bytes > MAX_TOTAL_BYTES or self.count > MAX_ENTRIES:
            raise BundleError("Cannot write the bundle: the export is larger than one bundle may hold.")
        info = zipfile.ZipInfo(name, date_time=self.timestamp)
        info.external_attr = _ENTRY_MODE
        info.compress_type = _compression_for(data)
        self.archive.writestr(info, data)
        if listed:
            self.hashes[name] = hashlib.sha256(data).hexdigest()


def _compression_for(data: bytes) -> int:
    """Stored instead of deflated where deflate would look like a zip bomb to the reader."""
    if (
        len(data) > RATIO_CHECK_FLOOR_BYTES
        and len(data) > MAX_COMPRESSION_RATIO * len(zlib.compress(data, 6)) // 2
    ):
        return zipfile.ZIP_STORED
    return zipfile.ZIP_DEFLATED


def _write_zip(
    stream: IO[bytes],
    caller_manifest: dict[str, Any],
    resources: Iterable[BundleResource],
    secrets: dict[str, str],
    blobs: dict[str, bytes],
    password: str,
    progress: ProgressCallback,
    cancel: CancelToken | None,
    prepared_key: PreparedKey,
) -> dict[str, Any]:
    total = len(resources) + len(blobs) if isinstance(resources, Sized) else 0
    index: list[dict[str, str]] = []
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        entries = _ZipEntries(archive)
        for done, resource in enumerate(resources, start=1):
            if cancel is not None:
                cancel.raise_if_cancelled()
            entry_path = resource_path(resource.kind, resource.id)
            if not isinstance(resource.document, dict):
                raise ValueError(f"{resource.kind} {resource.id}: a document must be a JSON object")
            if json_depth(resource.document) > MAX_JSON_DEPTH:
                raise BundleError(
                    f"Cannot write the bundle: {resource.kind} '{resource.name}' nests deeper than "
                    f"{MAX_JSON_DEPTH} levels."
                )
            entries.add(entry_path, canonical_json(resource.document))
            index.append(
                {"kind": resource.kind, "id": resource.id, "name": resource.name, "path": entry_path}
            )
            progress(Progress("write", resource.kind, resource.name, done, total))
        for done, (name, data) in enumerate(sorted(blobs.items()), start=len(index) + 1):
            if cancel is not None:
                cancel.raise_if_cancelled()
            entries.add(name, bytes(data))
            progress(Progress("write", "", name, done, total))
        if cancel is not None:
            cancel.raise_if_cancelled()
        kdf, key = prepared_key.result()
        manifest = dict(caller_manifest)
        manifest.update(
            format=FORMAT_NAME,
            format_version=FORMAT_VERSION,
            resources=index,
            counts=dict(sorted(Counter(item["kind"] for item in index).items())),
            entries=dict(sorted(entries.hashes.items())),
            kdf=kdf.to_manifest(),
            key_check=crypto.key_check(key),
        )
        manifest_bytes = manifest_json(manifest)
        entries.add(MANIFEST_NAME, manifest_bytes, listed=False, limit=MAX_MANIFEST_BYTES)
        sealed = crypto.seal(key, canonical_json(dict(sorted(secrets.items()))), manifest_bytes)
        entries.add(SECRETS_NAME, sealed, listed=False)
    return manifest


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

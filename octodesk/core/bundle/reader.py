"""Reading a bundle as hostile input: every check passes before anything is returned; nothing is extracted.

Order: zip structure (names, links, sizes) -> manifest (format, version, KDF bounds, entry list) -> password
(key check) -> every entry's hash -> secrets (AES-GCM bound to the manifest). Each refusal is one typed error
naming the bundle and, where there is one, the entry at fault.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import struct
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from octodesk.core.bundle import crypto
from octodesk.core.bundle.format import (
    FORMAT_NAME,
    FORMAT_VERSION,
    MANIFEST_NAME,
    MAX_COMPRESSION_RATIO,
    MAX_ENTRIES,
    MAX_ENTRY_BYTES,
    MAX_FILE_BYTES,
    MAX_MANIFEST_BYTES,
    MAX_TOTAL_BYTES,
    RATIO_CHECK_FLOOR_BYTES,
    RESERVED_NAMES,
    SECRETS_NAME,
    parse_json,
    resource_path,
    unsafe_name_reason,
)
from octodesk.core.bundle.model import Bundle, BundleResource
from octodesk.core.cancel import CancelToken
from octodesk.core.errors import BundleDamaged, BundleError, UnsupportedBundle, WrongPassword
from octodesk.core.progress import Progress, ProgressCallback, no_progress
from octodesk.core.redact import register_secret

# What the zip module raises on malformed archives besides BadZipFile (found by fuzzing): a hostile file
# may produce any of them, and each means the same to the user.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    EOFError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    OverflowError,
    IndexError,
    KeyError,
    struct.error,
    zlib.error,
)
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


def read_bundle(
    path: str | os.PathLike[str],
    password: str,
    *,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> Bundle:
    """Verify the password and every byte of the bundle, then return its contents.

    Raises WrongPassword, BundleDamaged (naming the entry at fault) or UnsupportedBundle.
    """
    report = progress or no_progress
    register_secret(password)
    with _Archive.open(path) as archive:
        manifest_bytes = archive.read(MANIFEST_NAME, MAX_MANIFEST_BYTES)
        manifest = _parse_manifest(manifest_bytes, archive.label)
        listed = _listed_entries(manifest, archive.label)
        index = _resource_index(manifest, listed, archive.label)
        archive.check_entry_set(listed)
        kdf = crypto.KdfSpec.from_manifest(manifest.get("kdf"), archive.label)
        report(Progress("verify", message="Checking the password"))
        key = crypto.derive_key(password, kdf)
        if not crypto.key_matches(key, manifest.get("key_check")):
            raise WrongPassword(f"Wrong password for the bundle {archive.label}.")
        contents: dict[str, bytes] = {}
        for done, (name, expected) in enumerate(listed.items(), start=1):
            if cancel is not None:
                cancel.raise_if_cancelled()
            data = archive.read(name, MAX_ENTRY_BYTES)
            if hashlib.sha256(data).hexdigest() != expected:
                raise archive.modified(name)
            contents[name] = data
            report(Progress("verify", "", name, done, len(listed)))
        sealed = archive.read(SECRETS_NAME, MAX_ENTRY_BYTES)
    try:
        plaintext = crypto.unseal(key, sealed, manifest_bytes)
    except crypto.SealBroken as broken:
        raise archive.modified(broken.entry) from None
    secrets = _parse_secrets(plaintext, archive.label)
    for value in secrets.values():
        register_secret(value)
    resources = [
        _resource(kind, source_id, name, contents.pop(entry_path), archive.label, entry_path)
        for kind, source_id, name, entry_path in index
    ]
    return Bundle(manifest=manifest, resources=resources, secrets=secrets, blobs=contents)


def read_manifest(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The manifest after the structural checks, WITHOUT the password: not yet proven authentic.

    For showing what a bundle claims to hold before asking for its password; use read_bundle for all else.
    """
    with _Archive.open(path) as archive:
        manifest = _parse_manifest(archive.read(MANIFEST_NAME, MAX_MANIFEST_BYTES), archive.label)
        _resource_index(manifest, _listed_entries(manifest, archive.label), archive.label)
        return manifest


class _Archive:
    """An opened zip whose central directory has passed every structural check."""

    def __init__(self, label: str, zip_file: zipfile.ZipFile) -> None:
        self.label = label
        self.zip = zip_file
        self.infos = {info.filename: info for info in zip_file.infolist()}

    @classmethod
    @contextmanager
    def open(cls, path: str | os.PathLike[str]) -> Iterator[_Archive]:
        label = str(path)
        file_path = Path(path)
        try:
            size = file_path.stat().st_size
            regular = file_path.is_file()
        except OSError:
            raise BundleError(f"There is no bundle at {label}.") from None
        if not regular:
            raise BundleError(f"{label} is not a file.")
        if size > MAX_FILE_BYTES:
            raise BundleDamaged(f"{label} is too large to be an OctoDesk bundle ({size} bytes).")
        try:
            stream = file_path.open("rb")
        except OSError as error:
            raise BundleError(f"Cannot open {label}: {error.strerror or error}.") from None
        with stream:
            try:
                zip_file = zipfile.ZipFile(stream)
            except (*_ZIP_ERRORS, OSError):
                raise BundleDamaged(
                    f"{label} is not a complete OctoDesk bundle (truncated or not a zip)."
                ) from None
            with zip_file:
                _check_structure(label, zip_file.infolist(), size)
                yield cls(label, zip_file)

    def read(self, name: str, limit: int) -> bytes:
        info = self.infos.get(name)
        if info is None:
            if name == MANIFEST_NAME:
                raise BundleDamaged(f"{self.label} has no {MANIFEST_NAME}: it is not an OctoDesk bundle.")
            raise BundleDamaged(f"{self.label} is damaged: {name} is missing.")
        if info.file_size > limit:
            raise BundleDamaged(f"{self.label} is unsafe: {name} is too large ({info.file_size} bytes).")
        try:
            with self.zip.open(info) as member:
                data = member.read(limit + 1)
        except (*_ZIP_ERRORS, OSError):
            raise self.modified(name) from None
        if len(data) != info.file_size:
            raise self.modified(name)
        return data

    def modified(self, name: str) -> BundleDamaged:
        return BundleDamaged(f"{self.label} is damaged: {name} has been modified.")

    def check_entry_set(self, listed: dict[str, str]) -> None:
        for name in self.infos:
            if name not in listed and name not in RESERVED_NAMES:
                raise BundleDamaged(
                    f"{self.label} is damaged: {name} is in the bundle but not in its manifest (added later)."
                )
        if SECRETS_NAME not in self.infos:
            raise BundleDamaged(f"{self.label} is damaged: {SECRETS_NAME} is missing.")
        for name in listed:
            if name not in self.infos:
                raise BundleDamaged(f"{self.label} is damaged: {name} is listed in the manifest but missing.")


def _check_structure(label: str, infos: list[zipfile.ZipInfo], file_size: int) -> None:
    """Refuse hostile archives from the central directory alone, before reading any entry."""
    if len(infos) > MAX_ENTRIES:
        raise BundleDamaged(f"{label} is unsafe: it has {len(infos)} entries (limit {MAX_ENTRIES}).")
    # Entries sharing compressed bytes (the "overlapping files" zip bomb) claim more data than the file has.
    if sum(info.compress_size for info in infos) > file_size:
        raise BundleDamaged(
            f"{label} is unsafe: its entries claim more compressed data than the file holds "
            "(overlapping entries, a zip bomb?); refused."
        )
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        shown = _shown(name)
        reason = unsafe_name_reason(name)
        if reason:
            raise BundleDamaged(f"{label} is unsafe: the entry {shown} {reason}; refused.")
        if name in seen:
            raise BundleDamaged(f"{label} is unsafe: the entry {shown} appears twice; refused.")
        seen.add(name)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise BundleDamaged(f"{label} is unsafe: the entry {shown} is a symbolic link; refused.")
        if info.flag_bits & 0x1:
            raise BundleDamaged(
                f"{label} is damaged: the entry {shown} uses zip encryption, which bundles never use."
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise BundleDamaged(
                f"{label} is damaged: the entry {shown} uses an unsupported compression method."
            )
        total += info.file_size
        if info.file_size > MAX_ENTRY_BYTES or total > MAX_TOTAL_BYTES:
            raise BundleDamaged(
                f"{label} is unsafe: the entry {shown} expands to {info.file_size} bytes, past the size "
                "limits (a zip bomb?); refused."
            )
        ratio_limit = MAX_COMPRESSION_RATIO * max(info.compress_size, 1)
        if info.file_size > RATIO_CHECK_FLOOR_BYTES and info.file_size > ratio_limit:
            raise BundleDamaged(
                f"{label} is unsafe: the entry {shown} has a compression ratio over "
                f"{MAX_COMPRESSION_RATIO}:1, like a zip bomb; refused."
            )


def _shown(name: str) -> str:
    text = repr(name)
    return text if len(text) <= 80 else text[:77] + "..."


def _parse_manifest(data: bytes, label: str) -> dict[str, Any]:
    manifest = parse_json(data, label, MANIFEST_NAME)
    if not isinstance(manifest, dict):
        raise BundleDamaged(f"{label} is damaged: {MANIFEST_NAME} is not a JSON object.")
    if manifest.get("format") != FORMAT_NAME:
        raise UnsupportedBundle(
            f"{label} is not an OctoDesk bundle (format {_shown(str(manifest.get('format')))})."
        )
    version = manifest.get("format_version")
    if version != FORMAT_VERSION or type(version) is not int:
        shown = str(version) if type(version) is int else _shown(str(version))
        raise UnsupportedBundle(
            f"{label} is an OctoDesk bundle of format version {shown}; this OctoDesk reads "
            f"version {FORMAT_VERSION} only. A newer OctoDesk may open it."
        )
    return manifest


def _listed_entries(manifest: dict[str, Any], label: str) -> dict[str, str]:
    entries = manifest.get("entries")
    if not isinstance(entries, dict):
        raise BundleDamaged(f"{label} is damaged: its manifest has no entry list.")
    for name, digest in entries.items():
        if unsafe_name_reason(name) or name in RESERVED_NAMES:
            raise BundleDamaged(f"{label} is unsafe: its manifest lists the entry {_shown(name)}; refused.")
        if not isinstance(digest, str) or not _SHA256_HEX.fullmatch(digest):
            raise BundleDamaged(f"{label} is damaged: its manifest has no valid hash for {_shown(name)}.")
    return entries


def _resource_index(
    manifest: dict[str, Any], listed: dict[str, str], label: str
) -> list[tuple[str, str, str, str]]:
    """(kind, source id, name, path) for every resource, checked against the entry list and the counts."""
    raw = manifest.get("resources")
    if not isinstance(raw, list):
        raise BundleDamaged(f"{label} is damaged: its manifest has no resource index.")
    index: list[tuple[str, str, str, str]] = []
    paths: set[str] = set()
    for item in raw:
        fields = [item.get(key) for key in ("kind", "id", "name", "path")] if isinstance(item, dict) else []
        texts = [value for value in fields if isinstance(value, str)]
        if len(texts) != 4:
            raise BundleDamaged(f"{label} is damaged: its resource index has a malformed item.")
        kind, source_id, name, entry_path = texts
        try:
            expected_path = resource_path(kind, source_id)
        except ValueError:
            expected_path = ""
        if entry_path != expected_path or entry_path not in listed or entry_path in paths:
            raise BundleDamaged(
                f"{label} is damaged: its resource index does not match {_shown(entry_path)}."
            )
        paths.add(entry_path)
        index.append((kind, source_id, name, entry_path))
    if manifest.get("counts") != dict(Counter(kind for kind, _, _, _ in index)):
        raise BundleDamaged(f"{label} is damaged: its manifest's counts do not match its resource index.")
    return index


def _parse_secrets(plaintext: bytes, label: str) -> dict[str, str]:
    secrets = parse_json(plaintext, label, SECRETS_NAME)
    if not isinstance(secrets, dict) or not all(isinstance(value, str) for value in secrets.values()):
        raise BundleDamaged(f"{label} is damaged: {SECRETS_NAME} does not hold sensitive values.")
    return secrets


def _resource(
    kind: str, source_id: str, name: str, data: bytes, label: str, entry_path: str
) -> BundleResource:
    document = parse_json(data, label, entry_path)
    if not isinstance(document, dict):
        raise BundleDamaged(f"{label} is damaged: {entry_path} is not a JSON object.")
    return BundleResource(kind=kind, id=source_id, name=name, document=document)

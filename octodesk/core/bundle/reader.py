"""Reading a bundle as hostile input: every check passes before anything is returned; nothing is extracted.

Order: zip end record and central directory (counts, names, links, sizes, ratios) -> manifest.json (small,
format, version, KDF bounds) -> secrets.enc's header (sealed with these KDF parameters?) -> password (key
check) -> index.json (its hash in the manifest) -> every entry's hash, each JSON entry parsed within the
budgets -> secrets (AES-GCM bound to the manifest) -> every document agrees with its index line. Each
refusal is one typed error naming the bundle and, where there is one, the entry at fault.
"""

from __future__ import annotations

import hashlib
import os
import re
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
    INDEX_NAME,
    LOGOS_DIR,
    MANIFEST_NAME,
    MAX_ATTACHMENTS_TOTAL_BYTES,
    MAX_ENTRY_BYTES,
    MAX_FILE_BYTES,
    MAX_LOADED_ATTACHMENT_BYTES,
    MAX_MANIFEST_BYTES,
    RESERVED_NAMES,
    SECRETS_NAME,
    JsonBudget,
    is_attachment,
    parse_json,
    resource_path,
    unsafe_name_reason,
)
from octodesk.core.bundle.model import Attachment, Bundle, BundleResource
from octodesk.core.bundle.zipcheck import check_end_record, check_structure, shown_name
from octodesk.core.cancel import CancelToken
from octodesk.core.errors import BundleDamaged, BundleError, UnsupportedBundle, WrongPassword
from octodesk.core.hashing import OverlappedHash
from octodesk.core.progress import Progress, ProgressCallback, no_progress
from octodesk.core.redact import register_secret
from octodesk.core.resources import kinds
from octodesk.core.resources.shapes import document_problem, name_problem

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
_CHUNK_BYTES = 1024 * 1024
_PROGRESS_EVERY_CHUNKS = 64  # while an attachment is verified: every 64 MiB


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
    budget = JsonBudget()
    with _Archive.open(path) as archive:
        label = archive.label
        manifest_bytes = archive.read(MANIFEST_NAME, MAX_MANIFEST_BYTES)
        manifest = _parse_manifest(manifest_bytes, label, budget)
        kdf = crypto.KdfSpec.from_manifest(manifest.get("kdf"), label)
        sealed = archive.read(SECRETS_NAME, MAX_ENTRY_BYTES)
        header = _seal_header(sealed, label)
        report(Progress("verify", message="Checking the password"))
        key = crypto.derive_key(password, kdf)
        _check_key(key, kdf, manifest.get("key_check"), header, label)
        index_bytes = archive.read(INDEX_NAME, MAX_ENTRY_BYTES)
        if hashlib.sha256(index_bytes).hexdigest() != manifest["index_sha256"]:
            raise archive.modified(INDEX_NAME)
        contents = _parse_index(index_bytes, label, budget)
        listed = _listed_entries(contents, label)
        index = _resource_index(contents, manifest["counts"], listed, label)
        archive.check_entry_set(listed)
        archive.check_attachment_sizes(_attachment_sizes(contents, listed, label))
        documents: dict[str, dict[str, Any]] = {}
        blobs: dict[str, bytes] = {}
        attachments: dict[str, Attachment] = {}
        for done, (name, expected) in enumerate(listed.items(), start=1):
            if cancel is not None:
                cancel.raise_if_cancelled()
            if is_attachment(name):
                attachments[name] = archive.verify_streamed(
                    name, expected, cancel, report, (done, len(listed))
                )
                continue
            data = archive.read(name, MAX_ENTRY_BYTES)
            if hashlib.sha256(data).hexdigest() != expected:
                raise archive.modified(name)
            if name.startswith(LOGOS_DIR + "/"):
                blobs[name] = data
            else:  # parsed at once so the bytes and their objects are never held together for all entries
                documents[name] = _document(data, label, name, budget)
            report(Progress("verify", "", name, done, len(listed)))
    try:
        plaintext = crypto.unseal(key, sealed, manifest_bytes)
    except crypto.SealBroken as broken:
        raise archive.modified(broken.entry) from None
    secrets = _parse_secrets(plaintext, label, budget)
    for value in secrets.values():
        register_secret(value)
    resources = [
        BundleResource(kind=kind, id=source_id, name=name, document=documents.pop(entry_path))
        for kind, source_id, name, entry_path in index
    ]
    _check_documents(resources, label)
    return Bundle(
        manifest={**contents, **manifest},
        resources=resources,
        secrets=secrets,
        blobs=blobs,
        attachments=attachments,
        path=os.fspath(path),
    )


@contextmanager
def open_attachment(bundle: Bundle, name: str) -> Iterator[Iterator[bytes]]:
    """The attachment's bytes a chunk at a time, from the bundle file, checked against the SHA-256 the
    reader verified: a file changed since then fails at its end instead of passing on other bytes."""
    attachment = bundle.attachments.get(name)
    if attachment is None:
        raise BundleError(f"{bundle.path} carries no {name}.")
    with _Archive.open(bundle.path) as archive:
        yield archive.chunks(name, attachment.sha256)


def read_attachment(bundle: Bundle, name: str) -> bytes:
    """A small attachment (Octopus's export zip) whole, checked like ``open_attachment``."""
    attachment = bundle.attachments.get(name)
    if attachment is not None and attachment.size > MAX_LOADED_ATTACHMENT_BYTES:
        raise BundleError(f"{name} in {bundle.path} is too large to load ({attachment.size} bytes).")
    with open_attachment(bundle, name) as chunks:
        return b"".join(chunks)


def read_manifest(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The manifest after the structural checks, WITHOUT the password: not yet proven authentic.

    For showing what a bundle claims to hold (source, projects, counts) before asking for its password; the
    resource index is read by read_bundle only, after the password.
    """
    with _Archive.open(path) as archive:
        return _parse_manifest(archive.read(MANIFEST_NAME, MAX_MANIFEST_BYTES), archive.label, JsonBudget())


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
        if size > MAX_FILE_BYTES + MAX_ATTACHMENTS_TOTAL_BYTES:  # the rest is judged from its entries
            raise BundleDamaged(f"{label} is too large to be an OctoDesk bundle ({size} bytes).")
        try:
            stream = file_path.open("rb")
        except OSError as error:
            raise BundleError(f"Cannot open {label}: {error.strerror or error}.") from None
        with stream:
            try:
                check_end_record(stream, size, label)
                zip_file = zipfile.ZipFile(stream)
            except (*_ZIP_ERRORS, OSError):
                raise BundleDamaged(
                    f"{label} is not a complete OctoDesk bundle (truncated or not a zip)."
                ) from None
            with zip_file:
                check_structure(label, zip_file.infolist(), size)
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

    def chunks(self, name: str, expected: str, cancel: CancelToken | None = None) -> Iterator[bytes]:
        """The entry a chunk at a time; raises when it ends short, long or with another SHA-256."""
        info = self.infos.get(name)
        if info is None:
            raise BundleDamaged(f"{self.label} is damaged: {name} is missing.")
        size = 0
        try:
            with OverlappedHash(hashlib.sha256()) as digest, self.zip.open(info) as member:
                while chunk := member.read(_CHUNK_BYTES):
                    if cancel is not None:
                        cancel.raise_if_cancelled()
                    size += len(chunk)
                    if size > info.file_size:
                        break
                    digest.update(chunk)
                    yield chunk
                sha256 = digest.hexdigest()
        except (*_ZIP_ERRORS, OSError):
            raise self.modified(name) from None
        if size != info.file_size or sha256 != expected:
            raise self.modified(name)

    def verify_streamed(
        self,
        name: str,
        expected: str,
        cancel: CancelToken | None,
        report: ProgressCallback,
        position: tuple[int, int],
    ) -> Attachment:
        """An attachment checked a chunk at a time, with progress in bytes (a package may take seconds)."""
        size, done = self.infos[name].file_size, 0

        def progress() -> None:
            report(Progress("verify", "", name, *position, bytes_done=done, bytes_total=size))

        for count, chunk in enumerate(self.chunks(name, expected, cancel), start=1):
            done += len(chunk)
            if count % _PROGRESS_EVERY_CHUNKS == 0:
                progress()
        progress()
        return Attachment(name, size, expected)

    def check_attachment_sizes(self, recorded: dict[str, int]) -> None:
        """Each attachment is exactly the size the index records: the one exception to the size budgets is
        for these sizes, checked before a byte of them is read."""
        for name, size in recorded.items():
            actual = self.infos[name].file_size
            if actual != size:
                raise BundleDamaged(
                    f"{self.label} is damaged: {name} is {actual} bytes, not the {size} bytes its index "
                    "records (changed after export); refused."
                )

    def modified(self, name: str) -> BundleDamaged:
        return BundleDamaged(f"{self.label} is damaged: {name} has been modified.")

    def check_entry_set(self, listed: dict[str, str]) -> None:
        for name in self.infos:
            if name not in listed and name not in RESERVED_NAMES:
                raise BundleDamaged(
                    f"{self.label} is damaged: {name} is in the bundle but not in its index (added later)."
                )
        for name in listed:
            if name not in self.infos:
                raise BundleDamaged(f"{self.label} is damaged: {name} is listed in its index but missing.")


def _parse_manifest(data: bytes, label: str, budget: JsonBudget) -> dict[str, Any]:
    manifest = parse_json(data, label, MANIFEST_NAME, budget)
    if not isinstance(manifest, dict):
        raise BundleDamaged(f"{label} is damaged: {MANIFEST_NAME} is not a JSON object.")
    if manifest.get("format") != FORMAT_NAME:
        raise UnsupportedBundle(
            f"{label} is not an OctoDesk bundle (format {shown_name(str(manifest.get('format')))})."
        )
    version = manifest.get("format_version")
    if version != FORMAT_VERSION or type(version) is not int:
        shown = str(version) if type(version) is int else shown_name(str(version))
        older = " (written by an older OctoDesk: export it again)" if version == 1 else ""
        raise UnsupportedBundle(
            f"{label} is an OctoDesk bundle of format version {shown}{older}; this OctoDesk reads "
            f"version {FORMAT_VERSION} only. A newer OctoDesk may open it."
        )
    counts = manifest.get("counts")
    if not isinstance(counts, dict) or not all(type(n) is int and n >= 0 for n in counts.values()):
        raise BundleDamaged(f"{label} is damaged: its manifest has no resource counts.")
    unknown = sorted(kind for kind in counts if kind not in kinds.KINDS_BY_NAME)
    if unknown:
        raise UnsupportedBundle(
            f"{label} holds resources of a kind this OctoDesk does not know ({shown_name(unknown[0])}); "
            "refused rather than imported in part."
        )
    digest = manifest.get("index_sha256")
    if not isinstance(digest, str) or not _SHA256_HEX.fullmatch(digest):
        raise BundleDamaged(f"{label} is damaged: its manifest has no valid hash for {INDEX_NAME}.")
    return manifest


def _seal_header(sealed: bytes, label: str) -> crypto.SealHeader:
    try:
        return crypto.SealHeader.parse(sealed)
    except crypto.SealBroken:
        raise BundleDamaged(f"{label} is damaged: {SECRETS_NAME} has been modified.") from None


def _check_key(
    key: bytes, kdf: crypto.KdfSpec, manifest_check: object, header: crypto.SealHeader, label: str
) -> None:
    """The password is right when its key check matches the manifest's. secrets.enc's header records the
    key check and KDF parameters it was sealed with: together they tell a changed KDF parameter, a replaced
    secrets.enc and a changed key check apart from a wrong password."""
    opens_manifest = crypto.key_matches(key, manifest_check)
    opens_secrets = crypto.key_matches(key, header.key_check)
    if opens_manifest and opens_secrets:
        if header.kdf_fingerprint != kdf.fingerprint():
            raise BundleDamaged(f"{label} is damaged: {SECRETS_NAME} has been modified.")
        return
    if opens_manifest:
        raise BundleDamaged(
            f"{label} is damaged: {SECRETS_NAME} was encrypted with another password than the rest of the "
            "bundle (replaced after export)."
        )
    if opens_secrets:
        raise BundleDamaged(f"{label} is damaged: {MANIFEST_NAME} has been modified (its key check).")
    if manifest_check != header.key_check:
        raise BundleDamaged(
            f"{label} is damaged: {MANIFEST_NAME} and {SECRETS_NAME} were sealed with different passwords "
            "(one was replaced after export), and this password opens neither."
        )
    if header.kdf_fingerprint != kdf.fingerprint():
        raise BundleDamaged(
            f"{label} is damaged: the key-derivation parameters in {MANIFEST_NAME} are not the ones the "
            "bundle was sealed with (changed after export)."
        )
    raise WrongPassword(f"Wrong password for the bundle {label}.")


def _parse_index(data: bytes, label: str, budget: JsonBudget) -> dict[str, Any]:
    contents = parse_json(data, label, INDEX_NAME, budget)
    if not isinstance(contents, dict):
        raise BundleDamaged(f"{label} is damaged: {INDEX_NAME} is not a JSON object.")
    return contents


def _listed_entries(contents: dict[str, Any], label: str) -> dict[str, str]:
    entries = contents.get("entries")
    if not isinstance(entries, dict):
        raise BundleDamaged(f"{label} is damaged: its index has no entry list.")
    for name, digest in entries.items():
        if unsafe_name_reason(name) or name in RESERVED_NAMES:
            raise BundleDamaged(f"{label} is unsafe: its index lists the entry {shown_name(name)}; refused.")
        if not isinstance(digest, str) or not _SHA256_HEX.fullmatch(digest):
            raise BundleDamaged(f"{label} is damaged: its index has no valid hash for {shown_name(name)}.")
    return entries


def _attachment_sizes(contents: dict[str, Any], listed: dict[str, str], label: str) -> dict[str, int]:
    """The size the index records for every attachment it lists (and for nothing else; a bundle without
    attachments may leave the record out)."""
    raw = contents.get("attachments", {})
    attached = {name for name in listed if is_attachment(name)}
    if not isinstance(raw, dict) or set(raw) != attached:
        raise BundleDamaged(f"{label} is damaged: its index does not record the size of every attachment.")
    if not all(type(size) is int and size >= 0 for size in raw.values()):
        raise BundleDamaged(f"{label} is damaged: its index records an attachment size that is not a size.")
    return dict(raw)


def _resource_index(
    contents: dict[str, Any], counts: dict[str, int], listed: dict[str, str], label: str
) -> list[tuple[str, str, str, str]]:
    """(kind, source id, name, path) for every resource, checked against the entry list and the counts.
    Every listed entry is a resource of the index, the logo of one of its projects or an attachment."""
    raw = contents.get("resources")
    if not isinstance(raw, list):
        raise BundleDamaged(f"{label} is damaged: its index has no resource list.")
    index: list[tuple[str, str, str, str]] = []
    paths: set[str] = set()
    for item in raw:
        fields = [item.get(key) for key in ("kind", "id", "name", "path")] if isinstance(item, dict) else []
        texts = [value for value in fields if isinstance(value, str)]
        if len(texts) != 4:
            raise BundleDamaged(f"{label} is damaged: its resource index has a malformed item.")
        kind, source_id, name, entry_path = texts
        if kind not in kinds.KINDS_BY_NAME:
            raise UnsupportedBundle(
                f"{label} holds a resource of a kind this OctoDesk does not know ({shown_name(kind)}); "
                "refused rather than imported in part."
            )
        try:
            expected_path = resource_path(kind, source_id)
        except ValueError:
            expected_path = ""
        if entry_path != expected_path or entry_path not in listed or entry_path in paths:
            raise BundleDamaged(
                f"{label} is damaged: its resource index does not match {shown_name(entry_path)}."
            )
        paths.add(entry_path)
        index.append((kind, source_id, name, entry_path))
    if counts != dict(Counter(kind for kind, _, _, _ in index)):
        raise BundleDamaged(f"{label} is damaged: its manifest's counts do not match its resource index.")
    logos = {f"{LOGOS_DIR}/{source_id}" for kind, source_id, _, _ in index if kind == kinds.PROJECT.name}
    for name in listed:
        if name not in paths and name.rsplit(".", 1)[0] not in logos and not is_attachment(name):
            raise BundleDamaged(
                f"{label} is damaged: its index lists {shown_name(name)}, which is neither one of its "
                "resources, the logo of one of its projects, nor an attachment."
            )
    return index


def _document(data: bytes, label: str, entry_path: str, budget: JsonBudget) -> dict[str, Any]:
    document = parse_json(data, label, entry_path, budget)
    if not isinstance(document, dict):
        raise BundleDamaged(f"{label} is damaged: {entry_path} is not a JSON object.")
    return document


def _parse_secrets(plaintext: bytes, label: str, budget: JsonBudget) -> dict[str, str]:
    secrets = parse_json(plaintext, label, SECRETS_NAME, budget)
    if not isinstance(secrets, dict) or not all(isinstance(value, str) for value in secrets.values()):
        raise BundleDamaged(f"{label} is damaged: {SECRETS_NAME} does not hold sensitive values.")
    return secrets


def _check_documents(resources: list[BundleResource], label: str) -> None:
    """Each document is what its index line says (kind, id, name): the preview shows the index, the import
    posts the document."""
    names = {(r.kind, r.id): r.document.get("Name") for r in resources}

    def name_of(kind: str, source_id: str) -> str | None:
        name = names.get((kind, source_id))
        return name if isinstance(name, str) else None

    for resource in resources:
        problem = document_problem(resource.kind, resource.id, resource.document) or name_problem(
            resource.kind, resource.name, resource.document, name_of
        )
        if problem:
            entry = resource_path(resource.kind, resource.id)
            raise BundleDamaged(f"{label} is damaged: {entry} {problem}; refused.")

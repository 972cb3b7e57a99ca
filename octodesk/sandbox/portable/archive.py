"""The sandbox's own export zip: plain documents with every sensitive value taken out, and the values
encrypted under the export password.

Entries: ``manifest.json`` (source server, space, projects, key derivation), ``content.json`` (the
documents, sensitive values blanked as the API shows them) and ``sensitive-values.bin`` (AES-256-GCM over
the list of blanked values with their JSON paths; key from scrypt; the SHA-256 of the other two entries as
associated data, so a wrong password or any changed byte fails decryption). The format is the sandbox's
own; a real server's zip differs, which no client may rely on.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from ..secrets import is_sensitive_value
from ..store import Document

FORMAT = "octopus-sandbox-project-export"
FORMAT_VERSION = 1
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
_MANIFEST, _CONTENT, _SECRETS = "manifest.json", "content.json", "sensitive-values.bin"
_MAX_ENTRY_BYTES = 512 * 1024 * 1024

WRONG_PASSWORD = (
    "The sensitive values in the export could not be decrypted: the password is not the one the "
    "projects were exported with."
)

Path = list[str | int]


class ArchiveError(Exception):
    """The file is not a readable export; the message says why."""


class WrongPassword(ArchiveError):
    def __init__(self) -> None:
        super().__init__(WRONG_PASSWORD)


@dataclass
class ExportContent:
    """What an export carries: the manifest, and documents with their sensitive values in place."""

    manifest: Document
    documents: dict[str, list[Document]] = field(default_factory=dict)
    tenant_variables: dict[str, Document] = field(default_factory=dict)
    template_versions: list[Document] = field(default_factory=list)

    def body(self) -> Document:
        return {
            "Documents": self.documents,
            "TenantVariables": self.tenant_variables,
            "ActionTemplateVersions": self.template_versions,
        }


def split_secrets(value: Any, path: Path | None = None) -> tuple[Any, list[tuple[Path, str]]]:
    """A copy of ``value`` with every sensitive value blanked, and the blanked values by JSON path."""
    path = path or []
    found: list[tuple[Path, str]] = []
    if isinstance(value, dict):
        if is_sensitive_value(value):
            if value.get("NewValue") is not None:
                found.append(([*path, "NewValue"], str(value["NewValue"])))
            return {**value, "NewValue": None}, found
        blanked = {}
        for key, item in value.items():
            blanked[key], inner = split_secrets(item, [*path, key])
            found += inner
        if value.get("IsSensitive") is True and "Name" in value and value.get("Value") is not None:
            found.append(([*path, "Value"], str(value["Value"])))
            blanked["Value"] = None
        return blanked, found
    if isinstance(value, list):
        items = []
        for index, item in enumerate(value):
            blanked_item, inner = split_secrets(item, [*path, index])
            items.append(blanked_item)
            found += inner
        return items, found
    return value, found


def restore_secrets(value: Any, secrets: list[tuple[Path, str]]) -> None:
    for path, secret in secrets:
        target = value
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = secret


def _key(password: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P).derive(password.encode())


def _dumps(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def write_archive(content: ExportContent, password: str) -> bytes:
    salt, nonce = os.urandom(16), os.urandom(12)
    blanked, secrets = split_secrets(content.body())
    body = _dumps(blanked)
    manifest = _dumps(
        {
            **content.manifest,
            "Format": FORMAT,
            "FormatVersion": FORMAT_VERSION,
            "Kdf": {"Name": "scrypt", "Salt": salt.hex(), "N": SCRYPT_N, "R": SCRYPT_R, "P": SCRYPT_P},
            "Cipher": "AES-256-GCM",
            "SensitiveValueCount": len(secrets),
        }
    )
    sealed = AESGCM(_key(password, salt)).encrypt(
        nonce, _dumps([[path, secret] for path, secret in secrets]), _associated(manifest, body)
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_MANIFEST, manifest)
        archive.writestr(_CONTENT, body)
        archive.writestr(_SECRETS, nonce + sealed)
    return buffer.getvalue()


def _associated(manifest: bytes, body: bytes) -> bytes:
    return hashlib.sha256(manifest + b"\0" + body).digest()


def _entries(data: bytes) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise ArchiveError("The file is not a project export: it is not a zip file.") from error
    with archive:
        names = {info.filename: info for info in archive.infolist()}
        missing = [name for name in (_MANIFEST, _CONTENT, _SECRETS) if name not in names]
        if missing:
            raise ArchiveError(f"The file is not a project export: it has no {missing[0]}.")
        if any(names[name].file_size > _MAX_ENTRY_BYTES for name in (_MANIFEST, _CONTENT, _SECRETS)):
            raise ArchiveError("The file is not a project export: an entry is too large.")
        try:
            return {name: archive.read(name) for name in (_MANIFEST, _CONTENT, _SECRETS)}
        except (zipfile.BadZipFile, OSError) as error:
            raise ArchiveError(f"The project export is damaged: {error}") from error


def read_manifest(data: bytes) -> Document:
    return _manifest(_entries(data))


def _manifest(entries: dict[str, bytes]) -> Document:
    try:
        manifest = json.loads(entries[_MANIFEST])
    except ValueError as error:
        raise ArchiveError("The project export is damaged: its manifest is not JSON.") from error
    if not isinstance(manifest, dict) or manifest.get("Format") != FORMAT:
        raise ArchiveError("The file is not a project export made by this kind of server.")
    if manifest.get("FormatVersion") != FORMAT_VERSION:
        raise ArchiveError(f"The project export has format version {manifest.get('FormatVersion')}.")
    return manifest


def read_archive(data: bytes, password: str) -> ExportContent:
    """The export's content with its sensitive values decrypted; WrongPassword when they cannot be."""
    entries = _entries(data)
    manifest = _manifest(entries)
    kdf = manifest.get("Kdf") or {}
    try:
        salt = bytes.fromhex(str(kdf["Salt"]))
        n, r, p = int(kdf["N"]), int(kdf["R"]), int(kdf["P"])
        if not (2 <= n <= 2**20 and 1 <= r <= 16 and 1 <= p <= 4):
            raise ValueError("out of range")
        key = Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(password.encode())
    except (KeyError, ValueError, TypeError) as error:
        raise ArchiveError(
            "The project export is damaged: its key derivation settings are invalid."
        ) from error
    sealed = entries[_SECRETS]
    try:
        plain = AESGCM(key).decrypt(
            sealed[:12], sealed[12:], _associated(entries[_MANIFEST], entries[_CONTENT])
        )
    except InvalidTag as error:
        raise WrongPassword() from error
    body = json.loads(entries[_CONTENT])
    restore_secrets(body, [(path, secret) for path, secret in json.loads(plain)])
    return ExportContent(
        manifest=manifest,
        documents=body["Documents"],
        tenant_variables=body["TenantVariables"],
        template_versions=body["ActionTemplateVersions"],
    )

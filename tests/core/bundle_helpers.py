"""Builders shared by the bundle tests: a small but realistic bundle, and raw-zip rewriting for tampering."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from octodesk.core.bundle import BundleResource, write_bundle
from octodesk.core.bundle.crypto import ScryptCost

PASSWORD = "correct horse battery staple"
# The real default costs ~0.4 s per derivation; tests use a cheaper cost the reader still accepts.
FAST_COST = ScryptCost(n=2**12, r=8, p=1)
SECRET_VALUE = "S3cr3t-Db-Passw0rd-do-not-leak"
CERT_SECRET = "MIIJqQIBAzCCCW8GCSqGSIb3DQEHAaCCCWAEgglcMIIJWDCCBg8GCSqGSIb3"

MANIFEST: dict[str, Any] = {
    "source": {
        "url": "https://octopus.example.com",
        "version": "2021.2.4488",
        "hosting": "SelfHosted",
        "space": "Default",
    },
    "projects": ["Web Portal"],
    "tool_version": "0.1.0",
    "created_at": "2026-11-26T12:00:00Z",
    "secrets_carried": ["variable:Project/Web Portal/DbPassword", "certificate:Portal TLS"],
    "secrets_not_carried": [{"ref": "account:Azure Prod/Password", "reason": "not supplied"}],
    "follow_ups": [],
    "deploys_to": {"roles": ["web"], "environments": ["Production"]},
}

RESOURCES = [
    BundleResource(
        "Project",
        "Projects-1",
        "Web Portal",
        {
            "Id": "Projects-1",
            "Name": "Web Portal",
            "LifecycleId": "Lifecycles-1",
            "ProjectGroupId": "ProjectGroups-1",
            "DeploymentProcessId": "deploymentprocess-Projects-1",
            "VariableSetId": "variableset-Projects-1",
            "Description": "caf\u00e9 \u2603 portal",
        },
    ),
    BundleResource(
        "Environment", "Environments-1", "Production", {"Id": "Environments-1", "Name": "Production"}
    ),
    BundleResource("Environment", "Environments-2", "Staging", {"Id": "Environments-2", "Name": "Staging"}),
    BundleResource(
        "VariableSet",
        "variableset-Projects-1",
        "Web Portal",
        {
            "Id": "variableset-Projects-1",
            "OwnerId": "Projects-1",
            "Variables": [
                {
                    "Name": "DbPassword",
                    "IsSensitive": True,
                    "Value": None,
                    "Scope": {"Environment": ["Environments-1"]},
                }
            ],
        },
    ),
]
SECRETS = {"variable:Project/Web Portal/DbPassword": SECRET_VALUE, "certificate:Portal TLS": CERT_SECRET}
LOGO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
BLOBS = {"logos/Projects-1.png": LOGO}


def make_bundle(path: Path, **overrides: Any) -> Path:
    arguments: dict[str, Any] = {
        "manifest": dict(MANIFEST),
        "resources": list(RESOURCES),
        "secrets": dict(SECRETS),
        "blobs": dict(BLOBS),
        "password": PASSWORD,
        "kdf_cost": FAST_COST,
    }
    arguments.update(overrides)
    write_bundle(path, **arguments)
    return path


def zip_entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def rewrite_zip(
    source: Path,
    destination: Path,
    entries: dict[str, bytes] | None = None,
    *,
    extra: list[tuple[zipfile.ZipInfo | str, bytes]] | None = None,
) -> Path:
    """A new zip with ``entries`` (default: the source's), valid CRCs, plus ``extra`` raw members."""
    contents = zip_entries(source) if entries is None else entries
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
        for info, data in extra or []:
            archive.writestr(info, data)
    destination.write_bytes(buffer.getvalue())
    return destination


def flip_byte(data: bytes, offset: int) -> bytes:
    return data[:offset] + bytes([data[offset] ^ 0x01]) + data[offset + 1 :]


def entry_data_span(path: Path, name: str) -> tuple[int, int]:
    """(offset, length) of an entry's stored bytes inside the raw zip file."""
    raw = path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name)
    start = info.header_offset
    name_length = int.from_bytes(raw[start + 26 : start + 28], "little")
    extra_length = int.from_bytes(raw[start + 28 : start + 30], "little")
    return start + 30 + name_length + extra_length, info.compress_size

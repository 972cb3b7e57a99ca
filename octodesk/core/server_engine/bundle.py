"""A server-engine ``.octobundle``: Octopus's own export zip, byte for byte, as one entry (its SHA-256 in
the manifest's entry list, like every entry), beside the documents OctoDesk read for what the zip leaves out
(triggers, logos, follow-ups). The manifest says ``"engine": "server"`` and describes the zip under
``octopus_export``. Written and read by the ordinary bundle writer and reader."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from octodesk.core.bundle import Bundle, read_attachment, read_bundle
from octodesk.core.errors import BundleDamaged, BundleError
from octodesk.core.server_engine.files import write_atomically

ENGINE_CLIENT, ENGINE_SERVER = "client", "server"
OCTOPUS_ZIP_ENTRY = "octopus/export.zip"


def bundle_engine(manifest: dict[str, Any]) -> str:
    return ENGINE_SERVER if manifest.get("engine") == ENGINE_SERVER else ENGINE_CLIENT


def octopus_export(manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest's description of the zip: file name, size, SHA-256, export task, source space."""
    described = manifest.get("octopus_export")
    return dict(described) if isinstance(described, dict) else {}


def octopus_zip(bundle: Bundle, label: str) -> bytes:
    """The server's zip from a verified bundle, checked once more against the manifest's own record."""
    if bundle_engine(bundle.manifest) != ENGINE_SERVER:
        raise BundleError(
            f"{label} was made by OctoDesk's client engine: it holds no Octopus export zip. Export with "
            "the server engine for a bundle that carries one."
        )
    expected = octopus_export(bundle.manifest).get("sha256")
    attachment = bundle.attachments.get(OCTOPUS_ZIP_ENTRY)
    if attachment is None or attachment.sha256 != expected:
        raise BundleDamaged(f"{label} is damaged: its Octopus export zip does not match its manifest.")
    data = read_attachment(bundle, OCTOPUS_ZIP_ENTRY)
    if hashlib.sha256(data).hexdigest() != expected:
        raise BundleDamaged(f"{label} is damaged: its Octopus export zip does not match its manifest.")
    return data


def extract_octopus_zip(bundle_path: str | os.PathLike[str], password: str, destination: Path) -> int:
    """Write the bundle's Octopus export zip alone to ``destination`` (importable through Octopus's web
    portal); returns its size. Nothing is left under that name on failure."""
    data = octopus_zip(read_bundle(bundle_path, password), str(bundle_path))
    return write_atomically(destination, [data])

"""A bundle with some secrets replaced: what an older OctoDesk wrote before certificate files were checked at
export, or a file the target refuses for its own reasons (shared by the integration and GUI tests)."""

from __future__ import annotations

from pathlib import Path

from octodesk.core.bundle import read_bundle, write_bundle
from octodesk.core.bundle.format import COMPUTED_MANIFEST_KEYS

NOT_A_CERTIFICATE = "dGhpcyBpcyBub3QgYSBjZXJ0aWZpY2F0ZQ=="  # base64 of "this is not a certificate"


def repack(bundle_path: Path, destination: Path, password: str, secrets: dict[str, str]) -> Path:
    bundle = read_bundle(bundle_path, password)
    manifest = {key: value for key, value in bundle.manifest.items() if key not in COMPUTED_MANIFEST_KEYS}
    write_bundle(
        destination,
        manifest=manifest,
        resources=bundle.resources,
        secrets={**bundle.secrets, **secrets},
        blobs=bundle.blobs,
        password=password,
    )
    return destination

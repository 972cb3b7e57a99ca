"""The ``.octobundle`` file: the public face of the writer, the reader and what they exchange.

Layout (a zip): ``manifest.json`` (format, source, projects, resource index, counts, SHA-256 of every other
entry, KDF parameters, key check); ``resources/<Kind>/<source id>.json`` (canonical JSON); blobs such as
``logos/<ProjectId>.png``; attachments stored as they are (``octopus/export.zip``, ``packages/<file>``);
``secrets.enc`` (always present; AES-256-GCM, the manifest's hash as
associated data).
"""

from __future__ import annotations

from octodesk.core.bundle.format import BUNDLE_SUFFIX, FORMAT_NAME, FORMAT_VERSION, resource_path
from octodesk.core.bundle.listing import BundleFile, list_bundles
from octodesk.core.bundle.model import Attachment, Bundle, BundleResource, BundleSummary, SecretNotCarried
from octodesk.core.bundle.reader import open_attachment, read_attachment, read_bundle, read_manifest
from octodesk.core.bundle.writer import write_bundle

__all__ = [
    "BUNDLE_SUFFIX",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "Attachment",
    "Bundle",
    "BundleFile",
    "BundleResource",
    "BundleSummary",
    "SecretNotCarried",
    "list_bundles",
    "open_attachment",
    "read_attachment",
    "read_bundle",
    "read_manifest",
    "resource_path",
    "write_bundle",
]

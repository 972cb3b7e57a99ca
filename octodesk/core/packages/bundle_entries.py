"""Package files carried inside a bundle: written a chunk at a time from the source's feed during an export
(checked against the size and SHA-1 the feed gave), and read back a chunk at a time for an import's upload
(checked against the SHA-256 the bundle recorded)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from octodesk.core.bundle import Bundle, open_attachment
from octodesk.core.bundle.streamed import StreamedEntry
from octodesk.core.errors import BundleDamaged, ExportRefused
from octodesk.core.hashing import OverlappedHash
from octodesk.core.packages.copier import PACKAGE_KIND
from octodesk.core.packages.manifest import SECTION, ManifestPackages, entry_name
from octodesk.core.packages.transfer import CHUNK_BYTES, PackageSource, TransferIncomplete
from octodesk.core.packages.versions import PackageVersion


def carried_entries(section: ManifestPackages, source: PackageSource) -> list[StreamedEntry]:
    """Every chosen version as a bundle entry, read from ``source`` while the bundle is written."""
    return [_entry(source, version) for version in section.versions]


def record_carried(section: ManifestPackages, hashes: dict[str, str]) -> dict[str, Any]:
    """The manifest's package section once the files are in the bundle: each version with its entry and
    SHA-256 (``write_bundle``'s ``streamed_manifest``)."""
    section.carried = True
    section.versions = [
        replace(version, entry=entry_name(version), sha256=hashes[entry_name(version)])
        for version in section.versions
    ]
    return {SECTION: section.to_manifest()}


def _entry(source: PackageSource, version: PackageVersion) -> StreamedEntry:
    if version.size is None:
        raise ExportRefused(
            f"Package {version.label}: {source.description} gives no size for it, so it cannot be carried "
            "in the bundle."
        )

    @contextmanager
    def chunks() -> Iterator[Iterator[bytes]]:
        with source.open(version) as stream:
            yield _as_described(stream.chunks(CHUNK_BYTES), version, source.description)

    return StreamedEntry(entry_name(version), version.size, chunks, version.label, PACKAGE_KIND)


def _as_described(chunks: Iterator[bytes], version: PackageVersion, origin: str) -> Iterator[bytes]:
    """The chunks, ending with TransferIncomplete when they are not the file the feed described (the
    bundle then fails to write, so none holds a short or corrupt package)."""
    size = 0
    with OverlappedHash(hashlib.sha1()) as digest:
        for chunk in chunks:
            size += len(chunk)
            digest.update(chunk)
            yield chunk
        sha1 = digest.hexdigest()
    if size != version.size:
        raise TransferIncomplete(
            f"Package {version.label}: {origin} sent {size} bytes, not the {version.size} its feed gives."
        )
    if version.sha1 and sha1 != version.sha1:
        raise TransferIncomplete(
            f"Package {version.label}: {origin} sent bytes whose SHA-1 is not the one its feed gives."
        )


@dataclass
class _AttachmentStream:
    length: int | None
    _chunks: Iterator[bytes]

    def chunks(self, size: int) -> Iterator[bytes]:
        return self._chunks  # the bundle's own chunking; the upload re-slices what it sends


class BundleSource:
    """The package files a bundle carries, opened from its file one at a time. The reader verified each
    against the SHA-256 the index records; reading it again checks that hash at its end, so a file changed
    since then fails that package (and its upload is abandoned) instead of sending other bytes."""

    def __init__(self, bundle: Bundle, section: ManifestPackages) -> None:
        self.bundle = bundle
        self.description = f"the bundle {bundle.path}"
        self.verifies_contents = True
        for version in section.versions:
            self._check(version)

    def _check(self, version: PackageVersion) -> None:
        attachment = self.bundle.attachments.get(version.entry or "")
        if attachment is None or attachment.size != version.size or attachment.sha256 != version.sha256:
            raise BundleDamaged(
                f"{self.bundle.path} is damaged: its manifest says it carries package {version.label}, but "
                f"{version.entry} is missing or is not the file recorded."
            )

    @contextmanager
    def open(self, version: PackageVersion) -> Iterator[_AttachmentStream]:
        assert version.entry is not None  # every carried version was checked at construction
        try:
            with open_attachment(self.bundle, version.entry) as chunks:
                yield _AttachmentStream(version.size, chunks)
        except BundleDamaged as damaged:
            raise BundleDamaged(
                f"Package {version.label}: {damaged} The bundle file changed after it was checked; nothing "
                "was stored for this package."
            ) from None

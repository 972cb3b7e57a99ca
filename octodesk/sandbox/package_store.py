"""The built-in feed's files and index: one entry per (space, package id, version), files on disk.

Files live in a temporary folder of this sandbox, created on the first package and removed by ``close()``
(the server calls it on stop). The index has its own lock, so a long upload or download never holds the
store lock other requests need; file copies happen outside any lock.
"""

from __future__ import annotations

import os
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Octopus Cloud: "Maximum size for any single package is 5 GB" (docs
# src/shared-content/octopus-cloud/octopus-cloud-storage-limits.include.md).
CLOUD_MAX_PACKAGE_BYTES = 5 * 1024**3


@dataclass
class StoredPackage:
    space_id: str
    feed_id: str
    package_id: str
    version: str
    extension: str
    size: int
    sha1: str
    published: str
    path: Path
    title: str | None = None
    summary: str | None = None
    description: str | None = None
    release_notes: str | None = None

    @property
    def key(self) -> str:
        return package_key(self.package_id, self.version)

    @property
    def document_id(self) -> str:
        return f"packages-{self.package_id}.{self.version}"


def package_key(package_id: str, version: str) -> str:
    """Package ids are case-insensitive in Octopus, as in NuGet."""
    return f"{package_id}.{version}".lower()


class PackageStore:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._items: dict[tuple[str, str], StoredPackage] = {}
        self.cloud_max_package_bytes = CLOUD_MAX_PACKAGE_BYTES

    @property
    def folder(self) -> Path:
        with self.lock:
            if self._folder is None:
                self._folder = tempfile.TemporaryDirectory(
                    prefix="octodesk-sandbox-packages-", ignore_cleanup_errors=True
                )
            return Path(self._folder.name)

    def max_package_bytes(self, hosting: str) -> int | None:
        return self.cloud_max_package_bytes if hosting == "cloud" else None

    @contextmanager
    def incoming(self) -> Iterator[Path]:
        """A path in this sandbox's own folder for an upload in progress; removed afterwards unless ``add``
        moved it into the feed."""
        incoming = self.folder / "incoming"
        incoming.mkdir(exist_ok=True)
        path = incoming / f"{uuid.uuid4().hex}.part"
        try:
            yield path
        finally:
            _discard(path)

    def find(self, space_id: str, key: str) -> StoredPackage | None:
        with self.lock:
            return self._items.get((space_id, key.lower()))

    def in_space(self, space_id: str) -> list[StoredPackage]:
        with self.lock:
            return [item for (space, _), item in self._items.items() if space == space_id]

    def add(self, package: StoredPackage, source: Path, *, replace: bool) -> StoredPackage | None:
        """Move ``source`` into the feed as ``package``; when the version is already there and ``replace`` is
        false, nothing changes and the existing package is returned. Check and move are one step, so two
        uploads of one new version cannot both succeed."""
        folder = self.folder / "feeds" / package.space_id
        folder.mkdir(parents=True, exist_ok=True)
        package.path = folder / f"{uuid.uuid4().hex}{package.extension}"
        with self.lock:
            old = self._items.get((package.space_id, package.key))
            if old is not None and not replace:
                return old
            os.replace(source, package.path)
            self._items[(package.space_id, package.key)] = package
        if old is not None:
            _discard(old.path)
        return None

    def remove(self, space_id: str, key: str) -> StoredPackage | None:
        with self.lock:
            removed = self._items.pop((space_id, key.lower()), None)
        if removed is not None:
            _discard(removed.path)
        return removed

    def snapshot(self) -> dict[str, list[dict[str, Any]]]:
        """Ids, versions, sizes and hashes per space: what a test compares, never the bytes."""
        spaces: dict[str, list[dict[str, Any]]] = {}
        with self.lock:
            items = sorted(self._items.values(), key=lambda p: (p.space_id, p.key))
        for item in items:
            spaces.setdefault(item.space_id, []).append(
                {
                    "Id": item.document_id,
                    "PackageId": item.package_id,
                    "Version": item.version,
                    "FileExtension": item.extension,
                    "PackageSizeBytes": item.size,
                    "Hash": item.sha1,
                }
            )
        return spaces

    def close(self) -> None:
        """Remove every package file; the index is emptied with them."""
        with self.lock:
            folder, self._folder = self._folder, None
            self._items.clear()
        if folder is not None:
            folder.cleanup()


def _discard(path: Path) -> None:
    """Delete a file that may be open for a download in progress (Windows refuses): left for ``close()``."""
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass

"""The bundles in a folder, newest first, with what their (unauthenticated) manifests say: for choosing
one to import, or clearing old ones away."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from octodesk.core.bundle.format import BUNDLE_SUFFIX
from octodesk.core.bundle.model import BundleSummary
from octodesk.core.bundle.reader import read_manifest
from octodesk.core.errors import BundleError


@dataclass(frozen=True)
class BundleFile:
    path: Path
    size: int
    modified: float  # seconds since the epoch
    summary: BundleSummary | None  # None when the manifest cannot be read
    problem: str = ""  # why not

    @property
    def projects(self) -> list[str]:
        return list(self.summary.projects) if self.summary else []


def list_bundles(folder: Path) -> list[BundleFile]:
    """Every ``*.octobundle`` file directly in ``folder`` (none when it does not exist), newest first."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.glob(f"*{BUNDLE_SUFFIX}"):
        try:
            stat = path.stat()
        except OSError:
            continue  # deleted meanwhile
        if not path.is_file():
            continue
        try:
            summary: BundleSummary | None = BundleSummary.from_manifest(read_manifest(path))
            problem = ""
        except BundleError as error:
            summary, problem = None, str(error)
        found.append(BundleFile(path, stat.st_size, stat.st_mtime, summary, problem))
    return sorted(found, key=lambda item: item.modified, reverse=True)

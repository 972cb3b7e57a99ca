"""The bundle manifest's ``packages`` section: which package ids the projects use on the built-in feed,
which versions were chosen (with size and SHA-1 from the source feed), and whether the bundle carries their
files (``packages/<PackageId>.<Version><ext>`` entries, SHA-256 in the manifest's entry list).

Read back as hostile input: the manifest is authenticated by the bundle password, but a bundle is still
checked field by field before anything trusts it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, TypeGuard

from octodesk.core.errors import BundleDamaged
from octodesk.core.packages.versions import PACKAGE_ID, PackageVersion, well_formed

SECTION = "packages"
ENTRY_DIR = "packages"
_SHA1 = re.compile(r"[0-9a-f]{40}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


def entry_name(version: PackageVersion) -> str:
    return f"{ENTRY_DIR}/{version.file_name}"


@dataclass
class ManifestPackages:
    choice: str  # "none", "latest" or a count
    referenced: list[str]
    versions: list[PackageVersion] = field(default_factory=list)
    not_on_source: list[str] = field(default_factory=list)
    carried: bool = False  # the bundle holds the files

    def to_manifest(self) -> dict[str, Any]:
        return {
            "choice": self.choice,
            "referenced": list(self.referenced),
            "not_on_source": list(self.not_on_source),
            "carried": self.carried,
            "versions": [version.to_manifest() for version in self.versions],
        }

    @classmethod
    def from_manifest(cls, manifest: dict[str, Any], label: str) -> ManifestPackages | None:
        """The section, checked; None for a bundle written before packages were carried."""
        raw = manifest.get(SECTION)
        if raw is None:
            return None
        damaged = BundleDamaged(f"{label} is damaged: its manifest's package list is malformed.")
        if not isinstance(raw, dict):
            raise damaged
        choice, carried = raw.get("choice"), raw.get("carried")
        referenced, missing = raw.get("referenced"), raw.get("not_on_source")
        if not isinstance(choice, str) or not isinstance(carried, bool):
            raise damaged
        if not _names(referenced) or not _names(missing) or not isinstance(raw.get("versions"), list):
            raise damaged
        versions = [_version(item, carried, damaged) for item in raw["versions"]]
        if len({version.key for version in versions}) != len(versions):
            raise damaged
        return cls(choice, list(referenced), versions, list(missing), carried)


def _names(value: Any) -> TypeGuard[list[str]]:
    return isinstance(value, list) and all(
        isinstance(item, str) and PACKAGE_ID.fullmatch(item) for item in value
    )


def _version(item: Any, carried: bool, damaged: BundleDamaged) -> PackageVersion:
    if not isinstance(item, dict):
        raise damaged
    package_id, version, extension = item.get("package_id"), item.get("version"), item.get("extension")
    size, sha1, published = item.get("size"), item.get("sha1"), item.get("published")
    if not well_formed(package_id, version, extension) or not (
        size is None or (type(size) is int and size >= 0)
    ):
        raise damaged
    if not (sha1 is None or (isinstance(sha1, str) and _SHA1.fullmatch(sha1))):
        raise damaged
    parsed = PackageVersion(
        package_id=str(package_id),
        version=str(version),
        extension=str(extension),
        size=size,
        sha1=sha1,
        published=published if isinstance(published, str) else None,
    )
    if not carried:
        return parsed
    entry, sha256 = item.get("entry"), item.get("sha256")
    if (
        entry != entry_name(parsed)
        or size is None
        or not (isinstance(sha256, str) and _SHA256.fullmatch(sha256))
    ):
        raise damaged
    return replace(parsed, entry=entry, sha256=sha256)

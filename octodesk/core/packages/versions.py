"""Package versions as the built-in feed describes them, and reading them from a source or target space.

A built-in feed lists a package's versions newest first (OctopusDeploy-Api SyncPackages.ps1 takes the first
item of ``packages?nugetPackageId=X&take=1`` as the latest), with ``PackageSizeBytes`` and ``Hash``, the
SHA-1 of the file (OctopusClients PackageContentComparer.cs): both servers' hashes can be compared directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from octodesk.core.errors import ServerFailure
from octodesk.core.octopus.paging import next_page_query, objects_only
from octodesk.core.packages.choice import PackageChoice

if TYPE_CHECKING:
    from octodesk.core.octopus.client import OctopusClient

# What a package id, version and file extension look like (NuGet ids, SemVer versions, ".zip"/".tar.gz"):
# they end up in a file name, a URL and a multipart header, so anything else from a server or bundle is
# refused rather than passed on.
PACKAGE_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")
VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z.+-]{0,99}")
EXTENSION = re.compile(r"(\.[A-Za-z0-9]{1,8}){1,2}")


def well_formed(package_id: Any, version: Any, extension: Any) -> bool:
    return (
        isinstance(package_id, str)
        and PACKAGE_ID.fullmatch(package_id) is not None
        and isinstance(version, str)
        and VERSION.fullmatch(version) is not None
        and isinstance(extension, str)
        and EXTENSION.fullmatch(extension) is not None
    )


@dataclass(frozen=True)
class PackageVersion:
    package_id: str
    version: str
    extension: str  # with its dot: ".zip", ".nupkg", ".tar.gz"
    size: int | None  # PackageSizeBytes
    sha1: str | None  # the server's Hash, lower-case hex
    published: str | None = None
    entry: str | None = None  # the bundle entry holding the file, when the bundle carries it
    sha256: str | None = None  # of that entry

    @property
    def key(self) -> tuple[str, str]:
        """Package ids and versions match ignoring case, as in NuGet and Octopus."""
        return self.package_id.lower(), self.version.lower()

    @property
    def label(self) -> str:
        return f"{self.package_id} {self.version}"

    @property
    def file_name(self) -> str:
        """The name an upload must carry: the server reads the id and version from it."""
        return f"{self.package_id}.{self.version}{self.extension}"

    @property
    def document_id(self) -> str:
        return f"packages-{self.package_id}.{self.version}"

    @classmethod
    def from_document(cls, document: dict[str, Any], route: str) -> PackageVersion:
        """A PackageFromBuiltInFeedResource; ServerFailure when it lacks what a copy needs."""
        package_id, version = document.get("PackageId"), document.get("Version")
        extension = document.get("FileExtension")
        if not well_formed(package_id, version, extension):
            raise ServerFailure(
                f"GET {route} returned a package whose PackageId, Version or FileExtension is missing or "
                "not one a package can have."
            )
        size = document.get("PackageSizeBytes")
        digest = document.get("Hash")
        published = document.get("Published")
        return cls(
            package_id=str(package_id),
            version=str(version),
            extension=str(extension),
            size=size if type(size) is int and size >= 0 else None,
            sha1=digest.lower() if isinstance(digest, str) and digest else None,
            published=published if isinstance(published, str) else None,
        )

    def to_manifest(self) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "package_id": self.package_id,
            "version": self.version,
            "extension": self.extension,
            "size": self.size,
            "sha1": self.sha1,
            "published": self.published,
        }
        if self.entry:
            fields.update(entry=self.entry, sha256=self.sha256)
        return fields


def packages_route(space_id: str) -> str:
    return f"/api/{space_id}/packages"


def newest_versions(
    client: OctopusClient, space_id: str, package_ids: list[str], choice: PackageChoice
) -> tuple[list[PackageVersion], list[str]]:
    """The newest ``choice.versions`` versions of each package id (ids in the given order, versions newest
    first), and the ids the feed has no version of. One request per id, in parallel."""
    if not choice.copies:
        return [], []
    found = client.map(
        lambda package_id: _versions(client, space_id, package_id, choice.versions), package_ids
    )
    versions = [version for per_id in found for version in per_id]
    missing = [package_id for package_id, per_id in zip(package_ids, found, strict=True) if not per_id]
    return versions, missing


def all_versions(client: OctopusClient, space_id: str, package_ids: list[str]) -> list[PackageVersion]:
    """Every version the feed has of these ids (what a target already holds)."""
    found = client.map(lambda package_id: _versions(client, space_id, package_id, None), package_ids)
    return [version for per_id in found for version in per_id]


def stored_bytes(client: OctopusClient, space_id: str) -> int:
    """The size of every package in the space's built-in feed (SyncPackages.ps1 sums PackageSizeBytes)."""
    route = packages_route(space_id)
    sizes = (item.get("PackageSizeBytes") for item in client.get_all(route))
    return sum(size for size in sizes if type(size) is int and size > 0)


def _versions(
    client: OctopusClient, space_id: str, package_id: str, limit: int | None
) -> list[PackageVersion]:
    route = packages_route(space_id)
    query: dict[str, Any] = {"nuGetPackageId": package_id, "skip": 0, "take": limit or client.page_size}
    versions: list[PackageVersion] = []
    read = 0
    while True:
        page = client.get(route, query)
        if not isinstance(page, dict) or not isinstance(page.get("Items"), list):
            raise ServerFailure(f"GET {route} did not return a collection (no Items list).")
        items = objects_only(page["Items"], route)
        read += len(items)
        for item in items:
            if str(item.get("PackageId", "")).lower() == package_id.lower():
                versions.append(PackageVersion.from_document(item, route))
        if limit is not None and len(versions) >= limit:
            return versions[:limit]
        next_query = next_page_query(page, query, len(items), read)
        if next_query is None:
            return versions
        query = next_query

"""Package file names and versions the way Octopus Server reads them.

The built-in feed takes a package's id and version from its file name, ``<PackageId>.<SemVer><extension>``
(the server's ``PackageIdentity`` class, ported as ``PackageIdentityParser`` in OctopusClients
``source/Octopus.Server.Client/Util/PackageIdentityParser.cs`` and ``ParsePackageIDAndVersion`` in
go-octopusdeploy ``pkg/packages/package_service.go``). The extensions are the supported formats listed in
the docs (``src/pages/docs/packaging-applications/index.md``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering

# Longest first, so "x.tar.gz" is read as ".tar.gz" and not ".gz".
EXTENSIONS = (
    ".tar.bz2",
    ".tar.bz",
    ".tar.gz",
    ".tar.Z",
    ".nupkg",
    ".zip",
    ".jar",
    ".war",
    ".ear",
    ".rar",
    ".tar",
    ".tgz",
    ".tbz",
)

_PACKAGE_ID = r"(?P<id>\w+(?:[_.-]\w+)*?)"
_SEMVER = (
    r"(?P<version>\d+(?:\.\d+){0,3}"  # major.minor.patch.revision
    r"(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"  # pre-release labels
    r"(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)"  # build metadata
)
_ID_AND_VERSION = re.compile(rf"^{_PACKAGE_ID}\.{_SEMVER}$")


@dataclass(frozen=True)
class PackageName:
    package_id: str
    version: str
    extension: str

    @property
    def file_name(self) -> str:
        return f"{self.package_id}.{self.version}{self.extension}"


def split_extension(file_name: str) -> tuple[str, str] | None:
    """(stem, extension) for a supported package extension (case-insensitive), else None."""
    lowered = file_name.lower()
    for extension in EXTENSIONS:
        if lowered.endswith(extension.lower()) and len(file_name) > len(extension):
            return file_name[: -len(extension)], file_name[-len(extension) :]
    return None


def parse_id_and_version(text: str) -> tuple[str, str] | None:
    """``Acme.Web.1.2.0`` -> (``Acme.Web``, ``1.2.0``): the shortest id whose remainder is a version."""
    match = _ID_AND_VERSION.match(text)
    if match is None:
        return None
    return match.group("id"), match.group("version")


def parse_file_name(file_name: str) -> PackageName | None:
    """The id, version and extension of an uploaded package file name, or None when it has none."""
    split = split_extension(file_name)
    if split is None:
        return None
    parsed = parse_id_and_version(split[0])
    if parsed is None:
        return None
    return PackageName(parsed[0], parsed[1], split[1])


@total_ordering
class SemVer:
    """NuGet-style version order: up to four numbers, then pre-release labels (a release sorts after its
    pre-releases; numeric labels sort numerically and before alphanumeric ones); build metadata is
    ignored."""

    def __init__(self, text: str) -> None:
        core, _, _metadata = text.partition("+")
        numbers, dash, labels = core.partition("-")
        parts = [int(part) for part in numbers.split(".")]
        self.numbers = tuple(parts + [0] * (4 - len(parts)))
        self.labels: tuple[tuple[int, int | str], ...] = tuple(
            (0, int(label)) if label.isdigit() else (1, label.lower())
            for label in (labels.split(".") if dash else [])
        )

    def _key(self) -> tuple[object, ...]:
        # No labels (a release) must sort after any pre-release of the same numbers.
        return (self.numbers, not self.labels, self.labels)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SemVer) and self._key() == other._key()

    def __lt__(self, other: SemVer) -> bool:
        return self._key() < other._key()

    def __hash__(self) -> int:
        return hash(self._key())

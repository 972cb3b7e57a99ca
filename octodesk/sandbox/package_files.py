"""Real package files for the sandbox's built-in feed: valid zips and NuGet packages, deterministic from a
seed, of any size.

A package holds a README, a small config file and ``payload.bin`` of ``payload_bytes`` pseudo-random bytes,
stored uncompressed and written a chunk at a time, so a 1 GB package is written in seconds without being
held in memory. A ``.nupkg`` also has the ``.nuspec`` (id, version, title, description, summary, release
notes) and the OPC parts NuGet writes. The same arguments always give the same bytes, hence the same hash.

Command line, for benchmarks::

    python -m octodesk.sandbox.package_files DIR --id Acme.Big --version 1.0.0 --size 1GB [--format nupkg]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import random
import re
import sys
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape

from .package_identity import parse_id_and_version

FORMATS = ("zip", "nupkg")
CHUNK = 1 << 20
# Fixed entry times: the same arguments must give byte-identical files.
_ENTRY_TIME = (2024, 1, 2, 3, 4, 6)
_NUSPEC_NAMESPACE = "http://schemas.microsoft.com/packaging/2010/07/nuspec.xsd"


@dataclass(frozen=True)
class PackageSpec:
    package_id: str
    version: str
    fmt: str = "zip"
    payload_bytes: int = 4096
    seed: int = 0
    title: str = ""
    description: str = ""
    release_notes: str = ""

    def __post_init__(self) -> None:
        if self.fmt not in FORMATS:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {self.fmt!r}")
        if parse_id_and_version(f"{self.package_id}.{self.version}") != (self.package_id, self.version):
            raise ValueError(f"'{self.package_id}' '{self.version}' is not a valid package id and version")
        if self.payload_bytes < 0:
            raise ValueError("payload_bytes must not be negative")

    @property
    def file_name(self) -> str:
        return f"{self.package_id}.{self.version}.{self.fmt}"


@dataclass(frozen=True)
class WrittenPackage:
    path: Path
    size: int
    sha1: str


def package_bytes(spec: PackageSpec) -> bytes:
    """A small package in memory (datasets upload these through the real upload route)."""
    buffer = io.BytesIO()
    _write(spec, buffer)
    return buffer.getvalue()


def write_package(spec: PackageSpec, directory: Path) -> WrittenPackage:
    """Write the package as ``directory/<file name>`` a chunk at a time; its size and SHA-1."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / spec.file_name
    with path.open("wb") as handle:
        _write(spec, handle)
    digest = hashlib.sha1()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return WrittenPackage(path, path.stat().st_size, digest.hexdigest())


def _entry(name: str, size: int = 0) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, _ENTRY_TIME)
    info.compress_type = zipfile.ZIP_STORED
    info.file_size = size  # known in advance, so zipfile switches to ZIP64 by itself when it must
    info.external_attr = 0o644 << 16
    return info


def _write(spec: PackageSpec, handle: BinaryIO) -> None:
    with zipfile.ZipFile(handle, "w") as archive:
        if spec.fmt == "nupkg":
            archive.writestr(_entry("[Content_Types].xml"), _CONTENT_TYPES)
            archive.writestr(_entry("_rels/.rels"), _rels(spec))
            archive.writestr(_entry(f"{spec.package_id}.nuspec"), nuspec(spec))
        archive.writestr(_entry("README.txt"), _readme(spec))
        archive.writestr(_entry("config/settings.json"), _settings(spec))
        with archive.open(_entry("payload.bin", spec.payload_bytes), "w") as payload:
            for chunk in payload_chunks(spec.seed, spec.payload_bytes):
                payload.write(chunk)


def payload_chunks(seed: int, total: int) -> Iterator[memoryview]:
    """``total`` pseudo-random bytes from ``seed``: one random 1 MiB block, each chunk stamped with its index
    so no two chunks are equal (a reordered or repeated chunk changes the hash). The chunks share one buffer:
    use each before asking for the next."""
    buffer = bytearray(random.Random(seed).randbytes(CHUNK))
    view = memoryview(buffer)
    index, left = 0, total
    while left > 0:
        buffer[:16] = index.to_bytes(16, "big")
        size = min(left, CHUNK)
        yield view[:size]
        left -= size
        index += 1


def nuspec(spec: PackageSpec) -> str:
    title = spec.title or spec.package_id
    description = spec.description or f"{spec.package_id} deployment package."
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<package xmlns="{_NUSPEC_NAMESPACE}">\n'
        "  <metadata>\n"
        f"    <id>{escape(spec.package_id)}</id>\n"
        f"    <version>{escape(spec.version)}</version>\n"
        f"    <title>{escape(title)}</title>\n"
        "    <authors>Acme Retail Ltd</authors>\n"
        f"    <description>{escape(description)}</description>\n"
        f"    <summary>{escape(title)} {escape(spec.version)}</summary>\n"
        f"    <releaseNotes>{escape(spec.release_notes)}</releaseNotes>\n"
        "  </metadata>\n"
        "</package>\n"
    )


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml" />'
    '<Default Extension="nuspec" ContentType="application/octet" />'
    '<Default Extension="txt" ContentType="application/octet" />'
    '<Default Extension="json" ContentType="application/octet" />'
    '<Default Extension="bin" ContentType="application/octet" />'
    "</Types>\n"
)


def _rels(spec: PackageSpec) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Type="http://schemas.microsoft.com/packaging/2010/07/manifest" '
        f'Target="/{escape(spec.package_id)}.nuspec" Id="R{spec.seed & 0xFFFFFFFF:08X}" />'
        "</Relationships>\n"
    )


def _readme(spec: PackageSpec) -> str:
    return f"{spec.package_id} {spec.version}\nGenerated by the OctoDesk sandbox (seed {spec.seed}).\n"


def _settings(spec: PackageSpec) -> str:
    return f'{{"package": "{spec.package_id}", "version": "{spec.version}", "seed": {spec.seed}}}\n'


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMG]?i?B?)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "B": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


def parse_size(text: str) -> int:
    """``512``, ``64KB``, ``50MB``, ``1GB`` (powers of 1024) -> bytes."""
    match = _SIZE.match(text)
    if match is None:
        raise ValueError(f"'{text}' is not a size such as 50MB or 1GB")
    unit = (match.group(2) or "").upper()[:1]
    return int(float(match.group(1)) * _UNITS[unit])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m octodesk.sandbox.package_files",
        description="Write a real, deterministic package file for the sandbox's built-in feed.",
    )
    parser.add_argument("directory", type=Path)
    parser.add_argument("--id", dest="package_id", required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--size", default="4KB", help="payload size, e.g. 50MB or 1GB (default 4KB)")
    parser.add_argument("--format", dest="fmt", choices=FORMATS, default="zip")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        spec = PackageSpec(args.package_id, args.version, args.fmt, parse_size(args.size), args.seed)
        written = write_package(spec, args.directory)
    except (ValueError, OSError) as error:
        print(f"package_files: error: {error}", file=sys.stderr)
        return 2
    print(f"{written.path}\t{written.size}\t{written.sha1}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

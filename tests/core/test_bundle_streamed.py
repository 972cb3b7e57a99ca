"""Streamed bundle entries (packages): stored, ZIP64 from the start, hashed on the way, exactly their size."""

from __future__ import annotations

import hashlib
import struct
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from octodesk.core.bundle.streamed import StreamedEntry, write_streamed
from octodesk.core.errors import BundleError

ZIP64_EXTRA = 0x0001
WHEN = (2024, 1, 2, 3, 4, 6)


def chunks_of(*chunks: bytes) -> StreamedEntry:
    @contextmanager
    def opener() -> Iterator[Iterator[bytes]]:
        yield iter(chunks)

    return StreamedEntry("packages/Acme.Web.1.0.0.zip", sum(map(len, chunks)), opener, "Acme.Web 1.0.0")


def extra_ids(extra: bytes) -> list[int]:
    ids, offset = [], 0
    while offset + 4 <= len(extra):
        header, size = struct.unpack_from("<HH", extra, offset)
        ids.append(header)
        offset += 4 + size
    return ids


def test_a_streamed_entry_is_stored_zip64_and_hashed(tmp_path: Path) -> None:
    data = [bytes([n]) * 300_000 for n in range(4)]
    moved: list[int] = []
    with zipfile.ZipFile(tmp_path / "b.zip", "w") as archive:
        digest = write_streamed(archive, chunks_of(*data), WHEN, moved.append)
    assert digest == hashlib.sha256(b"".join(data)).hexdigest()
    assert sum(moved) == 1_200_000
    with zipfile.ZipFile(tmp_path / "b.zip") as archive:
        info = archive.getinfo("packages/Acme.Web.1.0.0.zip")
        assert info.compress_type == zipfile.ZIP_STORED and info.compress_size == info.file_size
        assert archive.read(info) == b"".join(data)
        offset = info.header_offset
    local = (tmp_path / "b.zip").read_bytes()[offset:]
    name_length, extra_length = struct.unpack_from("<HH", local, 26)
    extra = local[30 + name_length : 30 + name_length + extra_length]
    assert ZIP64_EXTRA in extra_ids(extra)  # written before the size is known: past 4 GB still fits


@pytest.mark.parametrize(
    ("declared", "why"), [(10, "came to 20 bytes, not the 10 declared"), (30, "not the 30")]
)
def test_an_entry_of_another_size_than_declared_fails_the_write(
    tmp_path: Path, declared: int, why: str
) -> None:
    entry = chunks_of(b"x" * 20)
    wrong = StreamedEntry(entry.name, declared, entry.open, entry.label)
    with zipfile.ZipFile(tmp_path / "b.zip", "w") as archive, pytest.raises(BundleError, match=why):
        write_streamed(archive, wrong, WHEN, lambda n: None)

"""Attachments streamed into a bundle as it is written (built-in feed packages): stored, ZIP64, never held
whole, their SHA-256 handed back for the manifest, their sizes recorded in the index; the reader allows
exactly those sizes (past the budget for documents) and refuses an attachment of any other size."""

from __future__ import annotations

import hashlib
import tracemalloc
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from bundle_helpers import PASSWORD, make_bundle

from octodesk.core.bundle import format, open_attachment, read_bundle
from octodesk.core.bundle.streamed import StreamedEntry
from octodesk.core.cancel import CancelToken
from octodesk.core.errors import BundleDamaged, BundleError, Cancelled
from octodesk.core.progress import Progress

NAME = "packages/Acme.Web.1.0.0.zip"
CHUNK = 1 << 20


def pattern_entry(size: int, name: str = NAME, *, opened: list[str] | None = None) -> StreamedEntry:
    """``size`` bytes of a repeating pattern, produced a chunk at a time (never one whole buffer)."""

    @contextmanager
    def chunks() -> Iterator[Iterator[bytes]]:
        if opened is not None:
            opened.append(name)
        yield (pattern(offset, min(CHUNK, size - offset)) for offset in range(0, size, CHUNK))

    return StreamedEntry(name, size, chunks, name.rsplit("/", 1)[1], "Package")


def pattern(offset: int, length: int) -> bytes:
    return bytes((offset + n) % 251 for n in range(min(length, 251))) * (length // 251) + bytes(
        (offset + n) % 251 for n in range(length % 251)
    )


def pattern_sha256(size: int) -> str:
    digest = hashlib.sha256()
    for offset in range(0, size, CHUNK):
        digest.update(pattern(offset, min(CHUNK, size - offset)))
    return digest.hexdigest()


def test_a_streamed_attachment_past_the_document_budget_is_written_and_read_back(tmp_path: Path) -> None:
    size = format.MAX_ENTRY_BYTES + 3 * CHUNK + 17  # more than any document or logo may be
    recorded: dict[str, str] = {}

    def record(hashes: dict[str, str]) -> dict[str, Any]:
        recorded.update(hashes)
        return {"carried": dict(hashes)}

    seen: list[Progress] = []
    tracemalloc.start()
    try:
        path = make_bundle(
            tmp_path / "big.octobundle",
            streamed=[pattern_entry(size)],
            streamed_manifest=record,
            progress=seen.append,
        )
        verified: list[Progress] = []
        bundle = read_bundle(path, PASSWORD, progress=verified.append)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024  # written and verified a chunk at a time

    expected = pattern_sha256(size)
    assert recorded == {NAME: expected}
    assert bundle.manifest["carried"] == {NAME: expected}  # the fields the hook returned are in the index
    assert bundle.manifest["attachments"] == {NAME: size}
    assert bundle.attachments[NAME].size == size and bundle.attachments[NAME].sha256 == expected
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(NAME)
    assert info.compress_type == zipfile.ZIP_STORED and info.file_size == size
    with open_attachment(bundle, NAME) as chunks:
        assert sum(len(chunk) for chunk in chunks) == size

    checked = [p for p in verified if p.name == NAME]
    assert [p.bytes_done for p in checked] == [64 * CHUNK, size]  # the verification, in bytes
    assert all(p.phase == "verify" and p.bytes_total == size for p in checked)
    moved = [p for p in seen if p.bytes_total]
    assert moved[-1].bytes_done == moved[-1].bytes_total == size
    assert moved[-1].kind == "Package" and "Acme.Web.1.0.0.zip" in moved[-1].message


def test_an_attachment_larger_than_its_index_records_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = make_bundle(tmp_path / "b.octobundle", streamed=[pattern_entry(5 * CHUNK)])
    grown = tmp_path / "grown.octobundle"
    with zipfile.ZipFile(path) as original, zipfile.ZipFile(grown, "w") as copy:
        for info in original.infolist():
            data = original.read(info)
            if info.filename == NAME:
                data += b"one more line of someone else's"
            copy.writestr(info, data, compress_type=info.compress_type)

    with pytest.raises(BundleDamaged) as refused:
        read_bundle(grown, PASSWORD)
    assert str(refused.value) == (
        f"{grown} is damaged: {NAME} is {5 * CHUNK + 31} bytes, not the {5 * CHUNK} bytes its index "
        "records (changed after export); refused."
    )


def test_cancel_while_a_package_streams_leaves_no_bundle(tmp_path: Path) -> None:
    cancel = CancelToken()
    opened: list[str] = []

    def cancel_once_bytes_move(progress: Progress) -> None:
        if progress.bytes_done > 0:
            cancel.cancel()

    destination = tmp_path / "cancelled.octobundle"
    entries = [
        pattern_entry(8 * CHUNK, opened=opened),
        pattern_entry(CHUNK, "packages/B.1.0.zip", opened=opened),
    ]
    with pytest.raises(Cancelled):
        make_bundle(destination, streamed=entries, progress=cancel_once_bytes_move, cancel=cancel)
    assert opened == [NAME]  # the second package was never read
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "name", ["packages/../x.zip", "logos/Projects-1.png", "resources/Project/x.json", "packages/"]
)
def test_a_streamed_entry_must_be_an_attachment(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="cannot be used in a bundle"):
        make_bundle(tmp_path / "b.octobundle", streamed=[pattern_entry(10, name)])


def test_a_package_larger_than_a_bundle_may_carry_is_refused_before_it_is_read(tmp_path: Path) -> None:
    opened: list[str] = []
    too_large = pattern_entry(format.MAX_ATTACHMENT_BYTES + 1, opened=opened)
    with pytest.raises(
        BundleError, match=r"Acme\.Web\.1\.0\.0\.zip is 8\.0 GB, more than a bundle may carry"
    ):
        make_bundle(
            tmp_path / "b.octobundle",
            streamed=[pattern_entry(CHUNK, "packages/A.1.zip", opened=opened), too_large],
        )
    assert opened == [] and list(tmp_path.iterdir()) == []

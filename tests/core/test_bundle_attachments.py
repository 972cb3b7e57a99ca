"""Attachments: files a bundle carries as they are (Octopus's export zip, built-in feed packages). Stored,
verified by SHA-256 without being held whole, budgeted by their stored size instead of the limits for
documents, and refused when compressed, unlisted or changed."""

from __future__ import annotations

import hashlib
import os
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from bundle_helpers import BLOBS, PASSWORD, entry_data_span, flip_byte, make_bundle, rewrite_zip, zip_entries

from octodesk.core.bundle import format, open_attachment, read_attachment, read_bundle
from octodesk.core.errors import BundleDamaged

NAME = "packages/Acme.Web.1.0.0.zip"


def test_an_attachment_is_stored_and_read_back_byte_for_byte(tmp_path: Path) -> None:
    data = os.urandom(300_000)
    path = make_bundle(tmp_path / "b.octobundle", blobs={**BLOBS, NAME: data})
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(NAME)
    assert info.compress_type == zipfile.ZIP_STORED
    bundle = read_bundle(path, PASSWORD)
    assert NAME not in bundle.blobs  # not held in memory by the reader
    assert bundle.attachments[NAME].size == len(data)
    assert bundle.attachments[NAME].sha256 == hashlib.sha256(data).hexdigest()
    assert read_attachment(bundle, NAME) == data
    with open_attachment(bundle, NAME) as chunks:
        assert b"".join(chunks) == data


def test_an_attachment_larger_than_any_document_may_be_is_read_a_chunk_at_a_time(tmp_path: Path) -> None:
    size = format.MAX_ENTRY_BYTES + 1024 * 1024  # past the limit for documents and logos
    path = make_bundle(tmp_path / "big.octobundle", blobs={**BLOBS, NAME: b"\x17" * size})
    tracemalloc.start()
    try:
        bundle = read_bundle(path, PASSWORD)
        with open_attachment(bundle, NAME) as chunks:
            total = sum(len(chunk) for chunk in chunks)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert total == size
    assert peak < 16 * 1024 * 1024


def test_a_changed_attachment_is_refused_by_the_reader(tmp_path: Path) -> None:
    path = make_bundle(tmp_path / "b.octobundle", blobs={**BLOBS, NAME: os.urandom(10_000)})
    start, _ = entry_data_span(path, NAME)
    raw = path.read_bytes()
    path.write_bytes(flip_byte(raw, start + 100))
    with pytest.raises(BundleDamaged, match=f"{NAME} has been modified"):
        read_bundle(path, PASSWORD)


def test_an_attachment_changed_after_it_was_verified_fails_when_opened(tmp_path: Path) -> None:
    path = make_bundle(tmp_path / "b.octobundle", blobs={**BLOBS, NAME: os.urandom(10_000)})
    bundle = read_bundle(path, PASSWORD)
    start, _ = entry_data_span(path, NAME)
    path.write_bytes(flip_byte(path.read_bytes(), start + 5))
    with pytest.raises(BundleDamaged, match="has been modified"):
        read_attachment(bundle, NAME)


def test_a_compressed_attachment_is_refused_before_the_password(tmp_path: Path) -> None:
    good = make_bundle(tmp_path / "good.octobundle", blobs={**BLOBS, NAME: b"0" * 100_000})
    entries = zip_entries(good)
    bad = rewrite_zip(good, tmp_path / "bad.octobundle", entries)  # rewrite_zip deflates every entry
    with pytest.raises(BundleDamaged, match="is compressed"):
        read_bundle(bad, "not even the password")


def test_an_attachment_the_index_does_not_list_is_refused(tmp_path: Path) -> None:
    good = make_bundle(tmp_path / "good.octobundle")
    extra = zipfile.ZipInfo("octopus/export.zip")
    extra.compress_type = zipfile.ZIP_STORED
    with zipfile.ZipFile(good, "a") as archive:
        archive.writestr(extra, b"PK not listed")
    with pytest.raises(BundleDamaged, match="not in its index"):
        read_bundle(good, PASSWORD)


def test_other_folders_are_still_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot be used in a bundle"):
        make_bundle(tmp_path / "b.octobundle", blobs={**BLOBS, "extras/tool.exe": b"MZ"})

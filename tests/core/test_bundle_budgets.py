"""Issue 12's bundle bombs, generated here: each is refused before it costs memory, within the budgets.

Peak memory is the reader's own Python allocations (tracemalloc), asserted with wide margins; the seconds
and the peak RSS of the full-size bombs are measured by ``python -m benchmarks.hostile_bundles``.
"""

from __future__ import annotations

import re
import struct
import sys
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from bundle_helpers import PASSWORD, RESOURCES, make_bundle

from octodesk.core.bundle import BundleResource, format, read_bundle, read_manifest
from octodesk.core.errors import BundleDamaged, BundleError, UnsupportedBundle

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # benchmarks/ is beside tests/

from benchmarks import hostile_bundles as bombs

MB = 1024 * 1024


def peak_while(read: Callable[[], Any]) -> tuple[BaseException | None, int]:
    """The error ``read`` ended with (None if it returned) and the peak bytes it allocated."""
    tracemalloc.start()
    try:
        read()
        error = None
    except BaseException as caught:  # the test judges what it was
        error = caught
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return error, peak


def refusal(expected: type[BundleError], read: Callable[..., Any], *args: Any) -> BundleError:
    with pytest.raises(expected) as caught:
        read(*args)
    return caught


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path


def test_json_object_bomb_is_refused_from_the_central_directory(folder: Path) -> None:
    # Before: 630 KB -> 3.7 GB and 20 s (MemoryError past that): ~50 million objects parsed.
    bomb = bombs.json_bomb(folder / "bomb.octobundle")

    error, peak = peak_while(lambda: read_bundle(bomb, PASSWORD))

    assert isinstance(error, BundleDamaged)
    assert f"more than {format.MAX_BUNDLE_RATIO} times the file's" in str(error)
    assert peak < 20 * MB


def test_many_small_zero_entries_are_judged_as_one_bundle(folder: Path) -> None:
    # Before: 16,350 entries of 64 KiB, each at the per-entry floor, read 1.07 GB into memory.
    bomb = bombs.zero_logos(folder / "zeros.octobundle")

    error, peak = peak_while(lambda: read_bundle(bomb, PASSWORD))

    assert isinstance(error, BundleDamaged)
    assert re.search(r"its entries expand to 10\d{8} bytes", str(error)) and "(a zip bomb?)" in str(error)
    assert peak < 30 * MB


def test_manifest_bomb_is_refused_before_the_password_is_asked(folder: Path) -> None:
    # Before: a 180 KB manifest expanded to ~950 MB in read_manifest, before any password.
    bomb = bombs.manifest_bomb(folder / "manifest.octobundle")

    error, peak = peak_while(lambda: read_manifest(bomb))

    assert isinstance(error, BundleDamaged)
    assert peak < 5 * MB


def test_manifest_over_its_small_cap_is_refused_even_when_stored(folder: Path) -> None:
    big = folder / "big-manifest.octobundle"
    with zipfile.ZipFile(big, "w") as archive:  # stored: the ratio rules have nothing to say
        archive.writestr("manifest.json", b'{"pad": "' + b"x" * format.MAX_MANIFEST_BYTES + b'"}')

    error, peak = peak_while(lambda: read_manifest(big))

    assert isinstance(error, BundleDamaged)
    assert "manifest.json is too large" in str(error)
    assert peak < 2 * MB


def test_central_directory_bomb_is_refused_from_the_end_record(folder: Path) -> None:
    # Before: 2 million records took 14-23 s and ~950 MB of ZipInfo objects before the count was judged.
    bomb = bombs.central_directory_bomb(folder / "directory.octobundle", count=300_000)

    error, peak = peak_while(lambda: read_manifest(bomb))

    assert isinstance(error, BundleDamaged)
    assert f"it has 300000 entries (limit {format.MAX_ENTRIES})" in str(error)
    assert peak < 2 * MB  # no ZipInfo was made: zipfile never parsed the directory


def test_central_directory_larger_than_its_budget_is_refused_whatever_the_count_says(folder: Path) -> None:
    bomb = bombs.central_directory_bomb(folder / "directory.octobundle", count=200_000)
    raw = bytearray(bomb.read_bytes())
    end64 = raw.rindex(b"PK\x06\x06")
    raw[end64 + 24 : end64 + 40] = struct.pack("<2Q", 10, 10)  # "10 entries", with a 10 MB directory
    bomb.write_bytes(bytes(raw))

    error, peak = peak_while(lambda: read_manifest(bomb))

    assert isinstance(error, BundleDamaged)
    assert "its central directory claims 10600000 bytes" in str(error)
    assert peak < 2 * MB


def test_json_values_are_counted_before_parsing_per_entry(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(format, "MAX_JSON_VALUES_PER_ENTRY", 5_000)
    bomb = bombs.value_budget_bomb(folder / "values.octobundle", count=3)

    error = refusal(BundleDamaged, read_bundle, bomb, PASSWORD)

    # 21,845 empty objects: each is counted at its "{" and its ",", so the count is an upper bound
    expected = "resources/Environment/Environments-0.json holds about 43689 JSON values, more than the 5000"
    assert expected in str(error)


def test_json_values_of_the_whole_bundle_are_bounded(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(format, "MAX_JSON_VALUES_TOTAL", 200_000)
    bomb = bombs.value_budget_bomb(folder / "values.octobundle", count=40)

    error, peak = peak_while(lambda: read_bundle(bomb, PASSWORD))

    assert isinstance(error, BundleDamaged)
    assert "more than the 200000 JSON values a bundle may hold (reached at resources/Environment/" in str(
        error
    )
    assert peak < 40 * MB  # ~200,000 parsed values (~15 MB) and one 64 KiB entry at a time


def test_writer_stores_what_would_break_the_bundle_ratio_so_its_bundles_always_read(folder: Path) -> None:
    repetitive = "Write-Host 'deploying';" * 2_700  # ~62 KB a document, deflating ~300:1
    resources = [
        BundleResource(
            "Environment",
            f"Environments-{i}",
            f"Env {i}",
            {"Id": f"Environments-{i}", "Name": f"Env {i}", "Description": repetitive},
        )
        for i in range(100)
    ]

    path = make_bundle(folder / "ok.octobundle", resources=resources, blobs={})

    with zipfile.ZipFile(path) as archive:
        decoded = sum(info.file_size for info in archive.infolist())
        stored = [info for info in archive.infolist() if info.compress_type == zipfile.ZIP_STORED]
    assert decoded <= format.MAX_BUNDLE_RATIO // 2 * path.stat().st_size
    assert stored  # some entries gave up compression to keep the ratio
    assert len(read_bundle(path, PASSWORD).resources) == 100


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("notes/readme.txt", "is neither a resource, a logo nor an attachment"),
        ("resources/Machine/Machines-1.json", "holds resources of a kind OctoDesk does not know ('Machine')"),
        ("resources/Project/Projects-1.txt", "is neither a resource, a logo nor an attachment"),
        ("logos/deep/x.png", "is neither a resource, a logo nor an attachment"),
    ],
)
def test_entries_that_are_neither_known_resources_nor_logos_are_refused_before_the_password(
    folder: Path, name: str, reason: str
) -> None:
    path = make_bundle(folder / "b.octobundle")
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(name, b"{}")

    for read in (lambda: read_manifest(path), lambda: read_bundle(path, "not even the password")):
        error = refusal(BundleDamaged, read)
        assert f"the entry {name!r} {reason}; refused" in str(error)


def test_a_logo_of_no_project_in_the_bundle_is_refused(folder: Path) -> None:
    project = RESOURCES[0]
    path = bombs.raw_bundle(
        folder / "logo.octobundle",
        {
            "logos/Projects-7.png": b"\x89PNG",
            "resources/Project/Projects-1.json": bombs.canonical_json(project.document),
        },
        [
            {
                "kind": "Project",
                "id": "Projects-1",
                "name": "Web Portal",
                "path": "resources/Project/Projects-1.json",
            }
        ],
    )

    error = refusal(BundleDamaged, read_bundle, path, PASSWORD)

    assert "lists 'logos/Projects-7.png', which is neither one of its resources, the logo of one" in str(
        error
    )


def test_unknown_kind_in_the_counts_is_refused_before_the_password(folder: Path) -> None:
    path = bombs.raw_bundle(folder / "kind.octobundle", {}, [], counts={"Machine": 1})

    error = refusal(UnsupportedBundle, read_manifest, path)

    assert "holds resources of a kind this OctoDesk does not know ('Machine')" in str(error)


def test_unknown_kind_in_the_index_is_refused_not_ignored(folder: Path) -> None:
    # Before: a Machine resource in the index was silently left out of the plan.
    machine = {"Id": "Machines-1", "Name": "web-01"}
    entries = {"resources/Machine/Machines-1.json": bombs.canonical_json(machine)}
    index = [
        {"kind": "Machine", "id": "Machines-1", "name": "web-01", "path": "resources/Machine/Machines-1.json"}
    ]
    path = bombs.raw_bundle(folder / "kind.octobundle", entries, index, counts={})

    error = refusal(BundleError, read_bundle, path, PASSWORD)

    assert "a kind OctoDesk does not know ('Machine')" in str(error)

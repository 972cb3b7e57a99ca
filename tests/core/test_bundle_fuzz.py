"""Hostile input, property-based: whatever the bytes, the reader ends in a BundleError or returns exactly what
was written, never another exception, and never writes anything anywhere."""

from __future__ import annotations

import builtins
import io
import json
import os
import sys
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from bundle_helpers import BLOBS, PASSWORD, RESOURCES, SECRETS, make_bundle, zip_entries
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from octodesk.core.bundle import Bundle, read_bundle, read_manifest
from octodesk.core.bundle.format import canonical_json, json_value_bound
from octodesk.core.errors import BundleError
from octodesk.core.resources.kinds import KINDS_BY_NAME

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # benchmarks/ is beside tests/

from benchmarks import hostile_bundles as bombs

FUZZ = settings(
    max_examples=120,
    deadline=None,
    database=None,  # no .hypothesis folder in the work tree: the fuzz run writes nothing outside temp dirs
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return make_bundle(tmp_path_factory.mktemp("fuzz-source") / "good.octobundle").read_bytes()


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty current folder beside the inputs: anything extracted by mistake would land in one of them."""
    inputs = tmp_path / "inputs"
    cwd = tmp_path / "cwd"
    inputs.mkdir()
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    yield inputs
    assert os.listdir(cwd) == []
    assert {path.name for path in inputs.iterdir()} <= {"case.octobundle"}


@contextmanager
def no_file_writes() -> Iterator[None]:
    """Any attempt to open a file for writing while reading a bundle fails the test."""
    real_open, real_os_open = builtins.open, os.open

    def guarded_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        assert not set(mode) & set("wax+"), f"the reader opened {file!r} for writing"
        return real_open(file, mode, *args, **kwargs)

    def guarded_os_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        assert not flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT), f"the reader opened {path!r} for writing"
        return real_os_open(path, flags, *args, **kwargs)

    with (
        mock.patch("builtins.open", guarded_open),
        mock.patch("io.open", guarded_open),
        mock.patch("os.open", guarded_os_open),
    ):
        yield


def read_case(folder: Path, data: bytes) -> Bundle | BundleError:
    path = folder / "case.octobundle"
    path.write_bytes(data)
    with no_file_writes():
        try:
            read_manifest(path)
        except BundleError:
            pass
        try:
            return read_bundle(path, PASSWORD)
        except BundleError as error:
            assert str(error) and "\n" not in str(error)
            return error


def assert_refused_or_intact(outcome: Bundle | BundleError) -> None:
    if isinstance(outcome, BundleError):
        return
    assert [(r.kind, r.id, r.name, r.document) for r in outcome.resources] == [
        (r.kind, r.id, r.name, r.document) for r in RESOURCES
    ]
    assert outcome.secrets == SECRETS
    assert outcome.blobs == BLOBS


@FUZZ
@given(data=st.binary(max_size=4096))
def test_random_bytes_are_refused(workspace: Path, data: bytes) -> None:
    assert isinstance(read_case(workspace, data), BundleError)


@FUZZ
@given(data=st.data())
def test_every_truncation_is_refused(workspace: Path, original: bytes, data: st.DataObject) -> None:
    # offsets near the end (central directory) and anywhere in the body are both drawn
    cut = data.draw(
        st.integers(0, len(original) - 1) | st.integers(max(0, len(original) - 200), len(original) - 1)
    )

    assert isinstance(read_case(workspace, original[:cut]), BundleError)


@FUZZ
@given(data=st.data())
def test_flipped_bytes_are_refused_or_harmless(workspace: Path, original: bytes, data: st.DataObject) -> None:
    flips = data.draw(
        st.lists(st.tuples(st.integers(0, len(original) - 1), st.integers(1, 255)), min_size=1, max_size=3)
    )
    damaged = bytearray(original)
    for offset, mask in flips:
        damaged[offset] ^= mask

    assert_refused_or_intact(read_case(workspace, bytes(damaged)))


@FUZZ
@given(
    name=st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=60)
    | st.sampled_from(
        ["../x", "/abs", "a\\b", "C:x", "logos/../../x", "logos/x\x00.png", "resources/Project/"]
    ),
    payload=st.binary(max_size=64),
)
def test_any_added_entry_name_is_refused(workspace: Path, original: bytes, name: str, payload: bytes) -> None:
    assume(name.split("\x00")[0])  # zipfile itself cuts names at NUL and cannot write an empty one
    buffer = io.BytesIO(original)
    with zipfile.ZipFile(buffer, "a") as archive:
        if name in archive.namelist():
            return
        archive.writestr(name, payload)

    assert isinstance(read_case(workspace, buffer.getvalue()), BundleError)


@FUZZ
@given(
    field=st.sampled_from(
        [
            "format",
            "format_version",
            "resources",
            "counts",
            "entries",
            "kdf",
            "key_check",
            "source",
            "projects",
        ]
    ),
    value=json_values,
)
def test_any_manifest_field_change_is_refused(
    workspace: Path, original: bytes, tmp_path: Path, field: str, value: Any
) -> None:
    source = tmp_path / "source.octobundle"
    source.write_bytes(original)
    entries = zip_entries(source)
    source.unlink()
    manifest = json.loads(entries["manifest.json"])
    if manifest.get(field) == value:
        return
    manifest[field] = value
    entries["manifest.json"] = json.dumps(manifest).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)

    assert isinstance(read_case(workspace, buffer.getvalue()), BundleError)


@FUZZ
@given(document=json_values)
def test_any_manifest_document_is_refused(
    workspace: Path, original: bytes, tmp_path: Path, document: Any
) -> None:
    source = tmp_path / "source.octobundle"
    source.write_bytes(original)
    entries = zip_entries(source)
    source.unlink()
    entries["manifest.json"] = json.dumps(document).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)

    assert isinstance(read_case(workspace, buffer.getvalue()), BundleError)


def count_values(value: Any) -> int:
    """Every JSON value in ``value``, object keys included."""
    if isinstance(value, dict):
        return 1 + sum(1 + count_values(child) for child in value.values())
    if isinstance(value, list):
        return 1 + sum(count_values(child) for child in value)
    return 1


@FUZZ
@given(document=json_values)
def test_the_value_count_made_before_parsing_never_undercounts(document: Any) -> None:
    try:
        compact = canonical_json(document)
    except ValueError:  # infinity: not JSON, refused by the parser anyway
        return
    for data in (compact, json.dumps(document, indent=2).encode()):
        assert json_value_bound(data) >= count_values(document)


@FUZZ
@given(data=st.data())
def test_end_record_changes_are_refused_or_harmless(
    workspace: Path, original: bytes, data: st.DataObject
) -> None:
    end = original.rindex(b"PK\x05\x06")
    offset = data.draw(st.integers(end + 4, len(original) - 1))  # counts, sizes, offset, comment length
    damaged = bytearray(original)
    damaged[offset] = data.draw(st.integers(0, 255))

    assert_refused_or_intact(read_case(workspace, bytes(damaged)))


kind_names = st.sampled_from([*sorted(KINDS_BY_NAME), "Machine", "Space"])
ids = st.sampled_from(
    ["Projects-1", "Environments-1", "Environments-2", "variableset-Projects-1", "Projects-9"]
)
names = st.sampled_from(["Web Portal", "Production", "Staging", "Evil", ""]) | st.text(max_size=12)


@FUZZ
@given(
    which=st.integers(0, len(RESOURCES) - 1),
    part=st.sampled_from(["kind", "id", "name", "Id", "Name", "OwnerId", "ProjectGroupId", "drop"]),
    kind=kind_names,
    new_id=ids,
    name=names,
)
def test_an_index_line_or_document_that_disagrees_is_refused(
    workspace: Path, which: int, part: str, kind: str, new_id: str, name: str
) -> None:
    """Whatever one line of the index or one field of a document says, a bundle is read only when every
    index line (what the preview shows) is its document (what the import posts)."""
    lines = [[r.kind, r.id, r.name, dict(r.document)] for r in RESOURCES]
    line = lines[which]
    document = line[3]
    assert isinstance(document, dict)
    if part in ("kind", "id", "name"):
        line[("kind", "id", "name").index(part)] = {"kind": kind, "id": new_id, "name": name}[part]
    elif part == "drop":
        document.pop(sorted(document)[0])
    else:
        document[part] = new_id if part.endswith("Id") else name
    entries, index = bombs.resource_entries(
        [(str(k), str(i), str(n), canonical_json(d)) for k, i, n, d in lines]
    )
    path = workspace / "case.octobundle"
    try:
        bombs.raw_bundle(path, entries, index)
    except ValueError:
        return  # not even a path the format has (an empty id, a kind that is not a plain name)
    with no_file_writes():
        try:
            bundle = read_bundle(path, bombs.PASSWORD)
        except BundleError as error:
            assert str(error) and "\n" not in str(error)
            return
    for resource in bundle.resources:
        assert resource.kind in KINDS_BY_NAME
        assert resource.document.get("Id") == resource.id
        if isinstance(resource.document.get("Name"), str):
            assert resource.document["Name"] == resource.name

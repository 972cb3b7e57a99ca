"""Bundle layout helpers: entry names the reader accepts, canonical JSON, and guarded JSON parsing."""

from __future__ import annotations

import json

import pytest

from octodesk.core.bundle.format import (
    canonical_json,
    json_depth,
    parse_json,
    resource_path,
    unsafe_name_reason,
)
from octodesk.core.errors import BundleDamaged


@pytest.mark.parametrize(
    ("kind", "source_id", "expected"),
    [
        ("Project", "Projects-1", "resources/Project/Projects-1.json"),
        ("Team", "teams-everyone", "resources/Team/teams-everyone.json"),
        ("Feed", "../../etc/passwd", "resources/Feed/%2E.%2F..%2Fetc%2Fpasswd.json"),
        ("Feed", "C:\\x y", "resources/Feed/C%3A%5Cx%20y.json"),
    ],
)
def test_resource_paths_are_always_safe_names(kind: str, source_id: str, expected: str) -> None:
    path = resource_path(kind, source_id)

    assert path == expected
    assert unsafe_name_reason(path) is None


@pytest.mark.parametrize(("kind", "source_id"), [("../Project", "Projects-1"), ("Project", "")])
def test_resource_path_refuses_a_bad_kind_or_empty_id(kind: str, source_id: str) -> None:
    with pytest.raises(ValueError):
        resource_path(kind, source_id)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("", "empty name"),
        ("a" * 300, "over-long"),
        ("..", "path traversal"),
        ("logos/../../x", "path traversal"),
        ("/x", "absolute path"),
        ("logos\\x", "backslashes"),
        ("D:x", "drive"),
        ("logos//x", "characters or parts"),
        ("logos/.hidden", "characters or parts"),
        ("logos/x\u202egnp.exe", "characters or parts"),
        ("logos/", "characters or parts"),
    ],
)
def test_unsafe_names_are_named_with_their_reason(name: str, reason: str) -> None:
    assert reason in (unsafe_name_reason(name) or "")


def test_canonical_json_is_deterministic_and_ascii() -> None:
    first = canonical_json({"b": 1, "a": ["\u2603", None]})

    assert first == b'{"a":["\\u2603",null],"b":1}'
    assert canonical_json({"a": ["\u2603", None], "b": 1}) == first
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})


def test_json_depth_counts_levels_and_stops_past_the_limit() -> None:
    deep: list[object] = []
    for _ in range(500):
        deep = [deep]

    assert json_depth("scalar") == 0
    assert json_depth({"a": [1, {}]}) == 3
    assert json_depth(deep, limit=10_000) == 501
    assert json_depth(deep, limit=10) == 11


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe", "not valid JSON"),
        (b'{"a": NaN}', "not valid JSON"),
        (b'{"a": Infinity}', "not valid JSON"),
        (b"1" * 5000, "not valid JSON"),  # past Python's integer-digits limit
        (b"[" * 101 + b"]" * 101, "deeper than 100 levels"),
        (b'{"a":' * 300_000, "deeper than 100 levels"),  # would be a RecursionError in the decoder
    ],
)
def test_parse_json_turns_every_failure_into_a_damaged_bundle(data: bytes, message: str) -> None:
    with pytest.raises(BundleDamaged, match=message):
        parse_json(data, "b.octobundle", "resources/Project/Projects-1.json")


def test_parse_json_accepts_the_depth_limit_exactly() -> None:
    assert json_depth(parse_json(b"[" * 100 + b"]" * 100, "b", "e")) == 100


def test_canonical_json_is_what_json_dumps_writes_and_refuses_a_document_containing_itself() -> None:
    document = {"b": [1.5, -0.0, 10**30, "\u00e9\x7f\n", True, None], "a": {"z": {}, "y": []}}
    expected = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)

    assert canonical_json(document) == expected.encode("ascii")
    looped: dict[str, object] = {"Id": "Projects-1"}
    looped["Self"] = [looped]
    with pytest.raises(RecursionError):
        canonical_json(looped)

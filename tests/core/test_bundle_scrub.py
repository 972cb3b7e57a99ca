"""The writer's last line of defence: no sensitive value in clear in any document it writes, and no document
nested past the reader's limit, however the check is made cheap."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from bundle_helpers import RESOURCES, SECRET_VALUE, make_bundle, zip_entries

from octodesk.core.bundle import BundleResource, read_bundle
from octodesk.core.bundle.format import canonical_json
from octodesk.core.bundle.scrub import holds_sensitive_value, may_hold_sensitive_value, scrubbed_copy
from octodesk.core.errors import BundleError

PROJECT = RESOURCES[0]


def _with(document: dict[str, Any]) -> BundleResource:
    return BundleResource(PROJECT.kind, PROJECT.id, PROJECT.name, {**PROJECT.document, **document})


def test_sensitive_values_a_caller_passes_are_written_as_null_and_the_caller_keeps_them(
    tmp_path: Path,
) -> None:
    given = {
        "Properties": {"Pwd": {"HasValue": True, "NewValue": SECRET_VALUE}, "Plain": "kept"},
        "Variables": [
            {"Name": "Db", "IsSensitive": True, "Value": SECRET_VALUE},
            {"Name": "Url", "Value": "u"},
        ],
    }
    resource = _with(given)
    path = make_bundle(tmp_path / "b.octobundle", resources=[resource, *RESOURCES[1:]])

    assert all(SECRET_VALUE.encode() not in data for data in zip_entries(path).values())
    written = read_bundle(path, "correct horse battery staple").get(PROJECT.kind, PROJECT.id)
    assert written is not None
    assert written.document["Properties"]["Pwd"] == {"HasValue": True, "NewValue": None}
    assert written.document["Variables"][0]["Value"] is None
    assert written.document["Variables"][1]["Value"] == "u"
    assert written.document["Properties"]["Plain"] == "kept"
    # the caller's data is untouched
    assert resource.document["Properties"]["Pwd"]["NewValue"] == SECRET_VALUE


def test_a_document_without_sensitive_fields_is_written_as_given(tmp_path: Path) -> None:
    tricky = {"Description": 'quoting "NewValue": and "IsSensitive":true in a string', "IsSensitive": False}
    path = make_bundle(tmp_path / "b.octobundle", resources=[_with(tricky), *RESOURCES[1:]])

    written = read_bundle(path, "correct horse battery staple").get(PROJECT.kind, PROJECT.id)
    assert written is not None and written.document == {**PROJECT.document, **tricky}


def _random_document(rng: random.Random, depth: int = 0) -> Any:
    keys = ["Name", "Value", "IsSensitive", "HasValue", "NewValue", "Hint", 'a"b', "Items", "\\"]
    roll = rng.random()
    if depth < 4 and roll < 0.45:
        return {rng.choice(keys): _random_document(rng, depth + 1) for _ in range(rng.randint(0, 5))}
    if depth < 4 and roll < 0.6:
        return [_random_document(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return rng.choice([True, False, None, 0, 1, "x", '"NewValue":', '\\"IsSensitive\\":true', "IsSensitive"])


def test_the_cheap_tests_tell_exactly_which_documents_the_scrub_would_change() -> None:
    rng = random.Random(14)
    changed = 0
    for _ in range(20_000):
        document = _random_document(rng)
        scrubbed = scrubbed_copy(document) != document
        assert holds_sensitive_value(document) == scrubbed, json.dumps(document)
        if scrubbed:
            changed += 1
            assert may_hold_sensitive_value(canonical_json(document)), json.dumps(document)
    assert changed > 1_000  # the generator does make documents with sensitive fields


def test_the_writer_refuses_a_document_nested_past_the_readers_limit(tmp_path: Path) -> None:
    def nested(levels: int) -> dict[str, Any]:
        node: dict[str, Any] = {}
        for _ in range(levels - 1):
            node = {"x": node}
        return node

    # depth exactly at the limit, with more brackets than the limit beside it: written
    wide = {"Nested": nested(99), "Lists": [[1] for _ in range(200)]}
    make_bundle(tmp_path / "ok.octobundle", resources=[_with(wide), *RESOURCES[1:]])
    looped: dict[str, Any] = {"Name": "contains itself"}
    looped["Items"] = [looped]
    # 5,000 levels is past the JSON encoder's own stack; a document containing itself nests without end
    for too_deep in (nested(101), nested(5_000), looped):
        with pytest.raises(BundleError, match="nests deeper than 100 levels"):
            make_bundle(tmp_path / "deep.octobundle", resources=[_with({"Nested": too_deep})])
    assert not (tmp_path / "deep.octobundle").exists()


def _variable(value: Any, **fields: Any) -> dict[str, Any]:
    return {
        "Id": "v1",
        "Name": "Db.Password",
        "IsSensitive": True,
        "IsEditable": True,
        "Prompt": {"Label": "p", "DisplaySettings": {"Octopus.ControlType": "Sensitive"}, "Required": False},
        "Scope": {"Environment": ["Environments-1", "Environments-2"], "Role": ["web"]},
        "Type": "Sensitive",
        "Value": value,
        **fields,
    }


def test_a_variable_set_its_server_masked_is_not_walked_and_any_other_is() -> None:
    masked = {"Id": "variableset-1", "Variables": [_variable(None), _variable(None, Zeta=[{"a": 1}])]}
    assert not may_hold_sensitive_value(canonical_json(masked))

    not_masked = [
        _variable("hunter2"),  # a value
        _variable(""),  # an empty value is still a value
        _variable(["hunter2"]),
        _variable(None, Prompt={"Label": {"a": {"b": {"c": {}}}}}),  # nested past what the test matches
        {k: v for k, v in _variable(None).items() if k != "Value"},  # no Value at all
    ]
    for variable in not_masked:
        document = {"Id": "variableset-Projects-1", "Variables": [_variable(None), variable]}
        assert may_hold_sensitive_value(canonical_json(document)), variable
    # the masked Value of the next object is not taken for this one's
    beside = {"Variables": [{"IsSensitive": True, "Name": "x", "Value": "hunter2"}, _variable(None)]}
    assert may_hold_sensitive_value(canonical_json(beside))

"""Name matching and the check that no source id survives remapping."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from octodesk.core.resources.ids import (
    IdMap,
    SourceIdLeaked,
    check_no_source_ids,
    id_tokens,
    json_text_tokens,
    leaked_source_ids,
    match_by_name,
)


def test_exact_name_wins_over_case_insensitive() -> None:
    candidates = [{"Name": "production", "Id": "a"}, {"Name": "Production", "Id": "b"}]
    assert match_by_name("Production", candidates).target == {"Name": "Production", "Id": "b"}


def test_unique_case_insensitive_match_is_used() -> None:
    match = match_by_name("PRODUCTION", [{"Name": "Production", "Id": "b"}, {"Name": "Test", "Id": "c"}])
    assert match.found and match.target is not None and match.target["Id"] == "b"


def test_two_case_insensitive_candidates_are_ambiguous() -> None:
    match = match_by_name("PRODUCTION", [{"Name": "Production"}, {"Name": "production"}])
    assert not match.found
    assert sorted(match.ambiguous) == ["Production", "production"]


def test_no_candidate_is_not_found_and_not_ambiguous() -> None:
    match = match_by_name("Staging", [{"Name": "Production"}])
    assert not match.found and match.ambiguous == ()


def test_stale_ids_exclude_ids_that_are_also_targets() -> None:
    ids = IdMap()
    ids.put("Environment", "Environments-1", "Environments-2")
    ids.put("Environment", "Environments-2", "Environments-9")  # a source id equal to another's target
    ids.put("Team", "teams-managers", "teams-managers")  # the same on both sides
    assert ids.stale_source_ids() == {"Environments-1"}


def test_stale_ids_follow_every_change_of_the_map() -> None:
    ids = IdMap()
    ids.put("Environment", "Environments-1", "Environments-2")
    assert ids.stale_source_ids() == {"Environments-1"}
    ids.put("Project", "Projects-5", "Environments-1")  # now a target id too: no longer stale
    assert ids.stale_source_ids() == {"Projects-5"}
    ids.put("Project", "Projects-5", "Projects-6")  # remapped elsewhere: Environments-1 is stale again
    assert ids.stale_source_ids() == {"Environments-1", "Projects-5"}
    ids.put("Environment", "Environments-1", "Environments-1")  # the same on both sides
    assert ids.stale_source_ids() == {"Projects-5"}
    assert ids.stale_among(["Projects-5", "Projects-6", "x"]) == {"Projects-5"}
    assert ids.only_ascii_sources
    ids.put("Team", "teams-ä", "Teams-1")
    assert not ids.only_ascii_sources


_ID = st.from_regex(r"[A-Za-z]{1,8}-[0-9]{1,4}", fullmatch=True)
_TEXT = st.lists(
    st.one_of(_ID, st.text(max_size=6), st.sampled_from(["\n", '"', "\\", "é", "\u2028", ",", "{}"])),
    max_size=6,
).map("".join)
_DOCUMENTS = st.recursive(
    st.one_of(_TEXT, st.integers(), st.none(), st.booleans()),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_TEXT, inner, max_size=4)),
    max_leaves=12,
)


@given(_DOCUMENTS)
def test_the_json_text_scan_finds_every_ascii_id_the_document_walk_finds(document: Any) -> None:
    """The cheap pre-scan of a write's JSON text may only add candidates, never miss one."""
    walked = {token for token in id_tokens(document) if token.isascii()}
    assert walked <= json_text_tokens(json.dumps(document))


@pytest.mark.parametrize(
    "document",
    [
        {"EnvironmentIds": ["Environments-1"]},
        {"Properties": {"Octopus.Action.Manual.ResponsibleTeamIds": "Teams-9,Environments-1"}},
        {"ProjectEnvironments": {"Environments-1": []}},
        {"Properties": {"Pkg": '{"PackageId":"x","FeedId":"Environments-1"}'}},
    ],
)
def test_a_leaked_id_is_found_in_values_csv_keys_and_embedded_json(document: dict[str, object]) -> None:
    assert [value for _, value in leaked_source_ids(document, {"Environments-1"})] == ["Environments-1"]
    with pytest.raises(SourceIdLeaked, match="Environments-1"):
        check_no_source_ids("the process of Web Portal", document, {"Environments-1"})


def test_longer_ids_and_derived_ids_are_not_mistaken_for_a_source_id() -> None:
    document = {"Id": "variableset-Projects-1", "Other": "Environments-10", "Text": "Projects-1x"}
    assert leaked_source_ids(document, {"Projects-1", "Environments-1"}) == []
    check_no_source_ids("a document", document, {"Projects-1"})


def test_id_tokens_collects_ids_from_values_keys_and_csv() -> None:
    document = {
        "Id": "deploymentprocess-Projects-7",
        "ProjectEnvironments": {"Projects-7": ["Environments-1", "Environments-2"]},
        "Teams": "Teams-3,Teams-4",
        "Name": "Web Portal",
    }
    assert {"deploymentprocess-Projects-7", "Projects-7", "Environments-1", "Teams-4"} <= id_tokens(document)
    assert "Portal" not in id_tokens(document)

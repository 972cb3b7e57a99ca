"""The engine table's sensitive-values row, as the engine page and Export's dialog show it."""

from __future__ import annotations

from octodesk.render.engines import capability_rows


def test_the_sensitive_values_row_counts_what_each_engine_carries() -> None:
    assert capability_rows(26, 1)[0] == (
        "Sensitive values",
        "carries 1 of 26, you type the rest",
        "carries all 26 sensitive values, encrypted by Octopus",
    )
    assert capability_rows(3, 3)[0][1] == "carries all 3"  # certificates the API key may export
    assert capability_rows(0, 0)[0][1:] == ("none used by these projects", "none used by these projects")


def test_before_the_count_is_known_the_row_says_it_in_words() -> None:
    assert capability_rows()[0][1] == "only those you supply, and certificates the API key may export"
    assert [row[0] for row in capability_rows(5, 0)][1:] == [row[0] for row in capability_rows()][1:]

"""The one sanitiser for text from a bundle or a server: nothing it returns can move the cursor, forge a
line, reorder what is shown or fail to encode."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from octodesk.core.text import MAX_TEXT_CHARS, safe_lines, safe_text


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("Prod\x1b[2K\r  CREATE Project Evil", "Prod\\x1b[2K\\r  CREATE Project Evil"),
        ("one\ntwo", "one\\ntwo"),
        ("tab\there", "tab\\there"),
        ("bell\x07 and C1 \x9b", "bell\\x07 and C1 \\x9b"),
        ("abc\u202edcba", "abc\\u202edcba"),
        ("iso\u2066late\u2069", "iso\\u2066late\\u2069"),
        ("zero\u200bwidth", "zero\\u200bwidth"),
        ("line\u2028sep", "line\\u2028sep"),
        ("lone \ud800 surrogate", "lone \\ud800 surrogate"),
        ("caf\u00e9 \u2603 \u65e5\u672c", "caf\u00e9 \u2603 \u65e5\u672c"),
        ("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"),  # noqa: E501
        ("family \U0001f468\u200d\U0001f469", "family \U0001f468\u200d\U0001f469"),
        ("Web Portal", "Web Portal"),
    ],
)
def test_control_format_and_surrogate_characters_are_shown_escaped(raw: str, shown: str) -> None:
    assert safe_text(raw) == shown


def test_long_text_is_cut_saying_how_much_was_left_out() -> None:
    text = "x" * (MAX_TEXT_CHARS * 3)

    shown = safe_text(text)

    assert len(shown) <= MAX_TEXT_CHARS
    cut = len(text) - shown.index("…")
    assert shown.endswith(f"… ({cut} more characters)")
    assert safe_text("y" * 100, limit=40) == "y" * 18 + "… (82 more characters)"


def test_lines_keep_our_newlines_and_escape_theirs() -> None:
    lines = ["Plan:", "  CREATE Environment a\rb\n  CREATE Project Forged", ""]

    assert safe_lines(lines) == "Plan:\n  CREATE Environment a\\rb\\n  CREATE Project Forged\n"


def test_non_text_values_are_shown_as_text() -> None:
    assert safe_text(None) == "None"
    assert safe_text(42) == "42"


@given(st.text(), st.integers(min_value=30, max_value=300))
def test_any_text_becomes_one_encodable_bounded_line_and_sanitising_twice_changes_nothing(
    text: str, limit: int
) -> None:
    shown = safe_text(text, limit)

    shown.encode("utf-8")  # no lone surrogate is left
    assert "\n" not in shown and "\r" not in shown and "\x1b" not in shown
    categories = {unicodedata.category(char) for char in shown if char not in "\u200c\u200d"}
    assert not categories & {"Cc", "Cs", "Cf", "Zl", "Zp"}
    assert len(shown) <= limit
    if len(shown) < limit:
        assert safe_text(shown, limit) == shown

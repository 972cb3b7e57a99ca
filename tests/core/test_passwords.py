"""The one bundle password policy: at least 8 characters, and an honest rough strength estimate."""

from __future__ import annotations

import pytest

from octodesk.core.passwords import MIN_PASSWORD_LENGTH, estimate_strength, password_problem


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("", "empty"),
        ("        ", "empty"),
        ("x", "too short: use at least 8 characters (it has 1)"),
        ("seven77", "too short"),
    ],
)
def test_passwords_under_the_policy_are_refused_saying_why(password: str, problem: str) -> None:
    assert problem in (password_problem(password) or "")


def test_eight_characters_are_enough_for_the_policy() -> None:
    assert MIN_PASSWORD_LENGTH == 8
    assert password_problem("8 chars!") is None


@pytest.mark.parametrize(
    ("password", "label"),
    [
        ("short", "too short"),
        ("password", "weak"),  # on every cracking list
        ("aaaaaaaaaaaa", "weak"),  # one character repeated
        ("abcdefghijkl", "weak"),  # a run
        ("Abcdefgh12!xyz", "fair"),
        ("tr0ub4dor&3x", "good"),
        ("correct horse battery staple", "strong"),
    ],
)
def test_strength_is_estimated_from_length_variety_runs_and_common_words(password: str, label: str) -> None:
    assert estimate_strength(password).label == label


def test_the_hint_names_the_estimate() -> None:
    assert estimate_strength("x").hint == "Too short: use at least 8 characters."
    assert estimate_strength("correct horse battery staple").hint == "Strong (about 140 bits)."

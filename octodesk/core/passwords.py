"""The bundle password policy, one for the command line and the desktop app.

A bundle can be copied anywhere and guessed at offline, each guess costing one scrypt derivation (~0.4 s,
128 MiB): the password's length and variety are its only other defence. A new bundle's password needs at
least MIN_PASSWORD_LENGTH characters; the strength estimate is shown so a person can do better than that.
"""

from __future__ import annotations

import math
import string
from dataclasses import dataclass

MIN_PASSWORD_LENGTH = 8
# Guessed first by every cracking tool; each counts as a handful of guesses, whatever its length.
_COMMON = frozenset(
    {
        "password", "password1", "password123", "passw0rd", "12345678", "123456789", "1234567890",
        "qwertyui", "qwerty123", "iloveyou", "letmein1", "trustno1", "baseball", "football", "sunshine",
        "princess", "admin123", "welcome1", "changeme", "octopus1", "octopusdeploy", "abcd1234", "11111111",
    }
)  # fmt: skip
_LABELS = ("too short", "weak", "fair", "good", "strong")
_HINTS = (
    f"Too short: use at least {MIN_PASSWORD_LENGTH} characters.",
    "Weak{bits}: a longer passphrase is much harder to guess.",
    "Fair{bits}: longer, or mixing letters, digits and symbols, makes it stronger.",
    "Good{bits}.",
    "Strong{bits}.",
)
_SCORE_BITS = (40.0, 60.0, 80.0)  # fair, good and strong start here


@dataclass(frozen=True)
class Strength:
    score: int  # 0 (too short) to 4 (strong)
    bits: float  # rough guessing entropy

    @property
    def label(self) -> str:
        return _LABELS[self.score]

    @property
    def hint(self) -> str:
        bits = f" (about {self.bits:.0f} bits)" if self.score else ""
        return _HINTS[self.score].format(bits=bits)


def password_problem(password: str) -> str | None:
    """Why ``password`` may not protect a new bundle, or None."""
    if not password.strip():
        return "The bundle password is empty."
    if len(password) < MIN_PASSWORD_LENGTH:
        return (
            f"The bundle password is too short: use at least {MIN_PASSWORD_LENGTH} characters "
            f"(it has {len(password)})."
        )
    return None


def estimate_strength(password: str) -> Strength:
    """A rough estimate: bits per character from the kinds of characters used; a character that repeats
    or continues the one before (aaa, abc, 321) adds one bit; a well-known password adds ten in all."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return Strength(0, 0.0)
    bits = 10.0 if password.lower() in _COMMON else _entropy_bits(password)
    score = 1 + sum(bits >= threshold for threshold in _SCORE_BITS)
    return Strength(score, bits)


def _entropy_bits(password: str) -> float:
    pool = sum(
        size
        for size, present in (
            (26, any(char in string.ascii_lowercase for char in password)),
            (26, any(char in string.ascii_uppercase for char in password)),
            (10, any(char in string.digits for char in password)),
            (33, any(char in string.punctuation + " " for char in password)),
            (100, any(not char.isascii() for char in password)),
        )
        if present
    )
    per_char = math.log2(max(pool, 2))
    bits = 0.0
    previous = ""
    for char in password:
        bits += 1.0 if previous and abs(ord(char) - ord(previous)) <= 1 else per_char
        previous = char
    return bits

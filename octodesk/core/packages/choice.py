"""Which versions of each referenced package a copy takes: none, the newest, or the newest N."""

from __future__ import annotations

from dataclasses import dataclass

MAX_VERSIONS = 1000


@dataclass(frozen=True)
class PackageChoice:
    versions: int  # newest versions per package id; 0 = copy none

    @classmethod
    def parse(cls, text: str) -> PackageChoice:
        """``none``, ``latest`` or a count; ValueError with the message a user sees otherwise."""
        value = text.strip().lower()
        if value == "none":
            return NONE
        if value == "latest":
            return LATEST
        if value.isdigit() and 0 <= int(value) <= MAX_VERSIONS:
            return cls(int(value))
        raise ValueError(
            f"'{text}' is not a package choice: use none, latest, or how many of the newest versions "
            f"of each package to copy (1 to {MAX_VERSIONS})."
        )

    @property
    def copies(self) -> bool:
        return self.versions > 0

    @property
    def label(self) -> str:
        if self.versions == 0:
            return "none"
        return "latest" if self.versions == 1 else str(self.versions)

    def describe(self) -> str:
        if self.versions == 0:
            return "no packages"
        if self.versions == 1:
            return "the newest version of each package"
        return f"the newest {self.versions} versions of each package"


NONE = PackageChoice(0)
LATEST = PackageChoice(1)

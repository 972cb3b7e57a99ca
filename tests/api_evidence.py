"""Reads docs/api-evidence.md and checks requests against it (shared by the sandbox and integration tests)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

EVIDENCE_PATH = Path(__file__).resolve().parents[1] / "docs" / "api-evidence.md"
HEADER = "| Method | Route | Answers | Profiles | Evidence | Notes |"
_RANKED = re.compile(r"^(?:[1-4] \S|inferred: )")


@dataclass(frozen=True)
class Row:
    section: str
    method: str
    route: str
    answers: str
    profiles: str
    evidence: str
    notes: str

    @property
    def key(self) -> tuple[str, str]:
        return self.method, self.route

    def ranked(self) -> bool:
        """The evidence starts with its best source's rank (1-4) or with ``inferred:``."""
        return bool(_RANKED.match(self.evidence))


def _cells(line: str) -> list[str]:
    """The cells of a table row; ``|`` inside backticks is part of the cell."""
    cells, current, in_code = [], "", False
    for char in line.strip()[1:-1]:
        if char == "`":
            in_code = not in_code
        if char == "|" and not in_code:
            cells.append(current.strip())
            current = ""
        else:
            current += char
    cells.append(current.strip())
    return cells


def evidence_rows(path: Path = EVIDENCE_PATH) -> list[Row]:
    """Every row of every table with the evidence header, in document order."""
    rows: list[Row] = []
    section, in_table = "", False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section, in_table = line[3:].strip(), False
        elif line.strip() == HEADER:
            in_table = True
        elif in_table and line.startswith("|---"):
            continue
        elif in_table and line.startswith("|"):
            cells = _cells(line)
            if len(cells) != 6:
                raise AssertionError(f"{path.name}: row in '{section}' has {len(cells)} cells: {line}")
            method, route, answers, profiles, evidence, notes = cells
            rows.append(Row(section, method, route.strip("`"), answers, profiles, evidence, notes))
        else:
            in_table = False
    return rows


def requests_without_rows(requests: Iterable[tuple[str, str]]) -> list[str]:
    """The logged requests (method, path with query) that match no documented sandbox route."""
    from octodesk.sandbox.router import TABLE

    documented = {row.key for row in evidence_rows() if row.profiles != "none"}
    missing: list[str] = []
    for method, target in requests:
        route = TABLE.template_of(method, target)
        if route is None or (route.method, route.template) not in documented:
            label = f"{method} {route.template if route else target.split('?', 1)[0]}"
            if label not in missing:
                missing.append(label)
    return missing

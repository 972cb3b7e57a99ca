"""Every kind of write an import makes, failed once in each of the two ways a write can fail — not applied
(connection dropped before the server acted) or applied with its answer lost (body cut short) — then the
import run again: the target must end exactly as after a clean import.

Slow (about a minute), so it only runs when asked for: ``pytest -m slow tests/resilience``. The default run
covers representative points in test_import_resume.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from resilience_support import import_demo, normalised_state, pending_journals, state_differences

from octodesk.core.errors import OctoDeskError
from octodesk.sandbox import SandboxServer

ASKED_FOR = "'slow' in config.getoption('markexpr') and 'not slow' not in config.getoption('markexpr')"
pytestmark = [
    pytest.mark.slow,
    # a marker condition, evaluated before any fixture: a skipped sweep costs no export or import
    pytest.mark.skipif(f"not ({ASKED_FOR})", reason="slow sweep: `pytest -m slow tests/resilience` runs it"),
]

# (method, part of the path) of each write of a demo import, in the order the import makes them.
WRITE_POINTS = [
    ("POST", "/environments"),
    ("POST", "/feeds"),
    ("POST", "/api/teams"),
    ("POST", "/tagsets"),
    ("POST", "/workerpools"),
    ("POST", "/actiontemplates"),
    ("POST", "/accounts"),
    ("POST", "/lifecycles"),
    ("POST", "/certificates"),
    ("POST", "/projectgroups"),
    ("POST", "/libraryvariablesets"),
    ("PUT", "/variables/variableset-LibraryVariableSets"),
    ("POST", "/projects"),
    ("PUT", "/channels/"),
    ("POST", "/channels"),
    ("PUT", "/deploymentprocesses/"),
    ("PUT", "/variables/variableset-Projects"),
    ("POST", "/runbooks"),
    ("PUT", "/runbookProcesses/"),
    ("POST", "/logo"),
    ("POST", "/tenants"),
    ("PUT", "/tenants/"),
    ("POST", "/projecttriggers"),
]


@pytest.mark.parametrize("mode", ["drop", "truncated"], ids=["not-applied", "applied-answer-lost"])
@pytest.mark.parametrize(("method", "path_contains"), WRITE_POINTS)
def test_every_write_failed_once_then_re_run_gives_the_clean_state(
    demo_bundle: Path, clean_import_state: dict[str, Any], mode: str, method: str, path_contains: str
) -> None:
    with SandboxServer("empty") as target:
        target.fail_next(1, mode, method=method, path_contains=path_contains)
        with pytest.raises(OctoDeskError):
            import_demo(target, demo_bundle)
        assert pending_journals(), "the stopped import should leave its journal to resume from"
        assert import_demo(target, demo_bundle).succeeded
        differences = state_differences(normalised_state(target), clean_import_state)
        assert differences == [], "\n".join(differences)
        assert pending_journals() == []

"""Sweeps over every request of the demo export and import.

Every kind of write an import makes, failed once in each of the two ways a write can fail — not applied
(connection dropped before the server acted) or applied with its answer lost (body cut short) — then the
import run again: the target must end exactly as after a clean import. Every read of an export and of an
import's planning, failing until the retries run out: one error naming it, no bundle, target unchanged.

Slow (about a minute), so it only runs when asked for: ``pytest -m slow tests/resilience``. The default run
covers representative points in test_import_resume.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from resilience_support import (
    export_demo,
    files_in,
    import_demo,
    normalised_state,
    pending_journals,
    state_differences,
)

from octodesk.core.errors import OctoDeskError, ServerFailure
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
    ("POST", "/channels"),  # no PUT: the default channel the target creates already matches the bundle's
    ("PUT", "/deploymentprocesses/"),
    ("PUT", "/variables/variableset-Projects"),
    ("POST", "/runbooks"),
    ("PUT", "/runbookProcesses/"),
    ("POST", "/logo"),
    ("POST", "/tenants"),
    ("PUT", "/tenants/"),
    ("POST", "/projecttriggers"),
]


# Part of the path of each read of a demo export (the certificate export and logo included).
EXPORT_READS = [
    "/api/licenses",
    "/spaces/all",
    "/projects/all",
    "/environments/all",
    "/projectgroups/all",
    "/lifecycles/all",
    "/tagsets/all",
    "/feeds/all",
    "/certificates/all",
    "/accounts/all",
    "/runbooks/all",
    "/workerpools/all",
    "/channels/all",
    "/actiontemplates/all",
    "/libraryvariablesets/all",
    "/logo",
    "/variables",
    "/projecttriggers",
    "/deploymentprocesses",
    "/tenants/all",
    "/tenantvariables/all",
    "/runbookProcesses",
    "/api/teams",
    "/machines",
    "/export",
]
# ...and of an import's planning on an empty target.
PLAN_READS = [
    "/api/licenses",
    "/spaces/all",
    "/environments/all",
    "/tagsets/all",
    "/actiontemplates/all",
    "/feeds/all",
    "/workerpools/all",
    "/accounts/all",
    "/lifecycles/all",
    "/certificates/all",
    "/libraryvariablesets/all",
    "/projectgroups/all",
    "/projects/all",
    "/tenants/all",
    "/machines/all",
    "/api/teams",
]


@pytest.mark.parametrize("path_contains", EXPORT_READS)
def test_every_export_read_failing_for_good_is_one_error_and_no_file(
    source: SandboxServer, tmp_path: Path, path_contains: str
) -> None:
    source.fail_next(1000, "503", method="GET", path_contains=path_contains, retry_after=0)
    with pytest.raises(ServerFailure) as caught:
        export_demo(source, tmp_path / "demo.octobundle")
    assert path_contains in str(caught.value) and "after 5 attempts" in str(caught.value)
    assert files_in(tmp_path) == []


@pytest.mark.parametrize("path_contains", PLAN_READS)
def test_every_planning_read_failing_for_good_leaves_the_target_unchanged(
    demo_bundle: Path, path_contains: str
) -> None:
    with SandboxServer("empty") as target:
        before = target.snapshot()
        target.fail_next(1000, "truncated", method="GET", path_contains=path_contains)
        with pytest.raises(ServerFailure, match="not valid JSON") as caught:
            import_demo(target, demo_bundle)
        assert path_contains in str(caught.value)
        assert target.snapshot() == before
        assert pending_journals() == []


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

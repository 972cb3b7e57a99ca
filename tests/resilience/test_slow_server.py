"""Answers slower than the client's timeout: RequestTimedOut with a message naming the request and the limit,
no bundle, an unchanged target when planning — and a write whose answer came too late is adopted on re-run."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from resilience_support import (
    SandboxAnswer,
    export_command,
    export_demo,
    files_in,
    import_demo,
    normalised_state,
    one_error_line,
    pending_journals,
    state_differences,
)

from octodesk.core.errors import RequestTimedOut
from octodesk.sandbox import SandboxServer

CLIENT_TIMEOUT = 0.3
SLOW_SECONDS = 1.2  # well past the client's timeout: even a loaded machine cannot make it answer in time


def test_export_read_slower_than_the_timeout_is_request_timed_out_and_no_file(
    source: SandboxServer, tmp_path: Path
) -> None:
    source.set_faults(slow_seconds=SLOW_SECONDS)
    source.fail_next(1, "slow", method="GET", path_contains="/deploymentprocesses")
    with pytest.raises(RequestTimedOut) as caught:
        export_demo(source, tmp_path / "demo.octobundle", timeout=CLIENT_TIMEOUT)
    message = str(caught.value)
    assert message.startswith("GET /api/") and "/deploymentprocesses" in message
    assert f"did not answer within {CLIENT_TIMEOUT:g} s" in message
    assert "\n" not in message and source.api_key not in message
    assert files_in(tmp_path) == []


def test_import_planning_read_slower_than_the_timeout_leaves_the_target_unchanged(demo_bundle: Path) -> None:
    with SandboxServer("empty") as target:
        before = target.snapshot()
        target.set_faults(slow_seconds=SLOW_SECONDS)
        target.fail_next(1, "slow", method="GET", path_contains="/environments/all")
        with pytest.raises(RequestTimedOut, match=r"GET /api/.*/environments/all timed out"):
            import_demo(target, demo_bundle, timeout=CLIENT_TIMEOUT)
        assert target.snapshot() == before
        assert {method for method, _ in target.request_log} == {"GET"}
        assert pending_journals() == []


class _AnsweredLate:
    """Signals when the sandbox has finished (and so applied) the first matching request."""

    def __init__(self, server: SandboxServer, method: str, path_contains: str) -> None:
        self.method, self.path_contains = method, path_contains
        self.finished = threading.Event()
        self._respond = server.respond
        server.respond = self.respond  # type: ignore[method-assign]

    def respond(self, method: str, target: str, headers: Any, raw: bytes) -> SandboxAnswer:
        answer = self._respond(method, target, headers, raw)
        if method == self.method and self.path_contains in target:
            self.finished.set()
        return answer


def test_a_write_answered_after_the_timeout_is_adopted_by_the_re_run(
    demo_bundle: Path, clean_import_state: dict[str, Any]
) -> None:
    with SandboxServer("empty") as target:
        target.set_faults(slow_seconds=SLOW_SECONDS)
        target.fail_next(1, "slow", method="POST", path_contains="/projects")
        late = _AnsweredLate(target, "POST", "/projects")
        with pytest.raises(RequestTimedOut, match=r"POST /api/.*/projects timed out"):
            import_demo(target, demo_bundle, timeout=CLIENT_TIMEOUT, concurrency=1)
        assert late.finished.wait(30), "the sandbox never finished the slow write"
        report = import_demo(target, demo_bundle)
        assert report.succeeded
        differences = state_differences(normalised_state(target), clean_import_state)
        assert differences == [], "\n".join(differences)
        assert pending_journals() == []


def test_cli_export_with_a_short_timeout_exits_1_with_one_line(
    source: SandboxServer, tmp_path: Path, in_process_cli: Callable[..., Any]
) -> None:
    source.set_faults(slow_seconds=SLOW_SECONDS)
    source.fail_next(1, "slow", method="GET", path_contains="/projects/all")
    command = export_command(source, tmp_path / "demo.octobundle", "--timeout", str(CLIENT_TIMEOUT))
    result = in_process_cli(source.api_key, *command)
    assert result.returncode == 1
    line = one_error_line(result)
    assert "/projects/all timed out" in line and f"within {CLIENT_TIMEOUT:g} s" in line
    assert files_in(tmp_path) == []

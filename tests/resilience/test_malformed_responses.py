"""A server (or a proxy in front of it) that answers reads with an HTML error page, JSON cut in half, or JSON
labelled as HTML: export and import planning stop with one message naming what was wrong, the CLI exits
non-zero without a traceback, no bundle is written and the import target is left exactly as it was."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from resilience_support import (
    export_command,
    export_demo,
    files_in,
    import_command,
    import_demo,
    one_error_line,
    pending_journals,
)

from octodesk.core.errors import ServerFailure
from octodesk.sandbox import SandboxServer

# What the user is told for each kind of malformed answer.
MALFORMED = [
    pytest.param("html", "the server returned an HTML page instead of an API answer", id="html-error-page"),
    pytest.param("truncated", "the answer is not valid JSON", id="truncated-json"),
    pytest.param("content-type", "the server returned an HTML page instead of JSON", id="wrong-content-type"),
]


@pytest.mark.parametrize(("mode", "told"), MALFORMED)
def test_export_stops_with_one_message_naming_the_malformed_answer(
    source: SandboxServer, tmp_path: Path, mode: str, told: str
) -> None:
    source.fail_next(100, mode, method="GET", path_contains="/channels/all")
    with pytest.raises(ServerFailure) as caught:
        export_demo(source, tmp_path / "demo.octobundle")
    message = str(caught.value)
    assert message.startswith("GET /api/") and "/channels/all" in message
    assert told in message
    assert "\n" not in message and source.api_key not in message
    assert files_in(tmp_path) == []


@pytest.fixture
def target() -> Iterator[SandboxServer]:
    with SandboxServer("empty") as server:
        yield server


@pytest.mark.parametrize(("mode", "told"), MALFORMED)
def test_import_planning_stops_with_one_message_and_the_target_unchanged(
    demo_bundle: Path, target: SandboxServer, mode: str, told: str
) -> None:
    before = target.snapshot()
    target.fail_next(100, mode, method="GET", path_contains="/lifecycles/all")
    with pytest.raises(ServerFailure) as caught:
        import_demo(target, demo_bundle)
    message = str(caught.value)
    assert "/lifecycles/all" in message and told in message and "\n" not in message
    assert target.snapshot() == before
    assert {method for method, _ in target.request_log} == {"GET"}
    assert pending_journals() == []


def test_cli_export_given_an_html_error_page_exits_1_with_one_line(
    source: SandboxServer, tmp_path: Path, in_process_cli: Callable[..., Any]
) -> None:
    source.fail_next(100, "html", method="GET", path_contains="/feeds/all")
    result = in_process_cli(source.api_key, *export_command(source, tmp_path / "demo.octobundle"))
    assert result.returncode == 1
    line = one_error_line(result)
    assert "/feeds/all" in line and "HTML page instead of an API answer" in line
    assert source.api_key not in result.stderr + result.stdout
    assert files_in(tmp_path) == []


def test_cli_import_given_json_labelled_as_html_exits_1_and_changes_nothing(
    demo_bundle: Path, target: SandboxServer, in_process_cli: Callable[..., Any]
) -> None:
    before = target.snapshot()
    target.fail_next(100, "content-type", method="GET", path_contains="/projects/all")
    result = in_process_cli(target.api_key, *import_command(demo_bundle, target))
    assert result.returncode == 1
    line = one_error_line(result)
    assert "/projects/all" in line and "HTML page instead of JSON" in line
    assert target.snapshot() == before
    assert {method for method, _ in target.request_log} == {"GET"}

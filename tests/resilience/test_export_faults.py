"""Export from a source that fails at random: the bundle is complete through retries, or the export fails with
one clear error and leaves nothing under the chosen name — never a half-written bundle."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
import requests
from resilience_support import (
    ACCOUNT_SECRETS,
    CERTIFICATE_SECRETS,
    DEMO_PROJECTS,
    PASSWORD,
    SandboxProcess,
    bundle_contents,
    export_command,
    export_demo,
    files_in,
    one_error_line,
    run_cli,
)

from octodesk.core.bundle import read_bundle
from octodesk.core.errors import ConnectionFailed, OctoDeskError, ServerFailure


@pytest.fixture(scope="module")
def expected(shared_source: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The contents of an export while the source behaves, to compare every faulted export with."""
    reference = tmp_path_factory.mktemp("clean-export") / "clean.octobundle"
    report, _ = export_demo(shared_source, reference)
    assert report.succeeded
    return bundle_contents(reference)


@pytest.mark.parametrize(
    ("fail_rate", "modes"),
    [
        (0.2, {"503", "drop"}),
        (0.2, {"html", "truncated", "content-type"}),  # malformed answers are retried like any failed read
    ],
)
def test_export_at_a_random_fail_rate_is_complete_or_fails_cleanly(
    source: Any, expected: dict[str, Any], tmp_path: Path, fail_rate: float, modes: set[str]
) -> None:
    server = source
    out = tmp_path / "out"
    out.mkdir()
    destination = out / "faulted.octobundle"
    server.set_faults(fail_rate=fail_rate, modes=modes)
    try:
        report, client = export_demo(server, destination)
    except OctoDeskError as error:  # retries ran out on one request: a clean failure is acceptable
        assert "\n" not in str(error) and str(error)
        assert files_in(out) == [], "a failed export must leave no bundle and no temporary file"
        return
    assert report.succeeded
    assert client.waits, "the fault rate should have forced at least one retry"
    assert files_in(out) == ["faulted.octobundle"]
    assert bundle_contents(destination) == expected


@pytest.mark.parametrize(
    ("mode", "error_type", "says"),
    [("503", ServerFailure, "server error (503) after 5 attempts"), ("drop", ConnectionFailed, "dropped")],
)
def test_export_out_of_retries_fails_with_one_message_and_no_file(
    source: Any, tmp_path: Path, mode: str, error_type: type[Exception], says: str
) -> None:
    server = source
    server.fail_next(100, mode, method="GET", path_contains="/deploymentprocesses")
    destination = tmp_path / "demo.octobundle"
    with pytest.raises(error_type) as caught:
        export_demo(server, destination)
    message = str(caught.value)
    assert "/deploymentprocesses" in message and says in message
    assert "\n" not in message and server.api_key not in message
    failed_reads = [path for method, path in server.request_log if "/deploymentprocesses" in path]
    assert len(failed_reads) == 5  # the first try and the four retries the client allows
    assert files_in(tmp_path) == []


def test_a_failed_export_leaves_the_previous_bundle_untouched(source: Any, tmp_path: Path) -> None:
    server = source
    destination = tmp_path / "demo.octobundle"
    export_demo(server, destination)
    before = destination.read_bytes()
    server.fail_next(100, "503", method="GET", path_contains="/tenantvariables", retry_after=0)
    with pytest.raises(ServerFailure):
        export_demo(server, destination)
    assert destination.read_bytes() == before
    assert files_in(tmp_path) == ["demo.octobundle"]


def test_cli_export_through_transient_faults_writes_the_complete_bundle(
    source: Any, expected: dict[str, Any], tmp_path: Path
) -> None:
    server = source
    server.fail_next(2, "503", method="GET", path_contains="/projects/all", retry_after=0)
    server.fail_next(1, "drop", method="GET", path_contains="/variables")
    server.fail_next(1, "429", method="GET", path_contains="/tenants/all", retry_after=0)
    destination = tmp_path / "cli.octobundle"
    secrets_file = tmp_path / "secrets.json"
    secrets_file.write_text(json.dumps({**CERTIFICATE_SECRETS, **ACCOUNT_SECRETS}))
    command = export_command(server, destination, "--secrets-file", str(secrets_file))
    result = run_cli(*command, cwd=tmp_path, api_key=server.api_key)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert bundle_contents(destination) == expected
    retried = [path for _, path in server.request_log if "/projects/all" in path]
    assert len(retried) == 3


def test_cli_export_out_of_retries_is_one_line_exit_1_and_no_file(source: Any, tmp_path: Path) -> None:
    server = source
    server.fail_next(100, "503", method="GET", path_contains="/libraryvariablesets", retry_after=0)
    out = tmp_path / "out"
    out.mkdir()
    result = run_cli(*export_command(server, out / "demo.octobundle"), cwd=tmp_path, api_key=server.api_key)
    assert result.returncode == 1
    line = one_error_line(result)
    assert "/libraryvariablesets" in line and "503" in line and "after 5 attempts" in line
    assert server.api_key not in result.stderr + result.stdout
    assert files_in(out) == []


@pytest.mark.skipif(sys.platform == "win32", reason="the file size limit (RLIMIT_FSIZE) is POSIX")
def test_cli_export_onto_a_full_disk_keeps_the_previous_bundle_and_leaves_no_temp_file(
    source: Any, tmp_path: Path
) -> None:
    destination = tmp_path / "demo.octobundle"
    export_demo(source, destination)
    before = destination.read_bytes()
    # the child may write at most a third of a bundle: the disk fills up part-way through the write
    result = run_cli(
        *export_command(source, destination),
        cwd=tmp_path,
        api_key=source.api_key,
        max_file_bytes=len(before) // 3,
    )
    assert result.returncode == 1
    line = one_error_line(result)
    assert "Cannot write the bundle" in line and str(destination) in line
    assert destination.read_bytes() == before
    assert files_in(tmp_path) == ["demo.octobundle"]


def test_export_from_octodesk_sandbox_started_with_fail_rate(
    expected: dict[str, Any], tmp_path: Path
) -> None:
    """Both sides as a user runs them: ``octodesk sandbox --fail-rate`` and ``octodesk export``."""
    with SandboxProcess("--data", "demo", "--fail-rate", "0.1", cwd=tmp_path) as sandbox:
        with requests.Session() as probe:  # raw requests, no retries: the flag must really inject faults
            statuses = [_status(probe, f"{sandbox.url}/api/spaces/all", sandbox.api_key) for _ in range(40)]
        assert statuses.count(200) < 40 and set(statuses) <= {200, 503, "dropped"}, statuses
        out = tmp_path / "out"
        out.mkdir()
        result = run_cli(
            *export_command(sandbox, out / "demo.octobundle"), cwd=tmp_path, api_key=sandbox.api_key
        )
    assert sandbox.api_key not in result.stdout + result.stderr
    if result.returncode != 0:
        assert result.returncode == 1
        one_error_line(result)
        assert files_in(out) == []
        return
    assert "Traceback" not in result.stderr
    manifest = read_bundle(out / "demo.octobundle", PASSWORD).manifest
    assert manifest["projects"] == DEMO_PROJECTS
    assert manifest["counts"] == expected["counts"]  # every resource a clean demo export carries


def _status(session: requests.Session, url: str, api_key: str) -> int | str:
    try:
        return session.get(url, headers={"X-Octopus-ApiKey": api_key}, timeout=30).status_code
    except requests.ConnectionError:
        return "dropped"

"""`octodesk sandbox`: prints its URL and API key, serves, and stops cleanly with exit status 0."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests
from cli_process import SOURCE_COMMAND, child_env, start_sandbox

from octodesk.cli import build_parser
from octodesk.commands import sandbox as sandbox_command


def test_run_prints_url_and_key_serves_and_returns_zero(capsys: pytest.CaptureFixture[str]) -> None:
    args = build_parser().parse_args(
        [
            "sandbox",
            "--data",
            "empty",
            "--api-key",
            "API-FIXEDKEY",
            "--hosting",
            "cloud",
            "--version",
            "2025.1.1",
        ]
    )
    stop = threading.Event()
    result: list[int] = []
    runner = threading.Thread(target=lambda: result.append(sandbox_command.run(args, stop)))
    runner.start()
    try:
        printed = ""
        while "API key" not in printed:  # the command prints the URL first, then the key
            printed += capsys.readouterr().out
            runner.join(0.05)
            assert runner.is_alive(), "the sandbox command ended early"
        url = next(word for word in printed.split() if word.startswith("http://127.0.0.1:"))
        assert "API key: API-FIXEDKEY" in printed
        root = requests.get(url + "/api", headers={"X-Octopus-ApiKey": "API-FIXEDKEY"}, timeout=10).json()
        assert root["Version"] == "2025.1.1"
        status = requests.get(
            url + "/api/licenses/licenses-current-status",
            headers={"X-Octopus-ApiKey": "API-FIXEDKEY"},
            timeout=10,
        ).json()
        assert status["HostingEnvironment"] == "OctopusCloud"
    finally:
        stop.set()
        runner.join(10)
    assert result == [0]


def test_a_version_that_is_not_one_is_one_clear_error() -> None:
    args = build_parser().parse_args(["sandbox", "--data", "empty", "--version", "newest"])
    with pytest.raises(sandbox_command.SandboxStartFailed, match="not an Octopus Server version"):
        sandbox_command.run(args)


def test_unknown_dataset_is_one_clear_error() -> None:
    args = build_parser().parse_args(["sandbox", "--data", "no-such-dataset"])
    with pytest.raises(sandbox_command.SandboxStartFailed, match="no-such-dataset"):
        sandbox_command.run(args)


def test_large_with_a_bad_project_count_is_one_clear_error() -> None:
    args = build_parser().parse_args(["sandbox", "--data", "large:many"])
    with pytest.raises(sandbox_command.SandboxStartFailed, match="'large:many': give the number of projects"):
        sandbox_command.run(args)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child is POSIX-only")
def test_ctrl_c_stops_the_process_with_status_zero() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    child = subprocess.Popen(
        [sys.executable, "-m", "octodesk", "sandbox", "--data", "empty"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert child.stdout is not None
        lines = [child.stdout.readline() for _ in range(3)]
        url = lines[1].split()[-1]
        key = lines[2].split()[-1]
        assert (
            requests.get(url + "/api/spaces", headers={"X-Octopus-ApiKey": key}, timeout=10).status_code
            == 200
        )
        child.send_signal(signal.SIGINT)
        assert child.wait(timeout=20) == 0
        assert "Traceback" not in (child.stderr.read() if child.stderr else "")
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM to a child is POSIX-only")
def test_sigterm_stops_like_ctrl_c_and_removes_the_package_folder(tmp_path: Path) -> None:
    """A service manager or ``kill`` sends SIGTERM: the sandbox must still remove its package files (the
    demo dataset puts real packages in a temp folder) and exit 0, as it does on Ctrl+C."""
    sandbox = start_sandbox(
        SOURCE_COMMAND, "--data", "demo", env=child_env({"TMPDIR": str(tmp_path)}), cwd=tmp_path
    )
    try:
        folders = list(tmp_path.glob("octodesk-sandbox-packages-*"))
        assert len(folders) == 1 and any(folders[0].rglob("*.zip")), "the demo packages are on disk"
        assert sandbox.child.terminate() == 0
    finally:
        sandbox.child.kill()
    assert list(tmp_path.glob("octodesk-sandbox-packages-*")) == []
    assert "Traceback" not in sandbox.child.stderr


def test_a_rate_limit_on_a_server_without_a_rate_limiter_is_one_clear_error() -> None:
    parse = build_parser().parse_args
    args = parse(["sandbox", "--data", "empty", "--version", "2025.2", "--rate-limit", "200"])
    refused = r"has no rate limiter: it arrived in 2026\.3"
    with pytest.raises(sandbox_command.SandboxStartFailed, match=refused):
        sandbox_command.run(args)
    bad = parse(["sandbox", "--data", "empty", "--version", "2026.3", "--rate-limit", "lots"])
    with pytest.raises(sandbox_command.SandboxStartFailed, match="PER_MINUTE"):
        sandbox_command.run(bad)

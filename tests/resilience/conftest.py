"""Fixtures of the resilience tests: one demo bundle and the target state of its clean import, per session."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from resilience_support import export_demo, import_demo, normalised_state, run_main_without_backoff

from octodesk.sandbox import SandboxServer


@pytest.fixture(scope="session")
def demo_bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("resilience-bundle") / "demo.octobundle"
    with SandboxServer("demo") as source:
        report, _ = export_demo(source, path)
    assert report.succeeded
    yield path


@pytest.fixture(scope="session")
def clean_import_state(demo_bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What the demo bundle becomes in a fresh empty sandbox when nothing goes wrong (ids ignored)."""
    with pytest.MonkeyPatch.context() as patch:  # session scope: the per-test folder isolation is not active
        patch.setenv("OCTODESK_JOURNAL_DIR", str(tmp_path_factory.mktemp("clean-journals")))
        with SandboxServer("empty") as target:
            report = import_demo(target, demo_bundle)
            assert report.succeeded
            return normalised_state(target)


@pytest.fixture(scope="session")
def shared_source() -> Iterator[SandboxServer]:
    """One demo source for the session: exports and plans only read it, so it is shared to stay fast."""
    with SandboxServer("demo") as server:
        yield server


@pytest.fixture
def source(shared_source: SandboxServer) -> Iterator[SandboxServer]:
    """The shared demo source with a clean request log, and no fault left behind for the next test."""
    shared_source.reset_counters()
    yield shared_source
    shared_source.faults.clear()
    shared_source.set_faults(fail_rate=0.0, slow_seconds=2.0)


InProcessCli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def in_process_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> InProcessCli:
    """``in_process_cli(api_key, *args)``: the CLI's entry point in this process, back-off waits zeroed."""

    def run(api_key: str, *args: str) -> subprocess.CompletedProcess[str]:
        return run_main_without_backoff(*args, api_key=api_key, monkeypatch=monkeypatch, capsys=capsys)

    return run

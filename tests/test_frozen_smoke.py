"""Smoke test of the frozen (PyInstaller) app: build it, then use it the way a user would.

Slow, so it only runs when asked for: ``make frozen-smoke`` (``pytest -m slow tests/test_frozen_smoke.py``).
Set OCTODESK_FROZEN_APP=/path/to/dist/octodesk/octodesk to test an existing build instead of building.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_process import ChildProcess, SandboxProcess, child_env, run, start_sandbox

import octodesk

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

ROOT = Path(__file__).resolve().parent.parent
BUILD_SCRIPT = ROOT / "installer" / "build.py"
PASSWORD = "frozen smoke test password"


@pytest.fixture(scope="module", autouse=True)
def only_when_asked_for(request: pytest.FixtureRequest) -> None:
    """Skipped by default: building takes minutes. ``-m slow`` (or OCTODESK_FROZEN_SMOKE=1) runs it."""
    markexpr = str(request.config.getoption("markexpr") or "")
    asked = "slow" in markexpr and "not slow" not in markexpr
    if not asked and os.environ.get("OCTODESK_FROZEN_SMOKE") != "1":
        pytest.skip("slow frozen-build smoke test: run it with `make frozen-smoke` (pytest -m slow)")


@pytest.fixture(scope="module")
def frozen_app(only_when_asked_for: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    existing = os.environ.get("OCTODESK_FROZEN_APP")
    if existing:
        app = Path(existing)
        assert app.is_file(), f"OCTODESK_FROZEN_APP={existing} is not a file"
        return app
    pytest.importorskip("PyInstaller", reason="PyInstaller is not installed: pip install -e '.[installer]'")
    dist = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [
            sys.executable,
            str(BUILD_SCRIPT),
            "--dist",
            str(dist),
            "--work",
            str(ROOT / "build" / "pyinstaller"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1500,
        check=False,
    )
    assert result.returncode == 0, f"build failed:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}"
    print(result.stdout)  # build time, folder and size, shown with -s
    app = dist / "octodesk" / ("octodesk.exe" if sys.platform == "win32" else "octodesk")
    assert app.is_file()
    return app


@pytest.fixture
def sandboxes(frozen_app: Path, tmp_path: Path) -> Iterator[tuple[SandboxProcess, SandboxProcess]]:
    """A demo source and an empty target, each served by the frozen app's own ``sandbox`` command."""
    env = child_env()
    started: list[SandboxProcess] = []
    try:
        started.append(start_sandbox([str(frozen_app)], "--data", "demo", env=env, cwd=tmp_path))
        started.append(start_sandbox([str(frozen_app)], "--data", "empty", env=env, cwd=tmp_path))
        yield started[0], started[1]
    finally:
        for sandbox in started:
            exit_code = sandbox.child.interrupt()
            assert exit_code == 0, f"sandbox exit {exit_code}: {sandbox.child.stderr}"
            assert "Traceback" not in sandbox.child.stderr


def first_space_with_projects(server: SandboxProcess) -> tuple[str, list[str]]:
    from octodesk.core.octopus.client import OctopusClient

    with OctopusClient(server.url, server.api_key) as client:
        for space in client.list_spaces():
            projects = client.get_all(f"/api/{space['Id']}/projects")
            usable = [p["Name"] for p in projects if not p.get("IsVersionControlled")]
            if usable:
                return str(space["Name"]), usable
    raise AssertionError("the demo dataset has no exportable project")


def target_projects(server: SandboxProcess, space_name: str) -> list[str]:
    from octodesk.core.octopus.client import OctopusClient

    with OctopusClient(server.url, server.api_key) as client:
        space = client.resolve_space(space_name)
        return sorted(p["Name"] for p in client.get_all(f"/api/{space['Id']}/projects"))


def test_frozen_app_reports_its_version(frozen_app: Path, tmp_path: Path) -> None:
    result = run([str(frozen_app), "--version"], env=child_env(), cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"octodesk {octodesk.__version__}"


def test_frozen_app_exports_and_imports_a_project(
    frozen_app: Path, sandboxes: tuple[SandboxProcess, SandboxProcess], tmp_path: Path
) -> None:
    source, target = sandboxes
    space, projects = first_space_with_projects(source)
    target_space = first_target_space(target)
    project = projects[0]
    bundle = tmp_path / "smoke.octobundle"

    exported = run(
        [
            str(frozen_app),
            "export",
            "--server",
            source.url,
            "--space",
            space,
            "--project",
            project,
            "--output",
            str(bundle),
            "--report",
            str(tmp_path / "export.json"),
        ],
        env=child_env({"OCTOPUS_API_KEY": source.api_key, "OCTODESK_PASSWORD": PASSWORD}),
        cwd=tmp_path,
    )
    assert exported.returncode == 0, exported.stderr
    assert bundle.is_file()

    inspected = run(
        [str(frozen_app), "inspect", str(bundle)],
        env=child_env({"OCTODESK_PASSWORD": PASSWORD}),
        cwd=tmp_path,
    )
    assert inspected.returncode == 0, inspected.stderr
    assert project in inspected.stdout

    imported = run(
        [
            str(frozen_app),
            "import",
            str(bundle),
            "--server",
            target.url,
            "--space",
            target_space,
            "--report",
            str(tmp_path / "import.json"),
            "--placeholder-secrets",  # the demo's AWS account: its secret key never leaves the source
        ],
        env=child_env({"OCTOPUS_API_KEY": target.api_key, "OCTODESK_PASSWORD": PASSWORD}),
        cwd=tmp_path,
    )
    assert imported.returncode == 0, imported.stderr
    assert project in target_projects(target, target_space)


def first_target_space(server: SandboxProcess) -> str:
    from octodesk.core.octopus.client import OctopusClient

    with OctopusClient(server.url, server.api_key) as client:
        spaces: list[dict[str, Any]] = client.list_spaces()
    assert spaces, "the empty dataset has no space to import into"
    return str(spaces[0]["Name"])


def test_frozen_desktop_app_starts_offscreen_and_closes_cleanly(frozen_app: Path, tmp_path: Path) -> None:
    """`gui --sandbox` comes up (Qt plugins, qasync, resources, embedded sandboxes); SIGTERM exits 0."""
    child = ChildProcess.start(
        [str(frozen_app), "-v", "gui", "--sandbox"],
        # QT_API names a binding that is not bundled: the runtime hook must pin PySide6 regardless
        env=child_env({"QT_QPA_PLATFORM": "offscreen", "QT_API": "pyqt5"}),
        cwd=tmp_path,
    )
    try:
        child.wait_for_stderr(rf"OctoDesk {re.escape(octodesk.__version__)} started")
        child.wait_for_stderr(r"Source: http://127\.0\.0\.1:\d+")  # the demo sandbox is connected
    finally:
        exit_code = child.terminate()
    assert exit_code == 0, child.stderr[-5000:]
    assert "Traceback" not in child.stderr
    assert "internal error" not in child.stderr
    log_files = list(Path(os.environ["OCTODESK_LOG_DIR"]).glob("*.log"))
    assert log_files, "the desktop app wrote no log file"

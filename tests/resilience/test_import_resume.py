"""An import stopped part-way — a write that failed, lost its answer, or a process killed mid-request — then
run again completes with no duplicates and nothing lost: the WHOLE target state equals that of a clean import
of the same bundle into a fresh sandbox (compared by names and documents, ids ignored)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from resilience_support import (
    PASSWORD,
    SECRET_ENV_VARS,
    SandboxAnswer,
    client_for,
    import_command,
    import_demo,
    normalised_state,
    one_error_line,
    pending_journals,
    run_cli,
    state_differences,
)

from octodesk.core.apply import apply_plan
from octodesk.core.cancel import CancelToken
from octodesk.core.errors import Cancelled, OctoDeskError
from octodesk.core.plan import ImportOptions, plan_import
from octodesk.core.progress import Progress
from octodesk.sandbox import SandboxServer


def assert_matches_clean_import(target: SandboxServer, clean: dict[str, Any]) -> None:
    differences = state_differences(normalised_state(target), clean)
    assert differences == [], "the target differs from a clean import:\n" + "\n".join(differences)
    assert pending_journals() == [], "a finished import leaves nothing to resume"


def interrupt(target: SandboxServer, bundle: Path, clean: dict[str, Any]) -> OctoDeskError:
    """Run the import that is expected to stop part-way; check it stopped with work done and work left."""
    empty = normalised_state(target)
    with pytest.raises(OctoDeskError) as stopped:
        import_demo(target, bundle)
    partial = normalised_state(target)
    assert partial != empty, "the fault should strike after some objects were written"
    assert state_differences(partial, clean), "the fault should strike before the import finished"
    assert len(pending_journals()) == 1
    return stopped.value


@pytest.mark.parametrize(
    ("mode", "method", "path_contains"),
    [
        ("drop", "PUT", "/deploymentprocesses/"),  # a project's process lost in the middle of the projects
        ("content-type", "POST", "/tenants"),  # applied by the server, but the answer is unreadable
        ("truncated", "POST", "/runbooks"),  # applied, answer cut in half
        ("html", "PUT", "/tenants/"),  # a proxy's error page instead of the tenant variables' answer
    ],
)
def test_import_stopped_by_a_failed_write_resumes_to_the_clean_state(
    demo_bundle: Path, clean_import_state: dict[str, Any], mode: str, method: str, path_contains: str
) -> None:
    with SandboxServer("empty") as target:
        target.fail_next(1, mode, method=method, path_contains=path_contains)
        error = interrupt(target, demo_bundle, clean_import_state)
        assert path_contains.strip("/") in str(error) and "\n" not in str(error)
        report = import_demo(target, demo_bundle)
        assert report.succeeded
        assert_matches_clean_import(target, clean_import_state)


def test_import_stopped_twice_at_different_points_resumes_to_the_clean_state(
    demo_bundle: Path, clean_import_state: dict[str, Any]
) -> None:
    with SandboxServer("empty") as target:
        target.fail_next(1, "drop", method="POST", path_contains="/projects")
        interrupt(target, demo_bundle, clean_import_state)
        half_done = target.snapshot()
        with client_for(target) as client:  # the preview a user would ask for before resuming
            preview = plan_import(demo_bundle, PASSWORD, client, "Default", ImportOptions())
        assert not preview.refused, preview.refusals  # its own half-created objects are not "already there"
        assert target.snapshot() == half_done
        target.fail_next(1, "503", method="PUT", path_contains="/variables/variableset-Projects")
        with pytest.raises(OctoDeskError):
            import_demo(target, demo_bundle)
        assert len(pending_journals()) == 1
        assert import_demo(target, demo_bundle).succeeded
        assert_matches_clean_import(target, clean_import_state)


def test_import_against_a_target_failing_at_random_completes_over_re_runs(
    demo_bundle: Path, clean_import_state: dict[str, Any]
) -> None:
    """Writes fail at random (some applied with their answer lost); the user runs the import again until it
    finishes. Every run makes progress, and the end state is exactly a clean import's."""
    with SandboxServer("empty", fault_seed=7) as target:
        target.set_faults(fail_rate=0.08, modes={"503", "drop", "truncated", "content-type"})
        failures: list[str] = []
        for _ in range(15):
            try:
                report = import_demo(target, demo_bundle)
            except OctoDeskError as error:
                failures.append(str(error))
                continue
            break
        else:
            pytest.fail(f"the import did not finish in 15 runs; failures: {failures}")
        target.set_faults(fail_rate=0.0)
        assert report.succeeded
        assert failures, "the fault rate should have stopped at least one run"
        assert all("\n" not in failure for failure in failures)
        assert_matches_clean_import(target, clean_import_state)


def test_writes_refused_by_rate_limiting_are_sent_again_without_duplicates(
    demo_bundle: Path, clean_import_state: dict[str, Any]
) -> None:
    """A 429 means the server did not process the write, so the client sends it again: one run suffices."""
    with SandboxServer("empty") as target:
        target.fail_next(2, "429", method="POST", path_contains="/projects", retry_after=0)
        target.fail_next(1, "429", method="PUT", path_contains="/deploymentprocesses/", retry_after=0)
        assert import_demo(target, demo_bundle).succeeded
        project_posts = [p for m, p in target.request_log if m == "POST" and p.endswith("/projects")]
        assert len(project_posts) == 4 + 2  # four projects, two of them sent twice
        assert_matches_clean_import(target, clean_import_state)


def test_import_stopped_by_a_read_failing_after_writes_began_resumes(
    demo_bundle: Path, clean_import_state: dict[str, Any]
) -> None:
    """Reads during apply (a project's channels) fail until the retries run out; the server then recovers."""
    with SandboxServer("empty") as target:
        target.fail_next(100, "503", method="GET", path_contains="/channels", retry_after=0)
        error = interrupt(target, demo_bundle, clean_import_state)
        assert "/channels" in str(error) and "after 5 attempts" in str(error)
        target.faults.clear()
        assert import_demo(target, demo_bundle).succeeded
        assert_matches_clean_import(target, clean_import_state)


@pytest.fixture(scope="session")
def clean_cloud_import_state(demo_bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OCTODESK_JOURNAL_DIR", str(tmp_path_factory.mktemp("clean-cloud-journals")))
        with SandboxServer("empty", hosting="cloud") as target:
            assert import_demo(target, demo_bundle).succeeded
            return normalised_state(target)


def test_cloud_target_import_with_conversions_resumes_to_the_clean_state(
    demo_bundle: Path, clean_cloud_import_state: dict[str, Any]
) -> None:
    """Self-hosted to Cloud converts run-on-server steps to the default worker pool (Database Migrations);
    every deployment process PUT is applied but answered with a cut-short body, so the re-run redoes them,
    conversion included."""
    with SandboxServer("empty", hosting="cloud") as target:
        target.fail_next(4, "truncated", method="PUT", path_contains="/deploymentprocesses/")
        interrupt(target, demo_bundle, clean_cloud_import_state)
        assert import_demo(target, demo_bundle).succeeded
        assert_matches_clean_import(target, clean_cloud_import_state)


@pytest.mark.parametrize("stop_at", ["Environment", "Tenant"])
def test_import_cancelled_at_each_level_then_re_run_gives_the_clean_state(
    demo_bundle: Path, clean_import_state: dict[str, Any], stop_at: str
) -> None:
    """The user presses Cancel while the first shared resources, or the last level (tenants), are written."""
    with SandboxServer("empty") as target:
        cancel = CancelToken()

        def progress(update: Progress) -> None:
            if update.phase == "apply" and update.kind == stop_at:
                cancel.cancel()

        with client_for(target, cancel=cancel) as client:
            plan = plan_import(demo_bundle, PASSWORD, client, "Default", ImportOptions())
            with pytest.raises(Cancelled):
                apply_plan(plan, client, progress, cancel)
        assert state_differences(normalised_state(target), clean_import_state)
        assert len(pending_journals()) == 1
        assert import_demo(target, demo_bundle).succeeded
        assert_matches_clean_import(target, clean_import_state)


class _CrashPoint:
    """Holds the first matching request inside the sandbox, so a test can kill the client process while
    that request is in flight; ``apply_first`` decides whether the server had already applied it."""

    def __init__(self, target: SandboxServer, method: str, path_contains: str, apply_first: bool) -> None:
        self.method, self.path_contains, self.apply_first = method, path_contains, apply_first
        self.arrived = threading.Event()
        self.release = threading.Event()
        self._respond = target.respond
        self._lock = threading.Lock()
        target.respond = self.respond  # type: ignore[method-assign]

    def respond(self, method: str, target: str, headers: Any, raw: bytes) -> SandboxAnswer:
        with self._lock:
            hold = not self.arrived.is_set() and method == self.method and self.path_contains in target
            if hold:
                self.arrived.set()
        if not hold:
            return self._respond(method, target, headers, raw)
        answer = self._respond(method, target, headers, raw) if self.apply_first else (None, None)
        self.release.wait(60)
        return answer


@pytest.mark.parametrize("applied", [False, True], ids=["killed-before-the-write", "killed-after-the-write"])
def test_cli_import_killed_mid_request_resumes_on_the_next_run(
    demo_bundle: Path, clean_import_state: dict[str, Any], tmp_path: Path, applied: bool
) -> None:
    with SandboxServer("empty") as target:
        crash = _CrashPoint(target, "PUT", "/deploymentprocesses/", apply_first=applied)
        command = import_command(demo_bundle, target)
        env = {key: value for key, value in os.environ.items() if key not in SECRET_ENV_VARS}
        env.update({"OCTOPUS_API_KEY": target.api_key, "OCTODESK_PASSWORD": PASSWORD})
        child = subprocess.Popen(
            [sys.executable, "-m", "octodesk", *command],
            cwd=tmp_path,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert crash.arrived.wait(90), "the import never reached a deployment process"
            child.send_signal(signal.SIGKILL)  # a crash: no clean-up code runs
            child.wait(30)
        finally:
            crash.release.set()
            if child.poll() is None:
                child.kill()
                child.wait()
        assert len(pending_journals()) == 1
        result = run_cli(*command, cwd=tmp_path, api_key=target.api_key)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        assert_matches_clean_import(target, clean_import_state)


def test_cli_import_stopped_by_a_dropped_write_is_one_line_then_resumes(
    demo_bundle: Path, clean_import_state: dict[str, Any], tmp_path: Path
) -> None:
    with SandboxServer("empty") as target:
        target.fail_next(1, "drop", method="POST", path_contains="/channels")
        command = import_command(demo_bundle, target)
        first = run_cli(*command, cwd=tmp_path, api_key=target.api_key)
        assert first.returncode == 1
        line = one_error_line(first)
        assert "POST" in line and "/channels" in line and "dropped" in line
        assert target.api_key not in first.stderr + first.stdout
        second = run_cli(*command, cwd=tmp_path, api_key=target.api_key)
        assert second.returncode == 0, second.stderr
        assert_matches_clean_import(target, clean_import_state)


def test_re_run_after_the_user_deleted_the_half_imported_projects_restores_everything(
    demo_bundle: Path, clean_import_state: dict[str, Any]
) -> None:
    with SandboxServer("empty") as target:
        # all three tenant creations fail: every project is complete, no tenant exists yet
        target.fail_next(3, "503", method="POST", path_contains="/tenants")
        interrupt(target, demo_bundle, clean_import_state)
        space = target.space_id("Default")
        with client_for(target) as client:
            for project in client.get_all(f"/api/{space}/projects/all"):
                client.delete(f"/api/{space}/projects/{project['Id']}")
        report = import_demo(target, demo_bundle)
        assert report.succeeded
        assert_matches_clean_import(target, clean_import_state)


@pytest.mark.skipif(sys.platform == "win32", reason="the file size limit (RLIMIT_FSIZE) is POSIX")
def test_import_whose_journal_hits_a_full_disk_stops_cleanly_and_resumes(
    demo_bundle: Path, clean_import_state: dict[str, Any], tmp_path: Path
) -> None:
    """The journal is the only file an import writes; when the disk fills the import must stop (it could no
    longer resume) and the re-run, with space again, must finish from the torn journal."""
    with SandboxServer("empty") as target:
        command = import_command(demo_bundle, target)
        first = run_cli(*command, cwd=tmp_path, api_key=target.api_key, max_file_bytes=1500)
        assert first.returncode == 1
        assert "Traceback" not in first.stderr
        assert len([line for line in first.stderr.splitlines() if line.startswith("octodesk:")]) == 1
        assert [path.stat().st_size for path in pending_journals()] == [1500]
        second = run_cli(*command, cwd=tmp_path, api_key=target.api_key)
        assert second.returncode == 0, second.stderr
        assert_matches_clean_import(target, clean_import_state)


@pytest.mark.skipif(sys.platform == "win32", reason="the file size limit (RLIMIT_FSIZE) is POSIX")
def test_a_journal_that_cannot_be_written_is_a_clear_error(demo_bundle: Path, tmp_path: Path) -> None:
    with SandboxServer("empty") as target:
        result = run_cli(
            *import_command(demo_bundle, target), cwd=tmp_path, api_key=target.api_key, max_file_bytes=1500
        )
        assert result.returncode == 1
        line = one_error_line(result)  # refuses "internal error"
        assert "journal" in line.lower() or str(pending_journals()[0]) in line

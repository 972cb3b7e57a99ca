"""Imports that cannot start leave the target untouched; imports stopped half way continue when re-run."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from import_support import PASSWORD, client_for, export_demo, import_into, named, one, space_docs

from octodesk.core.apply import apply_plan
from octodesk.core.cancel import CancelToken
from octodesk.core.errors import BundleDamaged, Cancelled, ImportRefused, ServerError, WrongPassword
from octodesk.core.paths import journal_dir
from octodesk.core.plan import plan_import
from octodesk.core.progress import Progress
from octodesk.sandbox import SandboxServer


@pytest.fixture(scope="module")
def bundle_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with SandboxServer("demo") as source:
        yield export_demo(source, tmp_path_factory.mktemp("bundle") / "demo.octobundle")


def _duplicates(server: SandboxServer) -> list[tuple[str, str, str]]:
    """(route, owner, name) that occur more than once in the target: what a non-resumable import leaves."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for route, documents in server.snapshot()["documents"].items():
        for doc in documents.values():
            if "Name" in doc:
                owner = str(doc.get("ProjectId") or doc.get("SpaceId") or "")
                counts[(route, owner, str(doc["Name"]).casefold())] += 1
    return [key for key, count in counts.items() if count > 1]


def _assert_complete(target: SandboxServer) -> None:
    for project in ("Web Portal", "Billing API", "Database Migrations", "Release Orchestrator"):
        assert len(named(target, "projects", project)) == 1
    portal = one(target, "projects", "Web Portal")
    channels = sorted(c["Name"] for c in space_docs(target, "channels") if c["ProjectId"] == portal["Id"])
    assert channels == ["Default", "Hotfix"]
    variables = target.snapshot()["documents"]["variables"][portal["VariableSetId"]]["Variables"]
    assert len(variables) > 5
    assert _duplicates(target) == []
    assert list(journal_dir().glob("import-*.jsonl")) == []  # finished: nothing left to resume


def test_wrong_password_is_refused_before_any_request(bundle_path: Path) -> None:
    with SandboxServer("empty") as target:
        before = target.snapshot()
        target.reset_counters()
        with client_for(target) as client, pytest.raises(WrongPassword):
            plan_import(bundle_path, "not the password", client, "Default")
        assert target.request_count == 0
        assert target.snapshot() == before


def test_a_damaged_bundle_is_refused_and_the_target_unchanged(bundle_path: Path, tmp_path: Path) -> None:
    data = bytearray(bundle_path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged = tmp_path / "damaged.octobundle"
    damaged.write_bytes(bytes(data))
    with SandboxServer("empty") as target:
        before = target.snapshot()
        target.reset_counters()
        with pytest.raises((BundleDamaged, WrongPassword)):
            import_into(target, damaged)
        assert target.request_count == 0
        assert target.snapshot() == before


def test_an_older_target_version_is_refused_and_the_target_unchanged(bundle_path: Path) -> None:
    with SandboxServer("empty", version="2021.1.7000") as target:
        before = target.snapshot()
        with pytest.raises(ImportRefused) as refused:
            import_into(target, bundle_path)
        assert "2021.2.4488" in str(refused.value) and "2021.1.7000" in str(refused.value)
        assert target.snapshot() == before
        assert all(method == "GET" for method, _ in target.request_log)


def test_import_stopped_by_a_failed_write_continues_without_duplicates(bundle_path: Path) -> None:
    with SandboxServer("empty") as target:
        target.fail_next(1, "503", method="POST", path_contains="/channels")
        with pytest.raises(ServerError, match="503"):
            import_into(target, bundle_path)
        assert len(list(journal_dir().glob("import-*.jsonl"))) == 1
        half_done = named(target, "projects", "Web Portal") + named(target, "projects", "Billing API")
        assert half_done, "the failure should strike after projects were created"
        report = import_into(target, bundle_path)
        assert report.succeeded and report.details["resumed"]
        _assert_complete(target)


def test_a_create_whose_answer_was_lost_is_recognised_as_our_own(bundle_path: Path) -> None:
    """The server created the project but the answer never arrived: the re-run adopts it."""
    with SandboxServer("empty") as target:
        target.fail_next(1, "truncated", method="POST", path_contains="/projects")
        with pytest.raises(ServerError):
            import_into(target, bundle_path, concurrency=1)
        report = import_into(target, bundle_path)
        assert report.succeeded
        assert any("answer was lost" in warning for warning in report.warnings)
        _assert_complete(target)


def test_cancel_mid_import_then_rerun_completes(bundle_path: Path) -> None:
    with SandboxServer("empty") as target:
        cancel = CancelToken()
        seen: list[Progress] = []

        def progress(update: Progress) -> None:
            seen.append(update)
            if update.kind == "Project":
                cancel.cancel()

        with client_for(target) as client:
            plan = plan_import(bundle_path, PASSWORD, client, "Default")
            with pytest.raises(Cancelled):
                apply_plan(plan, client, progress, cancel)
        assert named(target, "projects", "Web Portal") or named(target, "projects", "Billing API")
        report = import_into(target, bundle_path)
        assert report.succeeded
        _assert_complete(target)


def test_failed_import_report_is_not_needed_to_resume(bundle_path: Path, monkeypatch: Any) -> None:
    """The journal alone carries the state: a new process (fresh client, fresh plan) resumes."""
    with SandboxServer("empty") as target:
        target.fail_next(1, "503", method="PUT", path_contains="/variables/")
        with pytest.raises(ServerError):
            import_into(target, bundle_path)
        import_into(target, bundle_path)
        _assert_complete(target)

"""The import journal survives a restart and is keyed by bundle, server and space."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from octodesk.core import journal as journal_module
from octodesk.core.journal import Journal, bundle_fingerprint


def test_writes_survive_a_restart_and_complete_removes_the_file() -> None:
    journal = Journal.for_import("abc", "https://octo.example.com/", "Default")
    journal.begin("Project", "Projects-1", "Web Portal")
    journal.record("Environment", "Environments-1", "Environments-77", "Production")
    journal.mark_done("process:Projects-1")

    reopened = Journal.for_import("abc", "https://octo.example.com", "Default")
    assert reopened.exists
    pending = reopened.entry("Project", "Projects-1")
    assert pending is not None and pending.target_id is None and pending.name == "Web Portal"
    assert reopened.target_id("Environment", "Environments-1") == "Environments-77"
    assert reopened.is_done("process:Projects-1")
    assert not reopened.is_done("process:Projects-2")

    reopened.complete()
    assert not reopened.path.exists()
    assert not Journal.for_import("abc", "https://octo.example.com", "Default").exists


def test_a_different_space_or_bundle_has_its_own_journal() -> None:
    first = Journal.for_import("abc", "https://octo.example.com", "Default")
    first.record("Environment", "Environments-1", "Environments-77")
    assert not Journal.for_import("abc", "https://octo.example.com", "Other").exists
    assert not Journal.for_import("abd", "https://octo.example.com", "Default").exists


def test_record_after_begin_keeps_the_name(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.jsonl")
    journal.begin("Tenant", "Tenants-3", "Contoso")
    journal.record("Tenant", "Tenants-3", "Tenants-90")
    entries = Journal(tmp_path / "j.jsonl").entries("Tenant")
    assert [(e.source_id, e.name, e.target_id) for e in entries] == [("Tenants-3", "Contoso", "Tenants-90")]


def test_an_unreadable_journal_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    assert not Journal(path).exists


def test_a_line_torn_by_a_crash_loses_only_itself(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    journal = Journal(path)
    journal.record("Environment", "Environments-1", "Environments-77")
    journal.record("Environment", "Environments-2", "Environments-78")
    path.write_text(path.read_text()[:-20])  # the last write was cut short
    reopened = Journal(path)
    assert reopened.target_id("Environment", "Environments-1") == "Environments-77"
    assert reopened.target_id("Environment", "Environments-2") is None
    reopened.record("Environment", "Environments-3", "Environments-79")
    assert Journal(path).target_id("Environment", "Environments-3") == "Environments-79"


def test_bundle_fingerprint_changes_with_content(tmp_path: Path) -> None:
    bundle = tmp_path / "b.octobundle"
    bundle.write_bytes(b"one")
    first = bundle_fingerprint(bundle)
    bundle.write_bytes(b"two")
    assert bundle_fingerprint(bundle) != first


def test_the_open_journal_hands_every_line_to_the_os_and_fsyncs_in_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(journal_module.os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd)))
    journal = Journal(tmp_path / "j.jsonl")
    for number in range(50):
        journal.record("Environment", f"Environments-{number}", f"Environments-{number + 100}")
        # another process (the next run after a crash) reads every line already
        assert Journal(tmp_path / "j.jsonl").target_id("Environment", f"Environments-{number}")
    assert len(synced) < 5  # batched, not one fsync per line
    journal.sync()
    assert len(synced) >= 1
    journal.close()
    assert stat.S_IMODE((tmp_path / "j.jsonl").stat().st_mode) == 0o600
    assert len(Journal(tmp_path / "j.jsonl").entries()) == 50


def test_a_closed_journal_opens_again_on_the_next_write(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.jsonl")
    journal.mark_done("one")
    journal.close()
    journal.mark_done("two")
    journal.close()
    reopened = Journal(tmp_path / "j.jsonl")
    assert reopened.is_done("one") and reopened.is_done("two")

"""Reports, logs, journals and lock files are the user's alone (0600) in folders that are too (0700);
a killed export's .partial file is cleared by the next export; core dumps are off while secrets are held."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from octodesk.core import paths
from octodesk.core.bundle.partials import create_partial, remove_stale_partials
from octodesk.core.files import PrivateRotatingFileHandler, write_private_text
from octodesk.core.hardening import dumpable
from octodesk.core.journal import Journal
from octodesk.gui.wording import GUI_REMEDIES
from octodesk.render import write_report

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_app_folders_are_0700_and_an_open_default_one_is_closed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    default = tmp_path / "data"
    default.mkdir(mode=0o755)
    default.chmod(0o755)
    monkeypatch.delenv("OCTODESK_DATA_DIR")
    monkeypatch.delenv("OCTODESK_JOURNAL_DIR")
    monkeypatch.setattr(paths.platformdirs, "user_data_dir", lambda name: str(default))

    journals = paths.journal_dir()

    assert (mode(default), mode(journals)) == (0o700, 0o700)


def test_a_folder_the_user_chose_is_created_0700_but_an_existing_one_is_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o755)
    monkeypatch.setenv("OCTODESK_LOG_DIR", str(shared))
    monkeypatch.setenv("OCTODESK_CONFIG_DIR", str(tmp_path / "new" / "config"))

    assert mode(paths.log_dir()) == 0o755
    assert mode(paths.config_dir()) == 0o700


def test_the_journal_is_0600(tmp_path: Path) -> None:
    journal = Journal.for_import("0" * 64, "https://octo.example.com", "Default")

    journal.record("Environment", "Environments-1", "Environments-9", "Production")

    assert mode(journal.path) == 0o600 and mode(journal.path.parent) == 0o700


def test_reports_are_0600_even_over_an_older_readable_file(tmp_path: Path) -> None:
    old = tmp_path / "report.json"
    old.write_text("{}")
    old.chmod(0o644)

    write_private_text(old, '{"new": true}')
    write_private_text(tmp_path / "fresh.html", "<html></html>")

    assert mode(old) == 0o600 and old.read_text() == '{"new": true}'
    assert mode(tmp_path / "fresh.html") == 0o600


def test_reports_are_saved_0600_even_over_a_file_others_could_read(tmp_path: Path) -> None:
    from octodesk.core.report import Report

    (tmp_path / "report.json").write_text("old")
    (tmp_path / "report.json").chmod(0o644)
    write_report(Report(operation="export"), tmp_path / "report.html", GUI_REMEDIES)
    write_report(Report(operation="export"), tmp_path / "report.json", GUI_REMEDIES)

    assert mode(tmp_path / "report.html") == 0o600
    assert mode(tmp_path / "report.json") == 0o600


def test_every_log_file_is_0600_across_rollovers(tmp_path: Path) -> None:
    handler = PrivateRotatingFileHandler(
        tmp_path / "octodesk.log", maxBytes=200, backupCount=2, encoding="utf-8"
    )
    logger = logging.getLogger("octodesk.test-private-log")
    logger.addHandler(handler)
    try:
        for number in range(20):
            logger.warning("line %d of a log that rolls over", number)
    finally:
        logger.removeHandler(handler)
        handler.close()

    files = sorted(tmp_path.glob("octodesk.log*"))
    assert len(files) == 3
    assert {mode(path) for path in files} == {0o600}


def test_a_killed_exports_partial_file_is_removed_by_the_next_export(tmp_path: Path) -> None:
    # Before: hidden .partial files piled up after killed exports.
    stale = tmp_path / ".web.octobundle.k1ll3d_x.partial"
    stale.write_bytes(b"PK half a bundle")
    an_hour_ago = time.time() - 3600
    os.utime(stale, (an_hour_ago, an_hour_ago))
    not_ours = tmp_path / "notes.partial"
    not_ours.write_text("someone else's")
    os.utime(not_ours, (an_hour_ago, an_hour_ago))
    descriptor, writing = create_partial(tmp_path, "other.octobundle")  # a concurrent export, still writing
    os.utime(writing, (an_hour_ago, an_hour_ago))
    try:
        assert remove_stale_partials(tmp_path, older_than=time.time()) == 1
    finally:
        os.close(descriptor)

    assert not stale.exists()
    assert not_ours.exists() and writing.exists()


def test_a_partial_file_newer_than_this_export_is_left_alone(tmp_path: Path) -> None:
    recent = tmp_path / ".web.octobundle.abcdefgh.partial"
    recent.write_bytes(b"PK")

    assert remove_stale_partials(tmp_path, older_than=time.time() - 60) == 0
    assert recent.exists()


def test_core_dumps_are_off_while_secrets_are_held_and_restored_after() -> None:
    code = (
        "import resource\n"
        "from octodesk.core.hardening import dumpable, no_core_dumps\n"
        "resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))\n"
        "with no_core_dumps():\n"
        "    print(resource.getrlimit(resource.RLIMIT_CORE)[0], dumpable())\n"
        "print(resource.getrlimit(resource.RLIMIT_CORE)[0] == resource.RLIM_INFINITY, dumpable())\n"
    )

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout

    expected_dumpable = "0" if sys.platform.startswith("linux") else "None"
    restored = "1" if sys.platform.startswith("linux") else "None"
    assert out.split() == ["0", expected_dumpable, "True", restored]


def test_every_command_runs_with_core_dumps_off(monkeypatch: pytest.MonkeyPatch) -> None:
    # Before: during an export the process could dump core (with the password and API key in it).
    import resource

    from octodesk.commands import common

    seen: list[tuple[int, int | None]] = []

    def action(args: object) -> int:
        seen.append((resource.getrlimit(resource.RLIMIT_CORE)[0], dumpable()))
        return 0

    assert common.run_command(action, type("Args", (), {"verbose": False})()) == 0

    assert seen == [(0, 0 if sys.platform.startswith("linux") else None)]
    assert dumpable() in (1, None)

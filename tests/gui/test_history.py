"""Recent runs: a run is kept without holding up the window, listed from a small summary, reopened whole."""

from __future__ import annotations

import dataclasses
import json
import threading
from pathlib import Path

import pytest

from octodesk.core.report import FollowUp, ItemResult, Report
from octodesk.core.vocabulary import Action, FollowUpCategory, Outcome
from octodesk.gui import history
from octodesk.gui.recent_runs import run_title


def big_report(done: int, failed: int) -> Report:
    report = Report(operation="import", finished=True, projects=["Web Portal"], bundle_path="/tmp/b.bundle")
    report.items = [ItemResult("Project", f"P{i}", Action.CREATE, Outcome.DONE) for i in range(done)]
    report.items += [
        ItemResult("Certificate", f"C{i}", Action.CREATE, Outcome.FAILED, "not a PFX") for i in range(failed)
    ]
    report.follow_ups = [FollowUp(FollowUpCategory.SENSITIVE_VALUE, f"value {i}") for i in range(50)]
    return report


def test_a_run_is_written_on_the_history_thread_not_the_callers(monkeypatch: pytest.MonkeyPatch) -> None:
    writers: list[str] = []
    real_write = history.write_text

    def watching_write(path: Path, text: str) -> None:
        writers.append(threading.current_thread().name)
        real_write(path, text)

    monkeypatch.setattr(history, "write_text", watching_write)
    record = history.record_run("import", big_report(done=10, failed=0))
    history.flush()
    assert record.path.is_file()
    assert writers and all(name.startswith("octodesk-history") for name in writers)


def test_a_run_is_written_after_the_results_had_time_to_paint_unless_someone_waits_for_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The write starts a moment after the run ends (the results page paints first, without competing
    for the interpreter); flush() does not wait that moment out."""
    monkeypatch.setattr(history, "_WRITE_AFTER_S", 0.3)
    record = history.record_run("import", big_report(done=10, failed=0))
    assert not record.path.exists()  # not yet: the window paints first
    history.flush()  # a reader waits for it, and gets it at once
    assert record.path.is_file()


def test_a_report_is_encoded_in_pieces_that_make_the_same_compact_json() -> None:
    """Each piece is one short call of the C encoder, so the window gets the interpreter in between."""
    data = {"flow": "import", "report": big_report(done=500, failed=2).to_dict()}
    pieces = list(history._compact_pieces(data))
    assert "".join(pieces) == json.dumps(data, separators=(",", ":"))
    assert len(pieces) > 500  # an item a piece, not one call for the whole report


def test_recent_runs_are_listed_from_summaries_and_reopened_whole() -> None:
    history.record_run("import", big_report(done=2000, failed=3))
    history.flush()
    [record] = history.recent_runs()
    summary_file = record.path.parent / "summaries" / record.path.name
    assert summary_file.stat().st_size * 20 < record.path.stat().st_size
    assert "The import completed with 3 failures." in run_title(record)
    assert record.unfinished is False
    assert len(record.report.items) == 2003 and len(record.report.follow_ups) == 50


def test_a_run_kept_before_summaries_existed_is_still_listed() -> None:
    record = history.record_run("export", big_report(done=5, failed=0))
    history.flush()
    (record.path.parent / "summaries" / record.path.name).unlink()
    [listed] = history.recent_runs()
    assert listed.report.projects == ["Web Portal"] and len(listed.report.items) == 5


def test_a_report_as_a_dict_is_what_asdict_gives() -> None:
    report = big_report(done=3, failed=1)
    report.details = {"by_engine": {"OctoDesk": {"ProjectTrigger": {"create": 2}}}}
    report.count("Project", "create", 3)
    expected = dataclasses.asdict(report)
    expected.update(outcome=str(report.outcome), succeeded=report.succeeded, failure_count=1)
    assert report.to_dict() == expected
    copied = report.to_dict()
    copied["details"]["by_engine"]["OctoDesk"] = {}
    copied["follow_ups"][0]["done"] = True
    assert report.details["by_engine"]["OctoDesk"] and not report.follow_ups[0].done  # a copy, not a view


def test_ticks_saved_from_a_reopened_run_keep_every_item(tmp_path: Path) -> None:
    history.record_run("import", big_report(done=30, failed=1))
    history.flush()
    [record] = history.recent_runs()
    record.report.follow_ups[0].done = True
    record.save()
    history.flush()
    [again] = history.recent_runs()
    assert again.report.follow_ups[0].done is True and len(again.report.items) == 31


def test_the_oldest_runs_go_once_the_kept_ones_pass_the_size_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fifty 1,000-project reports were 300 MB: runs are also kept only up to a total size."""
    monkeypatch.setattr(history, "KEEP_BYTES", 1000)
    folder = history.runs_dir()
    older = [folder / f"20260101-00000{i}-000000-import.json" for i in range(5)]
    for path in older:
        path.write_text("x" * 400, encoding="utf-8")
    record = history.record_run("import", big_report(done=1, failed=0))
    history.flush()
    left = sorted(path.name for path in folder.glob("*.json"))
    assert left == sorted([older[3].name, older[4].name, record.path.name])  # 400 + 400 fit, a third not

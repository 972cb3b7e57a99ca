"""The benchmark harness (``python -m benchmarks``) on the small ``demo`` dataset, so it cannot rot.

Checks the table has its rows, every scenario sent requests, the JSON holds the figures and every target is
judged. No timing is asserted: that is what the real run is for.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

# benchmarks/ is a folder at the repository root, not part of the installed package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.__main__ import main
from benchmarks.common import RequestTimeline, duplicate_reads
from benchmarks.memory import BenchmarkFailed, run_child

pytestmark = pytest.mark.timeout(240)


def test_benchmark_run_prints_every_row_and_judges_every_target(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "bench.json"
    code = main(
        ["--dataset", "demo", "--sizes", "1", "2", "--no-all", "--latency-ms", "1", "--json", str(saved)]
    )
    out = capsys.readouterr().out

    assert code == 0
    for label in (
        "export OctoDesk ",
        "export OctoDesk at 0 ms",
        "export baseline (sequential)",
        "import concurrency 8",
        "import concurrency 1",
        "import conc. 8 at 0 ms",
        "GUI export of 2 projects",
    ):
        assert label in out
    assert len(re.findall(r"^export OctoDesk +\|", out, re.MULTILINE)) == 2  # one row per size
    results = json.loads(saved.read_text(encoding="utf-8"))
    assert results["settings"]["sizes"] == [1, 2]
    for row in results["export"]:
        for run in (row["octodesk"], row["octodesk_no_latency"], row["baseline"]):
            assert run["client_requests"] > 0
            assert run["peak_rss_mb"] > 0
        assert row["octodesk"]["server_requests"] == row["octodesk"]["client_requests"]
        assert row["baseline"]["server_requests"] == row["baseline"]["client_requests"]
        assert row["octodesk"]["round_trips"] >= 1
    for run in [*results["import"], results["import_sequential"], results["import_no_latency"]]:
        assert run["server_requests"] > 0
        assert run["client_requests"] == run["server_requests"]
    assert results["import_sequential"]["round_trips"] == results["import_sequential"]["server_requests"]
    assert results["gui"]["ticks"] > 0
    assert results["gui"]["server_requests"] > 0
    targets = {target["name"]: target for target in results["targets"]}
    assert len(targets) == 7
    assert targets["no resource read twice (export)"]["met"]
    for target in targets.values():
        assert f"[{'met' if target['met'] else 'MISSED'}] {target['name']}" in out


def test_sequential_round_trips_count_only_requests_that_waited_for_each_other() -> None:
    timeline = RequestTimeline()
    for started, finished in [(0.0, 1.0), (0.1, 1.1), (0.2, 0.9), (1.0, 2.0), (1.05, 2.1), (2.1, 3.0)]:
        timeline.record(started, finished)
    assert timeline.sequential_round_trips() == 3


def test_duplicate_reads_are_repeated_gets_only() -> None:
    log = [
        ("GET", "/api/Spaces-1/projects/all"),
        ("GET", "/api/Spaces-1/projects/all"),
        ("POST", "/api/Spaces-1/projects"),
        ("POST", "/api/Spaces-1/projects"),
        ("GET", "/api/Spaces-1/projects?ids=a"),
    ]
    assert duplicate_reads(log) == ["/api/Spaces-1/projects/all"]


def test_a_failing_scenario_reports_one_line_without_the_key() -> None:
    with pytest.raises(BenchmarkFailed) as failure:
        run_child(
            "benchmarks.common:export_octodesk",
            {
                "url": "http://127.0.0.1:9",
                "space": "Default",
                "names": ["x"],
                "destination": "/nonexistent/x.octobundle",
                "concurrency": 1,
            },
            "API-SECRETBENCHKEY",
        )
    assert "ConnectionFailed" in str(failure.value)
    assert "SECRETBENCHKEY" not in str(failure.value)


def _run(seconds: float, requests: int, trips: int) -> dict[str, object]:
    return {
        "seconds": seconds,
        "client_requests": requests,
        "server_requests": requests,
        "round_trips": trips,
        "peak_rss_mb": 150.0,
        "duplicate_reads": [],
    }


def test_a_failed_scenario_is_a_failed_row_and_its_targets_are_not_measured() -> None:
    from benchmarks.report import evaluate_targets, table_lines

    imported = {**_run(10.0, 500, 60), "plan_seconds": 2.0, "apply_seconds": 8.0}
    results: dict[str, Any] = {
        "settings": {"dataset": "large", "latency_ms": 20.0, "concurrency": 8, "exportable_projects": 100},
        "export": [
            {
                "projects": 100,
                "octodesk": _run(2.0, 30, 8),
                "octodesk_no_latency": _run(1.5, 30, 30),
                "baseline": _run(40.0, 1500, 1500),
            }
        ],
        "import": [{**imported, "projects": 100, "concurrency": 8}],
        "import_sequential": {"projects": 100, "concurrency": 1, "error": "import_into exited with 1: boom"},
        "gui": {
            **_run(3.0, 60, 10),
            "worst_stall_ms": 40.0,
            "ticks": 500,
            "gaps_over_goal": 0,
            "progress_updates": 80,
            "projects": 100,
            "tick_ms": 5,
            "exit_problem": "benchmarks.gui_stall:export_through_window exited with -6: Fatal",
        },
    }

    table = "\n".join(table_lines(results))
    targets = {target.name: target for target in evaluate_targets(results)}

    assert "import concurrency 1         |      100 | failed: import_into exited with 1:" in table
    assert (
        "note: benchmarks.gui_stall:export_through_window exited with -6: Fatal (after its figures" in table
    )
    speed_up = targets["import >= 4x faster than --concurrency 1"]
    assert not speed_up.met
    assert speed_up.detail.startswith("not measured: import_into exited with 1")
    assert targets["export >= 10x faster than the sequential baseline"].met  # 40 s vs 2 s
    assert targets[
        "export time close to (dependency levels x round trip) + transfer"
    ].met  # 8 x 20 ms + 1.5 s
    assert targets["GUI main thread never stalls 100 ms or more during an export"].met

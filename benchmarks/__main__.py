"""OctoDesk's performance benchmarks: ``python -m benchmarks`` (``make bench``).

One run measures every row of the targets table of issue 14, at 20 ms of latency per request:
- on the ``large`` dataset (228 projects): export of 50 projects and of all of them (OctoDesk, OctoDesk at
  0 ms, and for all of them the sequential baseline client of ``benchmarks/baseline_client.py``), and the
  desktop app's own Export of all of them;
- on ``large:1000``: export of 500 and of 1,000 projects, and the desktop app's Export of 1,000 (its worst
  main-thread stall and peak memory);
- import of every exported bundle into an empty sandbox at the default concurrency, and of all 228 projects
  once more with ``--concurrency 1`` and once at 0 ms;
- the floor of client CPU per request: bare ``http.client`` GETs of one project document.
Each scenario runs in a child process of its own (``benchmarks.memory``), so its CPU time and peak memory are
its alone. Prints one table and the targets, each with its floor, met or missed.

``--repeat N`` runs every timed scenario N times and keeps the fastest (other processes on the machine only
ever add time); the reference export, judged against its floor, runs at least 5 times and its row is the
median by wall time over each run's own floor. ``--quick`` uses small datasets; ``--json PATH`` saves every
figure.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.common import duplicate_reads, exportable_project_names
from benchmarks.gui_stall import TICK_MS
from benchmarks.import_bench import measure_import
from benchmarks.memory import BenchmarkFailed, run_child
from benchmarks.report import export_floor_seconds, print_report

BARE_REQUESTS = 300
EXPORT_FLOOR_RUNS = 5  # runs of the reference export; its row is their median


@dataclass(frozen=True)
class Setup:
    """The two datasets and the project counts measured on each (the last size is the whole dataset)."""

    small_dataset: str
    small_sizes: tuple[int, ...]
    big_dataset: str
    big_sizes: tuple[int, ...]


FULL = Setup("large", (50, 228), "large:1000", (500, 1000))
QUICK = Setup("large:40", (10, 40), "large:120", (60, 120))


def default_concurrency() -> int:
    """What ``octodesk import`` uses when ``--concurrency`` is not given."""
    from octodesk.cli import build_parser

    args = build_parser().parse_args(["import", "b.octobundle", "--server", "http://x", "--space", "s"])
    return int(args.concurrency)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description="OctoDesk performance benchmarks (issue 14's targets)."
    )
    parser.add_argument("--latency-ms", type=float, default=20.0, help="latency injected per request (20)")
    parser.add_argument("--quick", action="store_true", help=f"small datasets: {QUICK}")
    parser.add_argument("--dataset", help=f"the reference dataset ({FULL.small_dataset})")
    parser.add_argument("--sizes", type=int, nargs="+", help=f"project counts on it {FULL.small_sizes}")
    parser.add_argument("--big-dataset", help=f"the scaling dataset ({FULL.big_dataset})")
    parser.add_argument("--big-sizes", type=int, nargs="+", help=f"project counts on it {FULL.big_sizes}")
    parser.add_argument(
        "--concurrency", type=int, help="OctoDesk's parallel requests (default: the command line's default)"
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs of each timed scenario, fastest kept (1)")
    parser.add_argument("--space", default="Default", help="space of the datasets to export (Default)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also save every figure as JSON")
    args = parser.parse_args(argv)
    base = QUICK if args.quick else FULL
    args.setup = Setup(
        args.dataset or base.small_dataset,
        tuple(args.sizes or base.small_sizes),
        args.big_dataset or base.big_dataset,
        tuple(args.big_sizes or base.big_sizes),
    )
    args.concurrency = args.concurrency or default_concurrency()
    args.repeat = max(1, args.repeat)
    return args


def best_of(repeat: int, scenario: Callable[[], dict[str, Any]], key: str = "seconds") -> dict[str, Any]:
    """The run with the smallest ``key`` of ``repeat`` runs; every run's ``key`` is kept in ``runs``."""
    runs = [scenario() for _ in range(repeat)]
    measured = [run for run in runs if key in run]
    best = min(measured, key=lambda run: float(run[key])) if measured else runs[-1]
    if repeat > 1:
        best = {**best, "runs": [run.get(key, run.get("error")) for run in runs]}
    return best


def median_run(runs: list[dict[str, Any]], latency_s: float) -> dict[str, Any]:
    """The run with the median ratio of wall time to its own export floor, with every run's ratio."""
    measured = [run for run in runs if "error" not in run]
    if not measured:
        return runs[-1]

    def ratio(run: dict[str, Any]) -> float:
        return float(run["seconds"]) / export_floor_seconds(run, latency_s)

    ordered = sorted(measured, key=ratio)
    return {**ordered[(len(ordered) - 1) // 2], "floor_ratios": [round(ratio(run), 2) for run in measured]}


def attempt(function: str, params: dict[str, Any], api_key: str) -> dict[str, Any]:
    """The scenario's figures, or {"error": why}: one failed scenario must not lose the others."""
    try:
        return run_child(function, params, api_key)
    except BenchmarkFailed as error:
        say(f"  failed: {error}")
        return {"error": str(error)}


def on_server(server: Any, function: str, params: dict[str, Any]) -> dict[str, Any]:
    """Run a scenario against ``server``; add what the server saw (requests, repeated reads, its CPU)."""
    server.reset_counters()
    server_cpu_started = time.process_time()
    result = attempt(function, {"url": server.url, **params}, server.api_key)
    if "error" not in result:
        result["server_cpu_seconds"] = time.process_time() - server_cpu_started
        result["server_requests"] = server.request_count
        result["duplicate_reads"] = duplicate_reads(server.request_log)
    return result


def measure_export(
    source: Any, args: argparse.Namespace, names: list[str], bundle: Path, *, reference: bool
) -> dict[str, Any]:
    """OctoDesk at the sandbox's latency; for the reference size also at 0 ms and the baseline."""
    params = {"space": args.space, "names": names, "concurrency": args.concurrency}

    def ours(destination: Path) -> Callable[[], dict[str, Any]]:
        export = {**params, "destination": str(destination)}
        return lambda: on_server(source, "benchmarks.common:export_octodesk", export)

    if not reference:
        return {"projects": len(names), "octodesk": best_of(args.repeat, ours(bundle))}
    # The row judged against its floor: a sub-second run, whose own key derivation (measured in the same
    # child) is most of the floor. One run on a shared machine swings by a fifth either way, so this one is
    # the median of several, by wall time over its own floor; every run's ratio is kept.
    runs = [ours(bundle)() for _ in range(max(args.repeat, EXPORT_FLOOR_RUNS))]
    row: dict[str, Any] = {"projects": len(names), "octodesk": median_run(runs, args.latency_ms / 1000)}
    source.set_faults(latency_ms=0.0)
    try:
        row["octodesk_no_latency"] = best_of(args.repeat, ours(bundle.with_suffix(".no-latency")))
    finally:
        source.set_faults(latency_ms=args.latency_ms)
    baseline = {"space": args.space, "names": names, "destination": str(bundle.with_suffix(".json"))}
    row["baseline"] = best_of(
        args.repeat, lambda: on_server(source, "benchmarks.common:export_baseline", baseline)
    )
    return row


def measure_gui(source: Any, args: argparse.Namespace, names: list[str], folder: Path) -> dict[str, Any]:
    params = {"space": args.space, "names": names, "destination": str(folder / "gui.octobundle")}
    result = best_of(
        args.repeat,
        lambda: on_server(source, "benchmarks.gui_stall:export_through_window", params),
        key="worst_stall_ms",
    )
    return {**result, "projects": len(names), "tick_ms": TICK_MS}


def measure_bare_requests(source: Any, args: argparse.Namespace, names: list[str]) -> dict[str, Any]:
    """The CPU floor of one request, at 0 ms (CPU time does not depend on the wait)."""
    from octodesk.core.octopus.client import OctopusClient

    with OctopusClient(source.url, source.api_key) as client:
        space_id = client.resolve_space(args.space)["Id"]
        project = next(p for p in client.get_all(f"/api/{space_id}/projects/all") if p["Name"] == names[0])
    source.set_faults(latency_ms=0.0)
    try:
        params = {"path": f"/api/{space_id}/projects/{project['Id']}", "count": BARE_REQUESTS}
        return best_of(
            args.repeat,
            lambda: on_server(source, "benchmarks.common:bare_requests", params),
            key="cpu_seconds",
        )
    finally:
        source.set_faults(latency_ms=args.latency_ms)


def measure_dataset(
    dataset: str, sizes: tuple[int, ...], args: argparse.Namespace, folder: Path, results: dict[str, Any]
) -> list[tuple[int, Path]]:
    """Exports (and the GUI export) on one dataset; the bundles to import, by project count."""
    from octodesk.sandbox import SandboxServer

    say(f"Building the '{dataset}' sandbox ({args.latency_ms:g} ms per request)...")
    started = time.perf_counter()
    with SandboxServer(dataset, latency_ms=args.latency_ms) as source:
        build_seconds = time.perf_counter() - started
        names = exportable_project_names(source.url, source.api_key, args.space)
        if not names:
            raise BenchmarkFailed(f"The '{dataset}' dataset has no project to export.")
        chosen = sorted({min(size, len(names)) for size in sizes if size > 0})
        results["datasets"].append(
            {
                "dataset": dataset,
                "exportable_projects": len(names),
                "sizes": chosen,
                "build_seconds": build_seconds,
            }
        )
        reference = dataset == args.setup.small_dataset
        bundles = []
        for size in chosen:
            largest = size == chosen[-1]
            say(f"Export of {size} projects of '{dataset}'...")
            bundle = folder / f"{dataset.replace(':', '-')}-{size}.octobundle"
            row = measure_export(source, args, names[:size], bundle, reference=reference and largest)
            results["export"].append({"dataset": dataset, **row})
            bundles.append((size, bundle))
        if reference:
            say("Client CPU floor: bare requests...")
            results["bare_request"] = measure_bare_requests(source, args, names)
        say(f"GUI export of {chosen[-1]} projects of '{dataset}' with a {TICK_MS} ms heartbeat...")
        results["gui"].append({"dataset": dataset, **measure_gui(source, args, names[: chosen[-1]], folder)})
    return bundles


def run(args: argparse.Namespace) -> dict[str, Any]:
    setup: Setup = args.setup
    results: dict[str, Any] = {
        "settings": {
            "latency_ms": args.latency_ms,
            "cores": os.cpu_count(),
            "concurrency": args.concurrency,
            "repeat": args.repeat,
            "reference_dataset": setup.small_dataset,
            "scaling_dataset": setup.big_dataset,
        },
        "datasets": [],
        "export": [],
        "gui": [],
        "import": [],
    }
    with tempfile.TemporaryDirectory(prefix="octodesk-bench-") as tmp:
        folder = Path(tmp)
        bundles = [
            (dataset, size, bundle)
            for dataset, sizes in (
                (setup.small_dataset, setup.small_sizes),
                (setup.big_dataset, setup.big_sizes),
            )
            for size, bundle in measure_dataset(dataset, sizes, args, folder, results)
        ]
        for dataset, size, bundle in bundles:
            say(f"Import of {size} projects of '{dataset}' (concurrency {args.concurrency})...")
            measured = import_safely(bundle, args, args.concurrency)
            results["import"].append(
                {"dataset": dataset, "projects": size, "concurrency": args.concurrency, **measured}
            )
        reference_size, reference_bundle = next(
            (size, bundle) for dataset, size, bundle in reversed(bundles) if dataset == setup.small_dataset
        )
        say(f"Import of {reference_size} projects (concurrency 1)...")
        sequential = import_safely(reference_bundle, args, 1)
        results["import_sequential"] = {"projects": reference_size, "concurrency": 1, **sequential}
        say(f"Import of {reference_size} projects at 0 ms (concurrency {args.concurrency})...")
        unloaded = import_safely(reference_bundle, args, args.concurrency, latency_ms=0.0)
        results["import_no_latency"] = {
            "projects": reference_size,
            "concurrency": args.concurrency,
            **unloaded,
        }
    return results


def import_safely(
    bundle: Path, args: argparse.Namespace, concurrency: int, latency_ms: float | None = None
) -> dict[str, Any]:
    if not bundle.exists():
        return {"error": "no bundle to import: its export failed"}
    latency = args.latency_ms if latency_ms is None else latency_ms

    def once() -> dict[str, Any]:
        try:
            return measure_import(bundle, args.space, latency, concurrency)
        except BenchmarkFailed as error:
            say(f"  failed: {error}")
            return {"error": str(error)}

    return best_of(args.repeat, once)


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        results = run(args)
    except BenchmarkFailed as error:
        print(f"Benchmark failed: {error}", file=sys.stderr)
        return 1
    results["targets"] = print_report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
        say(f"Saved {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

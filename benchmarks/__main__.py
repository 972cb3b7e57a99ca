"""OctoDesk's performance benchmarks: ``python -m benchmarks`` (``make bench``).

Starts a sandbox with the ``large`` dataset and injected latency, then measures, each scenario in a child
process of its own (``benchmarks.memory``) so peak memory does not mix:
- export of 50 / 100 / 200 projects and of all of them: OctoDesk's engine, the same at 0 ms latency (what
  is left is transfer and CPU) and the sequential baseline client (``benchmarks/baseline_client.py``);
- import of each of those bundles into an empty sandbox at the same latency, and of the largest once more
  with ``--concurrency 1``;
- the desktop app's worst main-thread stall while its own Export action runs the largest export.
Prints one table and the targets, each met or missed. ``--quick`` uses small numbers, ``--json PATH`` saves
every figure.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.common import duplicate_reads, exportable_project_names
from benchmarks.gui_stall import TICK_MS
from benchmarks.import_bench import measure_import
from benchmarks.memory import BenchmarkFailed, run_child
from benchmarks.report import print_report

DEFAULT_SIZES = [50, 100, 200]
QUICK_SIZES = [10, 20, 40]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description="OctoDesk performance benchmarks."
    )
    parser.add_argument("--latency-ms", type=float, default=20.0, help="latency injected per request (20)")
    parser.add_argument(
        "--quick", action="store_true", help=f"small numbers: {QUICK_SIZES} projects, no 'all'"
    )
    parser.add_argument(
        "--sizes", type=int, nargs="+", help=f"project counts of the scaling rows {DEFAULT_SIZES}"
    )
    parser.add_argument(
        "--no-all", action="store_true", help="skip the row with every project of the dataset"
    )
    parser.add_argument("--concurrency", type=int, default=8, help="OctoDesk's parallel requests (8)")
    parser.add_argument("--dataset", default="large", help="sandbox dataset (large)")
    parser.add_argument("--space", default="Default", help="space of the dataset to export (Default)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also save every figure as JSON")
    args = parser.parse_args(argv)
    args.sizes = args.sizes or (QUICK_SIZES if args.quick else DEFAULT_SIZES)
    args.include_all = not (args.quick or args.no_all)
    return args


def scaling_sizes(wanted: list[int], available: int, include_all: bool) -> list[int]:
    sizes = sorted({min(size, available) for size in wanted if size > 0})
    if include_all:
        sizes.append(available)
    return sorted(set(sizes))


def measure_export(
    source: Any, space: str, names: list[str], folder: Path, concurrency: int
) -> dict[str, Any]:
    """OctoDesk at the sandbox's latency, again at 0 ms, and the baseline: one export row."""
    latency_ms = source.faults.latency_ms
    bundle = folder / f"octodesk-{len(names)}.octobundle"
    params = {"url": source.url, "space": space, "names": names}
    source.reset_counters()
    ours = attempt(
        "benchmarks.common:export_octodesk",
        {**params, "destination": str(bundle), "concurrency": concurrency},
        source.api_key,
    )
    with_server_counts(ours, source)
    source.set_faults(latency_ms=0.0)
    try:
        unloaded = attempt(
            "benchmarks.common:export_octodesk",
            {**params, "destination": str(folder / "no-latency.octobundle"), "concurrency": concurrency},
            source.api_key,
        )
    finally:
        source.set_faults(latency_ms=latency_ms)
    source.reset_counters()
    baseline = attempt(
        "benchmarks.common:export_baseline",
        {**params, "destination": str(folder / "baseline.json")},
        source.api_key,
    )
    with_server_counts(baseline, source)
    return {
        "projects": len(names),
        "bundle": str(bundle),
        "octodesk": ours,
        "octodesk_no_latency": unloaded,
        "baseline": baseline,
    }


def measure_gui(source: Any, space: str, names: list[str], folder: Path) -> dict[str, Any]:
    source.reset_counters()
    result = attempt(
        "benchmarks.gui_stall:export_through_window",
        {"url": source.url, "space": space, "names": names, "destination": str(folder / "gui.octobundle")},
        source.api_key,
    )
    with_server_counts(result, source)
    return {**result, "projects": len(names), "tick_ms": TICK_MS}


def attempt(function: str, params: dict[str, Any], api_key: str) -> dict[str, Any]:
    """The scenario's figures, or {"error": why}: one failed scenario must not lose the others."""
    try:
        return run_child(function, params, api_key)
    except BenchmarkFailed as error:
        say(f"  failed: {error}")
        return {"error": str(error)}


def with_server_counts(result: dict[str, Any], server: Any) -> None:
    if "error" not in result:
        result["server_requests"] = server.request_count
        result["duplicate_reads"] = duplicate_reads(server.request_log)


def run(args: argparse.Namespace) -> dict[str, Any]:
    from octodesk.sandbox import SandboxServer

    results: dict[str, Any] = {
        "settings": {
            "dataset": args.dataset,
            "latency_ms": args.latency_ms,
            "concurrency": args.concurrency,
        },
        "export": [],
        "import": [],
    }
    with tempfile.TemporaryDirectory(prefix="octodesk-bench-") as tmp:
        folder = Path(tmp)
        say(f"Starting the '{args.dataset}' sandbox ({args.latency_ms:g} ms per request)...")
        with SandboxServer(args.dataset, latency_ms=args.latency_ms) as source:
            names = exportable_project_names(source.url, source.api_key, args.space)
            if not names:
                raise BenchmarkFailed(f"The '{args.dataset}' dataset has no project to export.")
            sizes = scaling_sizes(args.sizes, len(names), args.include_all)
            results["settings"].update(exportable_projects=len(names), sizes=sizes)
            for size in sizes:
                say(f"Export of {size} projects: OctoDesk, OctoDesk without latency, baseline...")
                results["export"].append(
                    measure_export(source, args.space, names[:size], folder, args.concurrency)
                )
            say(f"GUI export of {sizes[-1]} projects with a {TICK_MS} ms heartbeat...")
            results["gui"] = measure_gui(source, args.space, names[: sizes[-1]], folder)
        for row in results["export"]:
            say(f"Import of {row['projects']} projects (concurrency {args.concurrency})...")
            measured = measure_import_safely(Path(row["bundle"]), args, args.concurrency)
            results["import"].append(
                {"projects": row["projects"], "concurrency": args.concurrency, **measured}
            )
        largest = results["export"][-1]
        say(f"Import of {largest['projects']} projects (concurrency 1)...")
        sequential = measure_import_safely(Path(largest["bundle"]), args, 1)
        results["import_sequential"] = {"projects": largest["projects"], "concurrency": 1, **sequential}
        say(f"Import of {largest['projects']} projects at 0 ms (concurrency {args.concurrency})...")
        unloaded = measure_import_safely(Path(largest["bundle"]), args, args.concurrency, latency_ms=0.0)
        results["import_no_latency"] = {
            "projects": largest["projects"],
            "concurrency": args.concurrency,
            **unloaded,
        }
    for row in results["export"]:
        row.pop("bundle")
    return results


def measure_import_safely(
    bundle: Path, args: argparse.Namespace, concurrency: int, latency_ms: float | None = None
) -> dict[str, Any]:
    if not bundle.exists():
        return {"error": "no bundle to import: its export failed"}
    latency = args.latency_ms if latency_ms is None else latency_ms
    try:
        return measure_import(bundle, args.space, latency, concurrency)
    except BenchmarkFailed as error:
        say(f"  failed: {error}")
        return {"error": str(error)}


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

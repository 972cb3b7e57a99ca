"""Import benchmark: a bundle of the ``large`` dataset's projects into an empty sandbox with injected latency.

Part of ``python -m benchmarks``; on its own: ``python -m benchmarks.import_bench [--latency-ms 20]
[--projects 200] [--concurrency 8]`` exports the first N projects of the ``large`` sandbox (without latency),
then imports the bundle into a fresh empty sandbox with latency, once with ``--concurrency`` and once with
concurrency 1, and prints wall time, requests, requests per project and the time per phase (plan, apply).
Each import runs in a child process (``benchmarks.memory``), so its peak memory is measured alone.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import (
    PASSWORD,
    duplicate_reads,
    exportable_project_names,
    key_derivation_seconds,
    recording_requests,
)
from benchmarks.memory import BenchmarkFailed, run_child


def import_into(url: str, space: str, bundle: str, concurrency: int) -> dict[str, Any]:
    """Scenario (child process): plan, then apply, the way ``octodesk import`` does."""
    from benchmarks.memory import api_key_from_env
    from octodesk.core.apply import apply_plan
    from octodesk.core.octopus.client import OctopusClient
    from octodesk.core.plan import ImportOptions, plan_import

    with (
        recording_requests() as timeline,
        OctopusClient(url, api_key_from_env(), concurrency=concurrency) as client,
    ):
        started, cpu_started = time.perf_counter(), time.process_time()
        # No account secrets are supplied at export: placeholders, as a user would allow them.
        plan = plan_import(Path(bundle), PASSWORD, client, space, ImportOptions(placeholder_secrets=True))
        if plan.refused:
            raise BenchmarkFailed(f"The import plan was refused: {'; '.join(plan.refusals)}")
        planned = time.perf_counter()
        report = apply_plan(plan, client)
        finished, cpu_seconds = time.perf_counter(), time.process_time() - cpu_started
    if not report.succeeded:
        raise BenchmarkFailed(f"The import did not succeed: {'; '.join(report.warnings[:3])}")
    return {
        "seconds": finished - started,
        "cpu_seconds": cpu_seconds,
        "plan_seconds": planned - started,
        "apply_seconds": finished - planned,
        "client_requests": client.request_count,
        "requests_by_method": client.request_counts,
        "round_trips": timeline.sequential_round_trips(),
        "apply_seconds_by_step": report.details.get("apply_seconds_by_step", {}),
        "key_derivation_seconds": key_derivation_seconds(),
        "necessary_writes": necessary_writes(plan.items),
    }


def necessary_writes(items: list[Any]) -> int:
    """The floor of an import's requests: one write per resource the plan creates, merges, updates or
    converts, less one channel per created project (a new project comes with its default channel)."""
    writes = [item for item in items if item.action in ("create", "merge", "update", "convert")]
    new_projects = sum(1 for item in writes if item.kind == "Project" and item.action == "create")
    return len(writes) - new_projects


def measure_import(bundle: Path, space: str, latency_ms: float, concurrency: int) -> dict[str, Any]:
    """Import ``bundle`` into a fresh empty sandbox at this latency; the child's result plus server counts
    (and the CPU time the sandbox, in this process, spent answering)."""
    from octodesk.sandbox import SandboxServer

    with SandboxServer("empty", latency_ms=latency_ms) as target:
        server_cpu_started = time.process_time()
        result = run_child(
            "benchmarks.import_bench:import_into",
            {"url": target.url, "space": space, "bundle": str(bundle), "concurrency": concurrency},
            target.api_key,
        )
        result["server_cpu_seconds"] = time.process_time() - server_cpu_started
        result["server_requests"] = target.request_count
        result["duplicate_reads"] = duplicate_reads(target.request_log)
    return result


def export_bundle(source_url: str, api_key: str, space: str, names: list[str], destination: Path) -> None:
    """A bundle to import, exported in this process (not measured)."""
    from octodesk.core.export import export_projects
    from octodesk.core.octopus.client import OctopusClient

    with OctopusClient(source_url, api_key) as client:
        export_projects(client, space, names, destination, PASSWORD)


def main(argv: list[str] | None = None) -> int:
    from octodesk.sandbox import SandboxServer

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--latency-ms", type=float, default=20.0, help="latency injected per request")
    parser.add_argument("--projects", type=int, default=200, help="how many projects to import")
    parser.add_argument("--concurrency", type=int, default=8, help="OctoDesk's parallel requests")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as folder:
        bundle = Path(folder) / "large.octobundle"
        print(f"Exporting {args.projects} projects of the 'large' sandbox...", file=sys.stderr)
        with SandboxServer("large") as source:
            names = exportable_project_names(source.url, source.api_key, "Default")[: args.projects]
            export_bundle(source.url, source.api_key, "Default", names, bundle)
        runs = []
        for concurrency in (args.concurrency, 1):
            print(f"Importing with concurrency {concurrency} ({args.latency_ms:g} ms)...", file=sys.stderr)
            run = measure_import(bundle, "Default", args.latency_ms, concurrency)
            print(f"  steps (s): {run['apply_seconds_by_step']}", file=sys.stderr)
            runs.append((concurrency, run))

    print(
        f"{'concurrency':>11} {'seconds':>8} {'requests':>9} {'req/project':>11} {'plan s':>7} {'apply s':>8}"
        f" {'peak MB':>8}"
    )
    for concurrency, run in runs:
        print(
            f"{concurrency:>11} {run['seconds']:>8.1f} {run['server_requests']:>9} "
            f"{run['server_requests'] / len(names):>11.1f} {run['plan_seconds']:>7.1f} "
            f"{run['apply_seconds']:>8.1f} {run['peak_rss_mb']:>8.0f}"
        )
    speed_up = runs[1][1]["seconds"] / runs[0][1]["seconds"]
    print(f"speed-up of concurrency {args.concurrency} over 1: {speed_up:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

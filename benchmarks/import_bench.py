"""Import benchmark: the ``large`` dataset's projects into an empty sandbox with injected latency.

Run from the repository root: ``python -m benchmarks.import_bench [--latency-ms 20] [--projects 200]
[--concurrency 8]``. Exports the first N projects of the ``large`` sandbox (without latency), then imports
the bundle into a fresh empty sandbox with latency, once with ``--concurrency`` and once with concurrency
1, and prints wall time, requests, requests per project and the time per phase (plan, apply).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from octodesk.core.apply import apply_plan
from octodesk.core.client import OctopusClient
from octodesk.core.export import export_projects
from octodesk.core.plan import plan_import
from octodesk.sandbox import SandboxServer

PASSWORD = "benchmark password"


@dataclass
class Run:
    concurrency: int
    seconds: float
    requests: int
    plan_seconds: float
    apply_seconds: float


def _import(bundle: Path, latency_ms: float, concurrency: int) -> Run:
    with SandboxServer("empty", latency_ms=latency_ms) as target:
        with OctopusClient(target.url, target.api_key, concurrency=concurrency) as client:
            started = time.perf_counter()
            plan = plan_import(bundle, PASSWORD, client, "Default")
            planned = time.perf_counter()
            report = apply_plan(plan, client)
            finished = time.perf_counter()
        print(f"  steps (s): {report.details['apply_seconds_by_step']}", file=sys.stderr)
        return Run(
            concurrency, finished - started, target.request_count, planned - started, finished - planned
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--latency-ms", type=float, default=20.0, help="latency injected per request")
    parser.add_argument("--projects", type=int, default=200, help="how many projects to import")
    parser.add_argument("--concurrency", type=int, default=8, help="OctoDesk's parallel requests")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as folder:
        bundle = Path(folder) / "large.octobundle"
        print(f"Exporting {args.projects} projects of the 'large' sandbox...", file=sys.stderr)
        with SandboxServer("large") as source, OctopusClient(source.url, source.api_key) as client:
            names = sorted(
                p["Name"] for p in client.get_all(f"/api/{source.space_id('Default')}/projects/all")
            )
            export_projects(client, "Default", names[: args.projects], bundle, PASSWORD)
        runs = []
        for concurrency in (args.concurrency, 1):
            print(
                f"Importing with concurrency {concurrency} (latency {args.latency_ms:g} ms)...",
                file=sys.stderr,
            )
            runs.append(_import(bundle, args.latency_ms, concurrency))

    print(
        f"{'concurrency':>11} {'seconds':>8} {'requests':>9} {'req/project':>11} {'plan s':>7} {'apply s':>8}"
    )
    for run in runs:
        print(
            f"{run.concurrency:>11} {run.seconds:>8.1f} {run.requests:>9} "
            f"{run.requests / args.projects:>11.1f} {run.plan_seconds:>7.1f} {run.apply_seconds:>8.1f}"
        )
    print(f"speed-up of concurrency {args.concurrency} over 1: {runs[1].seconds / runs[0].seconds:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

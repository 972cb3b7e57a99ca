"""Export benchmark: OctoDesk against a sequential baseline, over a sandbox with injected latency.

Run from the repository root: ``python -m benchmarks.export_bench [--latency-ms 20] [--sizes 50 100 200]``.
Starts the ``large`` dataset sandbox, exports the first N projects (by name) with OctoDesk and with the
baseline client of ``benchmarks/baseline_client.py`` in the same run, and prints wall time, requests and
requests per project side by side. Also checks that OctoDesk fetched no resource twice.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from benchmarks.baseline_client import baseline_export
from octodesk.core.export import export_projects
from octodesk.core.octopus.client import OctopusClient
from octodesk.sandbox import SandboxServer

PASSWORD = "benchmark password"


@dataclass
class Run:
    seconds: float
    requests: int
    duplicate_reads: int = 0


def _octodesk(server: SandboxServer, names: list[str], folder: Path, concurrency: int) -> Run:
    server.reset_counters()
    started = time.perf_counter()
    with OctopusClient(server.url, server.api_key, concurrency=concurrency) as client:
        export_projects(client, "Default", names, folder / f"octodesk-{len(names)}.octobundle", PASSWORD)
    seconds = time.perf_counter() - started
    gets = Counter(path for method, path in server.request_log if method == "GET")
    return Run(seconds, server.request_count, sum(1 for count in gets.values() if count > 1))


def _baseline(server: SandboxServer, names: list[str], folder: Path) -> Run:
    server.reset_counters()
    started = time.perf_counter()
    with OctopusClient(server.url, server.api_key, concurrency=1) as client:
        baseline_export(client, "Default", names, folder / f"baseline-{len(names)}.json")
    return Run(time.perf_counter() - started, server.request_count)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--latency-ms", type=float, default=20.0, help="latency injected per request")
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 100, 200], help="project counts")
    parser.add_argument("--concurrency", type=int, default=8, help="OctoDesk's parallel requests")
    args = parser.parse_args(argv)

    print(f"Starting the 'large' sandbox (latency {args.latency_ms:g} ms per request)...", file=sys.stderr)
    with SandboxServer("large", latency_ms=args.latency_ms) as server, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with OctopusClient(server.url, server.api_key) as client:
            space_id = server.space_id("Default")
            names = sorted(project["Name"] for project in client.get_all(f"/api/{space_id}/projects/all"))
        rows = []
        for size in args.sizes:
            chosen = names[:size]
            print(f"exporting {len(chosen)} projects...", file=sys.stderr)
            ours = _octodesk(server, chosen, folder, args.concurrency)
            theirs = _baseline(server, chosen, folder)
            rows.append((len(chosen), ours, theirs))
    header = (
        f"{'projects':>8} | {'OctoDesk s':>10} | {'requests':>8} | {'req/proj':>8} | {'dup':>3} | "
        f"{'baseline s':>10} | {'requests':>8} | {'req/proj':>8} | {'speed-up':>8}"
    )
    print(f"Export benchmark, large dataset, {args.latency_ms:g} ms latency, concurrency {args.concurrency}")
    print(header)
    print("-" * len(header))
    for size, ours, theirs in rows:
        print(
            f"{size:>8} | {ours.seconds:>10.2f} | {ours.requests:>8} | {ours.requests / size:>8.2f} | "
            f"{ours.duplicate_reads:>3} | {theirs.seconds:>10.2f} | {theirs.requests:>8} | "
            f"{theirs.requests / size:>8.2f} | {theirs.seconds / ours.seconds:>7.1f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

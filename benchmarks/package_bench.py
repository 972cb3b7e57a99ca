"""Package copy benchmark: OctoDesk's live copy of a built-in feed package against a raw stream of the same
bytes, and OctoDesk's peak memory for a small and a 1 GB package.

``python -m benchmarks.package_bench [--latency-ms 20] [--size-mb 1024] [--small-mb 16]`` generates the
packages in a temporary folder (removed afterwards), puts them into a source sandbox's built-in feed, and
copies them to a fresh empty target sandbox, both sandboxes with the injected latency:
- raw: ``GET .../raw`` piped into a chunked multipart ``POST .../packages/raw`` with bare ``requests``, no
  checks (the ceiling of what a copy can reach on this machine);
- OctoDesk: the import's own copy (plan-time target check, streamed multipart upload with size, SHA-1 and
  SHA-256 checks, byte progress, journal).
Each copy runs in a child process of its own (``benchmarks.memory``), so its peak memory is its alone.
Targets: OctoDesk's throughput at least 70% of the raw stream's, and its peak memory for the large package
within 32 MB of the small one's (memory independent of package size). ``--mode bundle`` measures an export
into a bundle and an import from it instead (``benchmarks.package_bundle_bench``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks import package_bundle_bench
from benchmarks.memory import BenchmarkFailed, run_child

THROUGHPUT_SHARE_TARGET = 0.7
MEMORY_GROWTH_ALLOWED_MB = 32.0
PACKAGE_ID = "Bench.Package"
CHUNK = 1 << 20


# --- scenarios (run in a child process) -------------------------------------------------------------


def raw_copy(source_url: str, target_url: str, package_id: str, version: str) -> dict[str, Any]:
    """The same bytes moved with nothing but a download piped into an upload."""
    import requests

    from benchmarks.memory import api_key_from_env

    with requests.Session() as session:
        session.headers["X-Octopus-ApiKey"] = api_key_from_env()
        source_space, target_space = default_space(session, source_url), default_space(session, target_url)
        document = f"packages-{package_id}.{version}"
        started = time.perf_counter()
        with session.get(f"{source_url}/api/{source_space}/packages/{document}/raw", stream=True) as download:
            download.raise_for_status()
            chunks = download.iter_content(CHUNK)
            moved = raw_post(session, f"{target_url}/api/{target_space}", package_id, version, chunks)
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "bytes": moved}


def raw_post(session: Any, space_url: str, package_id: str, version: str, chunks: Iterator[bytes]) -> int:
    """``chunks`` as a chunked multipart ``POST {space_url}/packages/raw`` with bare ``requests``; the bytes
    sent."""
    boundary = "raw-benchmark-boundary"
    moved = 0

    def body() -> Iterator[bytes]:
        nonlocal moved
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="fileData"; '
            f'filename="{package_id}.{version}.zip"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        for chunk in chunks:
            moved += len(chunk)
            yield chunk
        yield f"\r\n--{boundary}--\r\n".encode()

    answer = session.post(
        f"{space_url}/packages/raw",
        data=body(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    answer.raise_for_status()
    return moved


def octodesk_copy(source_url: str, target_url: str, package_id: str, version: str) -> dict[str, Any]:
    """OctoDesk's copy as an import runs it: the target checked first, then the streamed, verified copy."""
    from benchmarks.memory import api_key_from_env
    from octodesk.core.journal import Journal
    from octodesk.core.octopus.client import OctopusClient
    from octodesk.core.packages.copier import COPIED, copy_packages
    from octodesk.core.packages.decide import PackagePlan, decide_packages
    from octodesk.core.packages.transfer import ServerSource
    from octodesk.core.packages.versions import all_versions
    from octodesk.core.progress import Progress

    reports: list[Progress] = []
    key = api_key_from_env()
    with (
        OctopusClient(source_url, key) as source,
        OctopusClient(target_url, key) as target,
        tempfile.TemporaryDirectory(prefix="octodesk-bench-journal-") as folder,
    ):
        source_space = str(source.resolve_space("Default")["Id"])
        target_space = str(target.resolve_space("Default")["Id"])
        started = time.perf_counter()
        versions = [
            item for item in all_versions(source, source_space, [package_id]) if item.version == version
        ]
        plan = PackagePlan(choice="latest", referenced=[package_id])
        decide_packages(plan, versions, all_versions(target, target_space, [package_id]))
        outcomes = copy_packages(
            plan.to_copy,
            ServerSource(source, source_space),
            target,
            target_space,
            Journal(Path(folder) / "journal.jsonl"),
            reports.append,
        )
        seconds = time.perf_counter() - started
    if [outcome.status for outcome in outcomes] != [COPIED]:
        raise BenchmarkFailed(f"the copy did not succeed: {[outcome.message for outcome in outcomes]}")
    return {
        "seconds": seconds,
        "bytes": reports[-1].bytes_done,
        "progress_reports": len(reports),
        "requests": source.request_count + target.request_count,
    }


def default_space(session: Any, url: str) -> str:
    spaces = session.get(f"{url}/api/spaces/all").json()
    return str(next(space["Id"] for space in spaces if space["Name"] == "Default"))


# --- the run (parent process) -----------------------------------------------------------------------


@contextmanager
def source_with_packages(sizes: dict[str, tuple[str, int]], latency_ms: float, key: str) -> Iterator[Any]:
    """A source sandbox whose feed holds a package of each size (label -> version, MB)."""
    from octodesk.sandbox import SandboxServer
    from octodesk.sandbox.package_files import PackageSpec, write_package

    with (
        tempfile.TemporaryDirectory(prefix="octodesk-bench-packages-") as folder,
        SandboxServer("empty", latency_ms=latency_ms, api_key=key) as source,
    ):
        for version, megabytes in sizes.values():
            say(f"Writing a {megabytes} MB package...")
            spec = PackageSpec(PACKAGE_ID, version, "zip", payload_bytes=megabytes * CHUNK, seed=megabytes)
            written = write_package(spec, Path(folder))
            source.add_package("Default", written.path)
            written.path.unlink()  # the sandbox keeps its own copy
        yield source


def measure(size_mb: int, small_mb: int, latency_ms: float, mode: str = "live") -> dict[str, Any]:
    from octodesk.sandbox import SandboxServer
    from octodesk.sandbox.server import new_api_key

    key = new_api_key()
    results: dict[str, Any] = {"latency_ms": latency_ms, "size_mb": size_mb, "small_mb": small_mb}
    sizes = {"large": ("1.0.0", size_mb), "small": ("0.1.0", small_mb)}
    with source_with_packages(sizes, latency_ms, key) as source:
        if mode == "bundle":
            with tempfile.TemporaryDirectory(prefix="octodesk-bench-bundles-") as folder:
                results.update(package_bundle_bench.measure(sizes, latency_ms, key, source.url, Path(folder)))
            return results
        for label, function in (("raw", "raw_copy"), ("octodesk", "octodesk_copy")):
            for size_label, (version, megabytes) in sizes.items():
                if label == "raw" and size_label == "small":
                    continue
                say(f"{label}: copying the {megabytes} MB package at {latency_ms:g} ms...")
                with SandboxServer("empty", latency_ms=latency_ms, api_key=key) as target:
                    run = run_child(
                        f"benchmarks.package_bench:{function}",
                        {
                            "source_url": source.url,
                            "target_url": target.url,
                            "package_id": PACKAGE_ID,
                            "version": version,
                        },
                        key,
                    )
                    stored = target.snapshot()["packages"]
                if sum(len(items) for items in stored.values()) != 1:
                    raise BenchmarkFailed(
                        f"{label} copy of {megabytes} MB left the target without the package"
                    )
                run["mb_per_s"] = run["bytes"] / CHUNK / run["seconds"]
                results[f"{label}_{size_label}"] = run
    return results


def judge(results: dict[str, Any]) -> list[tuple[str, bool, str]]:
    raw, ours = results["raw_large"], results["octodesk_large"]
    share = ours["mb_per_s"] / raw["mb_per_s"]
    growth = ours["peak_rss_mb"] - results["octodesk_small"]["peak_rss_mb"]
    return [
        (
            f"throughput >= {THROUGHPUT_SHARE_TARGET:.0%} of a raw stream",
            share >= THROUGHPUT_SHARE_TARGET,
            f"{ours['mb_per_s']:.0f} MB/s vs {raw['mb_per_s']:.0f} MB/s ({share:.0%})",
        ),
        (
            f"peak memory independent of package size (within {MEMORY_GROWTH_ALLOWED_MB:g} MB)",
            growth <= MEMORY_GROWTH_ALLOWED_MB,
            f"{results['octodesk_small']['peak_rss_mb']:.0f} MB for {results['small_mb']} MB, "
            f"{ours['peak_rss_mb']:.0f} MB for {results['size_mb']} MB ({growth:+.0f} MB)",
        ),
    ]


def print_report(results: dict[str, Any], mode: str = "live") -> list[tuple[str, bool, str]]:
    what = "Package export into a bundle and import from it" if mode == "bundle" else "Package copy"
    print(f"{what} at {results['latency_ms']:g} ms latency")
    print(f"{'copy':<10} | {'package MB':>10} | {'seconds':>8} | {'MB/s':>7} | {'peak MB':>7}")
    for key, run in results.items():
        if isinstance(run, dict):
            label, size = key.split("_")
            megabytes = results["size_mb"] if size == "large" else results["small_mb"]
            print(
                f"{label:<10} | {megabytes:>10} | {run['seconds']:>8.2f} | {run['mb_per_s']:>7.0f} | "
                f"{run['peak_rss_mb']:>7.0f}"
            )
    if mode == "bundle":
        verdicts = package_bundle_bench.judge(results, results["size_mb"], results["small_mb"])
        for key in ("import_large", "import_small"):
            print(f"{key}: {results[key]['verify_seconds']:.2f} s of it reading and verifying the bundle")
    else:
        verdicts = judge(results)
    for name, met, detail in verdicts:
        print(f"[{'met' if met else 'MISSED'}] {name}: {detail}")
    return verdicts


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.package_bench", description=__doc__)
    parser.add_argument("--latency-ms", type=float, default=20.0, help="latency per request (20)")
    parser.add_argument("--size-mb", type=int, default=1024, help="the large package's payload in MB (1024)")
    parser.add_argument("--small-mb", type=int, default=16, help="the small package's payload in MB (16)")
    parser.add_argument(
        "--mode",
        choices=["live", "bundle"],
        default="live",
        help="live (default): a copy from feed to feed; bundle: export into a bundle and import from it",
    )
    args = parser.parse_args(argv)
    try:
        results = measure(args.size_mb, args.small_mb, args.latency_ms, args.mode)
    except BenchmarkFailed as error:
        print(f"Benchmark failed: {error}", file=sys.stderr)
        return 1
    print_report(results, args.mode)
    return 0


if __name__ == "__main__":
    sys.exit(main())

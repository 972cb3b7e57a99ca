"""Package benchmark, bundle mode: a built-in feed package exported into a bundle and imported from it,
against a raw stream of the same bytes, with OctoDesk's peak memory for a small and a 1 GB package.

``python -m benchmarks.package_bench --mode bundle [--latency-ms 20] [--size-mb 1024] [--small-mb 16]``
puts the packages into a source sandbox's feed (both sandboxes with the injected latency) and measures, each
in a child process of its own (``benchmarks.memory``):
- raw download: ``GET .../raw`` written to a file with bare ``requests`` (the ceiling for an export);
- OctoDesk export: the package streamed from the feed into a bundle (checked against the feed's size and
  SHA-1, hashed with SHA-256, the bundle key derived alongside, temporary file, fsync and rename);
- raw upload: that file sent as a chunked multipart ``POST .../packages/raw`` (the ceiling for an import);
- OctoDesk import: the bundle read and verified (its password, every entry's SHA-256: one full read of the
  package), then the package uploaded from it (SHA-256 checked again while it streams) after the target's
  feed was checked, journaled.
Targets: each OctoDesk throughput at least 70% of its raw stream's, and peak memory for the large package
within 32 MB of the small one's.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks.memory import BenchmarkFailed, run_child

THROUGHPUT_SHARE_TARGET = 0.7
MEMORY_GROWTH_ALLOWED_MB = 32.0
PACKAGE_ID = "Bench.Package"
PASSWORD = "package-benchmark-password"
CHUNK = 1 << 20


# --- scenarios (run in a child process) -------------------------------------------------------------


def raw_download(source_url: str, package_id: str, version: str, path: str) -> dict[str, Any]:
    import requests

    from benchmarks.memory import api_key_from_env
    from benchmarks.package_bench import default_space

    with requests.Session() as session:
        session.headers["X-Octopus-ApiKey"] = api_key_from_env()
        space = default_space(session, source_url)
        started = time.perf_counter()
        moved = 0
        route = f"{source_url}/api/{space}/packages/packages-{package_id}.{version}/raw"
        with session.get(route, stream=True) as download, open(path, "wb") as sink:
            download.raise_for_status()
            for chunk in download.iter_content(CHUNK):
                moved += len(chunk)
                sink.write(chunk)
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "bytes": moved}


def raw_upload(target_url: str, package_id: str, version: str, path: str) -> dict[str, Any]:
    import requests

    from benchmarks.memory import api_key_from_env
    from benchmarks.package_bench import default_space, raw_post

    def chunks() -> Iterator[bytes]:
        with open(path, "rb") as source:
            while chunk := source.read(CHUNK):
                yield chunk

    with requests.Session() as session:
        session.headers["X-Octopus-ApiKey"] = api_key_from_env()
        space_url = f"{target_url}/api/{default_space(session, target_url)}"
        started = time.perf_counter()
        moved = raw_post(session, space_url, package_id, version, chunks())
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "bytes": moved}


def bundle_export(source_url: str, package_id: str, version: str, path: str) -> dict[str, Any]:
    """What ``export --packages`` does for the package: read its version from the feed, stream it into a
    bundle (the projects' documents left out: they are the other benchmarks' subject)."""
    from benchmarks.memory import api_key_from_env
    from octodesk.core.bundle import write_bundle
    from octodesk.core.octopus.client import OctopusClient
    from octodesk.core.packages.bundle_entries import carried_entries, record_carried
    from octodesk.core.packages.manifest import ManifestPackages
    from octodesk.core.packages.transfer import ServerSource
    from octodesk.core.packages.versions import all_versions
    from octodesk.core.progress import Progress

    reports: list[Progress] = []
    with OctopusClient(source_url, api_key_from_env()) as client:
        started = time.perf_counter()
        space = str(client.resolve_space("Default")["Id"])
        versions = [item for item in all_versions(client, space, [package_id]) if item.version == version]
        section = ManifestPackages("latest", [package_id], versions)
        write_bundle(
            path,
            manifest={"source": {"url": source_url, "space": "Default"}, "projects": []},
            resources=[],
            secrets={},
            blobs={},
            password=PASSWORD,
            progress=reports.append,
            streamed=carried_entries(section, ServerSource(client, space)),
            streamed_manifest=lambda hashes: record_carried(section, hashes),
        )
        seconds = time.perf_counter() - started
        requests = client.request_count
    return {"seconds": seconds, "bytes": reports[-1].bytes_done, "requests": requests}


def bundle_import(target_url: str, path: str) -> dict[str, Any]:
    """What ``import`` does for the package: read and verify the bundle, check the target's feed, upload."""
    from benchmarks.memory import api_key_from_env
    from octodesk.core.bundle import read_bundle
    from octodesk.core.journal import Journal
    from octodesk.core.octopus.client import OctopusClient
    from octodesk.core.packages.bundle_entries import BundleSource
    from octodesk.core.packages.copier import COPIED, copy_packages
    from octodesk.core.packages.decide import PackagePlan
    from octodesk.core.packages.manifest import ManifestPackages
    from octodesk.core.packages.target import check_target
    from octodesk.core.progress import Progress

    reports: list[Progress] = []
    with (
        OctopusClient(target_url, api_key_from_env()) as client,
        tempfile.TemporaryDirectory(prefix="octodesk-bench-journal-") as folder,
    ):
        started = time.perf_counter()
        bundle = read_bundle(path, PASSWORD)
        verified = time.perf_counter()
        section = ManifestPackages.from_manifest(bundle.manifest, path)
        if section is None or not section.carried:
            raise BenchmarkFailed("the bundle carries no package")
        space = str(client.resolve_space("Default")["Id"])
        plan = PackagePlan(choice=section.choice, referenced=section.referenced)
        check_target(plan, client, space, section.versions)
        outcomes = copy_packages(
            plan.to_copy,
            BundleSource(bundle, section),
            client,
            space,
            Journal(Path(folder) / "journal.jsonl"),
            reports.append,
        )
        seconds = time.perf_counter() - started
        requests = client.request_count
    if [outcome.status for outcome in outcomes] != [COPIED]:
        raise BenchmarkFailed(f"the import did not succeed: {[outcome.message for outcome in outcomes]}")
    return {
        "seconds": seconds,
        "verify_seconds": verified - started,
        "bytes": reports[-1].bytes_done,
        "requests": requests,
    }


# --- the run (parent process) -----------------------------------------------------------------------


def measure(
    sizes: dict[str, tuple[str, int]], latency_ms: float, key: str, source_url: str, folder: Path
) -> dict[str, Any]:
    """Every scenario on the packages ``sizes`` (label -> version, MB) already in the source's feed."""
    from benchmarks.package_bench import say

    results: dict[str, Any] = {}
    for size_label, (version, megabytes) in sizes.items():
        file_path, bundle_path = str(folder / f"{version}.zip"), str(folder / f"{version}.octobundle")
        package = {"package_id": PACKAGE_ID, "version": version}
        steps: list[tuple[str, str, dict[str, Any]]] = [
            ("export", "bundle_export", {"source_url": source_url, **package, "path": bundle_path}),
            ("import", "bundle_import", {"target_url": _TARGET, "path": bundle_path}),
        ]
        if size_label == "large":
            steps[:0] = [
                ("rawget", "raw_download", {"source_url": source_url, **package, "path": file_path}),
                ("rawpost", "raw_upload", {"target_url": _TARGET, **package, "path": file_path}),
            ]
        for label, function, params in steps:
            say(f"{label}: the {megabytes} MB package at {latency_ms:g} ms...")
            run = _scenario(function, params, key, latency_ms)
            run["mb_per_s"] = run["bytes"] / CHUNK / run["seconds"]
            results[f"{label}_{size_label}"] = run
        Path(file_path).unlink(missing_ok=True)
        Path(bundle_path).unlink(missing_ok=True)
    return results


_TARGET = "<a fresh empty target>"


def _scenario(function: str, params: dict[str, Any], key: str, latency_ms: float) -> dict[str, Any]:
    """One scenario in its child process; an upload goes to a fresh empty target, which must then hold the
    package."""
    from octodesk.sandbox import SandboxServer

    with SandboxServer("empty", latency_ms=latency_ms, api_key=key) as target:
        uploads = params.get("target_url") == _TARGET
        if uploads:
            params = {**params, "target_url": target.url}
        run = run_child(f"benchmarks.package_bundle_bench:{function}", params, key)
        stored = sum(len(items) for items in target.snapshot()["packages"].values())
    if uploads and stored != 1:
        raise BenchmarkFailed(f"{function} left the target without the package")
    return run


def judge(results: dict[str, Any], size_mb: int, small_mb: int) -> list[tuple[str, bool, str]]:
    verdicts = []
    for ours, raw in (("export", "rawget"), ("import", "rawpost")):
        mine, ceiling = results[f"{ours}_large"], results[f"{raw}_large"]
        share = mine["mb_per_s"] / ceiling["mb_per_s"]
        verdicts.append(
            (
                f"{ours} throughput >= {THROUGHPUT_SHARE_TARGET:.0%} of a raw stream",
                share >= THROUGHPUT_SHARE_TARGET,
                f"{mine['mb_per_s']:.0f} MB/s vs {ceiling['mb_per_s']:.0f} MB/s ({share:.0%})",
            )
        )
        small, large = results[f"{ours}_small"]["peak_rss_mb"], mine["peak_rss_mb"]
        growth = large - small
        verdicts.append(
            (
                f"{ours} peak memory independent of package size (within {MEMORY_GROWTH_ALLOWED_MB:g} MB)",
                growth <= MEMORY_GROWTH_ALLOWED_MB,
                f"{small:.0f} MB for {small_mb} MB, {large:.0f} MB for {size_mb} MB ({growth:+.0f} MB)",
            )
        )
    return verdicts

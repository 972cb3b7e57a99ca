"""What every benchmark shares: the request timeline, CPU time, the duplicate-read check, choosing projects,
and the export scenarios (OctoDesk's engine and the sequential baseline of ``benchmarks/baseline_client.py``).

Scenario functions (``export_octodesk``, ``export_baseline``, ``bare_requests``) run in a child process
through ``benchmarks.memory.run_child``; they take and return JSON-able values.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PASSWORD = "benchmark password"  # protects throw-away bundles of sandbox data only


# --- the request timeline: how many round trips were sequential -------------------------------------


@dataclass
class RequestTimeline:
    """Start and end of every HTTP request this process sends (recorded at the requests adapter)."""

    intervals: list[tuple[float, float]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, started: float, finished: float) -> None:
        with self._lock:
            self.intervals.append((started, finished))

    def sequential_round_trips(self) -> int:
        """The longest chain of requests where each starts after the previous one ended.

        With injected latency every request costs at least one round trip, so this is the number of round
        trips the run had to wait for one after the other: the depth of its dependency levels (plus any
        level that needed more requests than the pool runs at once), whatever the total request count.
        """
        chain = 0
        last_end = float("-inf")
        for started, finished in sorted(self.intervals, key=lambda interval: interval[1]):
            if started >= last_end:
                chain += 1
                last_end = finished
        return chain


@contextmanager
def recording_requests() -> Iterator[RequestTimeline]:
    """Record every attempt ``OctopusClient`` makes in this process while the block runs.

    Recorded at the client's one-attempt method rather than inside an HTTP library, so the figures mean the
    same whichever transport the client uses.
    """
    from octodesk.core.octopus.client import OctopusClient

    timeline = RequestTimeline()
    original = OctopusClient._attempt

    def timed_attempt(client: OctopusClient, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(client, *args, **kwargs)
        finally:
            timeline.record(started, time.perf_counter())

    OctopusClient._attempt = timed_attempt  # type: ignore[method-assign,assignment]
    try:
        yield timeline
    finally:
        OctopusClient._attempt = original  # type: ignore[method-assign]


def key_derivation_seconds() -> float:
    """The CPU time of one key derivation at the bundle default cost on this machine (part of the export
    floor). CPU time, not wall time: scrypt runs on one core, and other processes must not inflate it."""
    from octodesk.core.bundle.crypto import KdfSpec, derive_key

    started = time.process_time()
    derive_key(PASSWORD, KdfSpec.new())
    return time.process_time() - started


# --- server-side checks -----------------------------------------------------------------------------


def duplicate_reads(request_log: list[tuple[str, str]]) -> list[str]:
    """GET paths (with query) the server answered more than once: a resource read twice."""
    gets = Counter(path for method, path in request_log if method == "GET")
    return sorted(path for path, count in gets.items() if count > 1)


def exportable_project_names(server_url: str, api_key: str, space_name: str) -> list[str]:
    """Every project of the space that can be exported (not version-controlled), sorted by name."""
    from octodesk.core.octopus.catalog import list_projects
    from octodesk.core.octopus.client import OctopusClient

    with OctopusClient(server_url, api_key) as client:
        space = client.resolve_space(space_name)
        projects = list_projects(client, str(space["Id"]))
    return sorted(project.name for project in projects if not project.is_version_controlled)


# --- export scenarios (run in a child process) -------------------------------------------------------


def export_octodesk(
    url: str, space: str, names: list[str], destination: str, concurrency: int
) -> dict[str, Any]:
    """OctoDesk's export engine, as the command line runs it."""
    from benchmarks.memory import api_key_from_env
    from octodesk.core.export import export_projects
    from octodesk.core.octopus.client import OctopusClient

    with recording_requests() as timeline:
        started, cpu_started = time.perf_counter(), time.process_time()
        with OctopusClient(url, api_key_from_env(), concurrency=concurrency) as client:
            report = export_projects(client, space, names, Path(destination), PASSWORD)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    return {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "client_requests": client.request_count,
        "round_trips": timeline.sequential_round_trips(),
        "phase_seconds": report.phase_seconds,
        "bundle_bytes": Path(destination).stat().st_size,
        "key_derivation_seconds": key_derivation_seconds(),
    }


def export_baseline(url: str, space: str, names: list[str], destination: str) -> dict[str, Any]:
    """The sequential comparison client of ``benchmarks/baseline_client.py``, one request at a time."""
    from benchmarks.baseline_client import baseline_export
    from benchmarks.memory import api_key_from_env
    from octodesk.core.octopus.client import OctopusClient

    with recording_requests() as timeline:
        started = time.perf_counter()
        with OctopusClient(url, api_key_from_env(), concurrency=1) as client:
            baseline_export(client, space, names, Path(destination))
        seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "client_requests": client.request_count,
        "round_trips": timeline.sequential_round_trips(),
    }


def bare_requests(url: str, path: str, count: int) -> dict[str, Any]:
    """The floor of client CPU per request: ``count`` GETs of one document on one kept-alive
    ``http.client`` connection, each answer decoded with ``json.loads``, and nothing else."""
    import http.client
    import json
    from urllib.parse import urlsplit

    from benchmarks.memory import api_key_from_env

    address = urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=60)
    headers = {"X-Octopus-ApiKey": api_key_from_env(), "Accept": "application/json"}
    answer_bytes = 0
    cpu_started = time.process_time()
    for _ in range(count):
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            from benchmarks.memory import BenchmarkFailed

            raise BenchmarkFailed(f"GET {path} answered {response.status}")
        json.loads(body)
        answer_bytes = len(body)
    cpu_seconds = time.process_time() - cpu_started
    connection.close()
    return {"requests": count, "cpu_seconds": cpu_seconds, "answer_bytes": answer_bytes, "path": path}

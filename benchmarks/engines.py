"""The two engines side by side: ``python -m benchmarks.engines`` (``make bench-engines``).

For the ``demo`` dataset (its Default space's projects) and some projects of ``large``, each engine migrates
the same projects from a fresh source sandbox into a fresh empty one, both with injected latency, and this
measures what a user would weigh: the sensitive values that arrive on the target (read from the target
sandbox's own store, against every sensitive value the source holds for the exported resources), the
resources created there, the HTTP requests both servers answered and the wall time. Prints one table;
``--json PATH`` saves the figures.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.common import PASSWORD, exportable_project_names
from octodesk.core.octopus.client import OctopusClient
from octodesk.core.server_engine import MigrateRequest, PollSettings, Side, migrate
from octodesk.sandbox import SandboxServer

ENGINES = ("client", "server")
POLL = PollSettings(first=0.05, factor=1.5, maximum=0.5)  # the sandbox's tasks take a few latency periods


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.engines", description=__doc__)
    parser.add_argument("--latency-ms", type=float, default=20.0, help="latency injected per request (20)")
    parser.add_argument("--large-projects", type=int, default=50, help="projects migrated from large (50)")
    parser.add_argument("--quick", action="store_true", help="10 projects of large")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also save every figure as JSON")
    return parser.parse_args(argv)


def stored_secrets(server: SandboxServer, space_id: str) -> int:
    """Sensitive values the server stores in one space: set sensitive variables, and every sensitive
    property (``{HasValue, NewValue}``) holding a value, in documents, template versions and tenant values."""
    snapshot = server.snapshot()
    count = 0

    def walk(value: Any) -> None:
        nonlocal count
        if isinstance(value, dict):
            if "HasValue" in value and set(value) <= {"HasValue", "NewValue", "Hint"}:
                count += value.get("NewValue") is not None
                return
            if value.get("IsSensitive") is True and value.get("Value") is not None:
                count += 1
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for documents in snapshot["documents"].values():
        walk([doc for doc in documents.values() if doc.get("SpaceId") == space_id])
    tenants = {
        doc["Id"]
        for doc in snapshot["documents"].get("tenants", {}).values()
        if doc.get("SpaceId") == space_id
    }
    walk([values for tenant, values in snapshot["tenant_variables"].items() if tenant in tenants])
    return count


def resources(server: SandboxServer, space_id: str) -> Counter[str]:
    """Documents per collection in the space, and its logos."""
    snapshot = server.snapshot()
    counts: Counter[str] = Counter()
    for route, documents in snapshot["documents"].items():
        counts[route] = sum(1 for doc in documents.values() if doc.get("SpaceId") == space_id)
    project_ids = {doc["Id"] for doc in snapshot["documents"].get("projects", {}).values()}
    counts["logos"] = sum(1 for owner in snapshot["logos"] if owner in project_ids)
    return counts


def run_engine(
    dataset: str, projects: list[str], engine: str, latency_ms: float, folder: Path
) -> dict[str, Any]:
    """One migration of ``projects`` with ``engine`` between two fresh sandboxes."""
    with (
        SandboxServer(dataset, latency_ms=latency_ms) as source,
        SandboxServer("empty", latency_ms=latency_ms) as target,
    ):
        target_space = target.space_id("Default")
        before = resources(target, target_space)
        source.reset_counters()
        target.reset_counters()
        started = time.perf_counter()
        with (
            OctopusClient(source.url, source.api_key) as source_client,
            OctopusClient(target.url, target.api_key) as target_client,
        ):
            result = migrate(
                Side(source_client, "Default"),
                Side(target_client, "Default"),
                # the client engine carries no account secret here: placeholders, as a user would allow them
                MigrateRequest(
                    projects,
                    folder / f"{engine}.octobundle",
                    PASSWORD,
                    engine=engine,
                    placeholder_secrets=True,
                ),
                poll=POLL,
            )
        seconds = time.perf_counter() - started
        created = resources(target, target_space) - before
        details = result.export_report.details if result.export_report else {}
        needed = int(details.get("secrets_needed", 0))
        return {
            "engine": engine,
            "projects": len(projects),
            "sensitive_needed": needed,  # every sensitive value of the exported resources (the inventory)
            "sensitive_on_target": stored_secrets(target, target_space),
            "resources_created": sum(created.values()),
            "created": dict(sorted(created.items())),
            "requests": source.request_count + target.request_count,
            "seconds": round(seconds, 2),
        }


def measure(dataset: str, space_projects: int | None, latency_ms: float) -> list[dict[str, Any]]:
    with SandboxServer(dataset) as probe:
        names = exportable_project_names(probe.url, probe.api_key, "Default")
        names = names[:space_projects] if space_projects else names
    rows = []
    with tempfile.TemporaryDirectory(prefix="octodesk-engines-") as folder:
        for engine in ENGINES:
            say(f"{dataset}: {engine} engine, {len(names)} projects ...")
            row = run_engine(dataset, names, engine, latency_ms, Path(folder))
            rows.append({"dataset": dataset, **row})
    return rows


def print_table(rows: list[dict[str, Any]]) -> None:
    header = (
        "dataset",
        "engine",
        "projects",
        "sensitive values on target / needed",
        "resources created",
        "requests",
        "seconds",
    )
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for row in rows:
        print(
            " | ".join(
                str(value)
                for value in (
                    row["dataset"],
                    row["engine"],
                    row["projects"],
                    f"{row['sensitive_on_target']} / {row['sensitive_needed']}",
                    row["resources_created"],
                    row["requests"],
                    row["seconds"],
                )
            )
        )


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    count = 10 if args.quick else args.large_projects
    rows = measure("demo", None, args.latency_ms) + measure("large", count, args.latency_ms)
    print_table(rows)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

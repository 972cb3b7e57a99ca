"""The benchmark table and the targets, each met or missed, from the figures ``python -m benchmarks`` took."""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass
from typing import Any

EXPORT_SPEED_UP_TARGET = 10.0
IMPORT_SPEED_UP_TARGET = 4.0
PEAK_MEMORY_TARGET_MB = 400.0
# "Close to levels x round trip + transfer": the time the latency added is explained by the sequential round
# trips (within this factor), and those round trips do not grow with the projects (at most this many more).
ROUND_TRIP_TIME_SLACK = 1.25
ROUND_TRIP_GROWTH_ALLOWED = 3
# "Linear in projects": the cost of the last added projects is at most this factor above the first ones'.
LINEAR_SLACK = 1.5
STALL_GOAL_MS = 100.0

COLUMNS = (
    ("scenario", 28, "<"),
    ("projects", 8, ">"),
    ("wall s", 7, ">"),
    ("client req", 10, ">"),
    ("server req", 10, ">"),
    ("req/proj", 8, ">"),
    ("speed-up", 8, ">"),
    ("seq. trips", 10, ">"),
    ("peak MB", 7, ">"),
    ("dup", 3, ">"),
)


@dataclass
class Target:
    name: str
    met: bool
    detail: str


def _line(values: list[str]) -> str:
    return " | ".join(
        f"{value:{align}{width}}" for value, (_, width, align) in zip(values, COLUMNS, strict=True)
    )


def _row(
    label: str, projects: int, run: dict[str, Any], speed_up: str = "-", dup: str = "-", trips: bool = True
) -> str:
    return _line(
        [
            label,
            str(projects),
            f"{run['seconds']:.2f}",
            str(run["client_requests"]),
            str(run.get("server_requests", "-")),
            f"{run.get('server_requests', run['client_requests']) / projects:.2f}",
            speed_up,
            str(run["round_trips"]) if trips else "-",
            f"{run['peak_rss_mb']:.0f}",
            dup,
        ]
    )


def table_lines(results: dict[str, Any]) -> list[str]:
    settings = results["settings"]
    header = _line([name for name, _, _ in COLUMNS])
    lines = [
        f"OctoDesk benchmarks: dataset '{settings['dataset']}' ({settings['exportable_projects']} "
        f"exportable projects), {settings['latency_ms']:g} ms latency per request, "
        f"concurrency {settings['concurrency']}",
        header,
        "-" * len(header),
    ]
    for row in results["export"]:
        ours, baseline = row["octodesk"], row["baseline"]
        speed_up = f"{baseline['seconds'] / ours['seconds']:.1f}x"
        lines.append(
            _row("export OctoDesk", row["projects"], ours, speed_up, str(len(ours["duplicate_reads"])))
        )
        lines.append(
            _row("export OctoDesk at 0 ms", row["projects"], row["octodesk_no_latency"], trips=False)
        )
        lines.append(_row("export baseline (sequential)", row["projects"], baseline))
    sequential = results["import_sequential"]
    for row in results["import"]:
        speed_up = "-"
        if row["projects"] == sequential["projects"]:
            speed_up = f"{sequential['seconds'] / row['seconds']:.1f}x"
        label = f"import concurrency {row['concurrency']}"
        lines.append(_row(label, row["projects"], row, speed_up, str(len(row["duplicate_reads"]))))
        lines.append(
            f"{'':28}   plan {row['plan_seconds']:.2f} s, apply {row['apply_seconds']:.2f} s"
            + (f" ({_steps(row['apply_seconds_by_step'])})" if row.get("apply_seconds_by_step") else "")
        )
    lines.append(
        _row(
            "import concurrency 1",
            sequential["projects"],
            sequential,
            dup=str(len(sequential["duplicate_reads"])),
        )
    )
    lines.append(
        f"{'':28}   plan {sequential['plan_seconds']:.2f} s, apply {sequential['apply_seconds']:.2f} s"
    )
    gui = results["gui"]
    lines.append(
        f"GUI export of {gui['projects']} projects: {gui['seconds']:.2f} s, worst main-thread stall "
        f"{gui['worst_stall_ms']:.0f} ms ({gui['ticks']} ticks of {gui['tick_ms']} ms, "
        f"{gui['gaps_over_goal']} gaps over {STALL_GOAL_MS:.0f} ms, "
        f"{gui['progress_updates']} progress updates "
        f"shown), peak {gui['peak_rss_mb']:.0f} MB"
    )
    return lines


def _steps(seconds_by_step: dict[str, float]) -> str:
    slowest = sorted(seconds_by_step.items(), key=lambda item: -item[1])[:4]
    return ", ".join(f"{name} {seconds:.2f}" for name, seconds in slowest)


def evaluate_targets(results: dict[str, Any]) -> list[Target]:
    latency_s = results["settings"]["latency_ms"] / 1000
    exports, imports = results["export"], results["import"]
    largest = exports[-1]
    ours, baseline = largest["octodesk"], largest["baseline"]
    targets = []

    speed_up = baseline["seconds"] / ours["seconds"]
    targets.append(
        Target(
            f"export >= {EXPORT_SPEED_UP_TARGET:g}x faster than the sequential baseline",
            speed_up >= EXPORT_SPEED_UP_TARGET,
            f"{speed_up:.1f}x at {largest['projects']} projects "
            f"({ours['seconds']:.2f} s vs {baseline['seconds']:.2f} s)",
        )
    )

    sequential = results["import_sequential"]
    import_speed_up = sequential["seconds"] / imports[-1]["seconds"]
    targets.append(
        Target(
            f"import >= {IMPORT_SPEED_UP_TARGET:g}x faster than --concurrency 1",
            import_speed_up >= IMPORT_SPEED_UP_TARGET,
            f"{import_speed_up:.1f}x at {sequential['projects']} projects "
            f"({imports[-1]['seconds']:.2f} s vs {sequential['seconds']:.2f} s)",
        )
    )

    unloaded = largest["octodesk_no_latency"]
    predicted = ours["round_trips"] * latency_s + unloaded["seconds"]
    trips = [row["octodesk"]["round_trips"] for row in exports]
    explained = ours["seconds"] <= ROUND_TRIP_TIME_SLACK * predicted
    flat = trips[-1] <= trips[0] + ROUND_TRIP_GROWTH_ALLOWED
    targets.append(
        Target(
            "export time close to (dependency levels x round trip) + transfer",
            explained and flat,
            f"{ours['seconds']:.2f} s vs {ours['round_trips']} sequential round trips "
            f"x {latency_s * 1000:g} ms + {unloaded['seconds']:.2f} s at 0 ms = {predicted:.2f} s; "
            f"sequential round trips {' / '.join(map(str, trips))} for "
            f"{' / '.join(str(row['projects']) for row in exports)} projects "
            f"(requests x round trip would be {ours['server_requests'] * latency_s:.2f} s)",
        )
    )

    targets.append(_linear_import(imports))

    peaks = [row["octodesk"]["peak_rss_mb"] for row in exports] + [row["peak_rss_mb"] for row in imports]
    peaks += [sequential["peak_rss_mb"], results["gui"]["peak_rss_mb"]]
    targets.append(
        Target(
            f"peak memory < {PEAK_MEMORY_TARGET_MB:g} MB",
            max(peaks) < PEAK_MEMORY_TARGET_MB,
            f"largest peak RSS {max(peaks):.0f} MB (export {ours['peak_rss_mb']:.0f}, import "
            f"{imports[-1]['peak_rss_mb']:.0f}, GUI {results['gui']['peak_rss_mb']:.0f}) "
            f"at {largest['projects']} projects",
        )
    )

    repeated = sorted({path for row in exports for path in row["octodesk"]["duplicate_reads"]})
    targets.append(
        Target(
            "no resource read twice (export)",
            not repeated,
            "every GET path answered once in every export"
            if not repeated
            else f"read twice: {', '.join(repeated[:5])}",
        )
    )

    stall = results["gui"]["worst_stall_ms"]
    targets.append(
        Target(
            f"GUI main thread never stalls {STALL_GOAL_MS:g} ms or more during an export",
            stall < STALL_GOAL_MS,
            f"worst gap between {results['gui']['tick_ms']} ms ticks: {stall:.0f} ms",
        )
    )
    return targets


def _linear_import(imports: list[dict[str, Any]]) -> Target:
    """Each added project costs about the same: the last step's cost per added project against the first
    step's (or, with two sizes, against the smallest run's cost per project, which includes fixed costs)."""
    name = "import time linear in projects"
    if len(imports) < 2:
        return Target(name, False, "needs at least two sizes to judge")
    marginal = [
        (later["seconds"] - earlier["seconds"]) / max(later["projects"] - earlier["projects"], 1)
        for earlier, later in itertools.pairwise(imports)
    ]
    reference = marginal[0] if len(marginal) > 1 else imports[0]["seconds"] / imports[0]["projects"]
    per_project = ", ".join(f"{row['seconds'] / row['projects'] * 1000:.0f}" for row in imports)
    return Target(
        name,
        marginal[-1] <= LINEAR_SLACK * max(reference, 1e-9),
        f"ms per added project between sizes: {', '.join(f'{m * 1000:.0f}' for m in marginal)}; "
        f"ms per project: {per_project}",
    )


def print_report(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Print the table and the targets; the targets as JSON-able dicts."""
    for line in table_lines(results):
        print(line)
    print()
    print("Targets:")
    targets = evaluate_targets(results)
    for target in targets:
        print(f"  [{'met' if target.met else 'MISSED'}] {target.name}: {target.detail}")
    return [asdict(target) for target in targets]

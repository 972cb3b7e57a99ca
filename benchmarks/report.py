"""The benchmark table and the targets, each met or missed, from the figures ``python -m benchmarks`` took."""

from __future__ import annotations

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


def _row(label: str, projects: int, run: dict[str, Any], speed_up: str = "-", trips: bool = True) -> str:
    if "error" in run:
        return f"{label:<28} | {projects:>8} | failed: {run['error']}"
    dup = str(len(run["duplicate_reads"])) if "duplicate_reads" in run else "-"
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


def _speed_up(slow: dict[str, Any], fast: dict[str, Any]) -> str:
    if "error" in slow or "error" in fast:
        return "-"
    return f"{slow['seconds'] / fast['seconds']:.1f}x"


def _phases(run: dict[str, Any]) -> list[str]:
    if "error" in run:
        return []
    steps = f" ({_steps(run['apply_seconds_by_step'])})" if run.get("apply_seconds_by_step") else ""
    return [f"{'':28}   plan {run['plan_seconds']:.2f} s, apply {run['apply_seconds']:.2f} s{steps}"]


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
        lines.append(_row("export OctoDesk", row["projects"], ours, _speed_up(baseline, ours)))
        lines.append(
            _row("export OctoDesk at 0 ms", row["projects"], row["octodesk_no_latency"], trips=False)
        )
        lines.append(_row("export baseline (sequential)", row["projects"], baseline))
    sequential = results["import_sequential"]
    for row in results["import"]:
        speed_up = _speed_up(sequential, row) if row["projects"] == sequential["projects"] else "-"
        lines.append(_row(f"import concurrency {row['concurrency']}", row["projects"], row, speed_up))
        lines += _phases(row)
    lines.append(_row("import concurrency 1", sequential["projects"], sequential))
    lines += _phases(sequential)
    unloaded = results.get("import_no_latency")
    if unloaded is not None:
        label = f"import conc. {unloaded['concurrency']} at 0 ms"
        lines.append(_row(label, unloaded["projects"], unloaded, trips=False))
        lines += _phases(unloaded)
    gui = results["gui"]
    if "error" in gui:
        lines.append(f"GUI export of {gui['projects']} projects: failed: {gui['error']}")
    else:
        lines.append(
            f"GUI export of {gui['projects']} projects: {gui['seconds']:.2f} s, {gui['server_requests']} "
            f"requests, worst main-thread stall {gui['worst_stall_ms']:.0f} ms ({gui['ticks']} ticks of "
            f"{gui['tick_ms']} ms, {gui['gaps_over_goal']} gaps over {STALL_GOAL_MS:.0f} ms, "
            f"{gui['progress_updates']} progress updates shown), peak {gui['peak_rss_mb']:.0f} MB"
        )
    return lines + _exit_problems(results)


def _exit_problems(results: dict[str, Any]) -> list[str]:
    """Scenarios whose figures are complete but whose process then died (e.g. a crash at interpreter exit)."""
    runs = [run for row in results["export"] for run in (row["octodesk"], row["baseline"])]
    runs += [*results["import"], results["import_sequential"], results["gui"]]
    runs += [results["import_no_latency"]] if "import_no_latency" in results else []
    return [
        f"note: {run['exit_problem']} (after its figures were taken)" for run in runs if "exit_problem" in run
    ]


def _steps(seconds_by_step: dict[str, float]) -> str:
    slowest = sorted(seconds_by_step.items(), key=lambda item: -item[1])[:4]
    return ", ".join(f"{name} {seconds:.2f}" for name, seconds in slowest)


class NotMeasured(Exception):
    """A scenario a target needs failed; its figures are missing."""


def _measured(run: dict[str, Any]) -> dict[str, Any]:
    if "error" in run:
        raise NotMeasured(run["error"])
    return run


def _export_speed_up(results: dict[str, Any]) -> Target:
    largest = results["export"][-1]
    ours, baseline = _measured(largest["octodesk"]), _measured(largest["baseline"])
    speed_up = baseline["seconds"] / ours["seconds"]
    return Target(
        "",
        speed_up >= EXPORT_SPEED_UP_TARGET,
        f"{speed_up:.1f}x at {largest['projects']} projects "
        f"({ours['seconds']:.2f} s vs {baseline['seconds']:.2f} s)",
    )


def _import_speed_up(results: dict[str, Any]) -> Target:
    sequential, parallel = _measured(results["import_sequential"]), _measured(results["import"][-1])
    speed_up = sequential["seconds"] / parallel["seconds"]
    detail = (
        f"{speed_up:.1f}x at {sequential['projects']} projects "
        f"({parallel['seconds']:.2f} s vs {sequential['seconds']:.2f} s)"
    )
    unloaded = results.get("import_no_latency", {})
    if "seconds" in unloaded:
        latency_ms = results["settings"]["latency_ms"]
        detail += (
            f"; concurrency {parallel['concurrency']} = {parallel['round_trips']} sequential round trips "
            f"x {latency_ms:g} ms + {unloaded['seconds']:.2f} s at 0 ms"
        )
    return Target("", speed_up >= IMPORT_SPEED_UP_TARGET, detail)


def _export_time_model(results: dict[str, Any]) -> Target:
    latency_s = results["settings"]["latency_ms"] / 1000
    exports = results["export"]
    ours, unloaded = _measured(exports[-1]["octodesk"]), _measured(exports[-1]["octodesk_no_latency"])
    predicted = ours["round_trips"] * latency_s + unloaded["seconds"]
    trips = [_measured(row["octodesk"])["round_trips"] for row in exports]
    explained = ours["seconds"] <= ROUND_TRIP_TIME_SLACK * predicted
    flat = trips[-1] <= trips[0] + ROUND_TRIP_GROWTH_ALLOWED
    return Target(
        "",
        explained and flat,
        f"{ours['seconds']:.2f} s vs {ours['round_trips']} sequential round trips "
        f"x {latency_s * 1000:g} ms + {unloaded['seconds']:.2f} s at 0 ms = {predicted:.2f} s; "
        f"sequential round trips {' / '.join(map(str, trips))} for "
        f"{' / '.join(str(row['projects']) for row in exports)} projects "
        f"(requests x round trip would be {ours['server_requests'] * latency_s:.2f} s)",
    )


def _peak_memory(results: dict[str, Any]) -> Target:
    runs = [row["octodesk"] for row in results["export"]] + results["import"]
    runs += [results["import_sequential"], results["gui"]]
    peaks = [run["peak_rss_mb"] for run in runs if "error" not in run]
    if not peaks:
        raise NotMeasured("every scenario failed")
    largest = results["export"][-1]
    by_scenario = {
        "export": largest["octodesk"].get("peak_rss_mb"),
        "import": results["import"][-1].get("peak_rss_mb"),
        "GUI": results["gui"].get("peak_rss_mb"),
    }
    shown = ", ".join(f"{name} {peak:.0f}" for name, peak in by_scenario.items() if peak is not None)
    return Target(
        "",
        max(peaks) < PEAK_MEMORY_TARGET_MB,
        f"largest peak RSS {max(peaks):.0f} MB ({shown}) at {largest['projects']} projects",
    )


def _no_duplicate_reads(results: dict[str, Any]) -> Target:
    runs = [_measured(row["octodesk"]) for row in results["export"]]
    repeated = sorted({path for run in runs for path in run["duplicate_reads"]})
    detail = (
        f"read twice: {', '.join(repeated[:5])}" if repeated else "every GET answered once in every export"
    )
    return Target("", not repeated, detail)


def _gui_stall(results: dict[str, Any]) -> Target:
    gui = _measured(results["gui"])
    stall = gui["worst_stall_ms"]
    return Target("", stall < STALL_GOAL_MS, f"worst gap between {gui['tick_ms']} ms ticks: {stall:.0f} ms")


TARGETS = (
    (f"export >= {EXPORT_SPEED_UP_TARGET:g}x faster than the sequential baseline", _export_speed_up),
    (f"import >= {IMPORT_SPEED_UP_TARGET:g}x faster than --concurrency 1", _import_speed_up),
    ("export time close to (dependency levels x round trip) + transfer", _export_time_model),
    ("import time linear in projects", lambda results: _linear_import(results["import"])),
    (f"peak memory < {PEAK_MEMORY_TARGET_MB:g} MB", _peak_memory),
    ("no resource read twice (export)", _no_duplicate_reads),
    (f"GUI main thread never stalls {STALL_GOAL_MS:g} ms or more during an export", _gui_stall),
)


def evaluate_targets(results: dict[str, Any]) -> list[Target]:
    targets = []
    for name, judge in TARGETS:
        try:
            judged = judge(results)
        except NotMeasured as missing:
            judged = Target("", False, f"not measured: {missing}")
        judged.name = name
        targets.append(judged)
    return targets


def _linear_import(imports: list[dict[str, Any]]) -> Target:
    """Each added project costs about the same. Judged over wide spans, so one noisy run cannot decide it:
    the cost per added project from the smallest size to the largest against the cost per added project
    from the smallest to the next (with two sizes: against the smallest run's cost per project)."""
    name = "import time linear in projects"
    imports = [_measured(run) for run in imports]
    if len(imports) < 2:
        return Target(name, False, "needs at least two sizes to judge")
    first, second, last = imports[0], imports[1], imports[-1]
    overall = _added_cost(first, last)
    reference = _added_cost(first, second) if len(imports) > 2 else first["seconds"] / first["projects"]
    per_project = ", ".join(f"{row['seconds'] / row['projects'] * 1000:.0f}" for row in imports)
    return Target(
        name,
        overall <= LINEAR_SLACK * max(reference, 1e-9),
        f"{overall * 1000:.0f} ms per added project from {first['projects']} to {last['projects']} projects "
        f"vs {reference * 1000:.0f} ms at the start; ms per project: {per_project} "
        f"for {' / '.join(str(row['projects']) for row in imports)} projects",
    )


def _added_cost(smaller: dict[str, Any], larger: dict[str, Any]) -> float:
    return float(larger["seconds"] - smaller["seconds"]) / max(larger["projects"] - smaller["projects"], 1)


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

"""The benchmark table and issue 14's targets, each with its floor, met or missed (``python -m benchmarks``).

Floors are what the row could reach if OctoDesk cost nothing beyond what cannot be avoided: the sequential
round trips times the latency (plus one key derivation for an export), the CPU of a bare HTTP request, the
writes an import must make, the heartbeat's jitter and the app's memory before the export.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

IMPORT_SPEED_UP_TARGET = 10.0
REQUESTS_PER_PROJECT_TARGET = 7.0
CPU_PER_REQUEST_TARGET_MS = 1.2
LINEAR_SLACK = 1.3
EXPORT_SPEED_UP_TARGET = 50.0
EXPORT_FLOOR_SLACK = 1.5
STALL_TARGET_MS = 50.0
GUI_MEMORY_TARGET_MB = 400.0

COLUMNS = (
    ("scenario", 30, "<"),
    ("projects", 8, ">"),
    ("wall s", 7, ">"),
    ("CPU s", 6, ">"),
    ("client req", 10, ">"),
    ("server req", 10, ">"),
    ("req/proj", 8, ">"),
    ("CPU ms/req", 10, ">"),
    ("seq. trips", 10, ">"),
    ("server CPU s", 12, ">"),
    ("peak MB", 7, ">"),
    ("dup", 3, ">"),
)


@dataclass
class Target:
    name: str
    target: str
    met: bool
    value: str
    floor: str


class NotMeasured(Exception):
    """A scenario a target needs failed; its figures are missing."""


def _measured(run: dict[str, Any]) -> dict[str, Any]:
    if "error" in run:
        raise NotMeasured(run["error"])
    return run


# --- the scenario table --------------------------------------------------------------------------------


def _line(values: list[str]) -> str:
    return " | ".join(
        f"{value:{align}{width}}" for value, (_, width, align) in zip(values, COLUMNS, strict=True)
    )


def _optional(run: dict[str, Any], key: str, form: str) -> str:
    return format(run[key], form) if key in run else "-"


def _row(label: str, projects: int, run: dict[str, Any], trips: bool = True) -> str:
    if "error" in run:
        return f"{label:<30} | {projects:>8} | failed: {run['error']}"
    requests = run.get("server_requests", run["client_requests"])
    cpu_per_request = (
        f"{run['cpu_seconds'] * 1000 / run['client_requests']:.2f}"
        if "cpu_seconds" in run and run["client_requests"]
        else "-"
    )
    return _line(
        [
            label,
            str(projects),
            f"{run['seconds']:.2f}",
            _optional(run, "cpu_seconds", ".2f"),
            str(run["client_requests"]),
            str(run.get("server_requests", "-")),
            f"{requests / projects:.2f}",
            cpu_per_request,
            str(run["round_trips"]) if trips else "-",
            _optional(run, "server_cpu_seconds", ".2f"),
            f"{run['peak_rss_mb']:.0f}",
            str(len(run["duplicate_reads"])) if "duplicate_reads" in run else "-",
        ]
    )


def _phases(run: dict[str, Any]) -> list[str]:
    if "error" in run:
        return []
    steps = f" ({_steps(run['apply_seconds_by_step'])})" if run.get("apply_seconds_by_step") else ""
    return [f"{'':30}   plan {run['plan_seconds']:.2f} s, apply {run['apply_seconds']:.2f} s{steps}"]


def _steps(seconds_by_step: dict[str, float]) -> str:
    slowest = sorted(seconds_by_step.items(), key=lambda item: -item[1])[:4]
    return ", ".join(f"{name} {seconds:.2f}" for name, seconds in slowest)


def _gui_line(gui: dict[str, Any]) -> str:
    where = f"GUI export of {gui['projects']} projects ({gui['dataset']})"
    if "error" in gui:
        return f"{where}: failed: {gui['error']}"
    return (
        f"{where}: {gui['seconds']:.2f} s, {gui['server_requests']} requests, worst main-thread stall "
        f"{gui['worst_stall_ms']:.0f} ms (idle {gui['idle_worst_gap_ms']:.0f} ms; {gui['ticks']} ticks of "
        f"{gui['tick_ms']} ms, {gui['gaps_over_goal']} gaps over {STALL_TARGET_MS:.0f} ms, "
        f"{gui['progress_updates']} progress updates shown), peak {gui['peak_rss_mb']:.0f} MB "
        f"({gui['rss_before_export_mb']:.0f} MB before the export)"
    )


def table_lines(results: dict[str, Any]) -> list[str]:
    settings = results["settings"]
    header = _line([name for name, _, _ in COLUMNS])
    datasets = ", ".join(
        f"'{d['dataset']}' ({d['exportable_projects']} projects, built in {d['build_seconds']:.1f} s)"
        for d in results["datasets"]
    )
    lines = [
        f"OctoDesk benchmarks: {datasets}; {settings['latency_ms']:g} ms latency per request, "
        f"concurrency {settings['concurrency']}, fastest of {settings['repeat']} run(s) per scenario",
        header,
        "-" * len(header),
    ]
    for row in results["export"]:
        lines.append(_row(f"export {row['dataset']}", row["projects"], row["octodesk"]))
        if "octodesk_no_latency" in row:
            lines.append(_row("export at 0 ms", row["projects"], row["octodesk_no_latency"], trips=False))
        if "baseline" in row:
            lines.append(_row("export baseline (sequential)", row["projects"], row["baseline"]))
    for row in results["import"]:
        lines.append(_row(f"import {row['dataset']} conc. {row['concurrency']}", row["projects"], row))
        lines += _phases(row)
    sequential = results["import_sequential"]
    lines.append(_row("import concurrency 1", sequential["projects"], sequential))
    lines += _phases(sequential)
    unloaded = results["import_no_latency"]
    lines.append(
        _row(f"import conc. {unloaded['concurrency']} at 0 ms", unloaded["projects"], unloaded, False)
    )
    lines += _phases(unloaded)
    lines += [_gui_line(gui) for gui in results["gui"]]
    bare = results.get("bare_request", {})
    if "cpu_seconds" in bare:
        lines.append(
            f"bare http.client GET + json.loads of a {bare['answer_bytes']} byte project: "
            f"{bare['cpu_seconds'] * 1000 / bare['requests']:.3f} ms CPU per request"
        )
    return lines + _exit_problems(results)


def _all_runs(results: dict[str, Any]) -> list[dict[str, Any]]:
    runs = [run for row in results["export"] for key in ("octodesk", "baseline") if (run := row.get(key))]
    runs += [*results["import"], results["import_sequential"], results["import_no_latency"]]
    return runs + results["gui"]


def _exit_problems(results: dict[str, Any]) -> list[str]:
    """Scenarios whose figures are complete but whose process then died (e.g. a crash at interpreter exit)."""
    return [
        f"note: {run['exit_problem']} (after its figures were taken)"
        for run in _all_runs(results)
        if "exit_problem" in run
    ]


# --- the targets -------------------------------------------------------------------------------------


def _reference_import(results: dict[str, Any]) -> dict[str, Any]:
    reference = results["settings"]["reference_dataset"]
    rows = [row for row in results["import"] if row["dataset"] == reference]
    if not rows:
        raise NotMeasured(f"no import of the '{reference}' dataset")
    return _measured(rows[-1])


def _reference_export(results: dict[str, Any]) -> dict[str, Any]:
    rows = [row for row in results["export"] if "baseline" in row]
    if not rows:
        raise NotMeasured("no export with a baseline")
    return rows[-1]


def _import_floor_seconds(run: dict[str, Any], latency_s: float) -> float:
    return max(run["round_trips"] * latency_s, run["cpu_seconds"])


def _import_speed_up(results: dict[str, Any]) -> Target:
    latency_s = results["settings"]["latency_ms"] / 1000
    parallel = _reference_import(results)
    sequential = _measured(results["import_sequential"])
    speed_up = sequential["seconds"] / parallel["seconds"]
    floor = _import_floor_seconds(parallel, latency_s)
    return Target(
        "Import, default concurrency vs `--concurrency 1`",
        f">= {IMPORT_SPEED_UP_TARGET:g}x faster",
        speed_up >= IMPORT_SPEED_UP_TARGET,
        f"{speed_up:.1f}x ({parallel['seconds']:.1f} s vs {sequential['seconds']:.1f} s, "
        f"{parallel['projects']} projects, concurrency {parallel['concurrency']})",
        f"{sequential['seconds'] / floor:.0f}x: {floor:.1f} s = max({parallel['round_trips']} sequential "
        f"round trips x {latency_s * 1000:g} ms, client CPU {parallel['cpu_seconds']:.1f} s)",
    )


def _requests_per_project(results: dict[str, Any]) -> Target:
    run = _reference_import(results)
    per_project = run["server_requests"] / run["projects"]
    by_method = run.get("requests_by_method", {})
    shown = ", ".join(f"{method} {count}" for method, count in sorted(by_method.items()))
    return Target(
        "Import requests per project",
        f"<= {REQUESTS_PER_PROJECT_TARGET:g}",
        per_project <= REQUESTS_PER_PROJECT_TARGET,
        f"{per_project:.2f} ({run['server_requests']} for {run['projects']} projects: {shown})",
        f"{run['necessary_writes'] / run['projects']:.2f}: one write per resource the plan writes "
        "(a new project's default channel comes with it)",
    )


def _cpu_per_request(results: dict[str, Any]) -> Target:
    run = _reference_import(results)
    per_request = run["cpu_seconds"] * 1000 / run["client_requests"]
    without_kdf = (run["cpu_seconds"] - run["key_derivation_seconds"]) * 1000 / run["client_requests"]
    bare = _measured(results.get("bare_request", {"error": "not run"}))
    return Target(
        "Client CPU per import request",
        f"<= {CPU_PER_REQUEST_TARGET_MS:g} ms",
        per_request <= CPU_PER_REQUEST_TARGET_MS,
        f"{per_request:.2f} ms ({run['cpu_seconds']:.2f} s / {run['client_requests']} requests; "
        f"{without_kdf:.2f} ms without the key derivation)",
        f"{bare['cpu_seconds'] * 1000 / bare['requests']:.2f} ms: a bare http.client GET + json.loads",
    )


def _added(smaller: dict[str, Any], larger: dict[str, Any], key: str) -> float:
    return float(larger[key] - smaller[key]) / max(larger["projects"] - smaller["projects"], 1)


def _linear_import(results: dict[str, Any]) -> Target:
    latency_s = results["settings"]["latency_ms"] / 1000
    spans = []
    for dataset in (results["settings"]["reference_dataset"], results["settings"]["scaling_dataset"]):
        rows = [_measured(row) for row in results["import"] if row["dataset"] == dataset]
        if len(rows) < 2:
            raise NotMeasured(f"needs two import sizes of '{dataset}'")
        spans.append((rows[0], rows[-1]))
    (small_a, small_b), (big_a, big_b) = spans
    first, last = _added(small_a, small_b, "seconds"), _added(big_a, big_b, "seconds")
    ratio = last / max(first, 1e-9)
    cpu_first, cpu_last = _added(small_a, small_b, "cpu_seconds"), _added(big_a, big_b, "cpu_seconds")
    server_first = _added(small_a, small_b, "server_cpu_seconds")
    server_last = _added(big_a, big_b, "server_cpu_seconds")

    def network(smaller: dict[str, Any], larger: dict[str, Any]) -> float:
        return _added(smaller, larger, "server_requests") * latency_s / larger["concurrency"] * 1000

    return Target(
        f"Import cost per added project, {big_a['projects']}->{big_b['projects']} vs "
        f"{small_a['projects']}->{small_b['projects']}",
        f"within {LINEAR_SLACK:g}x",
        ratio <= LINEAR_SLACK,
        f"{ratio:.2f}x ({last * 1000:.0f} ms vs {first * 1000:.0f} ms; client CPU {cpu_last * 1000:.0f} "
        f"vs {cpu_first * 1000:.0f} ms, sandbox CPU {server_last * 1000:.0f} "
        f"vs {server_first * 1000:.0f} ms)",
        f"1.0x (the pool kept full: {network(big_a, big_b):.0f} / {network(small_a, small_b):.0f} ms "
        "of requests x latency / concurrency)",
    )


def export_floor_seconds(run: dict[str, Any], latency_s: float) -> float:
    return float(run["round_trips"] * latency_s + run["key_derivation_seconds"])


def _export_speed_up(results: dict[str, Any]) -> Target:
    latency_s = results["settings"]["latency_ms"] / 1000
    row = _reference_export(results)
    ours, baseline = _measured(row["octodesk"]), _measured(row["baseline"])
    speed_up = baseline["seconds"] / ours["seconds"]
    return Target(
        f"Export of {row['projects']} projects vs the sequential baseline",
        f">= {EXPORT_SPEED_UP_TARGET:g}x faster",
        speed_up >= EXPORT_SPEED_UP_TARGET,
        f"{speed_up:.1f}x ({ours['seconds']:.2f} s vs {baseline['seconds']:.1f} s)",
        f"{baseline['seconds'] / export_floor_seconds(ours, latency_s):.0f}x at the export floor",
    )


def _export_time(results: dict[str, Any]) -> Target:
    latency_s = results["settings"]["latency_ms"] / 1000
    row = _reference_export(results)
    ours = _measured(row["octodesk"])
    floor = export_floor_seconds(ours, latency_s)
    ratio = ours["seconds"] / floor
    unloaded = row.get("octodesk_no_latency", {})
    at_zero = f"; {unloaded['seconds']:.2f} s at 0 ms" if "seconds" in unloaded else ""
    ratios = sorted(ours.get("floor_ratios", [ratio]))
    spread = f"median of {len(ratios)} runs, {ratios[0]:.2f}-{ratios[-1]:.2f}x; " if len(ratios) > 1 else ""
    return Target(
        f"Export wall time ({row['projects']} projects) vs round trips x latency + key derivation",
        f"within {EXPORT_FLOOR_SLACK:g}x",
        ratio <= EXPORT_FLOOR_SLACK,
        f"{ratio:.2f}x ({spread}{ours['seconds']:.2f} s{at_zero})",
        f"{floor:.2f} s = {ours['round_trips']} round trips x {latency_s * 1000:g} ms + "
        f"{ours['key_derivation_seconds']:.2f} s key derivation{_cpu_floor(ours, results['settings'])}",
    )


def _cpu_floor(run: dict[str, Any], settings: dict[str, Any]) -> str:
    """What the formula leaves out: the client's CPU (the key derivation's included) and the sandbox's share
    the machine's cores, so the run cannot end before their sum over the cores."""
    cores = settings.get("cores")
    if not cores or "server_cpu_seconds" not in run:
        return ""
    busy = run["cpu_seconds"] + run["server_cpu_seconds"]
    return (
        f"; CPU: {busy:.2f} s (client {run['cpu_seconds']:.2f}, sandbox {run['server_cpu_seconds']:.2f}) "
        f"on {cores} cores, at least {busy / cores:.2f} s"
    )


def _largest_gui(results: dict[str, Any]) -> dict[str, Any]:
    scaling = [gui for gui in results["gui"] if gui["dataset"] == results["settings"]["scaling_dataset"]]
    if not scaling:
        raise NotMeasured("no GUI export of the scaling dataset")
    return _measured(scaling[-1])


def _gui_stall(results: dict[str, Any]) -> Target:
    gui = _largest_gui(results)
    stall = gui["worst_stall_ms"]
    return Target(
        f"Worst GUI main-thread stall during a {gui['projects']}-project export",
        f"< {STALL_TARGET_MS:g} ms",
        stall < STALL_TARGET_MS,
        f"{stall:.0f} ms ({gui['gaps_over_goal']} gaps over {STALL_TARGET_MS:g} ms "
        f"in {gui['seconds']:.1f} s)",
        f"{gui['idle_worst_gap_ms']:.0f} ms: the idle window's worst gap between {gui['tick_ms']} ms ticks",
    )


def _gui_memory(results: dict[str, Any]) -> Target:
    gui = _largest_gui(results)
    return Target(
        f"GUI peak RSS at {gui['projects']} projects",
        f"< {GUI_MEMORY_TARGET_MB:g} MB",
        gui["peak_rss_mb"] < GUI_MEMORY_TARGET_MB,
        f"{gui['peak_rss_mb']:.0f} MB",
        f"{gui['rss_before_export_mb']:.0f} MB: the app with the project list, before the export",
    )


def _no_duplicate_reads(results: dict[str, Any]) -> Target:
    runs = [_measured(row["octodesk"]) for row in results["export"]]
    repeated = sorted({path for run in runs for path in run["duplicate_reads"]})
    return Target(
        "Export reads no resource twice",
        "0 repeated GETs",
        not repeated,
        f"read twice: {', '.join(repeated[:5])}" if repeated else "0 in every export",
        "0",
    )


JUDGES = (
    ("Import, default concurrency vs `--concurrency 1`", _import_speed_up),
    ("Import requests per project", _requests_per_project),
    ("Client CPU per import request", _cpu_per_request),
    ("Import cost per added project", _linear_import),
    ("Export vs the sequential baseline", _export_speed_up),
    ("Export wall time vs round trips x latency + key derivation", _export_time),
    ("Worst GUI main-thread stall during the largest export", _gui_stall),
    ("GUI peak RSS at the largest export", _gui_memory),
    ("Export reads no resource twice", _no_duplicate_reads),
)


def evaluate_targets(results: dict[str, Any]) -> list[Target]:
    targets = []
    for name, judge in JUDGES:
        try:
            targets.append(judge(results))
        except NotMeasured as missing:
            targets.append(Target(name, "", False, f"not measured: {missing}", "-"))
    return targets


def target_lines(targets: list[Target]) -> list[str]:
    """The targets as a Markdown table (the README's benchmark table has the same columns)."""
    lines = ["| Measure | Target | Measured | Floor | |", "|---|---|---|---|---|"]
    for target in targets:
        verdict = "met" if target.met else "MISSED"
        lines.append(f"| {target.name} | {target.target} | {target.value} | {target.floor} | {verdict} |")
    return lines


def print_report(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Print the table and the targets; the targets as JSON-able dicts."""
    for line in table_lines(results):
        print(line)
    print()
    targets = evaluate_targets(results)
    for line in target_lines(targets):
        print(line)
    return [asdict(target) for target in targets]

"""The two engines made readable: the engine choice, the server engine's import plan (Octopus's own preview,
per kind) and which engine did what in a report."""

from __future__ import annotations

from typing import Any

from octodesk.core.report import Report
from octodesk.core.server_engine import EngineChoice, ServerImportPlan
from octodesk.core.server_engine.choice import CAPABILITIES
from octodesk.core.text import safe_lines
from octodesk.render.text import counts_lines, plan_closing_lines
from octodesk.render.words import Remedies


def choice_line(choice: EngineChoice) -> str:
    return f"Engine: {choice.engine} — {choice.reason}."


def sensitive_values_row(total: int, client_carries: int) -> tuple[str, str, str]:
    """What each engine does with the ``total`` sensitive values the projects use, of which the client
    engine can read ``client_carries`` itself (certificates the API key may export)."""
    if not total:
        return ("Sensitive values", "none used by these projects", "none used by these projects")
    client = (
        f"carries all {total}"
        if client_carries >= total
        else f"carries {client_carries} of {total}, you type the rest"
    )
    return ("Sensitive values", client, f"carries all {total} sensitive values, encrypted by Octopus")


def capability_rows(total: int | None = None, client_carries: int = 0) -> list[tuple[str, str, str]]:
    """(what, client engine, server engine) for the engine choice; with the count once it is known."""
    rows = list(CAPABILITIES)
    if total is not None:
        rows[0] = sensitive_values_row(total, client_carries)
    return rows


def server_plan_to_text(plan: ServerImportPlan, remedies: Remedies) -> str:
    """Octopus's own preview per kind (create, or reuse of a same-named resource), then what OctoDesk adds."""
    target = plan.target
    source = plan.source
    how = (
        "reads the export task itself (same instance)"
        if plan.import_source.get("Type") == "space"
        else ("reads the uploaded zip" if plan.import_source else "has not been handed the zip")
    )
    lines = [
        f"Import plan (server engine) for space '{target.space_name}' on {target.server_url} "
        f"(Octopus {target.version}, {target.hosting})",
        f"Bundle from {source.get('url', '?')} (Octopus {source.get('version', '?')}), "
        f"space '{source.get('space', '?')}'; Octopus's import {how}",
        "",
    ]
    if plan.items:
        lines.append("Octopus's import preview:")
        for item in plan.items:
            details = f" ({', '.join(item.details)})" if item.details else ""
            lines.append(f"  {item.action.upper():<8} {item.kind:<12} {item.name}{details}")
        lines += ["", "Totals:", *counts_lines(plan.counts())]
    if plan.extras:
        lines += ["", "OctoDesk adds after Octopus's import:", *(f"  - {line}" for line in plan.extras)]
    lines += plan_closing_lines(plan.refusals, plan.warnings, plan.follow_ups, remedies)
    return safe_lines(lines) + "\n"


def by_engine_lines(report: Report) -> list[str]:
    """Which engine did what, when a report merges both."""
    by_engine: Any = report.details.get("by_engine")
    if not isinstance(by_engine, dict):
        return []
    lines = ["", "Who did what:"]
    task = report.details.get("server_task") or {}
    for engine, counts in by_engine.items():
        label = f"{engine} ({task['id']})" if task.get("id") and engine.startswith("Octopus") else engine
        if isinstance(counts, dict) and counts:
            lines.append(f"  {label}:")
            lines += [f"  {line}" for line in counts_lines(counts)]
        elif isinstance(counts, str):
            lines.append(f"  {label}: {counts}")
        else:
            lines.append(f"  {label}: nothing to do")
    return lines

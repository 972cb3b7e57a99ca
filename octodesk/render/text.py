"""Reports and plans as plain text for the terminal."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from octodesk.core.report import FAILED_COLUMN, FollowUp, Report
from octodesk.core.text import safe_lines
from octodesk.core.vocabulary import Action, Outcome
from octodesk.render.words import (
    Remedies,
    category_label,
    follow_up_text,
    headline,
    hosting_label,
    kind_label,
    place_text,
)

if TYPE_CHECKING:
    from octodesk.core.plan import ImportPlan

COLUMN_ORDER = (*(str(action) for action in Action), FAILED_COLUMN)


def ordered_columns(present: Iterable[str]) -> list[str]:
    """Actions in their usual order (the failed column last), then anything unexpected."""
    present = set(present)
    return [c for c in COLUMN_ORDER if c in present] + sorted(present - set(COLUMN_ORDER))


def counts_lines(counts: dict[str, dict[str, int]]) -> list[str]:
    width = max((len(kind_label(kind)) for kind in counts), default=0)
    return [
        f"  {kind_label(kind):<{width}}  "
        + ", ".join(
            f"{per_kind[column]} {column}" for column in ordered_columns(per_kind) if per_kind[column]
        )
        for kind, per_kind in counts.items()
    ]


def follow_up_lines(follow_ups: list[FollowUp], remedies: Remedies) -> list[str]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for follow_up in follow_ups:
        grouped[category_label(follow_up.category)].append(follow_up_text(follow_up, remedies))
    lines = []
    for category, messages in grouped.items():
        lines.append(f"  {category} ({len(messages)}):")
        lines += [f"    - {message}" for message in messages]
    return lines


def to_text(report: Report, remedies: Remedies) -> str:
    """A report (export or import) for the terminal."""
    lines = [headline(report)]
    lines += [
        f"{label:<8}{place_text(place)}"
        for label, place in (("Source", report.source), ("Target", report.target))
        if place
    ]
    if report.bundle_path:
        lines.append(f"Bundle  {report.bundle_path}")
    if report.counts:
        lines += ["", "What was done:", *counts_lines(report.counts)]
    problems = [item for item in report.items if item.outcome == Outcome.FAILED]
    if problems:
        lines += ["", f"Failed ({len(problems)}):"]
        lines += [f"  - {kind_label(item.kind)} '{item.name}': {item.reason}" for item in problems]
    if report.warnings:
        lines += ["", f"Warnings ({len(report.warnings)}):", *(f"  - {w}" for w in report.warnings)]
    if report.follow_ups:
        lines += [
            "",
            f"Follow-ups: what to do by hand ({len(report.follow_ups)}):",
            *follow_up_lines(report.follow_ups, remedies),
        ]
    if not report.finished and not report.cancelled and report.operation == "import":
        lines += ["", remedies.resume[:1].upper() + remedies.resume[1:] + "."]
    seconds = ", ".join(f"{phase} {value:.1f}s" for phase, value in report.phase_seconds.items())
    lines += ["", f"HTTP requests: {report.http_requests}" + (f"; time: {seconds}" if seconds else "")]
    return safe_lines(lines) + "\n"


def plan_to_text(plan: ImportPlan, remedies: Remedies) -> str:
    """The preview of an import: per resource the action and why, then refusals, warnings, follow-ups."""
    lines = [
        f"Import plan for space '{plan.space_name}' on {plan.server_url} "
        f"(Octopus {plan.target_version}, {hosting_label(plan.target_hosting)})",
        f"Bundle from {plan.source.get('url', '?')} (Octopus {plan.source.get('version', '?')}), "
        f"space '{plan.source.get('space', '?')}'",
        "",
    ]
    for item in plan.items:
        resumed = " (resumed)" if item.resumed else ""
        lines.append(
            f"  {item.action.upper():<8} {kind_label(item.kind):<20} {item.name}{resumed} — {item.reason}"
        )
        lines += [f"             · {detail}" for detail in item.details]
    lines += ["", "Totals:", *counts_lines(plan.counts())]
    if plan.packages is not None and plan.packages.decisions:
        lines += ["", f"Packages: {plan.packages.storage_line()}"]
    lines += plan_closing_lines(plan.refusals, plan.warnings, plan.follow_ups, remedies)
    return safe_lines(lines) + "\n"


def plan_closing_lines(
    refusals: list[str], warnings: list[str], follow_ups: list[FollowUp], remedies: Remedies
) -> list[str]:
    """What ends a plan of either engine: refusals, warnings, follow-ups; a block only when it has lines."""
    lines: list[str] = []
    if refusals:
        lines += ["", f"REFUSED ({len(refusals)}): nothing will be written.", *(f"  - {r}" for r in refusals)]
    if warnings:
        lines += ["", f"Warnings ({len(warnings)}):", *(f"  - {warning}" for warning in warnings)]
    if follow_ups:
        lines += ["", f"Follow-ups ({len(follow_ups)}):", *follow_up_lines(follow_ups, remedies)]
    return lines

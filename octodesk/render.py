"""Reports and plans made readable: plain text for the terminal, a self-contained HTML page for the GUI."""

from __future__ import annotations

import html
from collections import defaultdict
from typing import TYPE_CHECKING

from octodesk.core.report import FollowUp, Report

if TYPE_CHECKING:
    from octodesk.core.plan import ImportPlan

ACTION_ORDER = ("create", "reuse", "merge", "update", "convert", "skip", "exported")


def _ordered_actions(per_kind: dict[str, int]) -> list[tuple[str, int]]:
    known = [(action, per_kind[action]) for action in ACTION_ORDER if per_kind.get(action)]
    return known + sorted((a, n) for a, n in per_kind.items() if a not in ACTION_ORDER and n)


def _counts_lines(counts: dict[str, dict[str, int]]) -> list[str]:
    width = max((len(kind) for kind in counts), default=0)
    return [
        f"  {kind:<{width}}  " + ", ".join(f"{n} {action}" for action, n in _ordered_actions(per_kind))
        for kind, per_kind in counts.items()
    ]


def _follow_up_lines(follow_ups: list[FollowUp]) -> list[str]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for follow_up in follow_ups:
        grouped[follow_up.category].append(follow_up.message)
    lines = []
    for category, messages in grouped.items():
        lines.append(f"  {category} ({len(messages)}):")
        lines += [f"    - {message}" for message in messages]
    return lines


def to_text(report: Report) -> str:
    """A report (export or import) for the terminal."""
    title = {"import": "Import", "export": "Export"}.get(report.operation, report.operation.title())
    status = "finished" if report.succeeded else "did not finish"
    target = report.details.get("target") or {}
    where = f" into space '{target.get('space')}' on {target.get('url')}" if target else ""
    lines = [f"{title} {status}{where}."]
    if report.counts:
        lines += ["", "What was done:", *_counts_lines(report.counts)]
    if report.warnings:
        lines += [
            "",
            f"Warnings ({len(report.warnings)}):",
            *(f"  - {warning}" for warning in report.warnings),
        ]
    if report.follow_ups:
        lines += [
            "",
            f"Follow-ups: what to do by hand ({len(report.follow_ups)}):",
            *_follow_up_lines(report.follow_ups),
        ]
    seconds = ", ".join(f"{phase} {value:.1f}s" for phase, value in report.phase_seconds.items())
    lines += ["", f"HTTP requests: {report.http_requests}" + (f"; time: {seconds}" if seconds else "")]
    return "\n".join(lines) + "\n"


def plan_to_text(plan: ImportPlan) -> str:
    """The preview of an import: per resource the action and why, then refusals, warnings, follow-ups."""
    lines = [
        f"Import plan for space '{plan.space_name}' on {plan.server_url} "
        f"(Octopus {plan.target_version}, {plan.target_hosting})",
        f"Bundle from {plan.source.get('url', '?')} (Octopus {plan.source.get('version', '?')}), "
        f"space '{plan.source.get('space', '?')}'",
        "",
    ]
    for item in plan.items:
        resumed = " (resumed)" if item.resumed else ""
        lines.append(f"  {item.action.upper():<8} {item.kind:<18} {item.name}{resumed} — {item.reason}")
        lines += [f"             · {detail}" for detail in item.details]
    lines += ["", "Totals:", *_counts_lines(plan.counts())]
    if plan.packages is not None and plan.packages.decisions:
        lines += ["", f"Packages: {plan.packages.storage_line()}"]
    if plan.refusals:
        lines += [
            "",
            f"REFUSED ({len(plan.refusals)}): nothing will be written.",
            *(f"  - {refusal}" for refusal in plan.refusals),
        ]
    if plan.warnings:
        lines += ["", f"Warnings ({len(plan.warnings)}):", *(f"  - {warning}" for warning in plan.warnings)]
    if plan.follow_ups:
        lines += ["", f"Follow-ups ({len(plan.follow_ups)}):", *_follow_up_lines(plan.follow_ups)]
    return "\n".join(lines) + "\n"


_STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.5em}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}
th{background:#f3f3f3}.warn{color:#8a5a00}.refused{color:#a00000}
"""


def to_html(report: Report) -> str:
    """A self-contained HTML page of a report (the GUI saves it)."""
    e = html.escape
    title = f"OctoDesk {report.operation} report"
    target = report.details.get("target") or {}
    parts = [
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{e(title)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>{e(title)}: {'finished' if report.succeeded else 'did not finish'}</h1>",
    ]
    if target:
        parts.append(
            f"<p>Target: space <b>{e(str(target.get('space')))}</b> on {e(str(target.get('url')))} "
            f"(Octopus {e(str(target.get('version')))})</p>"
        )
    if report.counts:
        actions = [a for a in ACTION_ORDER if any(a in c for c in report.counts.values())]
        actions += sorted({a for c in report.counts.values() for a in c} - set(actions))
        parts.append(
            "<h2>What was done</h2><table><tr><th>Kind</th>" + "".join(f"<th>{e(a)}</th>" for a in actions)
        )
        for kind, per_kind in report.counts.items():
            cells = "".join(f"<td>{per_kind.get(action, '')}</td>" for action in actions)
            parts.append(f"<tr><td>{e(kind)}</td>{cells}</tr>")
        parts.append("</table>")
    if report.warnings:
        parts.append("<h2>Warnings</h2><ul class='warn'>")
        parts += [f"<li>{e(warning)}</li>" for warning in report.warnings]
        parts.append("</ul>")
    if report.follow_ups:
        parts.append("<h2>Follow-ups</h2><table><tr><th>Category</th><th>What to do</th></tr>")
        parts += [f"<tr><td>{e(f.category)}</td><td>{e(f.message)}</td></tr>" for f in report.follow_ups]
        parts.append("</table>")
    parts.append(f"<p>HTTP requests: {report.http_requests}</p></body></html>")
    return "\n".join(parts)

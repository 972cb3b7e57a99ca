"""A report as one self-contained HTML page a user can file: when, with which tool, from where to where,
which bundle, every item with its action and outcome, warnings, and the follow-ups with their ticks."""

from __future__ import annotations

import html

from octodesk.core.report import FAILED_COLUMN, Report
from octodesk.core.text import safe_text
from octodesk.core.vocabulary import Outcome
from octodesk.render.text import ordered_columns
from octodesk.render.words import (
    FAILED_LABEL,
    OUTCOME_LABELS,
    Remedies,
    action_label,
    category_label,
    follow_up_text,
    headline,
    kind_label,
    place_text,
)

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.5em}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}.failed{color:#a00000;font-weight:bold}.warn{color:#8a5a00}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 1em}dt{font-weight:bold}dd{margin:0}
"""


def escape(text: str) -> str:
    """HTML-escaped, with control and direction characters from a bundle or server shown, not obeyed."""
    return html.escape(safe_text(text))


def _row(cells: list[str], tag: str = "td") -> str:
    return "<tr>" + "".join(f"<{tag}>{cell}</{tag}>" for cell in cells) + "</tr>"


def _table(header: list[str], rows: list[list[str]]) -> str:
    return (
        "<table><thead>"
        + _row([escape(h) for h in header], "th")
        + "</thead><tbody>"
        + "".join(_row(row) for row in rows)
        + "</tbody></table>"
    )


def _place(place: dict[str, str]) -> str:
    return escape(place_text(place)) or "—"


def _facts(report: Report) -> str:
    facts = [
        ("Started", report.started_at or "—"),
        ("Finished", report.finished_at or "—"),
        ("OctoDesk", report.tool_version or "—"),
        ("Projects", ", ".join(report.projects) or "—"),
        ("Bundle", report.bundle_path or "—"),
        ("Bundle SHA-256", report.bundle_sha256 or "—"),
    ]
    rows = [f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in facts]
    rows.insert(3, f"<dt>Source</dt><dd>{_place(report.source)}</dd>")
    if report.operation == "import" or report.target:
        rows.insert(4, f"<dt>Target</dt><dd>{_place(report.target)}</dd>")
    return "<dl>" + "".join(rows) + "</dl>"


def to_html(report: Report, remedies: Remedies) -> str:
    """A self-contained HTML page of a report."""
    title = f"OctoDesk {report.operation} report"
    status = headline(report)
    parts = [
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{escape(title)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f"<p class='{'failed' if not report.succeeded else ''}'>{escape(status)}</p>",
        _facts(report),
    ]
    if report.counts:
        columns = ordered_columns({c for per in report.counts.values() for c in per})
        labels = [FAILED_LABEL if c == FAILED_COLUMN else action_label(c) for c in columns]
        rows = [
            [escape(kind_label(kind))] + [str(per.get(c, "")) for c in columns]
            for kind, per in report.counts.items()
        ]
        parts += ["<h2>Counts per kind</h2>", _table(["Kind", *labels], rows)]
    if report.items:
        rows = [
            [
                escape(kind_label(item.kind)),
                escape(item.name),
                escape(action_label(item.action)),
                f"<span class='{'failed' if item.outcome == Outcome.FAILED else ''}'>"
                f"{escape(OUTCOME_LABELS.get(item.outcome, str(item.outcome)))}</span>",
                escape(item.reason),
            ]
            for item in report.items
        ]
        parts += [
            f"<h2>Items ({len(report.items)})</h2>",
            _table(["Kind", "Name", "Action", "Outcome", "Reason"], rows),
        ]
    if report.warnings:
        parts.append(f"<h2>Warnings ({len(report.warnings)})</h2><ul class='warn'>")
        parts += [f"<li>{escape(warning)}</li>" for warning in report.warnings]
        parts.append("</ul>")
    if report.follow_ups:
        rows = [
            [
                "☑" if follow_up.done else "☐",
                escape(category_label(follow_up.category)),
                escape(follow_up_text(follow_up, remedies)),
            ]
            for follow_up in report.follow_ups
        ]
        done = sum(f.done for f in report.follow_ups)
        parts += [
            f"<h2>Follow-ups ({done} of {len(report.follow_ups)} done)</h2>",
            _table(["Done", "Category", "What to do"], rows),
        ]
    parts.append(f"<p>HTTP requests: {report.http_requests}</p></body></html>")
    return "\n".join(parts)

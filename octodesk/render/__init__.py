"""Reports and plans made readable, outside the engine: plain text for the terminal, a self-contained HTML
page to file, and the words for the engine's codes. Both faces (command line and app) use it."""

from octodesk.render.html import to_html
from octodesk.render.text import ordered_columns, plan_to_text, to_text
from octodesk.render.words import (
    Remedies,
    action_label,
    category_label,
    follow_up_text,
    headline,
    hosting_label,
    kind_label,
    not_carried_text,
    place_text,
    plural,
    some_names,
)
from octodesk.render.write import report_text, write_json, write_report

__all__ = [
    "Remedies",
    "action_label",
    "category_label",
    "follow_up_text",
    "headline",
    "hosting_label",
    "kind_label",
    "not_carried_text",
    "ordered_columns",
    "place_text",
    "plan_to_text",
    "plural",
    "report_text",
    "some_names",
    "to_html",
    "to_text",
    "write_json",
    "write_report",
]

"""How each plan action looks: label, colour and a small round icon, the same in preview and results."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

ACTIONS = ("create", "reuse", "merge", "update", "convert", "skip", "exported")

# Mid-tone colours that stay readable on both light and dark palettes.
ACTION_COLOURS = {
    "create": "#2e9d4f",
    "reuse": "#5a7fa8",
    "merge": "#c07a12",
    "update": "#2f7fd6",
    "convert": "#8a5cc7",
    "skip": "#8a8a8a",
    "exported": "#2f7fd6",
}

ACTION_DESCRIPTIONS = {
    "create": "will be created on the target",
    "reuse": "already exists on the target (matched by name) and is used as is",
    "merge": "exists on the target; missing entries are added",
    "update": "exists on the target and is updated from the bundle",
    "convert": "is converted to something the target supports",
    "skip": "is not imported",
    "exported": "was written to the bundle",
}


def action_colour(action: str) -> QColor:
    return QColor(ACTION_COLOURS.get(action, "#8a8a8a"))


@cache
def action_icon(action: str) -> QIcon:
    pixmap = QPixmap(14, 14)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(action_colour(action))
    painter.drawEllipse(1, 1, 12, 12)
    painter.end()
    return QIcon(pixmap)

"""How each plan action looks: a colour and a small round icon, the same in preview and results. The
words are ``octodesk.render``'s, shared with the command line."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

from octodesk.core.report import FAILED_COLUMN
from octodesk.core.vocabulary import Action

# Mid-tone colours that stay readable on both light and dark palettes; each action its own.
ACTION_COLOURS = {
    Action.CREATE: "#2e9d4f",
    Action.REUSE: "#5a7fa8",
    Action.MERGE: "#c07a12",
    Action.UPDATE: "#b2367e",
    Action.CONVERT: "#8a5cc7",
    Action.SKIP: "#8a8a8a",
    Action.EXPORTED: "#2f7fd6",
    FAILED_COLUMN: "#c62828",
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

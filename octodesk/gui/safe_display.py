"""Text from a bundle or a server, as Qt shows it: through the core's sanitiser, never as rich text."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from octodesk.core.text import safe_lines, safe_text

DataMethod = TypeVar("DataMethod", bound=Callable[..., Any])


def safe_display_data(data: DataMethod) -> DataMethod:
    """Decorates a model's ``data()``: display text made one safe line, tool tips safe line by line."""

    @functools.wraps(data)
    def wrapper(self: Any, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        value = data(self, index, role)
        if not isinstance(value, str):
            return value
        if role == Qt.ItemDataRole.DisplayRole:
            return safe_text(value)
        if role == Qt.ItemDataRole.ToolTipRole:
            return safe_lines(value.split("\n"))
        return value

    return cast(DataMethod, wrapper)


def plain_label(label: QLabel, text: str) -> None:
    """Show outside text on a label: sanitised, and never interpreted as HTML."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(safe_text(text))

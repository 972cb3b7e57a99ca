"""Logging for the app: module loggers go to a rotating file and to the in-app log pane, secrets masked."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from octodesk.core import paths
from octodesk.core.files import PrivateRotatingFileHandler
from octodesk.core.redact import RedactingFilter

LOG_FILE = "octodesk.log"
FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


class _Relay(QObject):
    message = Signal(str)


class QtLogHandler(logging.Handler):
    """Formats records on any thread and hands the text to the GUI thread through a queued signal."""

    def __init__(self, level: int = logging.INFO) -> None:
        super().__init__(level)
        self.relay = _Relay()
        self.addFilter(RedactingFilter())
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.relay.message.emit(self.format(record))
        except RuntimeError:  # the relay's C++ object is gone during shutdown
            pass


class LogPane(QPlainTextEdit):
    MAX_LINES = 5000

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setMaximumBlockCount(self.MAX_LINES)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setPlaceholderText("Activity appears here.")
        self.setAccessibleName("Log")

    def attach(self, handler: QtLogHandler) -> None:
        handler.relay.message.connect(self.appendPlainText)


def setup_logging(verbose: bool = False) -> tuple[QtLogHandler, Path]:
    """Rotating file in the log folder (debug detail) and the pane handler (info); returns both."""
    log_path = paths.log_dir() / LOG_FILE
    file_handler = PrivateRotatingFileHandler(
        log_path, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
    )
    file_handler.addFilter(RedactingFilter())
    file_handler.setFormatter(logging.Formatter(FORMAT))
    file_handler.setLevel(logging.DEBUG)
    pane_handler = QtLogHandler(logging.DEBUG if verbose else logging.INFO)
    octodesk_logger = logging.getLogger("octodesk")
    octodesk_logger.setLevel(logging.DEBUG)
    octodesk_logger.addHandler(file_handler)
    octodesk_logger.addHandler(pane_handler)
    return pane_handler, log_path


def route_terminal_logging(verbose: bool) -> None:
    """For the running app only: the file gets debug detail, the terminal only warnings (or all with -v).

    The app's records stop at the ``octodesk`` logger instead of reaching the root handler at debug level.
    """
    stderr_handler = logging.StreamHandler()
    stderr_handler.addFilter(RedactingFilter())
    stderr_handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    stderr_handler.setLevel(logging.DEBUG if verbose else logging.WARNING)
    octodesk_logger = logging.getLogger("octodesk")
    octodesk_logger.addHandler(stderr_handler)
    octodesk_logger.propagate = False

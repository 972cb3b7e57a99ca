"""Uncaught errors: logged, then shown in a dialog with version details and a copyable log. Never silent."""

from __future__ import annotations

import logging
import platform
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from octodesk import __version__
from octodesk.core.errors import OctoDeskError
from octodesk.core.redact import redact
from octodesk.gui.safe_display import plain_label

log = logging.getLogger(__name__)
LOG_TAIL_LINES = 200


def version_details() -> str:
    return (
        f"OctoDesk {__version__} · Python {platform.python_version()} · PySide6 {pyside_version} · "
        f"Qt {qVersion()} · {platform.system()} {platform.release()}"
    )


def log_tail(log_file: Path | None, lines: int = LOG_TAIL_LINES) -> str:
    if log_file is None or not log_file.exists():
        return ""
    try:
        return "\n".join(log_file.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class ErrorDialog(QDialog):
    def __init__(self, summary: str, details: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("OctoDesk: unexpected error")
        self.setMinimumSize(640, 420)
        self.summary_label = QLabel()
        plain_label(self.summary_label, summary)
        self.summary_label.setWordWrap(True)
        self.summary_label.setObjectName("titleLabel")
        hint = QLabel(
            "OctoDesk hit a problem it did not expect. The details below include the recent log; "
            "copy them when reporting the problem."
        )
        hint.setWordWrap(True)
        self.details = QPlainTextEdit(details)
        self.details.setReadOnly(True)
        self.details.setAccessibleName("Error details")
        copy_button = QPushButton("&Copy details")
        copy_button.clicked.connect(self.copy_details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addWidget(hint)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)

    def copy_details(self) -> None:
        clipboard = QApplication.clipboard()
        clipboard.setText(self.details.toPlainText())


class ExceptHook:
    """Installed as ``sys.excepthook``; keeps the dialogs it opened (tests read ``shown``)."""

    def __init__(self, log_file: Path | None = None) -> None:
        self.log_file = log_file
        self.shown: list[ErrorDialog] = []
        self._previous = sys.excepthook

    def install(self) -> None:
        sys.excepthook = self

    def uninstall(self) -> None:
        sys.excepthook = self._previous

    def __call__(
        self, error_type: type[BaseException], error: BaseException, trace: TracebackType | None
    ) -> None:
        if issubclass(error_type, KeyboardInterrupt):
            QApplication.quit()
            return
        formatted = redact("".join(traceback.format_exception(error_type, error, trace)))
        log.error("Unexpected error:\n%s", formatted)
        if isinstance(error, OctoDeskError):
            summary = redact(str(error))
        else:
            summary = redact(f"{error_type.__name__}: {error}")
        details = f"{version_details()}\n\n{formatted}\n--- recent log ---\n{log_tail(self.log_file)}"
        if QApplication.instance() is None:
            print(f"octodesk: internal error: {summary}", file=sys.stderr)
            return
        dialog = ErrorDialog(summary, details, QApplication.activeWindow())
        self.shown.append(dialog)
        dialog.open()

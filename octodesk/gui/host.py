"""What a flow or a wizard page may ask of the window that started it: the app's state, a parent for its
dialogs, a connection, an operation window, and a place to record the run. The main window provides it;
tests can provide their own."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtWidgets import QWidget

from octodesk.gui.connection import Connection
from octodesk.gui.state import AppState, Role

if TYPE_CHECKING:
    from octodesk.core.report import Report
    from octodesk.gui.history import RunRecord
    from octodesk.gui.operation_window import OperationWindow
    from octodesk.gui.outcome import FlowOutcome


class OperationHost(Protocol):
    state: AppState

    def dialog_parent(self) -> QWidget: ...

    async def connect_server(self, role: Role) -> Connection | None:
        """Run the connection wizard; the new connection (also set on ``state``), or None if cancelled."""
        ...

    def open_operation_window(self, title: str) -> OperationWindow: ...

    def finish_operation(self, window: OperationWindow, outcome: FlowOutcome) -> FlowOutcome: ...

    def record_run(self, flow: str, report: Report) -> RunRecord:
        """Keep the report for "Recent runs" (and to resume an unfinished migration)."""
        ...

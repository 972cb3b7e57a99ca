"""The main window: source and target panels, the source project list, Export/Import/Migrate, log pane.

It owns the app's state (``AppState``) and is the ``OperationHost`` the flows and the migrate wizard run
in; they never reach into its widgets.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from octodesk import __version__
from octodesk.core import paths
from octodesk.core.bundle import BUNDLE_SUFFIX
from octodesk.core.errors import OctoDeskError
from octodesk.core.report import Report
from octodesk.gui import dialogs, flows, history
from octodesk.gui.connection import Connection
from octodesk.gui.connection_panel import ConnectionPanel
from octodesk.gui.connection_wizard import ConnectionWizard
from octodesk.gui.jobs import list_projects_job
from octodesk.gui.log_pane import LogPane
from octodesk.gui.migrate import MigrateWizard
from octodesk.gui.operation_window import OperationWindow
from octodesk.gui.outcome import FlowOutcome, status_text
from octodesk.gui.project_panel import ProjectPanel
from octodesk.gui.results_view import open_folder
from octodesk.gui.runner import run_quietly
from octodesk.gui.settings import Settings
from octodesk.gui.state import AppState, Role
from octodesk.gui.worker import spawn

log = logging.getLogger(__name__)

FIRST_RUN_HINT = (
    "<b>Start here:</b> 1. Connect a source server (File → Connect source…). 2. Tick the projects to "
    "move. 3. Press <b>Migrate…</b> (or Export… to write a bundle file). Or drop a .octobundle file here "
    "to import it."
)
MINIMUM_SIZE = (900, 600)


class MainWindow(QMainWindow):
    flow_finished = Signal(str, str)  # flow name, FlowOutcome
    projects_loaded = Signal(int)
    closed = Signal()  # the user closed the main window: the app ends, whatever other windows are open

    def __init__(self, settings: Settings | None = None, state: AppState | None = None) -> None:
        super().__init__()
        self.state = state or AppState(settings)
        self.settings = self.state.settings
        self.setWindowTitle("OctoDesk")
        self.setAcceptDrops(True)
        self.setMinimumSize(*MINIMUM_SIZE)
        self.operations: list[OperationWindow] = []
        self._last_reports: dict[str, Report] = {}  # per flow, for the status bar's count of failures
        self._closing_confirmed = False
        self.migrate_wizard: MigrateWizard | None = None  # while the migrate wizard is open

        self.source_panel = ConnectionPanel("source")
        self.target_panel = ConnectionPanel("target")
        self.project_panel = ProjectPanel()
        self.log_pane = LogPane()
        self.hint = QLabel(FIRST_RUN_HINT)
        self.hint.setObjectName("hintBanner")
        self.hint.setWordWrap(True)
        self.hint.setVisible(not self.settings.hint_used)
        self.source_panel.connect_requested.connect(
            lambda: self.start_flow("connect", self._connect(Role.SOURCE))
        )
        self.target_panel.connect_requested.connect(
            lambda: self.start_flow("connect", self._connect(Role.TARGET))
        )

        projects_box = QWidget()
        projects_layout = QVBoxLayout(projects_box)
        projects_layout.setContentsMargins(0, 0, 0, 0)
        projects_title = QLabel("Source &projects")
        projects_title.setObjectName("sectionLabel")
        projects_title.setBuddy(self.project_panel.search)
        projects_layout.addWidget(projects_title)
        projects_layout.addWidget(self.project_panel, 1)
        panels = QWidget()
        panels_layout = QVBoxLayout(panels)
        panels_layout.setContentsMargins(0, 0, 0, 0)
        panels_layout.addWidget(self.source_panel)
        panels_layout.addWidget(self.target_panel)
        panels_layout.addStretch(1)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.addWidget(self.hint)
        columns = QHBoxLayout()
        columns.addWidget(panels, 2)
        columns.addWidget(projects_box, 3)
        top_layout.addLayout(columns, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(top)
        self.splitter.addWidget(self.log_pane)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 1)
        self.setCentralWidget(self.splitter)

        self._create_actions()
        self.setTabOrder(self.source_panel.connect_button, self.target_panel.connect_button)
        self.setTabOrder(self.target_panel.connect_button, self.project_panel.search)
        self.setTabOrder(self.project_panel.search, self.project_panel.tree)
        self.project_panel.selection_changed.connect(
            lambda: self.state.set_checked(self.project_panel.checked_names())
        )
        self.state.connection_changed.connect(self._connection_changed)
        self.state.projects_changed.connect(lambda: self.project_panel.set_projects(self.state.projects))
        self.state.checked_changed.connect(self._update_actions)
        self.state.busy_changed.connect(lambda _name: self._update_actions())
        self._update_actions()
        self.statusBar().showMessage("Connect a source server to begin, or drop a bundle here to import it.")
        self._restore_geometry()

    # --- OperationHost ----------------------------------------------------------------------------

    def dialog_parent(self) -> QWidget:
        return self

    async def connect_server(self, role: Role) -> Connection | None:
        connection = await ConnectionWizard.launch(
            self, str(role), self.settings, self.state.connection(role)
        )
        if connection is not None:
            await self.set_connection(role, connection)
        return connection

    def open_operation_window(self, title: str) -> OperationWindow:
        for finished in [w for w in self.operations if w.isHidden() and not w.running]:
            self.operations.remove(finished)  # closed by the user after its flow ended
            finished.deleteLater()
        window = OperationWindow(title, self)
        self.operations.append(window)
        window.show()
        return window

    def finish_operation(self, window: OperationWindow, outcome: FlowOutcome) -> FlowOutcome:
        window.outcome.emit(str(outcome))
        if window.isHidden() and window in self.operations:  # closed by the user during the run
            self.operations.remove(window)
            window.deleteLater()
        return outcome

    def record_run(self, flow: str, report: Report) -> history.RunRecord:
        self._last_reports[flow] = report
        return history.record_run(flow, report)

    # --- actions ----------------------------------------------------------------------------------

    def _action(
        self,
        text: str,
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None,
        handler: Callable[[], Any],
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(handler)
        return action

    def _create_actions(self) -> None:
        self.export_action = self._action(
            "&Export…", "Ctrl+E", lambda: self.start_flow("export", flows.export_flow(self))
        )
        self.export_action.setStatusTip("Export the selected projects to an encrypted bundle")
        self.import_action = self._action(
            "&Import…", "Ctrl+I", lambda: self.start_flow("import", flows.import_flow(self))
        )
        self.import_action.setStatusTip("Preview and import a bundle into the target space")
        self.migrate_action = self._action(
            "&Migrate…", "Ctrl+M", lambda: self.start_flow("migrate", self._migrate())
        )
        self.migrate_action.setStatusTip("Export from the source and import into the target, step by step")
        self.connect_source_action = self._action(
            "Connect &source…", "Ctrl+Shift+S", self.source_panel.connect_requested.emit
        )
        self.connect_target_action = self._action(
            "Connect &target…", "Ctrl+Shift+T", self.target_panel.connect_requested.emit
        )
        self.restore_sandbox_action = self._action(
            "&Restore sandbox connections", None, lambda: spawn(self.restore_sandbox_connections())
        )
        self.restore_sandbox_action.setVisible(False)
        self.recent_runs_action = self._action(
            "Recent &runs…", "Ctrl+R", lambda: spawn(self.show_recent_runs())
        )
        self.bundles_action = self._action("&Bundles…", None, lambda: spawn(self.show_bundles()))
        quit_action = self._action("&Quit", QKeySequence.StandardKey.Quit, self.close)
        self.open_logs_action = self._action("Open &log folder", None, lambda: spawn(self.open_log_folder()))
        about = self._action("&About OctoDesk", None, self.show_about)

        menu_bar = self.menuBar()
        file_menu = menu_bar.addMenu("&File")
        file_menu.addActions(
            [self.connect_source_action, self.connect_target_action, self.restore_sandbox_action]
        )
        file_menu.addSeparator()
        file_menu.addActions([self.recent_runs_action, self.bundles_action])
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        actions_menu = menu_bar.addMenu("&Actions")
        actions_menu.addActions([self.export_action, self.import_action, self.migrate_action])
        help_menu = menu_bar.addMenu("&Help")
        help_menu.addActions([self.open_logs_action, about])
        toolbar = self.addToolBar("Actions")
        toolbar.setObjectName("actionsToolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.addActions([self.export_action, self.import_action, self.migrate_action])

    def _update_actions(self) -> None:
        busy = bool(self.state.busy)
        source = self.state.connection(Role.SOURCE)
        self.export_action.setEnabled(not busy and source is not None and bool(self.state.checked))
        self.import_action.setEnabled(not busy)
        self.migrate_action.setEnabled(not busy and source is not None)
        for action in (self.connect_source_action, self.connect_target_action, self.restore_sandbox_action):
            action.setEnabled(not busy)
        self.restore_sandbox_action.setVisible(bool(self.state.sandbox_connections))

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "About OctoDesk",
            f"OctoDesk {__version__}\nMove Octopus Deploy projects between spaces and instances.\n"
            f"Logs: {paths.log_dir()}",
        )

    async def open_log_folder(self) -> None:
        folder = paths.log_dir()
        if not open_folder(folder):
            await dialogs.show_error(
                self, "Open log folder", f"No file manager could be opened. The logs are in {folder}"
            )

    # --- flows ------------------------------------------------------------------------------------

    def start_flow(self, name: str, flow: Awaitable[FlowOutcome]) -> bool:
        """Run one flow at a time; a second click while one runs is ignored (and its coroutine closed)."""
        if self.state.busy:
            close = getattr(flow, "close", None)
            if close:
                close()
            self.statusBar().showMessage(f"Finish the current {self.state.busy} first.", 5000)
            return False
        if name != "connect" and not self.settings.hint_used:
            self.settings.hint_used = True
            self.hint.hide()
        self.state.set_busy(name)
        spawn(self._run_flow(name, flow))
        return True

    async def _run_flow(self, name: str, flow: Awaitable[FlowOutcome]) -> None:
        outcome = FlowOutcome.FAILED
        self._last_reports.pop(name, None)
        try:
            outcome = await flow
        except OctoDeskError as error:
            log.error("%s: %s", name.capitalize(), error)
            await dialogs.show_error(self, name.capitalize(), str(error))
        finally:
            self.state.set_busy("")
            self.statusBar().showMessage(status_text(name, outcome, self._last_reports.get(name)), 10000)
            self.flow_finished.emit(name, str(outcome))

    async def _migrate(self) -> FlowOutcome:
        wizard = self.migrate_wizard = MigrateWizard(self)
        try:
            return await wizard.run()
        finally:
            self.migrate_wizard = None
            wizard.deleteLater()

    async def _connect(self, role: Role) -> FlowOutcome:
        return FlowOutcome.SUCCEEDED if await self.connect_server(role) is not None else FlowOutcome.CANCELLED

    async def set_connection(self, role: Role | str, connection: Connection) -> None:
        role = Role(role)
        self.state.set_connection(role, connection)
        log.info("%s: %s, space %s", role.capitalize(), connection.url, connection.space)
        if role == Role.SOURCE:
            await self.load_projects()

    def _connection_changed(self, role: str) -> None:
        panel = self.source_panel if role == Role.SOURCE else self.target_panel
        panel.set_connection(self.state.connection(Role(role)))
        self._update_actions()

    async def load_projects(self) -> None:
        connection = self.state.connection(Role.SOURCE)
        if connection is None:
            return
        self.project_panel.clear("Loading projects…")
        self.source_panel.set_state("Loading projects…")
        try:
            projects = await run_quietly(list_projects_job(connection))
        except OctoDeskError as error:
            self.source_panel.set_state(f"Error: {error}", "error")
            self.project_panel.clear(f"Could not list projects: {error}")
            log.error("Could not list the projects of %s: %s", connection.space, error)
            self.projects_loaded.emit(-1)
            return
        self.state.set_projects(projects)
        self.source_panel.set_state(f"Connected · {len(projects)} projects", "ok")
        self.projects_loaded.emit(len(projects))

    async def restore_sandbox_connections(self) -> None:
        """Back to the embedded sandbox servers after connecting elsewhere (``octodesk gui --sandbox``)."""
        for role in (Role.TARGET, Role.SOURCE):
            connection = self.state.sandbox_connections.get(role)
            if connection is not None:
                await self.set_connection(role, connection)
        self.statusBar().showMessage("Connected to the sandbox servers again.", 5000)

    async def show_recent_runs(self) -> None:
        from octodesk.gui.recent_runs import RecentRunsDialog

        await RecentRunsDialog.launch(self)

    async def show_bundles(self) -> None:
        from octodesk.gui.bundles_dialog import BundlesDialog

        await BundlesDialog.launch(self, self.settings)

    def running_operations(self) -> list[OperationWindow]:
        return [w for w in self.operations if w.running]

    # --- drag and drop a bundle -------------------------------------------------------------------

    @staticmethod
    def _dropped_bundle(event: QDragEnterEvent | QDropEvent) -> Path | None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        paths_dropped = [Path(u.toLocalFile()) for u in urls if u.isLocalFile()]
        if len(paths_dropped) == 1 and paths_dropped[0].suffix.lower() == BUNDLE_SUFFIX:
            return paths_dropped[0]
        return None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped_bundle(event) is not None and not self.state.busy:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        bundle = self._dropped_bundle(event)
        if bundle is not None:
            event.acceptProposedAction()
            self.start_flow("import", flows.import_flow(self, bundle))

    # --- geometry and closing ---------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        if self.settings.window_geometry:
            self.restoreGeometry(QByteArray.fromBase64(self.settings.window_geometry.encode()))
        else:
            self.resize(1100, 720)
        if self.settings.window_state:
            self.restoreState(QByteArray.fromBase64(self.settings.window_state.encode()))

    def save_window_settings(self) -> None:
        self.settings.window_geometry = bytes(self.saveGeometry().toBase64().data()).decode()
        self.settings.window_state = bytes(self.saveState().toBase64().data()).decode()
        try:
            self.settings.save()
        except OSError as error:
            log.warning("Could not save the settings: %s", error)

    def closeEvent(self, event: QCloseEvent) -> None:
        running = self.running_operations() or (
            self.migrate_wizard is not None and self.migrate_wizard.running
        )
        if running and not self._closing_confirmed:
            event.ignore()
            spawn(self._confirm_close())
            return
        self.save_window_settings()
        for window in self.operations:
            window.runner.cancel()
        if self.migrate_wizard is not None:
            self.migrate_wizard.cancel_all()
        super().closeEvent(event)
        if event.isAccepted():
            self.closed.emit()

    def _anything_running(self) -> bool:
        return bool(self.running_operations()) or (
            self.migrate_wizard is not None and self.migrate_wizard.running
        )

    async def _confirm_close(self) -> None:
        stop = await dialogs.ask_yes_no(
            self,
            "Operation running",
            "An export or import is still running. Cancel it and quit?",
            relevant=self._anything_running,
        )
        if not stop and self._anything_running():
            return  # the user chose to stay
        for window in self.running_operations():
            window.runner.cancel()
        if self.migrate_wizard is not None:
            self.migrate_wizard.cancel_all()
        self._closing_confirmed = True
        self.close()

"""The main window: source and target panels, the source project list, Export/Import/Migrate, log pane."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
from octodesk.core.errors import OctoDeskError
from octodesk.gui import dialogs, flows
from octodesk.gui.connection import Connection
from octodesk.gui.connection_panel import ConnectionPanel
from octodesk.gui.connection_wizard import ConnectionWizard
from octodesk.gui.log_pane import LogPane
from octodesk.gui.operation_window import OperationWindow
from octodesk.gui.project_panel import ProjectPanel
from octodesk.gui.results_view import open_folder
from octodesk.gui.settings import Settings
from octodesk.gui.worker import spawn

if TYPE_CHECKING:
    from octodesk.gui.migrate_wizard import MigrateWizard

log = logging.getLogger(__name__)
BUNDLE_SUFFIX = ".octobundle"


class MainWindow(QMainWindow):
    flow_finished = Signal(str, str)  # flow name, outcome
    projects_loaded = Signal(int)

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__()
        self.settings = settings or Settings.load()
        self.setWindowTitle("OctoDesk")
        self.setAcceptDrops(True)
        self.operations: list[OperationWindow] = []
        self.current_flow = ""
        self._closing_confirmed = False
        self.migrate_wizard: MigrateWizard | None = None  # while the migrate wizard is open

        self.source_panel = ConnectionPanel("source")
        self.target_panel = ConnectionPanel("target")
        self.project_panel = ProjectPanel()
        self.log_pane = LogPane()
        self.source_panel.connect_requested.connect(
            lambda: self.start_flow("connect", self.connect_server("source"))
        )
        self.target_panel.connect_requested.connect(
            lambda: self.start_flow("connect", self.connect_server("target"))
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
        top_layout = QHBoxLayout(top)
        top_layout.addWidget(panels, 2)
        top_layout.addWidget(projects_box, 3)
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
        self.project_panel.selection_changed.connect(self._update_actions)
        self._update_actions()
        self.statusBar().showMessage("Connect a source server to begin, or drop a bundle here to import it.")
        self._restore_geometry()

    # --- actions ----------------------------------------------------------------------------------------

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
        self.migrate_action = self._action("&Migrate…", "Ctrl+M", self.start_migration)
        self.migrate_action.setStatusTip("Export from the source and import into the target, step by step")
        connect_source = self._action(
            "Connect &source…", "Ctrl+Shift+S", self.source_panel.connect_requested.emit
        )
        connect_target = self._action(
            "Connect &target…", "Ctrl+Shift+T", self.target_panel.connect_requested.emit
        )
        quit_action = self._action("&Quit", QKeySequence.StandardKey.Quit, self.close)
        open_logs = self._action("Open &log folder", None, lambda: open_folder(paths.log_dir()))
        about = self._action("&About OctoDesk", None, self.show_about)

        menu_bar = self.menuBar()
        file_menu = menu_bar.addMenu("&File")
        file_menu.addActions([connect_source, connect_target])
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        actions_menu = menu_bar.addMenu("&Actions")
        actions_menu.addActions([self.export_action, self.import_action, self.migrate_action])
        help_menu = menu_bar.addMenu("&Help")
        help_menu.addActions([open_logs, about])
        toolbar = self.addToolBar("Actions")
        toolbar.setObjectName("actionsToolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.addActions([self.export_action, self.import_action, self.migrate_action])

    def _update_actions(self) -> None:
        selected = len(self.project_panel.checked_names())
        busy = bool(self.current_flow)
        self.export_action.setEnabled(not busy and self.source_panel.connection is not None and selected > 0)
        self.import_action.setEnabled(not busy)
        self.migrate_action.setEnabled(not busy and self.source_panel.connection is not None)

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "About OctoDesk",
            f"OctoDesk {__version__}\nMove Octopus Deploy projects between spaces and instances.\n"
            f"Logs: {paths.log_dir()}",
        )

    # --- flows ------------------------------------------------------------------------------------------

    def start_flow(self, name: str, flow: Awaitable[Any]) -> bool:
        """Run one flow at a time; a second click while one runs is ignored (and its coroutine closed)."""
        if self.current_flow:
            close = getattr(flow, "close", None)
            if close:
                close()
            self.statusBar().showMessage(f"Finish the current {self.current_flow} first.", 5000)
            return False
        self.current_flow = name
        self._update_actions()
        spawn(self._run_flow(name, flow))
        return True

    async def _run_flow(self, name: str, flow: Awaitable[Any]) -> None:
        outcome = "failed"
        try:
            result = await flow
            outcome = result if isinstance(result, str) else "succeeded"
        except OctoDeskError as error:
            log.error("%s: %s", name.capitalize(), error)
            await dialogs.show_error(self, name.capitalize(), str(error))
        finally:
            self.current_flow = ""
            self._update_actions()
            self.statusBar().showMessage(f"{name.capitalize()}: {outcome}.", 10000)
            self.flow_finished.emit(name, outcome)

    async def connect_server(self, role: str) -> Connection | None:
        panel = self.source_panel if role == "source" else self.target_panel
        connection = await ConnectionWizard.launch(self, role, self.settings, panel.connection)
        if connection is not None:
            await self.set_connection(role, connection)
        return connection

    async def set_connection(self, role: str, connection: Connection) -> None:
        panel = self.source_panel if role == "source" else self.target_panel
        panel.set_connection(connection)
        log.info("%s: %s, space %s", role.capitalize(), connection.url, connection.space)
        if role == "source":
            await self.load_projects()
        self._update_actions()

    async def load_projects(self) -> None:
        connection = self.source_panel.connection
        if connection is None:
            return
        self.project_panel.clear("Loading projects…")
        self.source_panel.set_state("Loading projects…")
        try:
            projects = await flows.list_projects_job(connection)
        except OctoDeskError as error:
            self.source_panel.set_state(f"Error: {error}", "error")
            self.project_panel.clear(f"Could not list projects: {error}")
            log.error("Could not list the projects of %s: %s", connection.space, error)
            self.projects_loaded.emit(-1)
            return
        self.project_panel.set_projects(projects)
        self.source_panel.set_state(f"Connected · {len(projects)} projects", "ok")
        self._update_actions()
        self.projects_loaded.emit(len(projects))

    def start_migration(self) -> None:
        from octodesk.gui.migrate_wizard import MigrateWizard

        self.start_flow("migrate", MigrateWizard.launch(self))

    def open_operation_window(self, title: str) -> OperationWindow:
        for finished in [w for w in self.operations if w.isHidden() and not w.running]:
            self.operations.remove(finished)  # closed by the user after its flow ended
            finished.deleteLater()
        window = OperationWindow(title, self)
        self.operations.append(window)
        window.show()
        return window

    def finish_operation(self, window: OperationWindow, outcome: str) -> str:
        window.outcome.emit(outcome)
        if window.isHidden():  # closed by the user during the run
            self.operations.remove(window)
            window.deleteLater()
        return outcome

    def remember_bundle_dir(self, path: Path) -> None:
        self.settings.last_bundle_dir = str(path.parent)

    def running_operations(self) -> list[OperationWindow]:
        return [w for w in self.operations if w.running]

    # --- drag and drop a bundle -------------------------------------------------------------------------

    @staticmethod
    def _dropped_bundle(event: QDragEnterEvent | QDropEvent) -> Path | None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        paths_dropped = [Path(u.toLocalFile()) for u in urls if u.isLocalFile()]
        if len(paths_dropped) == 1 and paths_dropped[0].suffix.lower() == BUNDLE_SUFFIX:
            return paths_dropped[0]
        return None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped_bundle(event) is not None and not self.current_flow:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        bundle = self._dropped_bundle(event)
        if bundle is not None:
            event.acceptProposedAction()
            self.start_flow("import", flows.import_flow(self, bundle))

    # --- geometry and closing ---------------------------------------------------------------------------

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
        running = self.running_operations()
        if running and not self._closing_confirmed:
            event.ignore()
            spawn(self._confirm_close())
            return
        self.save_window_settings()
        for window in self.operations:
            window.runner.cancel()
        super().closeEvent(event)

    async def _confirm_close(self) -> None:
        if await dialogs.ask_yes_no(
            self, "Operation running", "An export or import is still running. Cancel it and quit?"
        ):
            for window in self.running_operations():
                window.runner.cancel()
            self._closing_confirmed = True
            self.close()

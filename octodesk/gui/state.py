"""What the whole app knows, in one place: the source and target connections, the settings, the source's
projects and which are ticked, and which operation is running. Windows and wizards read it and listen to
its signals instead of reaching into each other's widgets."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from PySide6.QtCore import QObject, Signal

from octodesk.core.octopus.catalog import ProjectSummary
from octodesk.gui.connection import Connection
from octodesk.gui.settings import Settings


class Role(StrEnum):
    SOURCE = "source"
    TARGET = "target"


class AppState(QObject):
    connection_changed = Signal(str)  # the Role whose connection changed
    projects_changed = Signal()  # the source's project list was (re)loaded or cleared
    checked_changed = Signal()  # the ticked projects changed
    busy_changed = Signal(str)  # the running operation's name; "" when idle

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__()
        self.settings = settings or Settings.load()
        self._connections: dict[Role, Connection | None] = {Role.SOURCE: None, Role.TARGET: None}
        self.projects: list[ProjectSummary] = []
        self.checked: list[str] = []
        self.busy = ""
        # ``octodesk gui --sandbox``: the embedded servers' connections, restorable after a change.
        self.sandbox_connections: dict[Role, Connection] = {}

    def connection(self, role: Role) -> Connection | None:
        return self._connections[role]

    def set_connection(self, role: Role, connection: Connection | None) -> None:
        self._connections[role] = connection
        if role == Role.SOURCE:
            self.set_projects([])
        self.connection_changed.emit(str(role))

    def set_projects(self, projects: Iterable[ProjectSummary]) -> None:
        self.projects = list(projects)
        known = {project.name for project in self.projects}
        self.checked = [name for name in self.checked if name in known]
        self.projects_changed.emit()
        self.checked_changed.emit()

    def set_checked(self, names: Iterable[str]) -> None:
        names = list(names)
        if names != self.checked:
            self.checked = names
            self.checked_changed.emit()

    def set_busy(self, name: str) -> None:
        self.busy = name
        self.busy_changed.emit(name)

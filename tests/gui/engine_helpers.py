"""What the server-engine GUI tests share: both sandboxes connected, the wizard driven to its engine page,
fast task polls, and the sensitive values a sandbox stores (the sandbox tests' reader, keyed by names)."""

from __future__ import annotations

import importlib
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from gui_helpers import connection_to
from migrate_helpers import TIMEOUT, advance, open_wizard, wait_complete
from pytestqt.qtbot import QtBot

from octodesk.core.server_engine import PollSettings
from octodesk.gui import engine_jobs
from octodesk.gui.main_window import MainWindow
from octodesk.gui.migrate import MigrateWizard
from octodesk.gui.migrate.connection_page import TargetPage
from octodesk.gui.migrate.engine_page import EnginePage
from octodesk.gui.migrate.projects_page import ProjectsPage

TWO_PROJECTS = ["Web Portal", "Billing API"]
FAST = PollSettings(first=0.02, factor=1.5, maximum=0.1)


def fast_polls(monkeypatch: pytest.MonkeyPatch, poll: PollSettings = FAST) -> None:
    monkeypatch.setattr(engine_jobs, "POLL", poll)


def _sandbox_helper(name: str) -> Any:
    """A module of the sandbox tests' helpers (tests/sandbox), imported as they import each other."""
    folder = str(Path(__file__).resolve().parent.parent / "sandbox")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return importlib.import_module(name)


def sensitive_values(server: Any, projects: list[str]) -> Counter[tuple[Any, ...]]:
    """Every sensitive value ``server`` stores for ``projects`` in space Default, keyed by names."""
    found: Counter[tuple[Any, ...]] = _sandbox_helper("server_tasks_client").sensitive_values(
        server, "Default", projects
    )
    return found


def create_project(server: Any, name: str) -> None:
    octo = _sandbox_helper("sandbox_client").Octo(server)
    try:
        octo.project(name)
    finally:
        octo.close()


def to_target_page(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    source: Any,
    target: Any,
    projects: list[str] = TWO_PROJECTS,
) -> MigrateWizard:
    """Both sandboxes connected, ``projects`` ticked, the wizard on its target page."""
    run_async(window.set_connection("source", connection_to(source)))
    run_async(window.set_connection("target", connection_to(target)))
    window.project_panel.model.set_checked_names(projects)
    wizard = open_wizard(qtbot, window)
    advance(qtbot, wizard, ProjectsPage)
    advance(qtbot, wizard, TargetPage)
    return wizard


def to_engine_page(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    source: Any,
    target: Any,
    projects: list[str] = TWO_PROJECTS,
) -> tuple[MigrateWizard, EnginePage]:
    """On to the engine page, once it knows what fits."""
    wizard = to_target_page(qtbot, window, run_async, source, target, projects)
    page = advance(qtbot, wizard, EnginePage)
    wait_complete(qtbot, page)
    return wizard, page


def close_wizard(qtbot: QtBot, window: MainWindow, wizard: MigrateWizard) -> str:
    """Close the wizard (as Cancel does) and wait for its flow to end; how it ended."""
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT) as finished:
        wizard.reject()
    assert window.migrate_action.isEnabled() and window.import_action.isEnabled()
    return str(finished.args[1])


def project_id(server: Any, name: str) -> str:
    space_id = server.space_id("Default")
    projects = server.snapshot()["documents"]["projects"].values()
    return str(next(p["Id"] for p in projects if p["Name"] == name and p["SpaceId"] == space_id))


def triggers_of(server: Any, project: str) -> list[str]:
    owner = project_id(server, project)
    triggers = server.snapshot()["documents"].get("projecttriggers", {}).values()
    return sorted(t["Name"] for t in triggers if t["ProjectId"] == owner)


def projects_on(server: Any) -> list[str]:
    space_id = server.space_id("Default")
    projects = server.snapshot()["documents"].get("projects", {}).values()
    return sorted(p["Name"] for p in projects if p["SpaceId"] == space_id)


def table_rows(table: Any) -> list[tuple[str, ...]]:
    """The texts of a QTableWidget, row by row."""
    return [
        tuple(table.item(row, column).text() for column in range(table.columnCount()))
        for row in range(table.rowCount())
    ]

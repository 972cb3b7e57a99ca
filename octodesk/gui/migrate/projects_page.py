"""The projects to migrate. Before moving on it looks at their Deploy a Release steps and offers to add the
projects they deploy, which the target will otherwise lack."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QVBoxLayout

from octodesk.core.errors import OctoDeskError
from octodesk.gui import dialogs
from octodesk.gui.jobs import deployed_projects_job
from octodesk.gui.migrate.page import MigrationContext, MigrationPage
from octodesk.gui.project_panel import ProjectPanel
from octodesk.gui.runner import run_quietly
from octodesk.gui.state import Role

log = logging.getLogger(__name__)


def missing_children(deployed: dict[str, list[str]], chosen: list[str]) -> dict[str, list[str]]:
    """Per chosen project, the projects it deploys that are not chosen."""
    missing = {parent: [c for c in children if c not in chosen] for parent, children in deployed.items()}
    return {parent: children for parent, children in missing.items() if children}


def offer_text(missing: dict[str, list[str]]) -> str:
    lines = [
        f"“{parent}” deploys releases of {', '.join(f'“{c}”' for c in children)}."
        for parent, children in missing.items()
    ]
    return (
        " ".join(lines)
        + " Those projects are not selected: unless the target already has projects of those names, the "
        "Deploy a Release steps cannot be imported. Add them to the migration?"
    )


class ProjectsPage(MigrationPage):
    step = "Projects"

    def __init__(self, context: MigrationContext) -> None:
        super().__init__(context)
        self.setTitle("Projects")
        self.setSubTitle("Choose the projects to migrate. Everything they reference comes with them.")
        self.panel = ProjectPanel()
        self.panel.selection_changed.connect(self.completeChanged)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)

    def initializePage(self) -> None:
        app = self.context.app
        self.panel.set_projects(app.projects)
        self.panel.model.set_checked_names(self.migration.projects or app.checked)

    def isComplete(self) -> bool:
        return bool(self.panel.checked_names()) and not self.checking

    def validatePage(self) -> bool:
        names = self.panel.checked_names()
        self.migration.projects = names
        return self.validate_with(tuple(names), self._offer_deployed_projects)

    async def _offer_deployed_projects(self) -> bool:
        source = self.context.app.connection(Role.SOURCE)
        chosen = self.panel.checked_names()
        if source is None:
            return False
        try:
            deployed = await run_quietly(deployed_projects_job(source, self.context.app.projects, chosen))
        except OctoDeskError as error:  # only an offer: never a reason to stop
            log.warning("Could not look at the projects' Deploy a Release steps: %s", error)
            return True
        missing = missing_children(deployed, chosen)
        if missing and await dialogs.ask_yes_no(
            self, "Projects deployed by these projects", offer_text(missing)
        ):
            added = [child for children in missing.values() for child in children]
            self.panel.model.set_checked_names([*chosen, *added])
            self.migration.projects = self.panel.checked_names()
        return True

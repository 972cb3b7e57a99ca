"""The migrate wizard's pages, in order, listed once. A new step is a ``MigrationPage`` in its own module,
added here; the wizard, its step indicator and its ways out pick it up."""

from __future__ import annotations

from collections.abc import Callable

from octodesk.gui.migrate.connection_page import SourcePage, TargetPage
from octodesk.gui.migrate.engine_page import EnginePage
from octodesk.gui.migrate.packages_page import PackagesPage
from octodesk.gui.migrate.page import MigrationContext, MigrationPage
from octodesk.gui.migrate.password_page import PasswordPage
from octodesk.gui.migrate.preview_page import PreviewPage
from octodesk.gui.migrate.projects_page import ProjectsPage
from octodesk.gui.migrate.results_page import ResultsPage
from octodesk.gui.migrate.run_page import RunPage
from octodesk.gui.migrate.secrets_page import SecretsPage

PageFactory = Callable[[MigrationContext], MigrationPage]

PAGES: list[PageFactory] = [
    SourcePage,
    ProjectsPage,
    TargetPage,
    EnginePage,
    PackagesPage,
    PasswordPage,
    SecretsPage,
    PreviewPage,
    RunPage,
    ResultsPage,
]

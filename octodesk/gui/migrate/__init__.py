"""The migrate wizard: its pages (``pages.PAGES``), their shared state (``MigrationState``) and the panels
the import page can show (``run_page.RUN_PANELS``)."""

from octodesk.gui.migrate.page import MigrationContext, MigrationPage
from octodesk.gui.migrate.pages import PAGES
from octodesk.gui.migrate.run_page import RUN_PANELS
from octodesk.gui.migrate.state import MigrationState
from octodesk.gui.migrate.wizard import MigrateWizard

__all__ = ["PAGES", "RUN_PANELS", "MigrateWizard", "MigrationContext", "MigrationPage", "MigrationState"]

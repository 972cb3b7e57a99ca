"""Driving the migrate wizard in tests: open it, move on (some pages check in the background first)."""

from __future__ import annotations

from typing import Any, TypeVar

from pytestqt.qtbot import QtBot

from octodesk.gui.main_window import MainWindow
from octodesk.gui.migrate import MigrateWizard, MigrationPage
from octodesk.gui.migrate.engine_page import EnginePage

TIMEOUT = 60000
PASSWORD = "migrate me please 42"
P = TypeVar("P", bound=MigrationPage)


def open_wizard(qtbot: QtBot, window: MainWindow) -> MigrateWizard:
    window.migrate_action.trigger()
    qtbot.waitUntil(lambda: window.migrate_wizard is not None and window.migrate_wizard.isVisible())
    assert window.migrate_wizard is not None
    return window.migrate_wizard


def advance(qtbot: QtBot, wizard: MigrateWizard, expected: type[P]) -> P:
    """Next, then wait until ``expected`` is showing (a page may check something before it lets go); a
    page on the way (e.g. Packages, with its default choice) is passed once it is complete. The engine page
    on the way is answered with the client engine, the one whose pages (Packages, Sensitive values) the
    tests that pass it go on to; the server engine's tests stop on it (``engine_helpers.to_engine_page``)."""
    page = wizard.page_of(expected)
    left = wizard.currentPage()
    wizard.next()
    while True:
        qtbot.waitUntil(lambda left=left: wizard.currentPage() is not left, timeout=TIMEOUT)
        current = wizard.currentPage()
        if current is page:
            return page
        wait_complete(qtbot, current)
        if isinstance(current, EnginePage):
            current.choice.set_engine("client")
        left = current
        wizard.next()


def wait_complete(qtbot: QtBot, page: Any) -> None:
    qtbot.waitUntil(page.isComplete, timeout=TIMEOUT)


def set_password(wizard: MigrateWizard, password: str = PASSWORD) -> None:
    from octodesk.gui.migrate.password_page import PasswordPage

    page = wizard.page_of(PasswordPage)
    page.password.setText(password)
    page.confirm.setText(password)


def choose_engine(qtbot: QtBot, wizard: MigrateWizard, engine: str) -> None:
    """Next from the target page to the engine page; once it knows what fits, pick ``engine``."""
    page = advance(qtbot, wizard, EnginePage)
    wait_complete(qtbot, page)
    page.choice.set_engine(engine)
    assert wizard.migration.engine == engine

"""The migrate wizard's engine choice against sandbox servers: the recommendation with its reason and the
sensitive values counted, the user's override (the sensitive-values page comes back for the client engine),
and the server engine disabled with its reason when a project already exists on the target."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from engine_helpers import close_wizard, create_project, to_engine_page, to_target_page
from gui_helpers import inventory_threads
from migrate_helpers import TIMEOUT, advance, set_password, wait_complete
from pytestqt.qtbot import QtBot

from octodesk.gui.main_window import MainWindow
from octodesk.gui.migrate.engine_page import EnginePage
from octodesk.gui.migrate.password_page import PasswordPage
from octodesk.gui.migrate.preview_page import PreviewPage
from octodesk.gui.migrate.secrets_page import SecretsPage

SKIPPED_STEP = "<span style='color:gray'>\N{EN DASH} Sensitive values</span>"


def cell(page: Any, row: int, column: int) -> str:
    return str(page.choice.table.item(row, column).text())


def test_the_engine_page_recommends_the_server_engine_with_the_sensitive_values_counted(
    qtbot: QtBot, window: MainWindow, run_async: Callable[..., Any], demo_server: Any, empty_server: Any
) -> None:
    wizard, page = to_engine_page(qtbot, window, run_async, demo_server, empty_server)
    outlook = wizard.migration.outlook
    assert outlook is not None
    total, typed = outlook.sensitive_values, outlook.typed_values
    assert total >= 20 and 0 < typed <= total
    recommendation = page.choice.recommendation.text()
    assert recommendation.startswith("Recommended: Octopus's own Export/Import Projects")
    assert f"carries all {total} sensitive values" in recommendation
    assert cell(page, 0, 0) == "Sensitive values"
    assert cell(page, 0, 1) == f"carries {total - typed} of {total}, you type the rest"
    assert cell(page, 0, 2).startswith(f"carries all {total} sensitive values")
    rows = [cell(page, row, 0) for row in range(page.choice.table.rowCount())]
    assert rows == [
        "Sensitive values",
        "Triggers and logos",
        "Update of existing projects",
        "Resume after a failure",
        "Older servers",
    ]
    assert page.choice.server_radio.isChecked() and page.choice.server_radio.isEnabled()
    assert page.choice.server_radio.text().endswith("(recommended)")
    assert not page.choice.client_radio.text().endswith("(recommended)")
    assert not page.choice.unavailable.isVisible()
    assert "<b>▶ Engine</b>" in wizard.steps.text()
    assert SKIPPED_STEP in wizard.steps.text(), "the server engine carries them: no page for them"
    assert "<span style='color:gray'>\N{EN DASH} Packages</span>" in wizard.steps.text()

    engine_next = wizard.page(page.nextId())
    assert engine_next is wizard.page_of(PasswordPage), "no packages page: Octopus's export carries none"
    password = advance(qtbot, wizard, PasswordPage)
    assert wizard.page(password.nextId()) is wizard.page_of(PreviewPage), "no sensitive-values page"
    assert wizard.migration.engine == "server"
    assert close_wizard(qtbot, window, wizard) == "abandoned"


def test_choosing_the_client_engine_brings_back_the_sensitive_values_page_without_a_second_read(
    qtbot: QtBot, window: MainWindow, run_async: Callable[..., Any], demo_server: Any, empty_server: Any
) -> None:
    wizard, page = to_engine_page(qtbot, window, run_async, demo_server, empty_server)
    outlook = wizard.migration.outlook
    assert outlook is not None
    page.choice.client_radio.click()
    assert wizard.migration.engine == "client"
    assert SKIPPED_STEP not in wizard.steps.text() and "Sensitive values" in wizard.steps.text()
    advance(qtbot, wizard, PasswordPage)
    set_password(wizard)
    requests_before = len(demo_server.request_log)
    secrets = advance(qtbot, wizard, SecretsPage)
    wait_complete(qtbot, secrets)
    assert len(demo_server.request_log) == requests_before, "the engine page's scan is reused"
    assert len(wizard.migration.secret_refs) == outlook.typed_values
    assert f"use {outlook.typed_values} sensitive values" in secrets.intro.text()
    # Back to the engine page (past the password and packages pages): the pick stays, nothing is read again.
    for _ in range(3):
        wizard.back()
    assert wizard.currentPage() is page and page.choice.client_radio.isChecked()
    assert len(demo_server.request_log) == requests_before
    assert close_wizard(qtbot, window, wizard) == "abandoned"


def test_an_existing_project_on_the_target_makes_the_server_engine_unavailable_with_the_reason(
    qtbot: QtBot, window: MainWindow, run_async: Callable[..., Any], demo_server: Any, empty_server: Any
) -> None:
    create_project(empty_server, "Web Portal")
    wizard, page = to_engine_page(qtbot, window, run_async, demo_server, empty_server)
    choice = page.choice
    assert not choice.server_radio.isEnabled() and choice.client_radio.isChecked()
    assert choice.unavailable.isVisible()
    reason = "'Web Portal' already exist(s) on the target, and Octopus's import refuses that"
    assert reason in choice.unavailable.text() and reason in choice.server_radio.toolTip()
    assert choice.recommendation.text().startswith("Recommended: OctoDesk's client engine, because ")
    assert reason in choice.recommendation.text()
    assert wizard.migration.engine == "client" and page.isComplete()
    assert close_wizard(qtbot, window, wizard) == "abandoned"


def test_when_the_servers_cannot_be_compared_the_client_engine_goes_on_and_try_again_compares_again(
    qtbot: QtBot, window: MainWindow, run_async: Callable[..., Any], demo_server: Any, empty_server: Any
) -> None:
    wizard = to_target_page(qtbot, window, run_async, demo_server, empty_server, ["Billing API"])
    empty_server.fail_next(5, "html", path_contains="/projects/all")  # every attempt
    page = advance(qtbot, wizard, EnginePage)
    qtbot.waitUntil(page.retry_button.isVisible, timeout=TIMEOUT)
    assert page.problem.text().startswith("The servers could not be compared: ")
    assert page.problem.text().endswith(
        "Next goes on with OctoDesk's client engine; Try again compares them again."
    )
    assert page.isComplete() and wizard.migration.engine == "client", "the client engine needs no comparison"
    page.retry_button.click()
    qtbot.waitUntil(lambda: page.compared and page.isComplete(), timeout=TIMEOUT)
    assert not page.problem.isVisible() and not page.retry_button.isVisible()
    assert page.choice.server_radio.isChecked()
    assert close_wizard(qtbot, window, wizard) == "abandoned"


def test_the_engine_page_counts_the_sensitive_values_on_the_worker_thread(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    demo_server: Any,
    empty_server: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # At 1,000 projects the inventory takes a quarter of a second: on the GUI thread, a frozen window.
    threads = inventory_threads(monkeypatch)
    wizard, page = to_engine_page(qtbot, window, run_async, demo_server, empty_server)
    page.choice.client_radio.click()
    advance(qtbot, wizard, PasswordPage)
    set_password(wizard)
    wait_complete(qtbot, advance(qtbot, wizard, SecretsPage))
    assert threads and threading.main_thread().name not in threads
    assert close_wizard(qtbot, window, wizard) == "abandoned"

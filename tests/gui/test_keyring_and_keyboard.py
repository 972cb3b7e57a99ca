"""API keys in the keyring only when asked; recent servers pre-fill the wizard; keyboard use."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt

from octodesk.gui import keystore
from octodesk.gui.connection_wizard import ConnectionWizard
from octodesk.gui.main_window import MainWindow
from octodesk.gui.settings import Settings


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    """Stands in for the OS credential store (the only kind keystore accepts)."""
    monkeypatch.setattr(keystore, "OS_KEYRINGS", {f"{MemoryKeyring.__module__}.MemoryKeyring"})
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def _connect_through_wizard(
    qtbot: QtBot, settings: Settings, server: Any, remember: bool
) -> ConnectionWizard:
    wizard = ConnectionWizard("source", settings)
    qtbot.addWidget(wizard)
    wizard.show()
    page = wizard.server_page
    page.url_edit.setCurrentText(server.url)
    page.api_key_edit.setText(server.api_key)
    page.remember_key.setChecked(remember)
    with qtbot.waitSignal(page.probe_finished, timeout=20000):
        page.test_button.click()
    wizard.next()
    wizard.accept()
    return wizard


def test_remembered_key_goes_to_the_keyring_and_prefills_next_time(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, demo_server: Any, memory_keyring: MemoryKeyring
) -> None:
    settings = Settings()
    _connect_through_wizard(qtbot, settings, demo_server, remember=True)
    assert memory_keyring.store == {("octodesk", demo_server.url.lower()): demo_server.api_key}
    assert demo_server.api_key not in Settings.location().read_text()

    again = ConnectionWizard("source", Settings.load())
    qtbot.addWidget(again)
    assert again.server_page.url_edit.currentText() == demo_server.url
    assert again.server_page.api_key_edit.text() == demo_server.api_key
    assert again.server_page.remember_key.isChecked()


def test_not_remembering_removes_a_stored_key(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, demo_server: Any, memory_keyring: MemoryKeyring
) -> None:
    keystore.save_api_key(demo_server.url, demo_server.api_key)
    _connect_through_wizard(qtbot, Settings(), demo_server, remember=False)
    assert memory_keyring.store == {}


def test_recent_server_prefills_tls_choice_without_keyring(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, demo_server: Any
) -> None:
    settings = Settings()
    wizard = ConnectionWizard("source", settings)
    qtbot.addWidget(wizard)
    wizard.server_page.verify_tls.setChecked(False)
    wizard.server_page.url_edit.setCurrentText(demo_server.url)
    wizard.server_page.api_key_edit.setText(demo_server.api_key)
    with qtbot.waitSignal(wizard.server_page.probe_finished, timeout=20000):
        wizard.server_page.test_button.click()
    wizard.next()
    wizard.accept()
    again = ConnectionWizard("target", Settings.load())
    qtbot.addWidget(again)
    assert again.server_page.url_edit.currentText() == demo_server.url
    assert not again.server_page.verify_tls.isChecked()
    assert again.server_page.api_key_edit.text() == ""  # no keyring: the key is asked again


def test_project_list_is_usable_from_the_keyboard(
    qtbot: QtBot, window: MainWindow, sample_projects: list[Any], run_async: Callable[..., Any]
) -> None:
    panel = window.project_panel
    panel.set_projects(sample_projects)
    panel.search.setFocus()
    qtbot.keyClicks(panel.search, "portal")
    qtbot.keyClick(panel.search, Qt.Key.Key_Tab)
    assert panel.tree.hasFocus()
    group = panel.proxy.index(0, 0)
    portal = panel.proxy.index(0, 0, group)
    panel.tree.setCurrentIndex(portal)
    qtbot.keyClick(panel.tree, Qt.Key.Key_Space)
    assert panel.checked_names() == ["Web Portal"]
    qtbot.keyClick(panel.tree, Qt.Key.Key_Space)
    assert panel.checked_names() == []

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget, QWizard

from octodesk.gui.connection_wizard import REJECTED_KEY, ConnectionWizard
from octodesk.gui.settings import Settings


def _wizard(qtbot: QtBot, settings: Settings | None = None) -> ConnectionWizard:
    wizard = ConnectionWizard("source", settings or Settings())
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def _test_connection(qtbot: QtBot, wizard: ConnectionWizard, url: str, key: str) -> tuple[bool, str]:
    page = wizard.server_page
    page.url_edit.setCurrentText(url)
    page.api_key_edit.setText(key)
    with qtbot.waitSignal(page.probe_finished, timeout=20000) as blocker:
        page.test_button.click()
    return bool(blocker.args[0]), page.status.text()


def test_success_shows_version_hosting_then_spaces_and_remembers_server(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, demo_server: Any
) -> None:
    settings = Settings()
    wizard = _wizard(qtbot, settings)
    assert not wizard.server_page.isComplete()
    ok, text = _test_connection(qtbot, wizard, demo_server.url + "/", demo_server.api_key)
    assert ok, text
    assert text == "Connected: Octopus Server 2021.2.4488, Self-hosted."
    assert wizard.server_page.isComplete()
    wizard.next()
    space_page = wizard.space_page
    assert space_page.version_label.text() == "2021.2.4488"
    assert space_page.hosting_label.text() == "Self-hosted"
    items = [space_page.space_combo.itemText(i) for i in range(space_page.space_combo.count())]
    assert items == ["Default", "Platform"]
    space_page.space_combo.setCurrentText("Platform")
    wizard.accept()
    assert wizard.result() == QWizard.DialogCode.Accepted
    connection = wizard.connection()
    assert (connection.url, connection.space, connection.api_key) == (
        demo_server.url,
        "Platform",
        demo_server.api_key,
    )
    saved = json.loads(Settings.location().read_text())
    assert saved["recent_servers"][0]["url"] == demo_server.url
    assert demo_server.api_key not in Settings.location().read_text()


def test_editing_after_success_requires_a_new_test(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, demo_server: Any
) -> None:
    wizard = _wizard(qtbot)
    assert _test_connection(qtbot, wizard, demo_server.url, demo_server.api_key)[0]
    wizard.server_page.api_key_edit.setText("API-SOMETHINGELSE0000000000")
    assert not wizard.server_page.tested()
    assert "test the connection again" in wizard.server_page.status.text()
    with qtbot.waitSignal(wizard.server_page.probe_finished, timeout=20000):
        assert not wizard.server_page.validatePage(), "Next tests the new values before going on"
    assert wizard.currentPage() is wizard.server_page
    assert wizard.server_page.status.text() == REJECTED_KEY


def test_wrong_api_key_is_one_short_sentence(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, demo_server: Any
) -> None:
    """Issue 11 fault 5: a wrong API key stated the same fact three times."""
    wizard = _wizard(qtbot)
    ok, text = _test_connection(qtbot, wizard, demo_server.url, "API-WRONGKEY000000000000000")
    assert not ok
    assert text == REJECTED_KEY
    assert text.count("401") == 1 and text.count("rejected") == 1 and "." not in text[:-1].split(":")[0]
    assert "API-WRONGKEY000000000000000" not in text
    assert not wizard.server_page.tested()


def test_unreachable_server(qtbot: QtBot, loop: asyncio.AbstractEventLoop, empty_server: Any) -> None:
    url = empty_server.url
    empty_server.stop()
    wizard = _wizard(qtbot)
    ok, text = _test_connection(qtbot, wizard, url, "API-ANYKEY00000000000000000")
    assert not ok
    assert text.startswith("Server unreachable:")


def test_tls_failure(qtbot: QtBot, loop: asyncio.AbstractEventLoop, empty_server: Any) -> None:
    wizard = _wizard(qtbot)
    ok, text = _test_connection(
        qtbot, wizard, empty_server.url.replace("http:", "https:"), empty_server.api_key
    )
    assert not ok
    assert text.startswith("TLS/certificate problem:")


def test_not_an_octopus_server(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, canned_server: Callable[[int, str, bytes], str]
) -> None:
    url = canned_server(200, "text/html", b"<html><body>Welcome to nginx!</body></html>")
    wizard = _wizard(qtbot)
    ok, text = _test_connection(qtbot, wizard, url, "API-ANYKEY00000000000000000")
    assert not ok
    assert text.startswith("Not an Octopus Server:")


def test_forbidden_says_403(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, canned_server: Callable[[int, str, bytes], str]
) -> None:
    body = json.dumps({"ErrorMessage": "You do not have permission to perform this action.", "Errors": []})
    url = canned_server(403, "application/json", body.encode())
    wizard = _wizard(qtbot)
    ok, text = _test_connection(qtbot, wizard, url, "API-ANYKEY00000000000000000")
    assert not ok
    assert text.startswith("Permission denied (403):")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "No server URL given"),
        ("octopus.example.com", "must start with https://"),
        ("https://", "no host name"),
        ("https://octopus.example.com:99999", "port"),
    ],
)
def test_invalid_url_is_explained_inline_without_a_request(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, url: str, message: str
) -> None:
    wizard = _wizard(qtbot)
    ok, text = _test_connection(qtbot, wizard, url, "API-ANYKEY00000000000000000")
    assert not ok
    assert message in text


def test_remember_key_is_disabled_with_a_clear_message_without_keyring(qtbot: QtBot) -> None:
    wizard = _wizard(qtbot)
    page = wizard.server_page
    assert not page.remember_key.isEnabled()
    assert page.keyring_note.isVisible()
    assert "No system keyring" in page.keyring_note.text()


def test_closing_the_wizard_during_a_test_is_quiet(
    qtbot: QtBot,
    loop: asyncio.AbstractEventLoop,
    sandbox_factory: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    from octodesk.gui.worker import spawn

    slow = sandbox_factory("empty", latency_ms=300)
    uncaught: list[BaseException] = []
    monkeypatch.setattr(sys, "excepthook", lambda _type, error, _trace: uncaught.append(error))
    parent = QWidget()
    qtbot.addWidget(parent)
    launched = spawn(ConnectionWizard.launch(parent, "source", Settings()))
    qtbot.waitUntil(lambda: parent.findChild(ConnectionWizard) is not None)
    wizard = parent.findChild(ConnectionWizard)
    assert wizard is not None
    wizard.server_page.url_edit.setCurrentText(slow.url)
    wizard.server_page.api_key_edit.setText(slow.api_key)
    wizard.server_page.test_button.click()
    qtbot.waitUntil(lambda: slow.request_count > 0 or wizard.server_page.busy.isVisible())
    wizard.reject()
    qtbot.waitUntil(launched.done)
    assert launched.result() is None
    assert uncaught == []


def test_enter_after_test_connection_continues_and_never_cancels(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, demo_server: Any
) -> None:
    """Issue 11 fault 5: pressing Enter after "Test connection" cancelled the wizard."""
    wizard = _wizard(qtbot)
    wizard.activateWindow()
    page = wizard.server_page
    assert _test_connection(qtbot, wizard, demo_server.url, demo_server.api_key)[0]
    cancel = wizard.button(QWizard.WizardButton.CancelButton)
    assert cancel.focusPolicy() == Qt.FocusPolicy.NoFocus
    assert not cancel.hasFocus()
    qtbot.keyClick(page.api_key_edit, Qt.Key.Key_Return)
    assert wizard.currentPage() is wizard.space_page
    assert wizard.isVisible(), "Enter never cancels"


def test_enter_in_the_form_tests_the_connection_then_continues(
    qtbot: QtBot, loop: asyncio.AbstractEventLoop, demo_server: Any
) -> None:
    wizard = _wizard(qtbot)
    page = wizard.server_page
    page.url_edit.setCurrentText(demo_server.url)
    page.api_key_edit.setText(demo_server.api_key)
    with qtbot.waitSignal(page.probe_finished, timeout=20000):
        qtbot.keyClick(page.api_key_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.space_page)
    assert page.status.text().startswith("Connected: Octopus Server")

from __future__ import annotations

from pytestqt.qtbot import QtBot

from PySide6.QtWidgets import QLineEdit

from octodesk.gui.password_dialog import PasswordDialog, password_strength


def test_strength_grows_with_length_and_variety() -> None:
    assert password_strength("")[0] == 0
    assert password_strength("short")[1].startswith("Too short")
    assert password_strength("abcdefgh")[0] < password_strength("Abcdefgh12!xyz")[0]
    assert password_strength("Correct Horse 42 Battery!")[1].startswith("Strong (about 1")  # ~150 bits


def test_export_follows_the_one_password_policy(qtbot: QtBot) -> None:
    dialog = PasswordDialog("export")
    qtbot.addWidget(dialog)
    for blank_or_short in ("        ", "seven77"):
        dialog.password.setText(blank_or_short)
        dialog.confirm.setText(blank_or_short)
        assert not dialog.ok_button.isEnabled()
    dialog.password.setText("password")
    dialog.confirm.setText("password")
    assert dialog.ok_button.isEnabled()  # at least 8 characters is the rule; the hint says how weak it is
    assert dialog.strength_label.text().startswith("Weak (about 10 bits)")


def test_export_needs_matching_confirmation(qtbot: QtBot) -> None:
    dialog = PasswordDialog("export")
    qtbot.addWidget(dialog)
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.password, "correct horse battery")
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.confirm, "correct horse batterx")
    assert "do not match" in dialog.strength_label.text()
    assert not dialog.ok_button.isEnabled()
    dialog.confirm.setText("correct horse battery")
    assert dialog.ok_button.isEnabled()
    assert dialog.value() == "correct horse battery"


def test_show_hide_reveals_both_fields(qtbot: QtBot) -> None:
    dialog = PasswordDialog("export")
    qtbot.addWidget(dialog)
    assert dialog.password.echoMode() == QLineEdit.EchoMode.Password
    dialog.password.toggle_action.trigger()
    assert dialog.password.echoMode() == QLineEdit.EchoMode.Normal
    assert dialog.confirm.echoMode() == QLineEdit.EchoMode.Normal
    dialog.password.toggle_action.trigger()
    assert dialog.confirm.echoMode() == QLineEdit.EchoMode.Password


def test_import_mode_has_one_field_and_shows_the_error(qtbot: QtBot) -> None:
    dialog = PasswordDialog("import", error="Wrong password. Try again.")
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.confirm.isVisible()
    assert dialog.error_label.isVisible()
    assert dialog.error_label.text() == "Wrong password. Try again."
    qtbot.keyClicks(dialog.password, "x")
    assert dialog.ok_button.isEnabled()

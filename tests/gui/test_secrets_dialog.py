from __future__ import annotations

import json
from pathlib import Path

from pytestqt.qtbot import QtBot

from PySide6.QtWidgets import QLineEdit

from octodesk.core.resources.secret_refs import SecretRef
from octodesk.gui.secrets_dialog import SecretsDialog

REFS = [
    SecretRef("account:Azure Prod/Password", "account Password", "user"),
    SecretRef("variable:Project/Web/DbPassword", "sensitive variable DbPassword of Project 'Web'", "user"),
]


def test_values_are_masked_and_only_filled_ones_are_carried(qtbot: QtBot) -> None:
    dialog = SecretsDialog(REFS)
    qtbot.addWidget(dialog)
    field = dialog.fields["account:Azure Prod/Password"]
    assert field.echoMode() == QLineEdit.EchoMode.Password
    assert dialog.count_label.text() == "0 of 2 values will be carried; 2 become follow-ups."
    qtbot.keyClicks(field, "hunter22")
    assert dialog.values() == {"account:Azure Prod/Password": "hunter22"}
    assert dialog.count_label.text() == "1 of 2 values will be carried; 1 become follow-ups."


def test_load_secrets_file_fills_known_references_and_names_unknown_ones(
    qtbot: QtBot, tmp_path: Path
) -> None:
    secrets_file = tmp_path / "secrets.json"
    secrets_file.write_text(
        json.dumps(
            {"secrets": {"variable:Project/Web/DbPassword": "s3cret", "account:Typo/Password": "x1234"}}
        )
    )
    dialog = SecretsDialog(REFS)
    qtbot.addWidget(dialog)
    dialog.load_file(str(secrets_file))
    assert dialog.values() == {"variable:Project/Web/DbPassword": "s3cret"}
    assert dialog.message.text().startswith("Loaded 1 values from")
    assert "account:Typo/Password" in dialog.message.text()
    assert "s3cret" not in dialog.message.text()


def test_broken_secrets_file_is_one_clear_message(qtbot: QtBot, tmp_path: Path) -> None:
    secrets_file = tmp_path / "secrets.json"
    secrets_file.write_text('{"secrets": {"account:Azure Prod/Password": "leak-me"')
    dialog = SecretsDialog(REFS)
    qtbot.addWidget(dialog)
    dialog.load_file(str(secrets_file))
    assert "not valid JSON" in dialog.message.text()
    assert "leak-me" not in dialog.message.text()
    assert dialog.values() == {}

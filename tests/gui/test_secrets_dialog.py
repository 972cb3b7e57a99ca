"""The sensitive-values list: masked values typed in the list itself, grouped by project with readable
labels, a secrets file to load, a template to fill offline, and usable with hundreds of values."""

from __future__ import annotations

import json
from pathlib import Path

from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from octodesk.core.resources.secret_refs import SecretRef, read_secrets_file
from octodesk.gui.secret_labels import describe
from octodesk.gui.secrets_dialog import SecretsDialog
from octodesk.gui.secrets_editor import MASK, SecretsEditor, SecretsModel

REFS = [
    SecretRef("account:Azure Prod/Password", "account Password", "user"),
    SecretRef("variable:Project/Web/DbPassword", "sensitive variable DbPassword of Project 'Web'", "user"),
]


def value_index(editor: SecretsEditor, ref: str) -> object:
    model = editor.proxy
    for row in range(model.rowCount()):
        group = model.index(row, 0)
        for child in range(model.rowCount(group)):
            index = model.index(child, 1, group)
            if index.siblingAtColumn(0).data(Qt.ItemDataRole.UserRole + 1) == ref:
                return index
    raise AssertionError(f"{ref} is not shown")


def test_values_are_typed_masked_in_the_list_and_only_filled_ones_are_carried(qtbot: QtBot) -> None:
    dialog = SecretsDialog(REFS)
    qtbot.addWidget(dialog)
    dialog.show()
    editor = dialog.editor
    assert editor.count_label.text() == "0 of 2 entered · 2 become follow-ups"
    index = value_index(editor, "account:Azure Prod/Password")
    editor.tree.setCurrentIndex(index)
    editor.tree.edit(index)
    field = editor.tree.viewport().findChild(QLineEdit)
    assert isinstance(field, QLineEdit) and field.echoMode() == QLineEdit.EchoMode.Password
    qtbot.keyClicks(field, "hunter22")
    qtbot.keyClick(field, Qt.Key.Key_Return)  # the view commits on its next turn
    qtbot.waitUntil(lambda: dialog.values() == {"account:Azure Prod/Password": "hunter22"})
    assert index.data() == MASK, "the list never shows a value"
    assert editor.count_label.text() == "1 of 2 entered · 1 become follow-ups"


def test_grouped_by_project_with_readable_labels(qtmodeltester: ModelTester) -> None:
    refs = [
        SecretRef("variable:Project/Web Portal/DbPassword[Environment=Production]", "", "user"),
        SecretRef("action:Web Portal/deployment/Notify/Notify/Slack.WebhookUrl", "", "user"),
        SecretRef("variable:LibraryVariableSet/Common/Smtp.Password", "", "user"),
        SecretRef("tenant:Fabrikam/Project/Web Portal/Tenant.LicenceKey/Test", "", "user"),
        SecretRef("feed:Acme NuGet/Password", "", "user"),
        SecretRef("certificate:Portal TLS/Password", "", "user"),
    ]
    model = SecretsModel()
    model.set_refs(refs, {})
    qtmodeltester.check(model)
    groups = [model.index(row, 0).data() for row in range(model.rowCount())]
    assert groups == [
        "Web Portal (0 of 2)",
        "Library variable set Common (0 of 1)",
        "Tenant Fabrikam (0 of 1)",
        "Certificates (0 of 1)",
        "Feeds (0 of 1)",
    ]
    portal = model.index(0, 0)
    labels = [model.index(row, 0, portal).data() for row in range(model.rowCount(portal))]
    assert labels == ["Slack.WebhookUrl in step “Notify”", "Variable DbPassword (Environment = Production)"]
    assert describe("certificate:Portal TLS/Password").label == "Portal TLS: PFX password"


def test_two_hundred_values_stay_usable(qtbot: QtBot) -> None:
    refs = [
        SecretRef(f"variable:Project/Project {n // 20:02d}/Secret.{n:03d}", f"secret {n}", "user")
        for n in range(200)
    ]
    editor = SecretsEditor()
    qtbot.addWidget(editor)
    editor.resize(700, 500)
    editor.show()
    editor.set_refs(refs)
    assert editor.model.rowCount() == 10
    qtbot.keyClicks(editor.search, "Secret.137")
    shown = [editor.proxy.index(r, 0).data() for r in range(editor.proxy.rowCount())]
    assert shown == ["Project 06 (0 of 20)"]
    assert editor.proxy.rowCount(editor.proxy.index(0, 0)) == 1
    editor.model.set_value("variable:Project/Project 06/Secret.137", "found-it")
    assert editor.count_label.text() == "1 of 200 entered · 199 become follow-ups"


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
    dialog.editor.load_file(str(secrets_file))
    assert dialog.values() == {"variable:Project/Web/DbPassword": "s3cret"}
    assert dialog.editor.message.text().startswith("Loaded 1 values from")
    assert "account:Typo/Password" in dialog.editor.message.text()
    assert "s3cret" not in dialog.editor.message.text()


def test_a_template_to_fill_offline_holds_every_reference_and_no_value(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = SecretsDialog(REFS)
    qtbot.addWidget(dialog)
    dialog.editor.model.set_value("account:Azure Prod/Password", "typed-not-saved")
    template = tmp_path / "template.json"
    dialog.editor.save_template(str(template))
    saved = json.loads(template.read_text())
    assert saved == {"secrets": {ref.ref: "" for ref in REFS}}
    assert "typed-not-saved" not in template.read_text()
    filled = template.read_text().replace(
        '"variable:Project/Web/DbPassword": ""', '"variable:Project/Web/DbPassword": "x"'
    )
    template.write_text(filled)
    assert read_secrets_file(template) == {"variable:Project/Web/DbPassword": "x"}
    dialog.editor.load_file(str(template))
    assert dialog.values() == {
        "account:Azure Prod/Password": "typed-not-saved",
        "variable:Project/Web/DbPassword": "x",
    }


def test_broken_secrets_file_is_one_clear_message(qtbot: QtBot, tmp_path: Path) -> None:
    secrets_file = tmp_path / "secrets.json"
    secrets_file.write_text('{"secrets": {"account:Azure Prod/Password": "leak-me"')
    dialog = SecretsDialog(REFS)
    qtbot.addWidget(dialog)
    dialog.editor.load_file(str(secrets_file))
    assert "not valid JSON" in dialog.editor.message.text()
    assert "leak-me" not in dialog.editor.message.text()
    assert dialog.values() == {}


def test_typing_on_a_row_edits_its_value(qtbot: QtBot) -> None:
    dialog = SecretsDialog(REFS)
    qtbot.addWidget(dialog)
    dialog.show()
    tree = dialog.editor.tree
    label = value_index(dialog.editor, "account:Azure Prod/Password").siblingAtColumn(0)
    tree.setCurrentIndex(label)  # a click on the label
    assert tree.currentIndex().column() == 1
    tree.setFocus()
    qtbot.keyClicks(tree, "t")  # the first key opens the value's masked field, and goes into it
    editor = tree.viewport().findChild(QLineEdit)
    assert editor is not None and editor.text() == "t"
    qtbot.keyClicks(editor, "yped")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.values() == {"account:Azure Prod/Password": "typed"})

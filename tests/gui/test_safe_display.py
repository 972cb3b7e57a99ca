"""Names, URLs and error texts from a bundle or server, as the app shows them: escaped, never rich text."""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from octodesk.core.bundle import BundleSummary, read_manifest
from octodesk.gui.flows import bundle_prompt
from octodesk.gui.plan_model import PlanTreeModel
from octodesk.gui.safe_display import plain_label

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # benchmarks/ is beside tests/

from benchmarks.hostile_bundles import raw_bundle

FORGED = "Prod\x1b[2K\r  CREATE Project Forged\n\u202eevil\ud800"


def test_plan_rows_show_control_characters_escaped() -> None:
    item = SimpleNamespace(kind="Environment", name=FORGED, action="create", reason="missing\ron the target",
                           details=[], source_id="Environments-1", target_id=None, resumed=False)  # fmt: skip
    model = PlanTreeModel()
    model.set_plan(SimpleNamespace(items=[item], refusals=[], warnings=[], follow_ups=[], refused=False))
    row = model.index(0, 0, model.index(0, 0))

    shown = model.data(row, Qt.ItemDataRole.DisplayRole)
    tip = model.data(row, Qt.ItemDataRole.ToolTipRole)

    assert shown == "Prod\\x1b[2K\\r  CREATE Project Forged\\n\\u202eevil\\ud800"
    # a tool tip keeps its line breaks (ours and theirs, harmless there) and escapes everything else
    assert "\x1b" not in tip and "\r" not in tip and "\u202e" not in tip
    assert tip.startswith("Environment “Prod\\x1b[2K\\r  CREATE Project Forged\n\\u202eevil\\ud800”")
    assert tip.endswith("missing\\ron the target")


def test_labels_with_outside_text_are_plain_text(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)

    plain_label(label, "<img src='file:///etc/passwd'><b>2021.2</b>\x1b[31m")

    assert label.textFormat() == Qt.TextFormat.PlainText
    assert label.text() == "<img src='file:///etc/passwd'><b>2021.2</b>\\x1b[31m"


def test_the_password_prompt_survives_a_hostile_manifest(tmp_path: Path) -> None:
    bundle = raw_bundle(tmp_path / "b.octobundle", {}, [])
    path = tmp_path / "hostile.octobundle"
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "manifest.json":
                manifest = json.loads(data)
                manifest["projects"] = [FORGED, 42, None]
                manifest["source"] = {"url": "https://evil.example.com\r\nFAKE", "space": {"not": "text"}}
                data = json.dumps(manifest).encode()
            target.writestr(info, data)

    prompt = bundle_prompt(path, BundleSummary.from_manifest(read_manifest(path)))

    assert "\x1b" not in prompt and "\r" not in prompt and "\n" not in prompt
    assert "exported from https://evil.example.com\\r\\nFAKE" in prompt

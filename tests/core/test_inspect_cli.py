"""``octodesk inspect``: verifies the password and integrity, then prints the summary as text or JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from bundle_helpers import MANIFEST, PASSWORD, SECRET_VALUE, entry_data_span, flip_byte, make_bundle

from octodesk.cli import main


@pytest.fixture
def bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OCTODESK_PASSWORD", PASSWORD)
    return make_bundle(tmp_path / "portal.octobundle")


def test_text_summary_after_verification(bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["inspect", str(bundle)])

    out = capsys.readouterr().out
    assert code == 0
    assert f"Bundle     {bundle} (password and integrity verified)" in out
    assert "Source     https://octopus.example.com (Octopus 2021.2.4488, Self-hosted)" in out
    assert "Space      Default" in out
    assert "Projects   Web Portal" in out
    assert "Resources  4" in out
    assert "  Environment        2" in out
    assert "  Project variables  1" in out  # kinds by their human names
    assert "Sensitive values carried: 2" in out
    assert "  variable:Project/Web Portal/DbPassword" in out
    assert "  account:Azure Prod/Password (not supplied)" in out
    assert "Deploys to target roles: web" in out
    assert SECRET_VALUE not in out


def test_json_summary_is_machine_readable(bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["inspect", str(bundle), "--json"])

    document = json.loads(capsys.readouterr().out)
    assert code == 0
    assert document["verified"] is True
    assert document["bundle"] == str(bundle)
    assert document["source"] == {
        "url": "https://octopus.example.com",
        "version": "2021.2.4488",
        "hosting": "SelfHosted",
        "space": "Default",
    }
    assert document["projects"] == MANIFEST["projects"]
    assert document["counts"] == {"Environment": 2, "Project": 1, "VariableSet": 1}
    assert document["secrets_not_carried"] == [
        {"ref": "account:Azure Prod/Password", "reason": "not supplied"}
    ]
    assert SECRET_VALUE not in json.dumps(document)


def test_password_from_a_named_variable(
    bundle: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OCTODESK_PASSWORD")
    monkeypatch.setenv("MY_BUNDLE_PW", PASSWORD)

    assert main(["inspect", str(bundle), "--password-env", "MY_BUNDLE_PW", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["verified"] is True


def test_wrong_password_fails_with_one_line_and_no_summary(
    bundle: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OCTODESK_PASSWORD", "not-the-password")

    code = main(["inspect", str(bundle)])

    captured = capsys.readouterr()
    assert code == 1
    assert captured.out == ""
    # exact text except the path: other tests' registered secrets may mask parts of a temporary path
    assert captured.err.startswith("octodesk: error: Wrong password for the bundle ")
    assert captured.err.endswith("portal.octobundle.\n")
    assert captured.err.count("\n") == 1
    assert "not-the-password" not in captured.err


def test_damaged_bundle_fails_naming_the_entry(bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    offset, length = entry_data_span(bundle, "resources/Project/Projects-1.json")
    bundle.write_bytes(flip_byte(bundle.read_bytes(), offset + length // 2))

    code = main(["inspect", str(bundle), "--json"])

    captured = capsys.readouterr()
    assert code == 1
    assert captured.out == ""
    assert "resources/Project/Projects-1.json has been modified" in captured.err


def test_missing_password_is_a_usage_error(
    bundle: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OCTODESK_PASSWORD")

    assert main(["inspect", str(bundle)]) == 2
    assert "OCTODESK_PASSWORD" in capsys.readouterr().err


def test_terminal_escapes_from_a_bundle_are_shown_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OCTODESK_PASSWORD", PASSWORD)
    path = make_bundle(
        tmp_path / "odd.octobundle", manifest={**MANIFEST, "projects": ["Evil\x1b[2J\u202eName"]}
    )

    assert main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\u202e" not in out
    assert "Evil\\x1b[2J\\u202eName" in out


def test_as_a_separate_process_wrong_password_exits_non_zero_without_traceback(bundle: Path) -> None:
    env = {**os.environ, "OCTODESK_PASSWORD": "Nope-N0t-This-0ne"}

    result = subprocess.run(
        [sys.executable, "-m", "octodesk", "inspect", str(bundle)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [f"octodesk: error: Wrong password for the bundle {bundle}."]

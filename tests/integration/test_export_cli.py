"""``octodesk export`` end to end against the demo sandbox: exit codes, output streams, report, secrets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from octodesk.cli import main
from octodesk.core.bundle import read_bundle

PASSWORD = "cli bundle password 42"


@pytest.fixture
def env(demo_server: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("OCTOPUS_API_KEY", demo_server.api_key)
    monkeypatch.setenv("OCTODESK_PASSWORD", PASSWORD)
    return demo_server


def run(server: Any, *extra: str) -> int:
    return main(["export", "--server", server.url, "--space", "Default", *extra])


def test_export_succeeds_with_summary_on_stdout_and_progress_on_stderr(
    env: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = tmp_path / "portal.octobundle"
    report_path = tmp_path / "report.json"
    secrets = tmp_path / "secrets.json"
    secrets.write_text(json.dumps({"secrets": {"feed:Acme NuGet/Password": "feed-secret-9911"}}))
    code = run(
        env,
        "--project",
        "Web Portal",
        "--output",
        str(bundle),
        "--report",
        str(report_path),
        "--secrets-file",
        str(secrets),
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Exported 1 project(s) from space 'Default'" in out
    assert "Sensitive values: 1 carried" in out  # the supplied feed password (the PFX needs its password)
    assert "certificate:Portal TLS is not carried: its PFX file is protected by a password" in out
    assert "--secrets-file" in out  # the command line words the remedy with its own flag
    assert "read" in err and "Exported" not in err
    report = json.loads(report_path.read_text())
    assert report["succeeded"] is True and report["http_requests"] > 0
    assert read_bundle(bundle, PASSWORD).secrets["feed:Acme NuGet/Password"] == "feed-secret-9911"
    for text in (out, err, report_path.read_text()):
        assert env.api_key not in text and PASSWORD not in text and "feed-secret-9911" not in text


def test_list_secrets_prints_references_and_writes_nothing(
    env: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(env, "--project", "Web Portal", "--list-secrets", "--output", str(tmp_path / "x.octobundle"))
    out, _ = capsys.readouterr()
    assert code == 0
    assert "variable:Project/Web Portal/Portal.SigningKey\t" in out
    assert "certificate:Portal TLS\t" in out
    assert list(tmp_path.iterdir()) == []


def test_unknown_project_exits_1_with_one_line_and_no_file(
    env: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report_path = tmp_path / "report.json"
    code = run(
        env, "--project", "Billing", "--output", str(tmp_path / "b.octobundle"), "--report", str(report_path)
    )
    _, err = capsys.readouterr()
    assert code == 1
    error_lines = [line for line in err.splitlines() if line.startswith("octodesk: error:")]
    assert error_lines == [
        "octodesk: error: No project named 'Billing' in space 'Default'. Close names: Billing API."
    ]
    assert "Traceback" not in err
    assert json.loads(report_path.read_text())["succeeded"] is False
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_git_project_is_refused(env: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(env, "--project", "Mobile App (Git)", "--output", str(tmp_path / "g.octobundle"))
    _, err = capsys.readouterr()
    assert code == 1
    assert "version-controlled" in err
    assert list(tmp_path.iterdir()) == []


def test_missing_password_is_a_usage_error_before_any_request(
    env: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OCTODESK_PASSWORD")
    env.reset_counters()
    code = run(env, "--project", "Web Portal", "--output", str(tmp_path / "p.octobundle"))
    _, err = capsys.readouterr()
    assert code == 2
    assert "OCTODESK_PASSWORD" in err
    assert env.request_count == 0


def test_bad_secrets_file_is_a_usage_error(
    env: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secrets = tmp_path / "secrets.json"
    secrets.write_text('{"feed:Acme NuGet/Password": 12}')
    code = run(
        env,
        "--project",
        "Web Portal",
        "--output",
        str(tmp_path / "p.octobundle"),
        "--secrets-file",
        str(secrets),
    )
    _, err = capsys.readouterr()
    assert code == 2
    assert "must be a string" in err
    assert not (tmp_path / "p.octobundle").exists()

"""`octodesk import`: dry run, exit codes, refusals and the JSON report, against two sandboxes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from import_support import export_demo, named

from octodesk.cli import main
from octodesk.sandbox import SandboxServer


@pytest.fixture(scope="module")
def bundle_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with SandboxServer("demo") as source:
        yield export_demo(source, tmp_path_factory.mktemp("bundle") / "demo.octobundle", ["Web Portal"])


def _import(target: SandboxServer, bundle: Path, *extra: str) -> int:
    return main(
        [
            "import",
            str(bundle),
            "--server",
            target.url,
            "--space",
            "Default",
            "--api-key-env",
            "TARGET_KEY",
            "--password-env",
            "BUNDLE_PASSWORD",
            *extra,
        ]
    )


def test_dry_run_prints_the_plan_and_writes_nothing(
    target: SandboxServer, bundle_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = target.snapshot()
    report = tmp_path / "plan.json"
    assert _import(target, bundle_path, "--dry-run", "--report", str(report)) == 0
    out = capsys.readouterr().out
    assert "CREATE   Project              Web Portal" in out
    assert "REUSE    Feed" in out and "nothing was written" in out
    assert target.snapshot() == before
    plan = json.loads(report.read_text())
    assert plan["operation"] == "plan" and not plan["refused"]
    assert {"kind": "Project", "name": "Web Portal"}.items() <= next(
        item for item in plan["items"] if item["kind"] == "Project"
    ).items()


def test_import_then_again_exits_3_listing_the_refusal(
    target: SandboxServer, bundle_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.json"
    assert _import(target, bundle_path, "--report", str(report)) == 0
    out = capsys.readouterr().out
    assert "The import succeeded." in out and "Target  space 'Default'" in out and "Follow-ups" in out
    data = json.loads(report.read_text())
    assert data["succeeded"] and data["counts"]["Project"] == {"create": 1}
    assert len(named(target, "projects", "Web Portal")) == 1

    before = target.snapshot()
    assert _import(target, bundle_path) == 3
    err = capsys.readouterr().err
    lines = err.splitlines()
    # the reason on a line of its own under the headline, not after a literal "\n"
    headline = "octodesk: error: The import was refused; nothing was written to space 'Default':"
    assert headline in lines and "\\n" not in err
    reason = lines[lines.index(headline) + 1]
    assert reason.startswith("  - Project 'Web Portal' already exists")
    assert target.snapshot() == before


def test_wrong_password_is_one_clean_line(
    target: SandboxServer,
    bundle_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("BUNDLE_PASSWORD", "wrong password entirely")
    code = _import(target, bundle_path)
    err = capsys.readouterr().err
    assert code != 0 and code != 3
    errors = [line for line in err.splitlines() if line.startswith("octodesk:")]
    assert errors == [line for line in errors if line.startswith("octodesk: error: Wrong password")]
    assert len(errors) == 1
    assert "Traceback" not in err and "wrong password entirely" not in err


def test_missing_bundle_file_fails_clearly(
    target: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _import(target, tmp_path / "nope.octobundle") == 1
    assert "No bundle at" in capsys.readouterr().err

"""The command line facing hostile bundles and servers, and the password policy (issue 12).

Every bundle here is sealed by its author with the password the victim was given; the target is a sandbox.
"""

from __future__ import annotations

import getpass
import json
import os
import stat
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from import_support import export_demo

from octodesk.cli import main
from octodesk.core.bundle.format import canonical_json
from octodesk.core.journal import Journal, bundle_fingerprint
from octodesk.core.locks import import_lock_path
from octodesk.sandbox import SandboxServer

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # benchmarks/ is beside tests/

from benchmarks.hostile_bundles import PASSWORD, raw_bundle, resource_entries

FORGED = "Prod\x1b[2K\r  CREATE   Project            Forged\nREUSE \u202eevil"


def environment_bundle(path: Path, name: str, document_name: str | None = None) -> Path:
    document = {"Id": "Environments-1", "Name": name if document_name is None else document_name}
    return raw_bundle(
        path, *resource_entries([("Environment", "Environments-1", name, canonical_json(document))])
    )


def dry_run(target: SandboxServer, bundle: Path, *extra: str) -> int:
    return main(
        ["import", str(bundle), "--server", target.url, "--space", "Default", "--api-key-env", "TARGET_KEY",
         "--password-env", "BUNDLE_PASSWORD", "--dry-run", *extra]
    )  # fmt: skip


def environment_names(server: SandboxServer) -> list[str]:
    return sorted(doc["Name"] for doc in server.snapshot()["documents"].get("environments", {}).values())


def test_control_characters_in_names_cannot_forge_plan_lines(
    target: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before: ESC, CR, a newline and a bidi override reached the terminal raw, forging a plan line.
    bundle = environment_bundle(tmp_path / "forged.octobundle", FORGED)

    assert dry_run(target, bundle) == 0

    out = capsys.readouterr().out
    assert not {"\x1b", "\r", "\u202e"} & set(out)
    assert "Prod\\x1b[2K\\r  CREATE   Project            Forged\\nREUSE \\u202eevil" in out
    assert [line for line in out.splitlines() if "Forged" in line and "Environment" not in line] == []


def test_a_lone_surrogate_in_a_name_is_shown_not_a_crash(
    target: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before: "internal error: UnicodeEncodeError ... surrogates not allowed".
    bundle = environment_bundle(tmp_path / "surrogate.octobundle", "Prod\ud800")

    assert dry_run(target, bundle, "--report", str(tmp_path / "plan.json")) == 0

    out = capsys.readouterr().out
    assert [line for line in out.splitlines() if "Prod\\ud800" in line and "Environment" in line]
    assert json.loads((tmp_path / "plan.json").read_text())["items"][0]["name"] == "Prod\ud800"


def test_an_index_name_that_lies_is_refused_before_anything_is_written(
    target: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before: the dry run said "CREATE Environment Staging", the import created "Evil-Env".
    bundle = environment_bundle(tmp_path / "lie.octobundle", "Staging", document_name="Evil-Env")

    assert dry_run(target, bundle) == 1
    code = main(
        ["import", str(bundle), "--server", target.url, "--space", "Default", "--api-key-env", "TARGET_KEY",
         "--password-env", "BUNDLE_PASSWORD"]
    )  # fmt: skip

    assert code == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("octodesk: error:")]
    assert len(errors) == 2
    assert all("is named 'Evil-Env' in its document, not 'Staging'" in line for line in errors)
    assert environment_names(target) == []


def export_args(server: SandboxServer, output: Path) -> list[str]:
    return ["export", "--server", server.url, "--space", "Default", "--project", "Web Portal",
            "--output", str(output), "--api-key-env", "SOURCE_KEY"]  # fmt: skip


@pytest.fixture
def source(monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxServer]:
    with SandboxServer("demo") as server:
        monkeypatch.setenv("SOURCE_KEY", server.api_key)
        monkeypatch.delenv("OCTODESK_PASSWORD", raising=False)
        yield server


@pytest.mark.parametrize(("password", "message"), [("x", "too short"), ("       ", "is empty")])
def test_export_refuses_a_password_under_the_policy(
    source: SandboxServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    password: str,
    message: str,
) -> None:
    # Before: a one-character or blank password was accepted.
    monkeypatch.setenv("OCTODESK_PASSWORD", password)

    assert main(export_args(source, tmp_path / "web.octobundle")) == 2

    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


class Terminal:
    """stdin as a terminal, and what the person types at each hidden prompt."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *answers: str) -> None:
        self.answers = list(answers)
        self.prompts: list[str] = []
        monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
        monkeypatch.setattr(getpass, "getpass", self.getpass)

    def getpass(self, prompt: str = "", stream: Any = None) -> str:
        self.prompts.append(prompt)
        return self.answers.pop(0)


def test_export_asks_twice_at_a_hidden_prompt_and_shows_the_strength(
    source: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    terminal = Terminal(monkeypatch, "a long passphrase 42", "a long passphrase 42")

    assert main(export_args(source, tmp_path / "web.octobundle")) == 0

    assert terminal.prompts == ["Bundle password: ", "Bundle password (again): "]
    assert "Password strength: Strong (about" in capsys.readouterr().err
    Terminal(monkeypatch, "a long passphrase 42")
    assert main(["inspect", str(tmp_path / "web.octobundle")]) == 0


def test_export_stops_when_the_two_typed_passwords_differ(
    source: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    Terminal(monkeypatch, "a long passphrase 42", "a long passphrase 43")

    assert main(export_args(source, tmp_path / "web.octobundle")) == 2

    assert "The two passwords do not match" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_without_the_variable_or_a_terminal_the_password_is_a_usage_error(
    source: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)

    assert main(export_args(source, tmp_path / "web.octobundle")) == 2

    assert (
        "put it in the environment variable OCTODESK_PASSWORD, or run in a terminal"
        in capsys.readouterr().err
    )


def test_credentials_in_server_urls_reach_no_file_and_no_message(
    source: SandboxServer,
    target: SandboxServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Before: https://user:pass@host ended up in the manifest, the journal and messages.
    monkeypatch.setenv("OCTODESK_PASSWORD", PASSWORD)
    bundle = tmp_path / "web.octobundle"
    with_user = export_args(source, bundle)
    with_user[2] = source.url.replace("http://", "http://alice:Pw-source-9@")
    assert main([*with_user, "--report", str(tmp_path / "export.json")]) == 0
    target.fail_next(10, "drop", method="POST", path_contains="/projects")  # the import stops half way
    code = main(
        ["import", str(bundle), "--server", target.url.replace("http://", "http://bob:Pw-target-9@"),
         "--space", "Default", "--api-key-env", "TARGET_KEY", "--placeholder-secrets",
         "--report", str(tmp_path / "import.json")]
    )  # fmt: skip

    assert code == 1
    journals = list(Path(os.environ["OCTODESK_JOURNAL_DIR"]).glob("*.jsonl"))
    assert journals  # left for the resume
    with zipfile.ZipFile(bundle) as archive:
        stored = [archive.read(name) for name in ("manifest.json", "index.json")]
    written = b"".join([*stored, *(path.read_bytes() for path in [*journals, *tmp_path.glob("*.json")])])
    output = capsys.readouterr()
    assert source.url.encode() in stored[0]
    # before: reports and journals were 0644 in 0755 folders
    assert {stat.S_IMODE(path.stat().st_mode) for path in [*journals, tmp_path / "export.json"]} == {0o600}
    assert stat.S_IMODE(journals[0].parent.stat().st_mode) == 0o700
    for secret in ("Pw-source-9", "Pw-target-9", "alice", "bob:"):
        assert secret.encode() not in written
        assert secret not in output.out + output.err


def test_a_second_import_of_the_same_bundle_into_the_same_space_waits_for_the_first(
    source: SandboxServer, target: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before: two imports of one bundle into one space could run at once, both writing.
    bundle = export_demo(source, tmp_path / "web.octobundle", ["Web Portal"])
    journal = Journal.for_import(bundle_fingerprint(bundle), target.url, "Default")
    holder = subprocess.Popen(  # another OctoDesk, mid-import: it holds the lock beside the journal
        [sys.executable, "-c", LOCK_HOLDER, str(import_lock_path(journal.path))],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        before = target.snapshot()
        import_args = ["import", str(bundle), "--server", target.url, "--space", "Default",
                       "--api-key-env", "TARGET_KEY", "--password-env", "BUNDLE_PASSWORD"]  # fmt: skip

        assert main(import_args) == 3
        assert main([*import_args, "--dry-run"]) == 3
        assert target.snapshot() == before
        errors = [line for line in capsys.readouterr().err.splitlines() if "octodesk: error" in line]
        busy = f"Another import of this bundle into space 'Default' on {target.url} is running; nothing was"
        assert len(errors) == 2 and all(busy in line for line in errors)
    finally:
        holder.kill()  # a crash: the lock goes with the process
        holder.wait()

    assert main(import_args) == 0


LOCK_HOLDER = """
import fcntl, os, sys, time
descriptor = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(descriptor, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(120)
"""

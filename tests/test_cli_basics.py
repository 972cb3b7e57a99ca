"""The command line as a user meets it: run ``python -m octodesk`` in a subprocess and read what it prints."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

import octodesk

ENV_VARS_OF_COMMAND = {
    "export": ["OCTOPUS_API_KEY", "OCTODESK_PASSWORD"],
    "import": ["OCTOPUS_API_KEY", "OCTODESK_PASSWORD"],
    "inspect": ["OCTODESK_PASSWORD"],
}
SECRET_VARS = ("OCTOPUS_API_KEY", "OCTODESK_PASSWORD")


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    full_env = {key: value for key, value in os.environ.items() if key not in SECRET_VARS}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "octodesk", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def assert_one_clean_line(result: subprocess.CompletedProcess[str]) -> str:
    """One error line, last on stderr, and never a Python traceback (progress lines may come before it)."""
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("octodesk:")]
    assert len(errors) == 1, f"expected one error line on stderr, got:\n{result.stderr}"
    assert lines[-1] == errors[0], f"the error is not the last thing printed:\n{result.stderr}"
    return errors[0]


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_version_prints_the_package_version(tmp_path: Path) -> None:
    result = run_cli("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"octodesk {octodesk.__version__}"


def test_help_lists_every_command_and_the_secret_env_vars(tmp_path: Path) -> None:
    result = run_cli("--help", cwd=tmp_path)
    assert result.returncode == 0
    for command in ("gui", "export", "import", "inspect", "sandbox"):
        assert command in result.stdout
    assert "OCTOPUS_API_KEY" in result.stdout
    assert "OCTODESK_PASSWORD" in result.stdout


@pytest.mark.parametrize("command", sorted(ENV_VARS_OF_COMMAND))
def test_command_help_names_the_environment_variables(tmp_path: Path, command: str) -> None:
    result = run_cli(command, "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())  # argparse wraps lines
    for var in ENV_VARS_OF_COMMAND[command]:
        assert var in text, f"'{command} --help' does not mention {var}"
    assert "never" in text and "command line" in text  # says why secrets are not options


@pytest.mark.parametrize(
    ("command", "expected_options"),
    [
        ("export", ["--server", "--space", "--project", "--output", "--secrets-file", "--list-secrets"]),
        ("import", ["--server", "--space", "--dry-run", "--update-existing", "--report"]),
        ("inspect", ["--password-env", "--json"]),
        ("sandbox", ["--port", "--data", "--latency-ms", "--fail-rate", "--hosting"]),
        ("gui", ["--sandbox"]),
    ],
)
def test_command_help_documents_its_options(
    tmp_path: Path, command: str, expected_options: list[str]
) -> None:
    result = run_cli(command, "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for option in expected_options:
        assert option in result.stdout


def test_unknown_command_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("frobnicate", cwd=tmp_path)
    assert result.returncode == 2
    assert "invalid choice" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_required_option_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("export", "--space", "Default", cwd=tmp_path)
    assert result.returncode == 2
    assert "--server" in result.stderr


def export_args(server: str, output: Path) -> list[str]:
    return ["export", "--server", server, "--space", "Default", "--project", "Web", "--output", str(output)]


def test_export_without_api_key_env_says_which_variable_to_set(tmp_path: Path) -> None:
    result = run_cli(
        *export_args(f"http://127.0.0.1:{closed_port()}", tmp_path / "out.octobundle"),
        cwd=tmp_path,
        env={"OCTODESK_PASSWORD": "correct horse battery"},
    )
    assert result.returncode == 2
    line = assert_one_clean_line(result)
    assert "OCTOPUS_API_KEY" in line
    assert not (tmp_path / "out.octobundle").exists()


def test_custom_api_key_env_name_is_the_one_reported_missing(tmp_path: Path) -> None:
    result = run_cli(
        *export_args(f"http://127.0.0.1:{closed_port()}", tmp_path / "out.octobundle"),
        "--api-key-env",
        "SOURCE_OCTOPUS_KEY",
        cwd=tmp_path,
        env={"OCTODESK_PASSWORD": "correct horse battery", "OCTOPUS_API_KEY": "API-IGNORED0000000000"},
    )
    assert result.returncode == 2
    assert "SOURCE_OCTOPUS_KEY" in assert_one_clean_line(result)


def test_import_without_api_key_env_is_a_usage_error(tmp_path: Path) -> None:
    bundle = tmp_path / "any.octobundle"
    bundle.write_bytes(b"not read before the key is checked")
    result = run_cli(
        "import",
        str(bundle),
        "--server",
        f"http://127.0.0.1:{closed_port()}",
        "--space",
        "Default",
        cwd=tmp_path,
        env={"OCTODESK_PASSWORD": "correct horse battery"},
    )
    assert result.returncode == 2
    assert "OCTOPUS_API_KEY" in assert_one_clean_line(result)


def test_inspect_without_password_env_says_which_variable_to_set(tmp_path: Path) -> None:
    bundle = tmp_path / "any.octobundle"
    bundle.write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    result = run_cli("inspect", str(bundle), cwd=tmp_path)
    assert result.returncode == 2
    assert "OCTODESK_PASSWORD" in assert_one_clean_line(result)


def test_unreachable_server_is_one_line_and_a_failure(tmp_path: Path) -> None:
    api_key = "API-UNREACHABLE0000000000000"
    result = run_cli(
        *export_args(f"http://127.0.0.1:{closed_port()}", tmp_path / "out.octobundle"),
        "--timeout",
        "10",
        cwd=tmp_path,
        env={"OCTOPUS_API_KEY": api_key, "OCTODESK_PASSWORD": "correct horse battery"},
    )
    assert result.returncode not in (0, 2)
    line = assert_one_clean_line(result)
    assert "127.0.0.1" in line or "connect" in line.lower() or "reach" in line.lower()
    assert "internal error" not in line
    assert api_key not in result.stderr + result.stdout
    assert not (tmp_path / "out.octobundle").exists()


def test_malformed_server_url_is_one_line(tmp_path: Path) -> None:
    result = run_cli(
        *export_args("octopus example com", tmp_path / "out.octobundle"),
        cwd=tmp_path,
        env={"OCTOPUS_API_KEY": "API-MALFORMED000000000000", "OCTODESK_PASSWORD": "correct horse battery"},
    )
    assert result.returncode != 0
    line = assert_one_clean_line(result)
    assert "internal error" not in line


def test_inspect_of_a_file_that_is_not_a_bundle_is_one_line(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.octobundle"
    bogus.write_text("these are not the bytes you are looking for")
    result = run_cli("inspect", str(bogus), cwd=tmp_path, env={"OCTODESK_PASSWORD": "correct horse battery"})
    assert result.returncode != 0
    line = assert_one_clean_line(result)
    assert "internal error" not in line


def test_a_refused_import_shows_each_refusal_on_its_own_line_and_no_name_starts_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import argparse

    from octodesk.commands.common import run_command
    from octodesk.core.errors import ImportRefused

    refusals = ["Project 'Forged\nREUSE   Project  Real' already exists", "Account 'A' needs its Password"]

    def refused(_args: argparse.Namespace) -> int:
        headline = "The import was refused; nothing was written to space 'Default':"
        raise ImportRefused(headline + "\n  - " + "\n  - ".join(refusals), refusals)

    assert run_command(refused, argparse.Namespace()) == 3
    assert capsys.readouterr().err.splitlines() == [
        "octodesk: error: The import was refused; nothing was written to space 'Default':",
        "  - Project 'Forged\\nREUSE   Project  Real' already exists",
        "  - Account 'A' needs its Password",
    ]

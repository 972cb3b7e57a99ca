"""The API key and the bundle password never leave the places they belong.

Checked where a user (or an attacker reading their disk or process list) would look: the terminal, log files,
JSON reports, settings files, exception messages, the process command line and the bundle file itself; and the
bundle's sensitive values stay unreadable without the password.
"""

from __future__ import annotations

import json
import os
import select
import socket
import traceback
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_process import SOURCE_COMMAND, ChildProcess, child_env, run, start_sandbox

from octodesk.core import errors

PASSWORD = "Tr0ub4dor&3-bundle-password"
SECRET_VALUE = "sensitive-value-7f3a9c41e2"
PROC = Path("/proc")


def scan_bytes(data: bytes, secrets: dict[str, str]) -> list[str]:
    """Names of the secrets found in ``data`` (as UTF-8 or UTF-16, the encodings a file could use)."""
    found = []
    for name, value in secrets.items():
        if value.encode() in data or value.encode("utf-16-le") in data:
            found.append(name)
    return found


def scan_tree(
    roots: Iterable[Path], secrets: dict[str, str], skip: Iterable[Path] = ()
) -> dict[str, list[str]]:
    skipped = {path.resolve() for path in skip}
    leaks: dict[str, list[str]] = {}
    for root in roots:
        if not root.exists():
            continue
        for path in root.rglob("*"):
            if path.is_file() and path.resolve() not in skipped:
                found = scan_bytes(path.read_bytes(), secrets)
                if found:
                    leaks[str(path)] = found
    return leaks


def scan_bundle(bundle: Path, secrets: dict[str, str]) -> dict[str, list[str]]:
    """The raw file and every entry decompressed: compression must not be what hides a secret."""
    leaks: dict[str, list[str]] = {}
    raw = scan_bytes(bundle.read_bytes(), secrets)
    if raw:
        leaks["<raw bundle bytes>"] = raw
    with zipfile.ZipFile(bundle) as archive:
        for entry in archive.infolist():
            found = scan_bytes(archive.read(entry), secrets)
            if found:
                leaks[entry.filename] = found
    return leaks


def assert_clean_output(result: Any, secrets: dict[str, str], what: str) -> None:
    leaked = scan_bytes((result.stdout + result.stderr).encode(), secrets)
    assert not leaked, f"{what} printed {leaked}"
    assert "Traceback" not in result.stderr, f"{what}: {result.stderr}"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def all_error_text(error: BaseException) -> str:
    """Everything a user or a log could see of an exception: message, repr, args and the chained traceback."""
    parts = [str(error), repr(error), repr(error.args)]
    parts += traceback.format_exception(type(error), error, error.__traceback__)
    parts += [repr(value) for value in vars(error).values()]
    return "\n".join(parts)


def first_exportable_project(server: Any) -> tuple[str, str]:
    """(space name, project name) of a demo project that has at least one sensitive value to carry."""
    from octodesk.core.export import list_secret_references
    from octodesk.core.octopus.client import OctopusClient

    with OctopusClient(server.url, server.api_key) as client:
        fallback: tuple[str, str] | None = None
        for space in client.list_spaces():
            for project in client.get_all(f"/api/{space['Id']}/projects"):
                if project.get("IsVersionControlled"):
                    continue
                fallback = fallback or (space["Name"], project["Name"])
                if list_secret_references(client, space["Name"], [project["Name"]]):
                    return space["Name"], project["Name"]
    assert fallback, "the demo dataset has no exportable project"
    return fallback


def secret_refs(server: Any, space: str, project: str) -> list[str]:
    from octodesk.core.export import list_secret_references
    from octodesk.core.octopus.client import OctopusClient

    with OctopusClient(server.url, server.api_key) as client:
        return [ref.ref for ref in list_secret_references(client, space, [project])]


def test_cli_export_and_import_keep_key_and_password_out_of_every_output(
    sandbox_factory: Callable[..., Any], isolated_dirs: Path, tmp_path: Path
) -> None:
    source = sandbox_factory("demo")
    target = sandbox_factory("empty")
    space, project = first_exportable_project(source)
    refs = secret_refs(source, space, project)
    secrets_file = tmp_path / "secrets.json"
    secrets_file.write_text(json.dumps({ref: SECRET_VALUE for ref in refs[:1]}))
    bundle = tmp_path / "out.octobundle"
    secrets = {"source API key": source.api_key, "target API key": target.api_key, "password": PASSWORD}
    env_source = child_env({"OCTOPUS_API_KEY": source.api_key, "OCTODESK_PASSWORD": PASSWORD})
    env_target = child_env({"OCTOPUS_API_KEY": target.api_key, "OCTODESK_PASSWORD": PASSWORD})

    exported = run(
        [*SOURCE_COMMAND, "-v", "export", "--server", source.url, "--space", space, "--project", project,
         "--output", str(bundle), "--secrets-file", str(secrets_file),
         "--report", str(tmp_path / "export.json")],
        env=env_source,
        cwd=tmp_path,
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    assert_clean_output(exported, {**secrets, "secret value": SECRET_VALUE}, "export")

    inspected = run([*SOURCE_COMMAND, "-v", "inspect", str(bundle), "--json"], env=env_source, cwd=tmp_path)
    assert inspected.returncode == 0, inspected.stderr
    assert_clean_output(inspected, {**secrets, "secret value": SECRET_VALUE}, "inspect")

    target_space = first_space_name(target)
    for extra in (["--dry-run"], []):
        imported = run(
            [*SOURCE_COMMAND, "-v", "import", str(bundle), "--server", target.url, "--space", target_space,
             "--report", str(tmp_path / f"import{''.join(extra)}.json"), "--placeholder-secrets", *extra],
            env=env_target,
            cwd=tmp_path,
        )  # fmt: skip
        assert imported.returncode == 0, imported.stderr
        assert_clean_output(imported, {**secrets, "secret value": SECRET_VALUE}, f"import {extra}")

    assert (tmp_path / "export.json").is_file() and (tmp_path / "import.json").is_file()
    everything_but_inputs = scan_tree(
        [tmp_path, isolated_dirs], {**secrets, "secret value": SECRET_VALUE}, skip=[bundle, secrets_file]
    )
    assert not everything_but_inputs, f"secrets written to disk: {everything_but_inputs}"
    assert not scan_bundle(bundle, {**secrets, "secret value": SECRET_VALUE})
    from octodesk.core.bundle import read_bundle

    assert refs, "the demo project needs no sensitive value, so nothing was carried to check"
    assert read_bundle(bundle, PASSWORD).secrets.get(refs[0]) == SECRET_VALUE  # carried, only encrypted


def first_space_name(server: Any) -> str:
    from octodesk.core.octopus.client import OctopusClient

    with OctopusClient(server.url, server.api_key) as client:
        return str(client.list_spaces()[0]["Name"])


def write_sample_bundle(path: Path, password: str) -> None:
    from octodesk.core.bundle import BundleResource, write_bundle

    write_bundle(
        path,
        manifest={
            "source": {"url": "http://octopus.example", "version": "2021.2.4488", "hosting": "SelfHosted",
                       "space": "Default"},
            "projects": ["Web Portal"],
            "tool_version": "test",
            "created_at": "2026-11-26T12:00:00Z",
            "secrets_carried": ["variable:Project/Web Portal/DbPassword"],
            "secrets_not_carried": [],
            "follow_ups": [],
            "deploys_to": {"roles": [], "environments": []},
        },
        resources=[BundleResource("Project", "Projects-1", "Web Portal", {"Id": "Projects-1",
                                                                          "Name": "Web Portal"})],
        secrets={"variable:Project/Web Portal/DbPassword": SECRET_VALUE},
        blobs={},
        password=password,
    )  # fmt: skip


def test_bundle_secrets_are_unreadable_without_the_password(tmp_path: Path) -> None:
    from octodesk.core.bundle import read_bundle

    bundle = tmp_path / "sample.octobundle"
    write_sample_bundle(bundle, PASSWORD)

    assert not scan_bundle(bundle, {"password": PASSWORD, "secret value": SECRET_VALUE})
    for wrong in ("", "tr0ub4dor&3-bundle-password", PASSWORD + " ", PASSWORD[:-1]):
        with pytest.raises(errors.WrongPassword) as refused:
            read_bundle(bundle, wrong)
        assert SECRET_VALUE not in all_error_text(refused.value)
        assert PASSWORD not in all_error_text(refused.value)
    opened = read_bundle(bundle, PASSWORD)
    assert opened.secrets == {"variable:Project/Web Portal/DbPassword": SECRET_VALUE}


def test_exception_messages_never_carry_the_api_key(sandbox_factory: Callable[..., Any]) -> None:
    from octodesk.core.octopus.client import OctopusClient

    server = sandbox_factory("empty")
    wrong_key = "API-WRONGKEY" + "Q" * 20
    failures: list[BaseException] = []

    with (
        OctopusClient(server.url, wrong_key, max_retries=0) as client,
        pytest.raises(errors.AuthenticationFailed) as denied,
    ):
        client.list_spaces()
    failures.append(denied.value)

    with OctopusClient(server.url, server.api_key, max_retries=1) as client:
        space_id = client.list_spaces()[0]["Id"]
        with pytest.raises(errors.ValidationFailed) as invalid:
            client.post(f"/api/{space_id}/environments", {"Name": ""})
        failures.append(invalid.value)
        server.fail_next(2, mode="503")  # the first try and its one retry
        with pytest.raises(errors.ServerError) as unavailable:
            client.list_spaces()
        failures.append(unavailable.value)
        server.fail_next(2, mode="html")
        with pytest.raises(errors.ServerError) as html:
            client.list_spaces()
        failures.append(html.value)

    with OctopusClient(f"http://127.0.0.1:{closed_port()}", server.api_key, max_retries=0) as client:
        with pytest.raises(errors.ConnectionFailed) as unreachable:
            client.server_info()
        failures.append(unreachable.value)
        assert server.api_key not in repr(client)

    for failure in failures:
        text = all_error_text(failure)
        assert server.api_key not in text, f"{type(failure).__name__} carries the API key"
        assert wrong_key not in text, f"{type(failure).__name__} carries the (wrong) API key"


@pytest.mark.skipif(not (PROC / "self" / "cmdline").exists(), reason="needs /proc (Linux)")
def test_sandbox_process_command_line_does_not_show_its_key(tmp_path: Path) -> None:
    sandbox = start_sandbox(SOURCE_COMMAND, "--data", "empty", env=child_env(), cwd=tmp_path)
    try:
        command_line = (PROC / str(sandbox.child.pid) / "cmdline").read_bytes()
        assert b"sandbox" in command_line  # it is the sandbox's own command line we read
        assert sandbox.api_key.encode() not in command_line
    finally:
        assert sandbox.child.interrupt() == 0, sandbox.child.stderr


@pytest.mark.skipif(not (PROC / "self" / "cmdline").exists(), reason="needs /proc (Linux)")
def test_export_process_command_line_shows_no_secret(tmp_path: Path) -> None:
    """Catch the export child mid-run (its first request is held open), then read its command line."""
    api_key = "API-CMDLINE" + "K" * 20
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(120)
        port = listener.getsockname()[1]
        child = ChildProcess.start(
            [*SOURCE_COMMAND, "export", "--server", f"http://127.0.0.1:{port}", "--space", "Default",
             "--project", "Web Portal", "--output", str(tmp_path / "x.octobundle"), "--timeout", "60"],
            env=child_env({"OCTOPUS_API_KEY": api_key, "OCTODESK_PASSWORD": PASSWORD}),
            cwd=tmp_path,
        )  # fmt: skip
        try:
            wait_for_connection_or_exit(listener, child)
            connection, _ = listener.accept()  # the export is running and talking to "the server"
            with connection:
                connection.settimeout(60)
                request = connection.recv(65536)
                command_line = (PROC / str(child.pid) / "cmdline").read_bytes()
        except BaseException:
            child.kill()
            raise
    exit_code = child.process.wait(timeout=180)  # listener closed: its retries are refused, and it gives up
    assert b"export" in command_line
    assert api_key.encode() not in command_line and PASSWORD.encode() not in command_line
    assert api_key.encode() in request  # the key travels only in the request header, to the server
    assert exit_code != 0
    assert api_key not in child.stderr and PASSWORD not in child.stderr
    assert "Traceback" not in child.stderr


def wait_for_connection_or_exit(listener: socket.socket, child: ChildProcess, timeout: float = 120) -> None:
    """Block until the child connects to ``listener``; fail at once, with its stderr, if it exits instead."""
    pidfd = os.pidfd_open(child.pid)
    try:
        ready, _, _ = select.select([listener.fileno(), pidfd], [], [], timeout)
    finally:
        os.close(pidfd)
    if listener.fileno() not in ready:
        child.kill()
        child.process.wait()
        raise AssertionError(f"export never connected (exit {child.process.returncode}):\n{child.stderr}")


class MemoryKeyring:
    """Stands in for the OS keyring (tests never touch the real one)."""

    def __init__(self) -> None:
        from keyring.backend import KeyringBackend

        store: dict[tuple[str, str], str] = {}
        self.items = store

        class Backend(KeyringBackend):
            priority = 1

            def get_password(self, service: str, username: str) -> str | None:
                return store.get((service, username))

            def set_password(self, service: str, username: str, password: str) -> None:
                store[(service, username)] = password

            def delete_password(self, service: str, username: str) -> None:
                store.pop((service, username), None)

        self.backend = Backend()


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    import keyring

    previous = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory.backend)
    try:
        yield memory
    finally:
        keyring.set_keyring(previous)


def test_connection_wizard_keeps_the_api_key_out_of_settings_files(
    qtbot: Any, sandbox_factory: Callable[..., Any], memory_keyring: MemoryKeyring, isolated_dirs: Path
) -> None:
    """Finish the connection wizard with "remember" ticked: key in the keyring, only the URL in settings."""
    from octodesk.gui import keystore
    from octodesk.gui.connection import probe_server
    from octodesk.gui.connection_wizard import ConnectionWizard
    from octodesk.gui.settings import Settings

    server = sandbox_factory("empty")
    wizard = ConnectionWizard("source", Settings.load())
    qtbot.addWidget(wizard)
    page = wizard.server_page
    page.url_edit.setCurrentText(server.url)
    page.api_key_edit.setText(server.api_key)
    assert page.remember_key.isEnabled()
    page.remember_key.setChecked(True)
    page.probe = probe_server(server.url, server.api_key, True)  # what "Test connection" runs
    wizard.space_page.initializePage()
    wizard.save_settings()

    remembered = Settings.load().find_server(server.url)
    assert remembered is not None and remembered.remember_key
    assert keystore.load_api_key(server.url) == server.api_key
    assert server.api_key in memory_keyring.items.values()
    assert Settings.location().is_file()
    assert not scan_tree([isolated_dirs], {"API key": server.api_key}), "the API key reached a file on disk"


def test_app_log_file_and_pane_mask_the_api_key(isolated_dirs: Path) -> None:
    """Even a careless log call (the key in the message, its arguments or an exception's text) is masked."""
    import logging

    from octodesk.core.octopus.client import OctopusClient
    from octodesk.gui.log_pane import setup_logging

    api_key = "API-LOGGED" + "L" * 22
    pane_handler, log_file = setup_logging(verbose=True)
    pane_lines: list[str] = []
    pane_handler.relay.message.connect(pane_lines.append)
    octodesk_logger = logging.getLogger("octodesk")
    added = [h for h in octodesk_logger.handlers if h is pane_handler or getattr(h, "baseFilename", None)]
    log = logging.getLogger("octodesk.core.octopus.client")
    try:
        with OctopusClient(f"http://127.0.0.1:{closed_port()}", api_key, max_retries=0) as client:
            log.info("connecting with key %s", api_key)
            log.warning(f"header X-Octopus-ApiKey: {api_key}")
            try:
                client.server_info()
            except errors.ConnectionFailed:
                log.exception("could not connect")
            try:
                raise ValueError(f"the server rejected {api_key}")
            except ValueError:
                log.exception("request failed")
    finally:
        for handler in added:
            octodesk_logger.removeHandler(handler)
            handler.close()
    text = log_file.read_text(encoding="utf-8")
    assert "connecting with key" in text and "request failed" in text  # the log was written
    assert api_key not in text, "the API key reached the log file"
    assert pane_lines and not any(api_key in line for line in pane_lines), "the API key reached the log pane"
    assert not scan_tree([isolated_dirs], {"API key": api_key})

"""Shared helpers of the resilience tests: clients whose back-off is recorded instead of slept, the demo
export and import, a whole-target-state comparison that ignores ids, and the CLI run as a child process."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from octodesk.core.apply import import_bundle
from octodesk.core.bundle import Bundle, read_bundle
from octodesk.core.export import export_projects
from octodesk.core.octopus.client import OctopusClient
from octodesk.core.paths import journal_dir
from octodesk.core.plan import ImportOptions
from octodesk.core.report import Report
from octodesk.sandbox.datasets.demo_shared import CERTIFICATE_PASSWORD
from octodesk.sandbox.faults import Fault
from octodesk.sandbox.http_types import Response

PASSWORD = "resilience bundle password 7"
DEMO_PROJECTS = ["Web Portal", "Billing API", "Database Migrations", "Release Orchestrator"]
CERTIFICATE_SECRETS = {"certificate:Portal TLS/Password": CERTIFICATE_PASSWORD}
# The demo accounts' required secrets, as a user supplies them in a secrets file (the API never returns them).
ACCOUNT_SECRETS = {
    "account:Azure Portal Subscription/Password": "azure-SP-from-secrets-file",
    "account:AWS Billing/SecretKey": "aws-secret-from-secrets-file",
}
SECRET_ENV_VARS = ("OCTOPUS_API_KEY", "OCTODESK_PASSWORD")

# What SandboxServer.respond returns (tests wrap it to watch or hold one request).
SandboxAnswer = tuple[Response | None, Fault | None]

# Octopus ids: "Projects-12", "variableset-Projects-12" (the owner id inside), GUIDs of nested items.
_ID_TOKEN = re.compile(r"[A-Za-z]+(?:-\d+)+")
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# Bookkeeping the server changes on every write; not part of what a user imported.
_VOLATILE_KEYS = frozenset({"LastModifiedOn", "LastModifiedBy", "ConcurrencyToken"})
# Optimistic-concurrency counters: a resumed import may PUT the same document twice, which bumps them.
_REVISION_COUNTED = frozenset({"deploymentprocesses", "runbookProcesses", "variables"})
_OTHER_STATE = ("template_versions", "logos", "tenant_variables", "deployment_settings", "certificate_files")


class RecordingClient(OctopusClient):
    """An OctopusClient whose back-off waits are recorded in ``waits`` instead of slept."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.waits: list[float] = []
        self.sleep = self.waits.append


def client_for(server: Any, **options: Any) -> RecordingClient:
    return RecordingClient(server.url, server.api_key, **options)


def export_demo(server: Any, destination: Path, **client_options: Any) -> tuple[Report, RecordingClient]:
    client = client_for(server, **client_options)
    with client:
        report = export_projects(
            client,
            "Default",
            DEMO_PROJECTS,
            destination,
            PASSWORD,
            secrets={**CERTIFICATE_SECRETS, **ACCOUNT_SECRETS},
        )
    return report, client


def import_demo(target: Any, bundle: Path, **client_options: Any) -> Report:
    with client_for(target, **client_options) as client:
        return import_bundle(bundle, PASSWORD, client, "Default", ImportOptions())


def pending_journals() -> list[Path]:
    return sorted(journal_dir().glob("import-*"))


# --- bundles -------------------------------------------------------------------------------------------


def bundle_contents(path: Path) -> dict[str, Any]:
    """Everything a bundle carries that an import uses (the manifest's timestamp left out)."""
    bundle: Bundle = read_bundle(path, PASSWORD)
    manifest = {key: value for key, value in bundle.manifest.items() if key not in ("created_at", "entries")}
    return {
        "resources": sorted(
            json.dumps([r.kind, r.id, r.name, r.document], sort_keys=True) for r in bundle.resources
        ),
        "secrets": bundle.secrets,
        "blobs": {name: data.hex() for name, data in bundle.blobs.items()},
        "projects": manifest.get("projects"),
        "counts": manifest.get("counts"),
    }


def files_in(folder: Path) -> list[str]:
    """Every entry of ``folder``, hidden temporary files included."""
    return sorted(os.listdir(folder))


# --- the whole target state, ids ignored ------------------------------------------------------------


def normalised_state(server: Any) -> dict[str, Any]:
    """The sandbox's whole stored state with every id replaced by the name of what it identifies.

    Two sandboxes never agree on ids, so two imports of one bundle are compared through this: every
    collection becomes a sorted list of documents, and every id (as a value, inside a string such as
    ``variableset-Projects-12`` or a CSV of team ids, or as a dictionary key) becomes ``Kind:Name`` of the
    document it points at — project children are named under their project.
    """
    snapshot = server.snapshot()
    labels = _labels(snapshot["documents"])
    normalise = _Normaliser(labels)
    state: dict[str, Any] = {
        "documents": {
            route: sorted(
                json.dumps(normalise(_without_revision(route, doc)), sort_keys=True)
                for doc in documents.values()
            )
            for route, documents in snapshot["documents"].items()
            if documents
        }
    }
    for part in _OTHER_STATE:
        state[part] = json.dumps(normalise(snapshot[part]), sort_keys=True)
    return state


def _without_revision(route: str, doc: dict[str, Any]) -> dict[str, Any]:
    if route not in _REVISION_COUNTED:
        return doc
    return {key: value for key, value in doc.items() if key != "Version"}


def state_differences(actual: dict[str, Any], expected: dict[str, Any], limit: int = 8) -> list[str]:
    """Readable differences between two normalised states (empty when equal)."""
    problems: list[str] = []
    for part in sorted(set(actual) | set(expected)):
        if part != "documents":
            if actual.get(part) != expected.get(part):
                got, want = actual.get(part), expected.get(part)
                problems.append(f"{part} differs:\n  got      {got}\n  expected {want}")
            continue
        got_docs, want_docs = actual.get(part, {}), expected.get(part, {})
        for route in sorted(set(got_docs) | set(want_docs)):
            got, want = got_docs.get(route, []), want_docs.get(route, [])
            extra = [doc for doc in got if doc not in want]
            missing = [doc for doc in want if doc not in got]
            if len(got) != len(want):
                problems.append(f"{route}: {len(got)} documents, a clean import has {len(want)}")
            problems += [f"{route}: unexpected {doc[:600]}" for doc in extra[:2]]
            problems += [f"{route}: missing {doc[:600]}" for doc in missing[:2]]
    return problems[:limit]


def _id_prefix(value: str) -> str:
    match = re.match(r"[A-Za-z]+", value)
    return match.group(0) if match and not _GUID.fullmatch(value) else "Item"


def _labels(documents: dict[str, dict[str, Any]]) -> dict[str, str]:
    top: dict[str, dict[str, Any]] = {}
    for collection in documents.values():
        for doc_id, doc in collection.items():
            top[doc_id] = doc
    labels: dict[str, str] = {}

    def label(doc_id: str) -> str:
        if doc_id not in labels:
            doc = top[doc_id]
            owner = doc.get("ProjectId")
            under = f"{label(owner)}/" if isinstance(owner, str) and owner in top else ""
            labels[doc_id] = f"{_id_prefix(doc_id)}:{under}{doc.get('Name', '?')}"
        return labels[doc_id]

    for doc_id, doc in top.items():
        if "Name" in doc:
            label(doc_id)
    for collection in documents.values():
        for doc in collection.values():
            for nested in _nested_named(doc):
                labels.setdefault(nested["Id"], f"{_id_prefix(nested['Id'])}:{nested['Name']}")
    return labels


def _nested_named(value: Any) -> Iterable[dict[str, Any]]:
    """Named items inside documents (steps, actions, variables, templates, phases) that carry an Id."""
    if isinstance(value, dict):
        if isinstance(value.get("Id"), str) and isinstance(value.get("Name"), str):
            yield value
        for child in value.values():
            yield from _nested_named(child)
    elif isinstance(value, list):
        for child in value:
            yield from _nested_named(child)


class _Normaliser:
    def __init__(self, labels: dict[str, str]) -> None:
        self.labels = labels

    def __call__(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {
                self.text(str(key)): self(child) for key, child in value.items() if key not in _VOLATILE_KEYS
            }
        if isinstance(value, list):
            return [self(child) for child in value]
        if isinstance(value, str):
            return self.text(value)
        return value

    def text(self, value: str) -> str:
        value = _GUID.sub(lambda m: self.labels.get(m.group(0), m.group(0)), value)
        return _ID_TOKEN.sub(lambda m: self.labels.get(m.group(0), m.group(0)), value)


# --- the command line ---------------------------------------------------------------------------------


def run_cli(
    *args: str,
    cwd: Path,
    api_key: str | None = None,
    password: str | None = PASSWORD,
    timeout: float = 120,
    max_file_bytes: int | None = None,
) -> subprocess.CompletedProcess[str]:
    """``python -m octodesk ARGS`` as a user runs it, secrets in the environment only.

    ``max_file_bytes`` caps the size of any file the child writes (POSIX RLIMIT_FSIZE): a full disk."""
    env = {key: value for key, value in os.environ.items() if key not in SECRET_ENV_VARS}
    if api_key is not None:
        env["OCTOPUS_API_KEY"] = api_key
    if password is not None:
        env["OCTODESK_PASSWORD"] = password
    python = [sys.executable, "-m", "octodesk"]
    if max_file_bytes is not None:  # set in the child itself: no preexec_fn while this process has threads
        limit = f"resource.setrlimit(resource.RLIMIT_FSIZE, ({max_file_bytes}, {max_file_bytes}))"
        run_module = "sys.argv[0] = 'octodesk'; runpy.run_module('octodesk', run_name='__main__')"
        python = [sys.executable, "-c", f"import resource, runpy, sys; {limit}; {run_module}"]
    return subprocess.run(
        [*python, *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_main_without_backoff(
    *args: str, api_key: str, monkeypatch: Any, capsys: Any
) -> subprocess.CompletedProcess[str]:
    """``octodesk ARGS`` through the real entry point in this process, the client's back-off waits set to
    zero (a malformed answer is retried like any failed read; a child process would really sleep)."""
    from octodesk.cli import main

    monkeypatch.setattr(OctopusClient, "backoff_base", 0.0)
    monkeypatch.setenv("OCTOPUS_API_KEY", api_key)
    monkeypatch.setenv("OCTODESK_PASSWORD", PASSWORD)
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(list(args), code, out, err)


def export_command(server: Any, destination: Path, *extra: str) -> list[str]:
    """``octodesk export`` of the demo projects from ``server`` to ``destination``."""
    projects = [arg for name in DEMO_PROJECTS for arg in ("--project", name)]
    connection = ["--server", server.url, "--space", "Default"]
    return ["export", *connection, *projects, "--output", str(destination), *extra]


def import_command(bundle: Path, target: Any, *extra: str) -> list[str]:
    return ["import", str(bundle), "--server", target.url, "--space", "Default", *extra]


class SandboxProcess:
    """``octodesk sandbox ARGS`` as a child process, the way a user starts one; stopped with Ctrl+C."""

    def __init__(self, *args: str, cwd: Path) -> None:
        env = {key: value for key, value in os.environ.items() if key not in SECRET_ENV_VARS}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "octodesk", "sandbox", "--port", "0", *args],
            cwd=cwd,
            env={**env, "PYTHONUNBUFFERED": "1"},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.url = self.api_key = ""
        assert self.process.stdout is not None
        for line in self.process.stdout:  # ends when the child exits, so a failed start cannot hang here
            if line.startswith("URL:"):
                self.url = line.split(":", 1)[1].strip()
            elif line.startswith("API key:"):
                self.api_key = line.split(":", 1)[1].strip()
            if self.url and self.api_key:
                break
        if not (self.url and self.api_key):
            self.stop()
            raise AssertionError("octodesk sandbox did not print its URL and API key")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()

    def __enter__(self) -> SandboxProcess:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single ``octodesk: error:`` line, last on stderr, with no traceback anywhere."""
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("octodesk:")]
    assert len(errors) == 1, f"expected one error line on stderr, got:\n{result.stderr}"
    assert lines[-1] == errors[0], f"the error is not the last thing printed:\n{result.stderr}"
    assert "internal error" not in errors[0], errors[0]
    return errors[0]

"""Stand-ins for the dialogs a flow opens: each records its calls and answers from a script."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from octodesk.core.apply import apply_plan
from octodesk.core.export import export_projects
from octodesk.core.octopus.client import OctopusClient
from octodesk.core.plan import plan_import
from octodesk.gui import dialogs
from octodesk.gui.connection import Connection, connect_to
from octodesk.gui.password_dialog import PasswordDialog

PASSWORD = "correct horse battery staple"
# Secrets an import cannot create the demo's accounts without (the plan refuses a bundle that lacks them).
ACCOUNT_SECRETS = {
    "account:AWS Billing/SecretKey": "aws-secret-from-the-secrets-page",
    "account:Azure Portal Subscription/Password": "azure-secret-from-the-secrets-page",
}


class ScriptedPasswords:
    def __init__(self, answers: Iterable[str | None]) -> None:
        self.answers = list(answers)
        self.calls: list[dict[str, Any]] = []

    async def __call__(self, parent: Any, mode: str, *, error: str = "", prompt: str = "") -> str | None:
        self.calls.append({"mode": mode, "error": error, "prompt": prompt})
        return self.answers.pop(0)


def script_passwords(monkeypatch: pytest.MonkeyPatch, *answers: str | None) -> ScriptedPasswords:
    scripted = ScriptedPasswords(answers)
    monkeypatch.setattr(PasswordDialog, "launch", scripted)
    return scripted


def script_save_path(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    async def choose(parent: Any, start_dir: str, suggested_name: str) -> Path:
        return path

    monkeypatch.setattr(dialogs, "choose_save_bundle", choose)


def script_open_path(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    async def choose(parent: Any, start_dir: str) -> Path:
        return path

    monkeypatch.setattr(dialogs, "choose_open_bundle", choose)


class ScriptedQuestions:
    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.questions: list[str] = []

    async def __call__(self, parent: Any, title: str, question: str, **_options: Any) -> bool:
        self.questions.append(question)
        return self.answer


def script_yes_no(monkeypatch: pytest.MonkeyPatch, answer: bool) -> ScriptedQuestions:
    scripted = ScriptedQuestions(answer)
    monkeypatch.setattr(dialogs, "ask_yes_no", scripted)
    return scripted


class RecordedErrors:
    def __init__(self) -> None:
        self.messages: list[str] = []

    async def __call__(self, parent: Any, title: str, message: str) -> None:
        self.messages.append(message)


def record_errors(monkeypatch: pytest.MonkeyPatch) -> RecordedErrors:
    recorded = RecordedErrors()
    monkeypatch.setattr(dialogs, "show_error", recorded)
    return recorded


def connection_to(server: Any, space: str = "Default") -> Connection:
    """A tested connection to a sandbox server, as the connection wizard would return it."""
    return connect_to(server.url, server.api_key, space)


class ScriptedSecrets:
    """Answers the sensitive-values dialog: the given values (only for references it was offered)."""

    def __init__(self, values: dict[str, str] | None) -> None:
        self.values = values
        self.offered: list[list[str]] = []

    async def __call__(self, parent: Any, refs: list[Any]) -> dict[str, str] | None:
        offered = [ref.ref for ref in refs]
        self.offered.append(offered)
        if self.values is None:
            return None
        return {ref: value for ref, value in self.values.items() if ref in offered}


def script_secrets(monkeypatch: pytest.MonkeyPatch, values: dict[str, str] | None = None) -> ScriptedSecrets:
    """Values typed for the client engine (Export's engine choice answered with it)."""
    from octodesk.gui.secrets_dialog import SecretsDialog

    scripted = ScriptedSecrets({} if values is None else values)
    monkeypatch.setattr(SecretsDialog, "launch", scripted)
    script_export_engine(monkeypatch, "client")
    return scripted


class ScriptedEngine:
    def __init__(self, engine: str | None) -> None:
        self.engine = engine
        self.offered: list[Any] = []  # the EngineOutlook each choice was shown

    async def __call__(self, parent: Any, outlook: Any) -> str | None:
        self.offered.append(outlook)
        return self.engine


def script_export_engine(monkeypatch: pytest.MonkeyPatch, engine: str | None) -> ScriptedEngine:
    from octodesk.gui.engine_choice import ExportEngineDialog

    scripted = ScriptedEngine(engine)
    monkeypatch.setattr(ExportEngineDialog, "launch", scripted)
    return scripted


def make_bundle(server: Any, path: Path, projects: list[str], secrets: dict[str, str] | None = None) -> Path:
    """A bundle of ``projects`` exported from a sandbox with the core (no GUI involved), carrying the
    accounts' secrets unless ``secrets`` says otherwise."""
    with OctopusClient(server.url, server.api_key) as client:
        chosen = ACCOUNT_SECRETS if secrets is None else secrets
        export_projects(client, "Default", projects, path, PASSWORD, secrets=chosen)
    return path


def import_directly(server: Any, bundle: Path) -> None:
    """Import ``bundle`` into a sandbox with the core: the target then has what the GUI will meet."""
    with OctopusClient(server.url, server.api_key) as client:
        apply_plan(plan_import(bundle, PASSWORD, client, "Default"), client)


def ready_to_import(
    window: Any, run_async: Any, target: Any, monkeypatch: pytest.MonkeyPatch, bundle: Path
) -> None:
    """The main window connected to ``target``; Import then opens ``bundle`` with the right password."""
    run_async(window.set_connection("target", connection_to(target)))
    script_open_path(monkeypatch, bundle)
    script_passwords(monkeypatch, PASSWORD)


def preview_window(qtbot: Any, window: Any, timeout: int = 60000) -> Any:
    """The import window once its preview waits for Apply."""
    qtbot.waitUntil(
        lambda: bool(window.operations) and window.operations[-1].apply_button.isVisible(), timeout=timeout
    )
    return window.operations[-1]


def inventory_threads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the threads the sensitive-value inventory is worked out on, as it happens (at 1,000
    projects it takes a quarter of a second: on the GUI thread, a frozen window)."""
    import threading

    from octodesk.core.export import secret_values

    threads: list[str] = []
    real_inventory = secret_values.inventory

    def watched(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread().name)
        return real_inventory(*args, **kwargs)

    monkeypatch.setattr(secret_values, "inventory", watched)
    return threads

"""Test configuration shared by every suite: headless Qt, isolated settings/data folders, sandbox servers."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

# Headless Qt for every test; set before anything imports Qt.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "shared" / "reference"
SWAGGER_PATH = REFERENCE_DIR / "octopus-swagger-2021.2.4488.json"


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test touches the user's real settings, journals, logs or keyring."""
    base = tmp_path_factory.mktemp("octodesk-home")
    for var, sub in (
        ("OCTODESK_CONFIG_DIR", "config"),
        ("OCTODESK_DATA_DIR", "data"),
        ("OCTODESK_LOG_DIR", "log"),
        ("OCTODESK_JOURNAL_DIR", "journals"),
    ):
        monkeypatch.setenv(var, str(base / sub))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    return base


@pytest.fixture
def swagger() -> dict[str, Any]:
    """The real 2021.2 Swagger document, read from shared/reference (never copied into the project)."""
    if not SWAGGER_PATH.exists():
        pytest.skip(f"reference Swagger document not found at {SWAGGER_PATH}")
    import json

    return json.loads(SWAGGER_PATH.read_text())


@pytest.fixture
def sandbox_factory() -> Iterator[Callable[..., Any]]:
    """Start sandbox servers over real HTTP on loopback; all are stopped at the end of the test."""
    from octodesk.sandbox import SandboxServer

    servers: list[Any] = []

    def start(dataset: str = "empty", **options: Any) -> Any:
        server = SandboxServer(dataset=dataset, **options)
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def demo_server(sandbox_factory: Callable[..., Any]) -> Any:
    return sandbox_factory("demo")


@pytest.fixture
def empty_server(sandbox_factory: Callable[..., Any]) -> Any:
    return sandbox_factory("empty")

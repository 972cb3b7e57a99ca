"""Fixtures of the command-line import tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from import_support import PASSWORD

from octodesk.sandbox import SandboxServer


@pytest.fixture
def target(monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxServer]:
    """An empty sandbox; its API key in TARGET_KEY and the bundle password in BUNDLE_PASSWORD."""
    with SandboxServer("empty") as server:
        monkeypatch.setenv("TARGET_KEY", server.api_key)
        monkeypatch.setenv("BUNDLE_PASSWORD", PASSWORD)
        yield server

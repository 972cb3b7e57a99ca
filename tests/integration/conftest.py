"""Fixtures of the integration tests: the server profile the profile-aware tests run against, and the
command-line import tests' target."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from import_support import PASSWORD

from octodesk.sandbox import SandboxServer
from octodesk.sandbox.profiles import PROFILE_NAMES


@pytest.fixture(scope="module", params=PROFILE_NAMES)
def profile(request: pytest.FixtureRequest) -> str:
    """A sandbox version (``2021.2``, ``2023.1``, ...): source and target run the same one."""
    return str(request.param)


@pytest.fixture
def target(monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxServer]:
    """An empty sandbox; its API key in TARGET_KEY and the bundle password in BUNDLE_PASSWORD."""
    with SandboxServer("empty") as server:
        monkeypatch.setenv("TARGET_KEY", server.api_key)
        monkeypatch.setenv("BUNDLE_PASSWORD", PASSWORD)
        yield server

"""Fixtures for the server engine's tests: demo and empty sandboxes over real HTTP, clients, fast polls."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

# The sandbox tests' helper that reads every sensitive value a sandbox stores, keyed by names.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "sandbox"))


@pytest.fixture
def source(sandbox_factory: Callable[..., Any]) -> Any:
    return sandbox_factory("demo")


@pytest.fixture
def target(sandbox_factory: Callable[..., Any]) -> Any:
    return sandbox_factory("empty")

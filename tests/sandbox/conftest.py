"""Fixtures for the sandbox's own tests: an empty sandbox over real HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sandbox_client import Octo


@pytest.fixture
def octo(sandbox_factory: Callable[..., Any]) -> Iterator[Octo]:
    client = Octo(sandbox_factory("empty"))
    yield client
    client.close()


@pytest.fixture
def source(sandbox_factory: Callable[..., Any]) -> Octo:
    """A demo sandbox to export from."""
    return Octo(sandbox_factory("demo"))


@pytest.fixture
def target(sandbox_factory: Callable[..., Any]) -> Octo:
    """An empty sandbox to import into."""
    return Octo(sandbox_factory("empty"))

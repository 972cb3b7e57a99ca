"""GUI test fixtures: one qasync loop over pytest-qt's QApplication, driven by qtbot's event processing."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

import qasync
from PySide6.QtWidgets import QApplication

# The offscreen platform plugin warns about window hints it cannot honour; that is not an app bug.
OFFSCREEN_NOISE = r"This plugin does not support"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/gui/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture(scope="session")
def async_loop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """qasync's loop marked as already running: qtbot.waitSignal/waitUntil spin Qt, which runs asyncio."""
    loop = qasync.QEventLoop(qapp, already_running=True)
    yield loop
    asyncio.events._set_running_loop(None)


@pytest.fixture
def loop(async_loop: asyncio.AbstractEventLoop) -> asyncio.AbstractEventLoop:
    return async_loop


@dataclass
class FakeProject:
    id: str
    name: str
    group: str
    is_version_controlled: bool = False
    description: str = ""


@pytest.fixture
def sample_projects() -> list[FakeProject]:
    return [
        FakeProject("Projects-1", "Web Portal", "Web"),
        FakeProject("Projects-2", "Web API", "Web"),
        FakeProject("Projects-3", "Billing Worker", "Back office"),
        FakeProject("Projects-4", "Config as Code Demo", "Back office", is_version_controlled=True),
        FakeProject("Projects-5", "Orphan", ""),
    ]

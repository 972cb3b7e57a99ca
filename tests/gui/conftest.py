"""GUI test fixtures: one qasync loop over pytest-qt's QApplication, driven by qtbot's event processing."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

import qasync
from PySide6.QtWidgets import QApplication

# The offscreen platform plugin warns about window hints it cannot honour; that is not an app bug.
OFFSCREEN_NOISE = r"This plugin does not support"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/gui/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture(autouse=True)
def isolated_qt_settings(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Qt's own settings (the file dialog's history and last folder) go to a scratch folder, not the
    user's ~/.config/QtProject.conf."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("xdg-config")))


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


class _CannedHandler(BaseHTTPRequestHandler):
    status = 200
    content_type = "text/html"
    body = b"<html><body>Welcome to nginx!</body></html>"

    def do_GET(self) -> None:
        self.send_response(self.status)
        self.send_header("Content-Type", self.content_type)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def canned_server() -> Iterator[Callable[[int, str, bytes], str]]:
    """A plain HTTP server answering every GET with one canned response (for "not Octopus", 403, ...)."""
    servers: list[ThreadingHTTPServer] = []

    def start(status: int, content_type: str, body: bytes) -> str:
        handler = type(
            "Handler", (_CannedHandler,), {"status": status, "content_type": content_type, "body": body}
        )
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def run_async(qtbot: Any, async_loop: asyncio.AbstractEventLoop) -> Callable[..., Any]:
    """Run a coroutine on the qasync loop while Qt keeps processing events; its result."""
    from octodesk.gui.worker import spawn

    def run(coroutine: Any, timeout: int = 30000) -> Any:
        task = spawn(coroutine)
        qtbot.waitUntil(task.done, timeout=timeout)
        return task.result()

    return run


@pytest.fixture
def window(qtbot: Any, async_loop: asyncio.AbstractEventLoop) -> Any:
    from octodesk.gui.main_window import MainWindow
    from octodesk.gui.settings import Settings

    main_window = MainWindow(Settings())
    qtbot.addWidget(main_window)
    main_window.show()
    return main_window

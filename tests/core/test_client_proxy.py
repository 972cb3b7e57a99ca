"""Proxy settings come from the environment (read once per client), as users of requests expect."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from typing import Any

import pytest

from octodesk.core.errors import ConnectionFailed
from octodesk.core.octopus.client import OctopusClient


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def dead_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("NO_PROXY", "no_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{_closed_port()}")


@pytest.mark.usefixtures("dead_proxy")
def test_an_http_proxy_from_the_environment_is_used(empty_server: Any) -> None:
    with (
        OctopusClient(empty_server.url, empty_server.api_key, max_retries=0) as client,
        pytest.raises(ConnectionFailed),
    ):
        client.server_info()
    assert empty_server.request_count == 0  # the request went to the (dead) proxy, not the server


@pytest.mark.usefixtures("dead_proxy")
def test_no_proxy_exempts_the_server(empty_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with OctopusClient(empty_server.url, empty_server.api_key) as client:
        assert client.server_info().version


def _imports_requests(env: dict[str, str]) -> bool:
    """Whether constructing a client, in a fresh interpreter with this environment, imports requests."""
    probe = (
        "import sys\n"
        "from octodesk.core.octopus.client import OctopusClient\n"
        "OctopusClient('http://127.0.0.1:1', 'API-PROBE').close()\n"
        "print('requests' in sys.modules)\n"
    )
    clean = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    done = subprocess.run(
        [sys.executable, "-c", probe], env={**clean, **env}, capture_output=True, text=True, check=True
    )
    return done.stdout.strip() == "True"


def test_without_a_proxy_configured_the_client_does_not_import_requests() -> None:
    # requests' NO_PROXY rules only matter when there is a proxy; importing it took 50 ms of every first
    # connection (measured on the 2-core CI machine without cached bytecode)
    assert not _imports_requests({})
    assert _imports_requests({"HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": "127.0.0.1"})

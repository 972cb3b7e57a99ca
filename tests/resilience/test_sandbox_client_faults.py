"""The sandbox facing misbehaving clients and refused writes. A client that gives up or is killed
mid-connection is routine (our own client times out; users press Ctrl+C), and must not print Python
tracebacks on the console of ``octodesk sandbox`` or the desktop app started with ``--sandbox``. A write the
sandbox refuses must leave its state exactly as it was: the resilience tests prove "target unchanged" with
``snapshot()`` equality."""

from __future__ import annotations

import socket
import struct
import threading
from typing import Any

import pytest

from octodesk.core.errors import ValidationFailed
from octodesk.core.octopus.client import OctopusClient
from octodesk.sandbox import SandboxServer
from octodesk.sandbox.datasets.assets import self_signed_pfx
from octodesk.sandbox.datasets.demo_shared import CERTIFICATE_PASSWORD


def _read_one_response(connection: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        data += connection.recv(4096)
    head, _, body = data.partition(b"\r\n\r\n")
    headers = dict(line.split(b":", 1) for line in head.split(b"\r\n")[1:])
    length = int(next(value for name, value in headers.items() if name.lower() == b"content-length"))
    while len(body) < length:
        body += connection.recv(4096)
    return head


def _watch_connection_end(server: SandboxServer) -> threading.Event:
    """Set once the server has finished with a connection (whatever happened on it)."""
    finished = threading.Event()
    httpd: Any = server._httpd
    original = httpd.shutdown_request

    def shutdown_request(request: Any) -> None:
        original(request)
        finished.set()

    httpd.shutdown_request = shutdown_request
    return finished


def test_a_client_resetting_its_connection_prints_no_traceback(capfd: pytest.CaptureFixture[str]) -> None:
    with SandboxServer("empty") as server:
        finished = _watch_connection_end(server)
        connection = socket.create_connection((server.host, server.port))
        connection.sendall(b"GET /api HTTP/1.1\r\nHost: sandbox\r\n\r\n")
        assert _read_one_response(connection).startswith(b"HTTP/1.1 200")
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        connection.close()  # linger 0: the peer gets a reset, as when a client process is killed
        assert finished.wait(30), "the sandbox never finished the connection"
    _, err = capfd.readouterr()
    assert "Traceback" not in err, err


def test_a_refused_certificate_create_leaves_the_sandbox_unchanged() -> None:
    with SandboxServer("demo") as server:
        space = server.space_id("Default")
        before = server.snapshot()
        duplicate = {
            "Name": "Portal TLS",  # the demo's certificate: the name is taken
            "CertificateData": self_signed_pfx("other.acme.example", CERTIFICATE_PASSWORD),
            "Password": CERTIFICATE_PASSWORD,
        }
        with OctopusClient(server.url, server.api_key) as client, pytest.raises(ValidationFailed):
            client.post(f"/api/{space}/certificates", duplicate)
        assert server.snapshot() == before

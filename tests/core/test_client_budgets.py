"""The client's budgets against hostile servers (issue 12): a total deadline per request, streamed bodies
under a size cap (error bodies too), decode failures as typed errors, and a cancel that ends a request in
progress. Each server is a raw socket loop in the test, so it can misbehave byte by byte."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from octodesk.core.cancel import CancelToken
from octodesk.core.errors import Cancelled, RequestTimedOut, ServerFailure
from octodesk.core.octopus.client import OctopusClient

API_KEY = "API-BUDGETTESTKEY0000000000000"
Behaviour = Callable[[socket.socket], None]


class RawServer:
    """Accepts connections on loopback; each one is handed to ``behaviour`` after the request head."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.requests = 0
        self.bytes_sent = 0
        self._lock = threading.Lock()
        self._connections: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            with self._lock:
                self._connections.append(connection)
            threading.Thread(target=self._handle, args=(connection,), daemon=True).start()

    def _handle(self, connection: socket.socket) -> None:
        with connection:
            head = b""
            while b"\r\n\r\n" not in head:
                data = connection.recv(65536)
                if not data:
                    return
                head += data
            with self._lock:
                self.requests += 1
            try:
                self.behaviour(connection)
            except OSError:
                pass  # the client hung up: that is what these servers test

    def send(self, connection: socket.socket, data: bytes) -> None:
        connection.sendall(data)
        with self._lock:
            self.bytes_sent += len(data)

    def close(self) -> None:
        """Stop listening and end every behaviour still running. A listener closed while a thread waits in
        accept() goes on listening until that accept returns: it took the first connection of a later
        test that was given the same port (a sandbox's /api answered by a drip-feed from this file)."""
        with self._lock:
            sockets = [self.listener, *self._connections]
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


@pytest.fixture
def serve() -> Iterator[Callable[[Behaviour], RawServer]]:
    servers: list[RawServer] = []

    def start(behaviour: Behaviour) -> RawServer:
        servers.append(RawServer(behaviour))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def _client(url: str, **options: object) -> OctopusClient:
    client = OctopusClient(url, API_KEY, **options)  # type: ignore[arg-type]
    client.sleep = lambda _seconds: None
    return client


def test_a_server_drip_feeding_its_headers_is_cut_off_at_the_deadline(
    serve: Callable[[Behaviour], RawServer],
) -> None:
    def drip(connection: socket.socket) -> None:
        connection.sendall(b"HTTP/1.1 200 OK\r\n")
        for _ in range(600):
            connection.sendall(b"X")  # a header line that never ends, one byte every 50 ms
            time.sleep(0.05)

    server = serve(drip)
    started = time.monotonic()
    with _client(server.url, timeout=1.0, max_retries=0) as client, pytest.raises(RequestTimedOut) as caught:
        client.get("/api")
    assert time.monotonic() - started < 3.0
    assert "did not answer within 1 s" in str(caught.value)


def test_a_server_drip_feeding_its_body_is_cut_off_at_the_deadline(
    serve: Callable[[Behaviour], RawServer],
) -> None:
    def drip(connection: socket.socket) -> None:
        connection.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
        )
        for _ in range(600):
            connection.sendall(b" ")
            time.sleep(0.05)

    server = serve(drip)
    started = time.monotonic()
    with _client(server.url, timeout=1.0, max_retries=3) as client, pytest.raises(RequestTimedOut):
        client.get("/api/Spaces-1/projects/all")
    assert time.monotonic() - started < 3.0
    assert server.requests == 1  # a timeout is not retried


def test_an_endless_chunked_body_stops_at_the_size_cap(serve: Callable[[Behaviour], RawServer]) -> None:
    chunk = b"x" * 65536

    def endless(connection: socket.socket) -> None:
        server.send(
            connection,
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        )
        while True:
            server.send(connection, b"10000\r\n" + chunk + b"\r\n")

    server = serve(endless)
    with _client(server.url, max_retries=3) as client:
        client._transport.max_answer_bytes = 8 * 1024 * 1024
        with pytest.raises(ServerFailure, match="larger than 8 MiB; OctoDesk stopped reading it"):
            client.get("/api/Spaces-1/projects/all")
    assert server.requests == 1  # not read again: another attempt would be just as endless
    assert server.bytes_sent < 64 * 1024 * 1024


def test_a_300_mb_error_body_is_read_once_and_only_its_start(serve: Callable[[Behaviour], RawServer]) -> None:
    size = 300 * 1024 * 1024
    block = b'{"ErrorMessage": "The disk is full."' + b" " * (1024 * 1024 - 36)

    def huge_error(connection: socket.socket) -> None:
        server.send(
            connection,
            f"HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
            f"Content-Length: {size}\r\n\r\n".encode(),
        )
        for _ in range(size // len(block)):
            server.send(connection, block)

    server = serve(huge_error)
    started = time.monotonic()
    with _client(server.url) as client, pytest.raises(ServerFailure, match=r"server error \(500\)"):
        client.post("/api/Spaces-1/projects", {"Name": "Web"})
    time.sleep(0.2)  # let the server notice the hang-up
    assert server.requests == 1
    assert server.bytes_sent < 32 * 1024 * 1024  # the first MiB and what the socket buffers held
    assert time.monotonic() - started < 10


def test_json_nested_too_deep_is_a_server_failure(serve: Callable[[Behaviour], RawServer]) -> None:
    body = b"[" * 200_000 + b"]" * 200_000

    def deep(connection: socket.socket) -> None:
        connection.sendall(  # this server closes after each answer, and says so
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )

    server = serve(deep)
    with _client(server.url, max_retries=1) as client, pytest.raises(ServerFailure, match="nested too deep"):
        client.get("/api/Spaces-1/projects/all")
    assert server.requests == 2  # a malformed read is tried once more, then reported


def test_cancel_ends_a_request_in_progress(serve: Callable[[Behaviour], RawServer]) -> None:
    def silent(connection: socket.socket) -> None:
        time.sleep(30)

    server = serve(silent)
    token = CancelToken()
    threading.Timer(0.3, token.cancel).start()
    started = time.monotonic()
    with _client(server.url, timeout=60.0, cancel=token) as client, pytest.raises(Cancelled):
        client.get("/api")
    assert time.monotonic() - started < 2.0
    assert server.requests == 1


def test_cancel_lets_a_write_already_sent_finish(serve: Callable[[Behaviour], RawServer]) -> None:
    """Found in the app: a cancel cut the answer of creates in flight; the server applied them all the same
    and the import said "0 items were written". A write already sent ends with its answer."""
    body = b'{"Id": "Environments-9", "Name": "Production"}'

    def slow_create(connection: socket.socket) -> None:
        time.sleep(0.6)
        head = (
            f"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        connection.sendall(head.encode() + body)

    server = serve(slow_create)
    token = CancelToken()
    threading.Timer(0.2, token.cancel).start()
    with _client(server.url, timeout=60.0, cancel=token) as client:
        created = client.post("/api/Spaces-1/environments", {"Name": "Production"})
        assert created["Id"] == "Environments-9"
        with pytest.raises(Cancelled):
            client.get("/api")  # the cancel still stops the next request
    assert server.requests == 1


@pytest.mark.parametrize("length", [True, False], ids=["with-length", "until-closed"])
def test_an_answer_that_closes_the_connection_is_read_whole(
    serve: Callable[[Behaviour], RawServer], length: bool
) -> None:
    body = b'{"Version": "2021.2.4488", "Application": "Octopus Deploy"}'

    def http_10(connection: socket.socket) -> None:
        declared = f"Content-Length: {len(body)}\r\n".encode() if length else b""
        connection.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n" + declared + b"\r\n")
        connection.sendall(body[:20])
        time.sleep(0.1)
        connection.sendall(body[20:])
        connection.shutdown(socket.SHUT_WR)

    server = serve(http_10)
    with _client(server.url) as client:
        assert client.get("/api") == {"Version": "2021.2.4488", "Application": "Octopus Deploy"}
        assert client.get("/api")["Version"] == "2021.2.4488"  # a new connection: the old one closed
    assert server.requests == 2

"""The client's streamed download and upload (package files): their deadline is for silence, pushed back
whenever bytes move, so a long transfer that keeps moving finishes while a stalled one is still cut off;
cancel ends one in progress; refusals are the client's typed errors. Raw socket servers, byte by byte."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from test_client_budgets import Behaviour, RawServer, _client

from octodesk.core.cancel import CancelToken
from octodesk.core.errors import Cancelled, RequestTimedOut, ValidationFailed


@pytest.fixture
def serve() -> Iterator[Callable[[Behaviour], RawServer]]:
    servers: list[RawServer] = []

    def start(behaviour: Behaviour) -> RawServer:
        servers.append(RawServer(behaviour))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


FILE_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 12\r\n\r\n"


def drip(pieces: int, pause: float) -> Behaviour:
    def behaviour(connection: socket.socket) -> None:
        connection.sendall(FILE_HEAD)
        for _ in range(pieces):
            time.sleep(pause)
            connection.sendall(b"x" * (12 // pieces))

    return behaviour


def test_a_download_longer_than_the_timeout_finishes_while_bytes_keep_coming(
    serve: Callable[[Behaviour], RawServer],
) -> None:
    server = serve(drip(4, 0.5))  # two seconds in all, never silent for one
    started = time.monotonic()
    with (
        _client(server.url, timeout=1.0) as client,
        client.open_download("/api/Spaces-1/packages/p/raw") as file,
    ):
        assert file.length == 12
        assert b"".join(file.chunks(4)) == b"x" * 12
    assert time.monotonic() - started >= 2.0


def test_a_download_that_stalls_longer_than_the_timeout_is_cut_off(
    serve: Callable[[Behaviour], RawServer],
) -> None:
    server = serve(drip(2, 2.0))
    started = time.monotonic()
    with (
        _client(server.url, timeout=1.0) as client,
        pytest.raises(RequestTimedOut),
        client.open_download("/api/Spaces-1/packages/p/raw") as file,
    ):
        b"".join(file.chunks(4))
    assert time.monotonic() - started < 4.0


def test_cancel_ends_a_download_in_progress(serve: Callable[[Behaviour], RawServer]) -> None:
    server = serve(drip(12, 1.0))
    cancel = CancelToken()
    threading.Timer(0.5, cancel.cancel).start()
    started = time.monotonic()
    with (
        _client(server.url, cancel=cancel) as client,
        pytest.raises(Cancelled),
        client.open_download("/api/Spaces-1/packages/p/raw") as file,
    ):
        b"".join(file.chunks(1))
    assert time.monotonic() - started < 3.0


class SlowBody:
    """A 12-byte body handed over a byte every 0.15 s: 1.8 s in all, never silent for the 1 s timeout."""

    def __init__(self) -> None:
        self.left = 12

    def __len__(self) -> int:
        return 12

    def read(self, size: int = -1, /) -> bytes:
        if not self.left:
            return b""
        time.sleep(0.15)
        self.left -= 1
        return b"y"


def answer_after_body(status: bytes, document: dict[str, object]) -> Behaviour:
    def behaviour(connection: socket.socket) -> None:
        received = 0
        while received < 11:  # the head was read (perhaps with the body's first byte): the rest follows
            data = connection.recv(65536)
            if not data:
                return
            received += len(data)
        payload = json.dumps(document).encode()
        connection.sendall(
            b"HTTP/1.1 "
            + status
            + b"\r\nContent-Type: application/json\r\nContent-Length: "
            + str(len(payload)).encode()
            + b"\r\n\r\n"
            + payload
        )

    return behaviour


def test_an_upload_longer_than_the_timeout_finishes_while_its_bytes_keep_going(
    serve: Callable[[Behaviour], RawServer],
) -> None:
    server = serve(answer_after_body(b"201 Created", {"Id": "packages-Acme.1.0.0"}))
    with _client(server.url, timeout=1.0) as client:
        answer = client.post_streamed(
            "/api/Spaces-1/packages/raw", SlowBody(), "multipart/form-data; boundary=b"
        )
    assert answer == {"Id": "packages-Acme.1.0.0"}


def test_a_refused_upload_is_the_clients_typed_error(serve: Callable[[Behaviour], RawServer]) -> None:
    refusal = {"ErrorMessage": "A package with the same ID and version already exists.", "Errors": []}
    server = serve(answer_after_body(b"409 Conflict", refusal))
    with _client(server.url, timeout=3.0) as client, pytest.raises(ValidationFailed) as refused:
        client.post_streamed("/api/Spaces-1/packages/raw", SlowBody(), "multipart/form-data; boundary=b")
    assert refused.value.status == 409 and "already exists" in str(refused.value)

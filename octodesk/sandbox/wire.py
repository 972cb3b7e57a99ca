"""The sandbox on the wire: HTTP/1.1 over a threading server, each response encoded in one write, files
sent straight from disk, and the faults a test injects turned into what a real proxy or server sends."""

from __future__ import annotations

import json
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import urlsplit

from .body_stream import BodyError, RequestBody
from .faults import Fault
from .http_types import FileBody, Response
from .resources.packages import is_upload_route

# Bodies are built for each answer (masked copies of the store), so they cannot contain themselves: the
# circular-reference check json.dumps makes (a sixth of the encoding) is left out; the bytes are the same.
_ENCODER = json.JSONEncoder(separators=(",", ":"), check_circular=False)
UNAVAILABLE = "Octopus Server is temporarily unavailable. Please try again in a moment."
BAD_GATEWAY_PAGE = (
    b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1>"
    b"</center><hr><center>nginx</center></body></html>"
)
_REASONS = {
    200: "OK",
    201: "Created",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Payload Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


class Responder(Protocol):
    """What the wire asks of the sandbox: an answer (None: drop the connection) and the fault it carries."""

    def respond(
        self, method: str, target: str, headers: Any, raw: bytes, *, stream: RequestBody | None = None
    ) -> tuple[Response | None, Fault | None]: ...


def fault_response(fault: Fault) -> Response | None:
    if fault.mode == "drop":
        return None
    if fault.mode == "429":
        retry = str(fault.retry_after if fault.retry_after is not None else 1)
        return Response(
            429,
            {"ErrorMessage": "Too many requests. Please slow down and try again later.", "Errors": []},
            headers={"Retry-After": retry},
        )
    if fault.mode == "html":
        return Response(502, BAD_GATEWAY_PAGE, content_type="text/html")
    headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
    return Response(503, {"ErrorMessage": UNAVAILABLE, "Errors": []}, headers=headers)


def encode(response: Response, fault: Fault | None) -> bytes:
    """Status line, headers and body in one buffer: one write per response, so Nagle never delays it."""
    body = response.body
    payload = body if isinstance(body, bytes) else _ENCODER.encode(body).encode()
    if fault is not None and fault.mode == "truncated" and payload:
        payload = payload[: max(1, len(payload) // 2)]
    return encode_head(response, fault, len(payload)) + payload


def encode_head(response: Response, fault: Fault | None, length: int) -> bytes:
    content_type = response.content_type
    if fault is not None and fault.mode == "content-type":
        content_type = "text/html; charset=utf-8"
    reason = _REASONS.get(response.status, "Unknown")
    lines = [
        f"HTTP/1.1 {response.status} {reason}",
        f"Content-Type: {content_type}",
        f"Content-Length: {length}",
        "Server: Octopus-Sandbox",
        "Cache-Control: no-cache",
    ]
    lines += [f"{name}: {value}" for name, value in response.headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: HttpServer

    def _serve(self) -> None:
        stream: RequestBody | None = None
        raw = b""
        if is_upload_route(self.command, urlsplit(self.path).path):
            try:
                stream = RequestBody.from_headers(self.rfile, self.headers)
            except BodyError as error:
                self.close_connection = True
                self.wfile.write(encode(Response(400, {"ErrorMessage": str(error), "Errors": []}), None))
                return
        else:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
        sandbox = self.server.sandbox
        if stream is None:  # the four-argument call tests wrap to watch or hold requests
            response, fault = sandbox.respond(self.command, self.path, self.headers, raw)
        else:
            response, fault = sandbox.respond(self.command, self.path, self.headers, raw, stream=stream)
        if response is None:
            self.close_connection = True
            return
        if stream is not None:
            self._drain(stream)
        if isinstance(response.body, FileBody):
            self._send_file(response, response.body, fault)
        else:
            self.wfile.write(encode(response, fault))
        if self.headers.get("Connection", "").lower() == "close":
            self.close_connection = True

    def _drain(self, stream: RequestBody) -> None:
        """An upload answered before its body was read (refused, fault): read the rest, so the client
        gets to read the answer and the connection stays usable."""
        try:
            stream.drain()
        except (BodyError, OSError):
            self.close_connection = True

    def _send_file(self, response: Response, body: FileBody, fault: Fault | None) -> None:
        """Headers, then the file straight from disk (sendfile where the OS has it); a "truncated" fault
        sends the first half as if it were the whole file, as for any other body."""
        try:
            count = body.size
            if fault is not None and fault.mode == "truncated" and count:
                count = max(1, count // 2)
            self.wfile.write(encode_head(response, fault, count))
            if count:
                self.connection.sendfile(body.handle, 0, count)
        finally:
            body.handle.close()

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the sandbox keeps its own request log."""


class HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog of 5 drops the SYNs of a client opening 16 connections at once, and
    # each dropped one costs a 1 s retransmit. ASP.NET Core's Kestrel, which serves Octopus on Linux, listens
    # with a backlog of 512 (SocketTransportOptions.Backlog).
    request_queue_size = 512

    def __init__(self, address: tuple[str, int], sandbox: Responder) -> None:
        self.sandbox = sandbox
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that resets or abandons its connection is normal life for a server, not a traceback on
        the console; anything else is still reported."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)

    def close_connections(self) -> None:
        """Keep-alive clients would otherwise hold handler threads open after stop()."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

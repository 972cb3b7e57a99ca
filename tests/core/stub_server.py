"""A tiny scripted HTTP/HTTPS server on loopback for precise error injection in client tests.

A test gives a handler ``(StubRequest) -> Reply``; a reply is a StubResponse, DROP (close the connection
without answering), TRUNCATE (promise a body, send half, close) or HANG (answer only after the client gave
up). Every request is recorded in ``server.requests``.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from octodesk.core.octopus.client import OctopusClient

DROP = "drop"
TRUNCATE = "truncate"
HANG = "hang"


@dataclass
class StubResponse:
    status: int = 200
    body: Any = None  # dict/list -> JSON; str/bytes sent as they are
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None


Reply = StubResponse | str


@dataclass
class StubRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    client_port: int = 0  # one per connection the client opened

    def json(self) -> Any:
        return json.loads(self.body)


Handler = Callable[[StubRequest], Reply]


def json_reply(body: Any, status: int = 200, **headers: str) -> StubResponse:
    return StubResponse(status=status, body=body, headers=dict(headers))


class Script:
    """Replies in order per "METHOD /path" (query ignored); ``default`` once a script runs out.
    A reply may also be a handler, called with the request."""

    def __init__(self, default: Reply | None = None) -> None:
        self.default = default if default is not None else StubResponse(404, {"ErrorMessage": "No route."})
        self._queues: dict[str, list[Reply | Handler]] = {}
        self._repeat: dict[str, Reply | Handler] = {}
        self._lock = threading.Lock()

    def then(self, route: str, *replies: Reply | Handler) -> Script:
        self._queues.setdefault(route, []).extend(replies)
        return self

    def always(self, route: str, reply: Reply | Handler) -> Script:
        self._repeat[route] = reply
        return self

    def __call__(self, request: StubRequest) -> Reply:
        route = f"{request.method} {request.path}"
        with self._lock:
            queue = self._queues.get(route)
            reply = queue.pop(0) if queue else self._repeat.get(route, self.default)
        return reply(request) if callable(reply) else reply


class StubServer:
    def __init__(self, handler: Handler, *, tls: TlsFiles | None = None) -> None:
        self.handler = handler
        self.requests: list[StubRequest] = []
        self.release = threading.Event()  # ends every HANG
        self._lock = threading.Lock()
        self._httpd = _make_httpd(self)
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(tls.cert, tls.key)
            self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
        host, port = self._httpd.server_address[:2]
        self.url = f"{'https' if tls else 'http'}://{host!s}:{port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    def start(self) -> StubServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def __enter__(self) -> StubServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    @property
    def request_count(self) -> int:
        with self._lock:
            return len(self.requests)

    def record(self, request: StubRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def paths(self) -> list[str]:
        with self._lock:
            return [f"{r.method} {r.path}" for r in self.requests]


def _make_httpd(stub: StubServer) -> ThreadingHTTPServer:
    class RequestHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            request = StubRequest(
                method=self.command,
                path=parts.path,
                query=dict(parse_qsl(parts.query)),
                headers={k: v for k, v in self.headers.items()},
                body=body,
                client_port=int(self.client_address[1]),
            )
            stub.record(request)
            reply = stub.handler(request)
            if reply == HANG:
                stub.release.wait(10)
                self.close_connection = True
                return
            if reply == DROP:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if reply == TRUNCATE:
                self._send(StubResponse(200, b'{"Items": [1, 2, 3], "Total'), declared_extra=40)
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            assert isinstance(reply, StubResponse)
            self._send(reply)

        def _send(self, reply: StubResponse, declared_extra: int = 0) -> None:
            content_type = reply.content_type
            if isinstance(reply.body, bytes):
                data = reply.body
            elif isinstance(reply.body, str):
                data = reply.body.encode()
                content_type = content_type or "text/plain; charset=utf-8"
            elif reply.body is None:
                data = b""
            else:
                data = json.dumps(reply.body).encode()
                content_type = content_type or "application/json; charset=utf-8"
            self.send_response(reply.status)
            if content_type:
                self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data) + declared_extra))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()

        do_GET = do_POST = do_PUT = do_DELETE = _handle

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
    httpd.daemon_threads = True
    return httpd


def collection_handler(
    items: list[dict[str, Any]],
    *,
    default_take: int = 30,
    max_take: int = 30,
    links: bool = True,
    totals: bool = True,
) -> Callable[[StubRequest], StubResponse]:
    """An Octopus-style collection: default take 30, take capped at ``max_take``; ``ids=`` filters."""

    def handle(request: StubRequest) -> StubResponse:
        selected = items
        if "ids" in request.query:
            wanted = set(request.query["ids"].split(","))
            selected = [item for item in items if item["Id"] in wanted]
        skip = int(request.query.get("skip", 0))
        take = min(int(request.query.get("take", default_take)), max_take)
        page = selected[skip : skip + take]
        body: dict[str, Any] = {"ItemType": "Thing", "ItemsPerPage": take, "Items": page, "Links": {}}
        if totals:
            body["TotalResults"] = len(selected)
        if links and skip + take < len(selected):
            extra = f"&ids={request.query['ids']}" if "ids" in request.query else ""
            body["Links"]["Page.Next"] = f"{request.path}?skip={skip + take}&take={take}{extra}"
        return StubResponse(200, body)

    return handle


@dataclass(frozen=True)
class TlsFiles:
    ca: Path  # the CA certificate a client must trust
    cert: Path  # server certificate chain (leaf signed by the CA)
    key: Path


def make_tls_files(folder: Path) -> TlsFiles:
    """A private CA and a server certificate for 127.0.0.1/localhost signed by it."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "OctoDesk Test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    files = TlsFiles(ca=folder / "ca.pem", cert=folder / "server.pem", key=folder / "server-key.pem")
    files.ca.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    files.cert.write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    files.key.write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return files


def closed_port_url() -> str:
    """An http URL on loopback where nothing listens (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def iter_ids(prefix: str, count: int) -> Iterator[dict[str, Any]]:
    for number in range(1, count + 1):
        yield {"Id": f"{prefix}-{number}", "Name": f"{prefix} {number:03d}"}


class Stubs:
    """Stub servers with a client each, all closed together; the client's back-off waits are recorded."""

    def __init__(self, api_key: str) -> None:
        self.api_key = api_key
        self._stack = ExitStack()

    def serve(
        self, handler: Handler, *, tls: TlsFiles | None = None, **client_options: Any
    ) -> tuple[StubServer, OctopusClient, list[float]]:
        server = self._stack.enter_context(StubServer(handler, tls=tls))
        client, waits = self.client(server.url, **client_options)
        return server, client, waits

    def client(self, url: str, **client_options: Any) -> tuple[OctopusClient, list[float]]:
        """A client whose back-off waits are recorded in the returned list instead of slept."""
        client = self._stack.enter_context(OctopusClient(url, self.api_key, **client_options))
        waits: list[float] = []
        client.sleep = waits.append
        return client, waits

    def __enter__(self) -> Stubs:
        return self

    def __exit__(self, *_: object) -> None:
        self._stack.close()

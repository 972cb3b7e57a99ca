"""The HTTP transport under OctopusClient: ``http.client`` with a keep-alive pool of our own.

What it adds to a bare ``http.client`` request, and why it is not ``requests``:
- one total deadline per request, covering connect, headers and body: a server that drip-feeds bytes
  cannot hold a request past it (a per-read socket timeout never fires while bytes keep coming);
- cancel aborts a read in progress, not only the next request; a write already sent is let finish (its
  deadline still holds), so the caller knows whether it was applied: a write cut off by a cancel would have
  been applied by the server all the same, unknown to the import's journal and report;
- bodies are read in chunks under a size cap (error bodies under a small one), so an endless or huge
  answer costs bounded memory and is read once;
- about a third of the CPU ``requests`` spent per request is gone (it was the import's largest cost).
A watchdog thread enforces deadlines and cancels by shutting the request's socket down.

Proxies come from the environment (``HTTPS_PROXY``/``HTTP_PROXY``/``NO_PROXY``, read once, with the rules
``requests`` applies), TLS is verified against the system store or a CA bundle file, redirects are answers
like any other (the client refuses them). Errors are ``NoAnswer`` with what the retry policy needs to know.
"""

from __future__ import annotations

import base64
import http.client
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit
from urllib.request import getproxies

from octodesk.core.cancel import CancelToken
from octodesk.core.errors import Cancelled

CONNECT_TIMEOUT_CAP = 15.0  # seconds to establish a connection, however long a slow answer may take
MAX_ANSWER_BYTES = 512 * 1024 * 1024  # the largest answer read (a /all of a very large space is far less)
MAX_ERROR_BYTES = 1024 * 1024  # of an error answer only the server's message is used
CHUNK_BYTES = 256 * 1024
STREAM_CHUNK_BYTES = 1024 * 1024  # a streamed body goes out this much at a time
READS = ("GET", "HEAD")  # cut on cancel; a write already sent is let finish
WATCH_INTERVAL = 0.05  # seconds between the watchdog's looks at the cancel token


class NoAnswer(Exception):
    """A request that got no complete HTTP answer. ``reason`` is one of: tls, proxy, proxy-scheme,
    connect-timeout, dns, refused, connect, timeout, dropped, too-large."""

    def __init__(self, reason: str, detail: str = "", *, reached_server: bool) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.reached_server = reached_server
        self.cause: BaseException | None = None


@dataclass
class Answer:
    status: int
    headers: Message
    body: bytes

    @property
    def content_type(self) -> str:
        return str(self.headers.get("Content-Type", "") or "")


@dataclass(frozen=True)
class Proxy:
    host: str
    port: int
    authorization: str | None  # a Proxy-Authorization header value, from credentials in the proxy URL


def environment_proxy(server_url: str) -> Proxy | None:
    """The proxy the environment names for this server (None when NO_PROXY exempts it or none is set)."""
    scheme = urlsplit(server_url).scheme
    configured = getproxies()  # the environment's, and the system's on Windows and macOS
    if not (configured.get(scheme) or configured.get("all")):
        return None  # no proxy to exempt the server from: requests (50 ms to import) is not needed
    from requests.utils import get_environ_proxies  # the same rules users of requests know (NO_PROXY CIDRs)

    proxies = get_environ_proxies(server_url)
    url = proxies.get(scheme) or proxies.get("all")
    if not url:
        return None
    if "://" not in url:
        url = "http://" + url
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", ""):
        raise NoAnswer("proxy-scheme", parts.scheme, reached_server=False)
    authorization = None
    if parts.username:
        credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        authorization = "Basic " + base64.b64encode(credentials.encode("utf-8")).decode("ascii")
    return Proxy(parts.hostname or "", parts.port or 80, authorization)


class _Watchdog:
    """Shuts down the socket of a request that passed its deadline, or on cancel of every request that may
    be cut (not a write already sent)."""

    def __init__(self, cancel: CancelToken) -> None:
        self.cancel = cancel
        self._lock = threading.Condition()
        self._watched: dict[int, tuple[float, socket.socket, list[str], bool]] = {}
        self._thread: threading.Thread | None = None
        self._closed = False

    def watch(
        self, key: int, deadline: float, sock: socket.socket, verdict: list[str], *, cancellable: bool = True
    ) -> None:
        with self._lock:
            idle = not self._watched
            self._watched[key] = (deadline, sock, verdict, cancellable)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="octodesk-http-watchdog", daemon=True)
                self._thread.start()
            elif idle:  # it sleeps until something is watched; otherwise it looks every WATCH_INTERVAL
                self._lock.notify()

    def unwatch(self, key: int) -> None:
        with self._lock:
            self._watched.pop(key, None)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._lock.notify()

    def _run(self) -> None:
        with self._lock:
            while not self._closed:
                now = time.monotonic()
                for key, (deadline, sock, verdict, cancellable) in list(self._watched.items()):
                    cancelled = cancellable and self.cancel.cancelled
                    if cancelled or now >= deadline:
                        verdict.append("cancelled" if cancelled else "deadline")
                        del self._watched[key]
                        _shut(sock)
                self._lock.wait(WATCH_INTERVAL if self._watched else None)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed by its owner


class Transport:
    """Requests to one server, at most ``connections`` at once, connections kept alive between them."""

    def __init__(
        self,
        server_url: str,
        *,
        verify: bool | str,
        timeout: float,
        connections: int,
        cancel: CancelToken,
    ) -> None:
        parts = urlsplit(server_url)
        self.https = parts.scheme == "https"
        self.host = parts.hostname or ""
        self.port = parts.port or (443 if self.https else 80)
        self.timeout = timeout
        self.cancel = cancel
        self.proxy = environment_proxy(server_url)
        self._context = _tls_context(verify) if self.https else None
        self.connections = max(1, connections)
        self._slots = threading.BoundedSemaphore(self.connections)
        self._idle: list[http.client.HTTPConnection] = []
        self._idle_lock = threading.Lock()
        self._watchdog = _Watchdog(cancel)
        self.max_answer_bytes = MAX_ANSWER_BYTES

    def close(self) -> None:
        self._watchdog.close()
        with self._idle_lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    # --- one request --------------------------------------------------------------------------------

    def request(self, method: str, target: str, body: bytes | None, headers: dict[str, str]) -> Answer:
        """``target`` is the path with its query. Raises NoAnswer, or Cancelled when cancelled."""
        deadline = time.monotonic() + self.timeout
        self._take_slot(deadline)
        try:
            return self._request(method, target, body, headers, deadline)
        finally:
            self._slots.release()

    def _take_slot(self, deadline: float) -> None:
        while not self._slots.acquire(timeout=WATCH_INTERVAL):
            self.cancel.raise_if_cancelled()
            if time.monotonic() >= deadline:
                raise NoAnswer("timeout", "no free connection", reached_server=False)

    def _request(
        self, method: str, target: str, body: bytes | None, headers: dict[str, str], deadline: float
    ) -> Answer:
        verdict: list[str] = []  # set by the watchdog: "deadline" or "cancelled"
        key = id(verdict)
        keep = False
        connection = self._idle_connection()
        try:
            if connection is None:
                connection = self._connect(key, deadline, verdict)
            assert connection.sock is not None
            self._watchdog.watch(key, deadline, connection.sock, verdict, cancellable=method in READS)
            if self.proxy is not None and not self.https:
                target = f"http://{self.host}:{self.port}{target}"
                if self.proxy.authorization:
                    headers = {**headers, "Proxy-Authorization": self.proxy.authorization}
            answer, keep = self._exchange(connection, method, target, body, headers, deadline)
            if verdict:  # a body read until the connection closed ends quietly when the watchdog cuts it
                raise TimeoutError(verdict[0])
            return answer
        except (OSError, http.client.HTTPException) as error:
            if verdict == ["cancelled"]:
                raise Cancelled() from None
            raise _answer_failure(error, verdict) from None
        finally:
            self._watchdog.unwatch(key)
            if connection is not None:
                self._release(connection, keep and not verdict)

    def _exchange(
        self,
        connection: http.client.HTTPConnection,
        method: str,
        target: str,
        body: bytes | None,
        headers: dict[str, str],
        deadline: float,
    ) -> tuple[Answer, bool]:
        sock = connection.sock  # http.client lets go of it once an answer says the connection closes
        assert sock is not None
        _set_timeout(sock, deadline)
        connection.request(method, target, body=body, headers=headers)
        response = connection.getresponse()
        limit = self.max_answer_bytes if 200 <= response.status < 300 else MAX_ERROR_BYTES
        chunks: list[bytes] = []
        size = 0
        while not response.isclosed():  # closed once the body is complete (its socket may be too)
            _set_timeout(sock, deadline)
            chunk = response.read(CHUNK_BYTES)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                if limit == MAX_ERROR_BYTES:  # enough of an error page to tell what it says
                    chunks.append(chunk[: len(chunk) - (size - limit)])
                    return Answer(response.status, response.headers, b"".join(chunks)), False
                mib = limit // (1024 * 1024)
                raise NoAnswer("too-large", f"the answer is larger than {mib} MiB", reached_server=True)
            chunks.append(chunk)
        return Answer(response.status, response.headers, b"".join(chunks)), not response.will_close

    # --- streamed transfers (package files) -----------------------------------------------------------
    # A file of gigabytes cannot move within one deadline, so here the deadline is for silence: it is
    # pushed back whenever bytes move, in either direction. A stalled transfer is still cut, a moving one
    # never is, and cancel aborts it as any other request. Nothing is held but one chunk.

    @contextmanager
    def stream(
        self, method: str, target: str, headers: dict[str, str], body: Readable | None = None
    ) -> Iterator[StreamedAnswer]:
        """Send ``body`` (read a chunk at a time; give its Content-Length in ``headers``), then yield the
        answer with its body unread. An exception raised by ``body.read`` abandons the request and reaches
        the caller as it is; NoAnswer or Cancelled otherwise."""
        self._take_slot(time.monotonic() + self.timeout)
        verdict: list[str] = []
        key = id(verdict)
        connection: http.client.HTTPConnection | None = None
        answer: StreamedAnswer | None = None
        try:
            try:
                connection = self._idle_connection() or self._connect(
                    key, time.monotonic() + self.timeout, verdict
                )
                sock = connection.sock
                assert sock is not None

                def alive() -> None:
                    self._watchdog.watch(key, time.monotonic() + self.timeout, sock, verdict)
                    sock.settimeout(self.timeout)

                alive()
                if self.proxy is not None and not self.https:
                    target = f"http://{self.host}:{self.port}{target}"
                    if self.proxy.authorization:
                        headers = {**headers, "Proxy-Authorization": self.proxy.authorization}
                connection.blocksize = STREAM_CHUNK_BYTES
                paced = _Paced(body, alive) if body is not None else None
                connection.request(method, target, body=paced, headers=headers)
                response = connection.getresponse()
                alive()
            except (OSError, http.client.HTTPException) as error:
                raise _stream_failure(error, verdict) from None
            answer = StreamedAnswer(response, alive, verdict)
            yield answer
        finally:
            self._watchdog.unwatch(key)
            if connection is not None:
                self._release(connection, answer is not None and answer.reusable and not verdict)
            self._slots.release()

    # --- connections --------------------------------------------------------------------------------

    def _idle_connection(self) -> http.client.HTTPConnection | None:
        while True:
            with self._idle_lock:
                if not self._idle:
                    return None
                connection = self._idle.pop()
            if not _dropped(connection):
                return connection
            connection.close()  # the server closed it while it was idle

    def _release(self, connection: http.client.HTTPConnection, keep: bool) -> None:
        if keep and connection.sock is not None:
            with self._idle_lock:
                self._idle.append(connection)
        else:
            connection.close()

    def _connect(self, key: int, deadline: float, verdict: list[str]) -> http.client.HTTPConnection:
        """A new connection (through the proxy when there is one); the watchdog sees its socket from the
        moment it exists, so a cancel or the deadline also ends a connect in progress."""
        self.cancel.raise_if_cancelled()
        connect_timeout = max(0.001, min(deadline - time.monotonic(), CONNECT_TIMEOUT_CAP))
        host, port = (self.host, self.port) if self.proxy is None else (self.proxy.host, self.proxy.port)
        connection: http.client.HTTPConnection
        if self.https:
            connection = http.client.HTTPSConnection(
                host, port, timeout=connect_timeout, context=self._context
            )
            if self.proxy is not None:
                authorization = self.proxy.authorization
                tunnel_headers = {"Proxy-Authorization": authorization} if authorization else None
                connection.set_tunnel(self.host, self.port, headers=tunnel_headers)
        else:
            connection = http.client.HTTPConnection(host, port, timeout=connect_timeout)

        def create_connection(
            address: tuple[str, int], timeout: Any, source_address: Any = None
        ) -> socket.socket:
            return _open_socket(
                address, timeout, lambda sock: self._watchdog.watch(key, deadline, sock, verdict)
            )

        connection._create_connection = create_connection  # type: ignore[attr-defined]
        try:
            connection.connect()
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            if verdict == ["cancelled"]:
                raise Cancelled() from None
            if verdict == ["deadline"]:
                raise NoAnswer("connect-timeout", reached_server=False) from None
            raise _connect_failure(error, via_proxy=self.proxy is not None) from None
        return connection


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class _Paced:
    """A request body that pushes the transfer's deadline back after every chunk it hands over."""

    def __init__(self, body: Readable, alive: Callable[[], None]) -> None:
        self._body = body
        self._alive = alive

    def read(self, size: int = -1, /) -> bytes:
        chunk = self._body.read(size)
        self._alive()
        return chunk


class StreamedAnswer:
    """An answer whose body is read a chunk at a time; each chunk pushes the deadline back."""

    def __init__(
        self, response: http.client.HTTPResponse, alive: Callable[[], None], verdict: list[str]
    ) -> None:
        self.status = response.status
        self.headers = response.headers
        self._response = response
        self._alive = alive
        self._verdict = verdict

    @property
    def content_type(self) -> str:
        return str(self.headers.get("Content-Type", "") or "")

    @property
    def reusable(self) -> bool:
        return self._response.isclosed() and not self._response.will_close

    def read(self, size: int) -> bytes:
        """Up to ``size`` bytes of the body, b"" at its end; NoAnswer or Cancelled when it breaks off."""
        try:
            chunk = self._response.read(size)
            if self._verdict:
                raise TimeoutError(self._verdict[0])
        except (OSError, http.client.HTTPException) as error:
            raise _stream_failure(error, self._verdict) from None
        self._alive()
        return chunk

    def read_all(self, limit: int) -> bytes:
        """The whole (small) body, at most ``limit`` bytes (a JSON answer or an error page)."""
        chunks: list[bytes] = []
        size = 0
        while chunk := self.read(CHUNK_BYTES):
            size += len(chunk)
            if size > limit:
                raise NoAnswer(
                    "too-large", f"the answer is larger than {limit // 1024} KiB", reached_server=True
                )
            chunks.append(chunk)
        return b"".join(chunks)


def _stream_failure(error: BaseException, verdict: list[str]) -> Exception:
    if verdict == ["cancelled"]:
        return Cancelled()
    return _answer_failure(error, verdict)


def _open_socket(address: tuple[str, int], timeout: float, watch: Any) -> socket.socket:
    """socket.create_connection, handing each socket to ``watch`` before it connects."""
    host, port = address
    last_error: OSError | None = None
    for family, kind, protocol, _, socket_address in socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM):
        sock = socket.socket(family, kind, protocol)
        watch(sock)
        try:
            sock.settimeout(timeout)
            sock.connect(socket_address)
            return sock
        except OSError as error:
            last_error = error
            sock.close()
    raise last_error or OSError(f"no address for {host}")


def _set_timeout(sock: socket.socket, deadline: float) -> None:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("deadline")
    sock.settimeout(remaining)


def _answer_failure(error: BaseException, verdict: list[str]) -> NoAnswer:
    if verdict == ["deadline"] or isinstance(error, TimeoutError):
        failure = NoAnswer("timeout", reached_server=True)
    else:
        failure = NoAnswer("dropped", str(error), reached_server=True)
    failure.cause = error
    return failure


def _connect_failure(error: BaseException, *, via_proxy: bool) -> NoAnswer:
    if isinstance(error, ssl.SSLError):
        failure = NoAnswer("tls", _tls_reason(error), reached_server=False)
    elif via_proxy:
        failure = NoAnswer("proxy", str(error), reached_server=False)
    elif isinstance(error, TimeoutError | socket.timeout):
        failure = NoAnswer("connect-timeout", reached_server=False)
    elif isinstance(error, socket.gaierror):
        failure = NoAnswer("dns", str(error), reached_server=False)
    elif isinstance(error, ConnectionRefusedError):
        failure = NoAnswer("refused", reached_server=False)
    else:
        strerror = getattr(error, "strerror", None)
        failure = NoAnswer("connect", str(strerror).lower() if strerror else "", reached_server=False)
    failure.cause = error
    return failure


def _tls_reason(error: ssl.SSLError) -> str:
    if isinstance(error, ssl.SSLCertVerificationError) and error.verify_message:
        return f"certificate verify failed: {error.verify_message}"
    if error.reason:
        return str(error.reason).replace("_", " ").lower()
    return "handshake failed"


def _tls_context(verify: bool | str) -> ssl.SSLContext:
    if verify is False:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    if isinstance(verify, str):
        return ssl.create_default_context(cafile=verify)
    return ssl.create_default_context()


def _dropped(connection: http.client.HTTPConnection) -> bool:
    """An idle kept-alive connection that is readable has been closed (or sent garbage): not reusable."""
    sock = connection.sock
    if sock is None:
        return True
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


__all__ = ["Answer", "NoAnswer", "Readable", "StreamedAnswer", "Transport", "environment_proxy"]

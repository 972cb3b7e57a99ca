"""A request body read as it arrives: Content-Length or chunked transfer encoding.

Package uploads use it so the server never holds a whole package in memory. Both framings are needed:
OctopusClients' synchronous client sends packages chunked (``SendChunked = true`` in
``source/Octopus.Server.Client/OctopusClient.cs``), and so does Go's HTTP client for a streamed body
(go-octopusdeploy ``pkg/packages/multipartstreaming.go``).
"""

from __future__ import annotations

from typing import Any, Protocol

_MAX_LINE = 4096


class Source(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...

    def readline(self, size: int = -1, /) -> bytes: ...


class BodyError(ValueError):
    """The body does not match its framing (bad chunk header, connection closed early)."""


class RequestBody:
    def __init__(self, source: Source, *, length: int | None, chunked: bool) -> None:
        self._source = source
        self._chunked = chunked
        self._left = 0 if chunked else (length or 0)  # bytes left in the body, or in the current chunk
        self._done = not chunked and not length

    @classmethod
    def from_headers(cls, source: Source, headers: Any) -> RequestBody:
        chunked = "chunked" in (headers.get("Transfer-Encoding") or "").lower()
        length = headers.get("Content-Length")
        try:
            size = int(length) if length and not chunked else None
        except ValueError as error:
            raise BodyError(f"Content-Length '{length}' is not a number.") from error
        return cls(source, length=size, chunked=chunked)

    @property
    def finished(self) -> bool:
        return self._done

    def read(self, size: int) -> bytes:
        """Up to ``size`` bytes of the body; b"" once it has all been read."""
        if self._done:
            return b""
        if self._chunked and self._left == 0:
            self._left = self._next_chunk_size()
            if self._left == 0:
                self._skip_trailers()
                self._done = True
                return b""
        data = self._source.read(min(size, self._left))
        if not data:
            raise BodyError("The connection closed before the whole request body arrived.")
        self._left -= len(data)
        if self._left == 0:
            if self._chunked:
                self._expect_line_end()
            else:
                self._done = True
        return data

    def drain(self) -> None:
        """Read and drop what the handler left unread, so the connection can carry the next request."""
        while self.read(1 << 20):
            pass

    def _line(self) -> bytes:
        line = self._source.readline(_MAX_LINE + 1)
        if not line.endswith(b"\n"):
            raise BodyError("A chunk header of the request body is malformed.")
        return line.rstrip(b"\r\n")

    def _next_chunk_size(self) -> int:
        header = self._line().split(b";", 1)[0].strip()
        try:
            return int(header, 16)
        except ValueError as error:
            raise BodyError(f"The chunk size {header!r} is not hexadecimal.") from error

    def _expect_line_end(self) -> None:
        if self._line():
            raise BodyError("A chunk of the request body is longer than its declared size.")

    def _skip_trailers(self) -> None:
        while self._line():
            pass

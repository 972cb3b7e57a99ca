"""A streaming multipart/form-data reader: the file part goes straight to a sink, a chunk at a time.

Octopus clients name the file part differently (OctopusClients ``file``, the REST API scripts ``fileData``,
the Go script ``filedata``), and all of them work against a real server, so the first part that carries a
file name is the file whatever its name. Other parts are read and dropped.
"""

from __future__ import annotations

import email.parser
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from typing import BinaryIO

READ_SIZE = 1 << 20
_MAX_HEADERS = 16 * 1024
_MAX_PREAMBLE = 64 * 1024


class MultipartError(ValueError):
    """The body is not well-formed multipart/form-data; the message says what is wrong."""


class TooLarge(Exception):
    """The file part grew past the allowed size; nothing more was written."""


@dataclass(frozen=True)
class FilePart:
    field: str | None
    file_name: str
    size: int
    sha1: str


Reader = Callable[[int], bytes]
SinkOpener = Callable[[str], BinaryIO]


def boundary_of(content_type: str) -> bytes:
    message = Message()
    message["Content-Type"] = content_type
    if message.get_content_type() != "multipart/form-data":
        raise MultipartError("The request must be multipart/form-data.")
    boundary = message.get_param("boundary")
    if not isinstance(boundary, str) or not boundary:
        raise MultipartError("The multipart/form-data Content-Type has no boundary.")
    return boundary.encode("latin-1")


class _Buffer:
    """Bytes read from the body and not used yet."""

    def __init__(self, read: Reader) -> None:
        self._read = read
        self.data = bytearray()
        self.ended = False

    def fill(self) -> bool:
        if self.ended:
            return False
        chunk = self._read(READ_SIZE)
        if not chunk:
            self.ended = True
            return False
        self.data += chunk
        return True

    def take_until(self, marker: bytes, limit: int, what: str) -> bytes:
        """The bytes before ``marker`` (both consumed), reading on as needed up to ``limit`` bytes."""
        while True:
            index = self.data.find(marker)
            if index >= 0:
                head = bytes(self.data[:index])
                del self.data[: index + len(marker)]
                return head
            if len(self.data) > limit or not self.fill():
                raise MultipartError(f"The multipart body ends inside the {what}.")

    def take(self, count: int) -> bytes:
        while len(self.data) < count and self.fill():
            pass
        head = bytes(self.data[:count])
        del self.data[:count]
        return head


def read_file_part(
    read: Reader, content_type: str, open_sink: SinkOpener, *, max_bytes: int | None = None
) -> FilePart | None:
    """Stream the first file part into ``open_sink(file_name)`` (which may raise to refuse the name),
    hashing it with SHA-1 on the way; None when the body has no file part."""
    delimiter = b"--" + boundary_of(content_type)
    buffer = _Buffer(read)
    buffer.take_until(delimiter, _MAX_PREAMBLE, "preamble")
    found: FilePart | None = None
    while buffer.take(2) == b"\r\n":
        headers = _parse_headers(buffer.take_until(b"\r\n\r\n", _MAX_HEADERS, "part headers"))
        file_name = headers.get_filename()
        field = headers.get_param("name", header="content-disposition")
        if found is None and file_name:
            with open_sink(file_name) as sink:
                size, sha1 = _copy_part(buffer, b"\r\n" + delimiter, sink, max_bytes)
            found = FilePart(field if isinstance(field, str) else None, file_name, size, sha1)
        else:
            _copy_part(buffer, b"\r\n" + delimiter, None, None)
    return found


def _parse_headers(raw: bytes) -> Message:
    return email.parser.BytesParser().parsebytes(raw + b"\r\n\r\n", headersonly=True)


def _copy_part(
    buffer: _Buffer, marker: bytes, sink: BinaryIO | None, max_bytes: int | None
) -> tuple[int, str]:
    """Copy the part's content up to ``marker`` into ``sink`` (None: drop it), keeping in memory only
    what might be the start of the marker."""
    digest = hashlib.sha1()
    size = 0
    keep = len(marker) - 1
    while True:
        index = buffer.data.find(marker)
        end = index if index >= 0 else max(0, len(buffer.data) - keep)
        if end:
            size += end
            if max_bytes is not None and size > max_bytes:
                raise TooLarge
            if sink is not None:
                with memoryview(buffer.data) as view, view[:end] as piece:
                    digest.update(piece)
                    sink.write(piece)
            del buffer.data[:end]
        if index >= 0:
            del buffer.data[: len(marker)]
            return size, digest.hexdigest()
        if not buffer.fill():
            raise MultipartError("The multipart body ends before the closing boundary.")

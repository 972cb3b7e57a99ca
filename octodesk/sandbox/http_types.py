"""Request and response values passed between the HTTP layer, the router and the resource handlers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, BinaryIO, Protocol


class BodyReader(Protocol):
    def read(self, size: int) -> bytes: ...


@dataclass
class Request:
    method: str
    path: str  # without the query string
    query: dict[str, str] = field(default_factory=dict)
    body: Any = None  # decoded JSON, or None
    raw: bytes = b""
    content_type: str = ""
    stream: BodyReader | None = None  # the unread body of a streamed route (package upload); raw is empty


@dataclass
class FileBody:
    """A response body sent from an open file, a chunk at a time; the HTTP layer closes it."""

    handle: BinaryIO
    size: int


@dataclass
class Response:
    status: int
    body: Any = None  # JSON-able, bytes sent as-is with ``content_type``, or a FileBody
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)

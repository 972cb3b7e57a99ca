"""Request and response values passed between the HTTP layer, the router and the resource handlers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Request:
    method: str
    path: str  # without the query string
    query: dict[str, str] = field(default_factory=dict)
    body: Any = None  # decoded JSON, or None
    raw: bytes = b""
    content_type: str = ""


@dataclass
class Response:
    status: int
    body: Any = None  # JSON-able, or bytes sent as-is with ``content_type``
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)

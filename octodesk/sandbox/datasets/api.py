"""What a dataset builder may call: the sandbox's own routes, in-process."""

from __future__ import annotations

from typing import Any, Protocol


class DatasetError(Exception):
    """A dataset cannot be loaded or built; the message says which and why, in one line."""


class SandboxApi(Protocol):
    """The in-process API a dataset receives; each call goes through the server's routing and validation."""

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]: ...

    def put(self, path: str, body: dict[str, Any]) -> dict[str, Any]: ...

    def get(self, path: str) -> Any: ...

    def upload(self, path: str, field: str, filename: str, data: bytes, content_type: str) -> Any: ...

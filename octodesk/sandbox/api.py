"""The in-process API a dataset builder uses: the server's own routing and validation, without HTTP,
authentication, latency or faults."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .datasets.api import DatasetError
from .http_types import Request, Response
from .router import Router


class InProcessApi:
    def __init__(self, router: Router) -> None:
        self._router = router

    def _call(
        self, method: str, path: str, body: Any = None, raw: bytes = b"", content_type: str = ""
    ) -> Any:
        url = urlsplit(path)
        if body is not None:
            body = json.loads(json.dumps(body))  # the same copy semantics as a real request
        request = Request(
            method,
            url.path,
            dict(parse_qsl(url.query, keep_blank_values=True)),
            body,
            raw,
            content_type or "application/json",
        )
        response: Response = self._router.handle(request)
        if response.status >= 400:
            message = (
                response.body.get("ErrorMessage") if isinstance(response.body, dict) else response.status
            )
            raise DatasetError(f"{method} {url.path} failed ({response.status}): {message}")
        if isinstance(response.body, bytes | dict | list):
            return (
                json.loads(json.dumps(response.body))
                if not isinstance(response.body, bytes)
                else response.body
            )
        return response.body

    def get(self, path: str) -> Any:
        return self._call("GET", path)

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self._call("POST", path, body)
        return result

    def put(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = self._call("PUT", path, body)
        return result

    def upload(self, path: str, field: str, filename: str, data: bytes, content_type: str) -> Any:
        boundary = uuid.uuid4().hex
        raw = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
                f"Content-Type: {content_type}\r\n\r\n"
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        return self._call("POST", path, None, raw, f"multipart/form-data; boundary={boundary}")

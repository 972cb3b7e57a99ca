"""HTTP building blocks of the Octopus client: URL normalisation, and turning every way a request can fail
into one typed, secret-free error plus the facts the retry policy needs (the I/O is in ``transport``)."""

from __future__ import annotations

import email.utils
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from octodesk.core.errors import (
    AuthenticationFailed,
    ConnectionFailed,
    InvalidServerUrl,
    PermissionDenied,
    RateLimited,
    RequestTimedOut,
    ResourceNotFound,
    ServerError,
    ServerFailure,
    TlsError,
    ValidationFailed,
)
from octodesk.core.octopus.transport import CONNECT_TIMEOUT_CAP, Answer, NoAnswer
from octodesk.core.redact import redact

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_DETAIL_CHARS = 300


def normalise_server_url(url: str) -> str:
    """``https://host/octopus/api/`` -> ``https://host/octopus``; InvalidServerUrl for anything unusable."""
    text = (url or "").strip()
    if not text:
        raise InvalidServerUrl("No server URL given: enter the address of your Octopus Server, e.g. https://octopus.example.com.")
    try:
        parts = urlsplit(text)
    except ValueError as error:  # e.g. an unclosed IPv6 bracket
        raise InvalidServerUrl(f"'{text}' is not a valid web address ({error}).") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise InvalidServerUrl(
            f"'{text}' is not a web address: the server URL must start with https:// (or http://)."
        )
    try:
        host = parts.hostname
        parts.port  # noqa: B018 - validates the port number
    except ValueError as error:
        raise InvalidServerUrl(f"'{text}' has an invalid port: {error}.") from None
    if not host:
        raise InvalidServerUrl(f"'{text}' has no host name.")
    if any(char.isspace() for char in text):
        raise InvalidServerUrl(f"'{text}' contains spaces: check the server URL.")
    path = parts.path.rstrip("/")
    if path.lower().endswith("/api"):
        path = path[: -len("/api")]
    return urlunsplit((scheme, parts.netloc, path, "", ""))


@dataclass(frozen=True)
class EncodedJson:
    """A request body already encoded as JSON (UTF-8): the import encodes each write once, for its leak
    check and for the wire."""

    data: bytes


@dataclass
class Failure:
    """One failed attempt: the error to raise if we give up, and whether another attempt is safe."""

    error: ServerError
    transient: bool  # worth another attempt
    may_have_reached_server: bool  # a write must not be repeated when True
    retry_after: float | None = None  # the server asked for this wait (seconds)

    def may_retry(self, method: str) -> bool:
        if not self.transient:
            return False
        return method.upper() in IDEMPOTENT_METHODS or not self.may_have_reached_server


def classify_no_answer(
    error: NoAnswer, method: str, path: str, server_url: str, timeout: float | None = None
) -> Failure:
    """A request that got no complete HTTP answer: DNS, refused, TLS, timeout, dropped connection, too big."""
    what = f"{method} {path}"
    within = f" within {timeout:g} s" if timeout else " in time"
    connect_within = f" within {min(timeout, CONNECT_TIMEOUT_CAP):g} s" if timeout else " in time"
    reason = error.reason
    if reason == "tls":
        return Failure(
            TlsError(
                f"The TLS connection to {server_url} failed ({error.detail or 'handshake failed'}). "
                "If the server uses a private certificate authority, give its CA bundle file."
            ),
            transient=False,
            may_have_reached_server=False,
        )
    if reason == "proxy":
        return Failure(
            ConnectionFailed(
                f"Could not reach {server_url} through the proxy (HTTPS_PROXY/HTTP_PROXY): "
                "the proxy refused or dropped the connection."
            ),
            transient=True,
            may_have_reached_server=False,
        )
    if reason == "connect-timeout":
        return Failure(
            RequestTimedOut(f"{what}: {server_url} did not accept a connection{connect_within}."),
            # usually a firewall or a wrong address: waiting again rarely helps and keeps the user waiting
            transient=False,
            may_have_reached_server=False,
        )
    if reason == "timeout":
        return Failure(
            RequestTimedOut(f"{what} timed out: {server_url} did not answer{within}."),
            transient=False,
            may_have_reached_server=True,
        )
    if reason == "dns":
        host = urlsplit(server_url).hostname
        return Failure(
            ConnectionFailed(f"Could not find the server {host}: the host name does not resolve."),
            transient=False,
            may_have_reached_server=False,
        )
    if reason in ("refused", "connect"):
        detail = "the connection was refused" if reason == "refused" else error.detail
        detail = detail or "no connection could be made"
        return Failure(
            ConnectionFailed(f"Could not connect to {server_url}: {detail}."),
            transient=True,
            may_have_reached_server=False,
        )
    if reason == "too-large":
        return Failure(
            ServerFailure(f"{what}: {error.detail}; OctoDesk stopped reading it."),
            transient=False,
            may_have_reached_server=True,
        )
    # Reset, remote disconnect, truncated body: the request may have been processed.
    return Failure(
        ConnectionFailed(f"{what}: the connection to {server_url} was dropped before the answer came."),
        transient=True,
        may_have_reached_server=True,
    )


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _looks_like_html(response: Answer) -> bool:
    content_type = response.content_type.lower()
    head = response.body[:200].lstrip().lower()
    return "html" in content_type or head.startswith((b"<!doctype html", b"<html"))


def error_details(response: Answer) -> tuple[str, list[str]]:
    """The server's ErrorMessage and Errors from an error body, or a short description of what came back."""
    try:
        body = json.loads(response.body)
    except (ValueError, RecursionError):
        body = None
    if isinstance(body, dict):
        message = str(body.get("ErrorMessage") or body.get("Message") or "").strip()
        raw_errors = body.get("Errors") or []
        errors = [str(item) for item in raw_errors] if isinstance(raw_errors, list) else [str(raw_errors)]
        return message, errors
    if not response.body:
        return "", []
    if _looks_like_html(response):
        return "the server returned an HTML page instead of an API answer", []
    text = response.body[: MAX_DETAIL_CHARS * 4].decode("utf-8", "replace").strip().replace("\n", " ")
    return text[:MAX_DETAIL_CHARS], []


def _describe(message: str, errors: list[str]) -> str:
    detail = message
    if errors:
        joined = "; ".join(errors)
        detail = f"{detail} — {joined}" if detail else joined
    return f": {detail}" if detail else "."


_REFUSALS: dict[int, tuple[type[ServerError], str]] = {
    401: (AuthenticationFailed, "was refused (401): the API key is invalid or its account is disabled"),
    403: (PermissionDenied, "was refused (403): the API key's account may not do this"),
    404: (ResourceNotFound, "was not found (404)"),
    400: (ValidationFailed, "was refused (400)"),
    409: (ValidationFailed, "was refused (409)"),
    422: (ValidationFailed, "was refused (422)"),
}
RETRYABLE_5XX = frozenset({500, 502, 503, 504})


def _redirected(response: Answer, what: str, server_url: str, path: str) -> InvalidServerUrl:
    """Redirects are not followed: a POST would turn into a GET, and the API key header would go along
    to whatever host the redirect names. The user should give the final address instead."""
    location = response.headers.get("Location", "")
    target = urljoin(server_url + path, location).split("?", 1)[0] if location else ""
    hint = ""
    if target:
        hint = f" to {target}: check the server URL"
        if target.endswith(path) and len(target) > len(path):
            try:
                hint = f": use {normalise_server_url(target[: -len(path)])} as the server URL"
            except InvalidServerUrl:
                pass
    status = response.status
    return InvalidServerUrl(f"{what} was redirected ({status}){hint}.", status=status, url=server_url + path)


def classify_response(response: Answer, method: str, path: str, attempts: int, server_url: str) -> Failure:
    """A non-2xx answer as a typed error. ``attempts`` is how many tries this one was (for the message)."""
    status = response.status
    message, errors = error_details(response)
    detail = _describe(message, errors)
    what = f"{method} {path}"
    tries = f" after {attempts} attempts" if attempts > 1 else ""
    fields: dict[str, Any] = {"status": status, "errors": errors, "url": server_url + path}
    if 300 <= status < 400:
        redirect = _redirected(response, what, server_url, path)
        return Failure(redirect, transient=False, may_have_reached_server=True)
    if status in _REFUSALS:
        error_type, text = _REFUSALS[status]
        refusal = error_type(f"{what} {text}{detail}", **fields)
        return Failure(refusal, transient=False, may_have_reached_server=True)
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    if status == 429:
        # A 429 means the server refused the request unprocessed, so even a write may be sent again.
        error: ServerError = RateLimited(f"{what} was rate-limited (429){tries}{detail}", **fields)
        return Failure(error, transient=True, may_have_reached_server=False, retry_after=retry_after)
    if status >= 500:
        error = ServerFailure(f"{what} failed with a server error ({status}){tries}{detail}", **fields)
        return Failure(
            error,
            transient=status in RETRYABLE_5XX,
            may_have_reached_server=True,
            retry_after=retry_after if status == 503 else None,
        )
    error = ServerFailure(f"{what} got an unexpected answer ({status}){detail}", **fields)
    return Failure(error, transient=False, may_have_reached_server=True)


class UndecodableResponse(Exception):
    """A 2xx answer whose body is not the JSON we asked for (internal: becomes a ServerFailure)."""


def decode_json(response: Answer) -> Any:
    """The JSON body of a 2xx answer; None for an empty body; UndecodableResponse otherwise (also for JSON
    nested too deep to decode)."""
    if response.status == 204 or not response.body:
        return None
    if _looks_like_html(response):
        raise UndecodableResponse("the server returned an HTML page instead of JSON")
    try:
        return json.loads(response.body)
    except (ValueError, RecursionError) as error:
        content_type = response.content_type or "no content type"
        kind = "nested too deep" if isinstance(error, RecursionError) else error.__class__.__name__
        raise UndecodableResponse(f"the answer is not valid JSON ({content_type}: {kind})") from None


def safe_message(text: str) -> str:
    """Last line of defence: a registered secret never leaves in an error message."""
    return redact(text)

"""OctopusClient: the one way OctoDesk talks to an Octopus Server (or the sandbox).

Bounded connection pool shared by worker threads, typed errors, retries with back-off for reads only,
paging, id batches and cancellation between requests. The API key lives in the session headers only.
"""

from __future__ import annotations

import difflib
import json
import logging
import math
import os
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol, TypeVar
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from octodesk import __version__
from octodesk.core.cancel import CancelToken
from octodesk.core.errors import (
    AuthenticationFailed,
    Cancelled,
    ConnectionFailed,
    NotAnOctopusServer,
    PermissionDenied,
    RateLimited,
    ResourceNotFound,
    ServerError,
    ServerFailure,
    TlsError,
)
from octodesk.core.octopus.http import (
    EncodedJson,
    Failure,
    UndecodableResponse,
    classify_no_answer,
    classify_response,
    decode_json,
    normalise_server_url,
    safe_message,
)
from octodesk.core.octopus.paging import as_items, check_collection_budget, next_page_query, objects_only
from octodesk.core.octopus.pool import BoundedPool
from octodesk.core.octopus.transport import (
    MAX_ANSWER_BYTES,
    MAX_ERROR_BYTES,
    Answer,
    NoAnswer,
    Readable,
    StreamedAnswer,
    Transport,
)
from octodesk.core.redact import register_secret
from octodesk.core.vocabulary import Hosting

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

CLOUD_HOST_SUFFIXES = (".octopus.app",)
IDS_PER_REQUEST = 100
# Measured with the sandbox at 20 ms per request (228-project import, 2 cores shared with the sandbox, three
# runs each): 16 parallel requests 3.3-3.5 s, 24 3.0 s, 32 2.5-2.7 s, against 36 s one at a time. 24 keeps the
# import at 10x with a margin while asking a production server for a third less parallelism than 32. Under
# Octopus 2026.3's rate limiter the limit's rate decides, whatever this is.
DEFAULT_CONCURRENCY = 24
SINGLE_FILE_SECONDS = 60.0  # after a rate limiter's 429, requests go one at a time this long


@dataclass(frozen=True)
class ServerInfo:
    url: str
    version: str
    hosting: Hosting
    application: str


class OctopusClient:
    """See docs/architecture.md "Core client" for the contract."""

    page_size = 1000  # take= asked for on collection routes; the server may cap it, pages are always followed
    backoff_base = 0.5  # seconds; doubled per attempt, with jitter
    backoff_cap = 30.0
    retry_after_cap = 120.0  # never wait longer than this for a server's Retry-After
    # A request the server's rate limiter refuses (429, unprocessed) is sent again, without using up a
    # retry, until it has waited this long in all: the limiter lets requests through at its rate, so
    # waiting is progress (Octopus 2026.3+ limits each user, e.g. to 200 requests a minute).
    rate_limit_patience = 600.0

    def __init__(
        self,
        server_url: str,
        api_key: str,
        *,
        verify: bool | str = True,
        timeout: float = 60.0,
        concurrency: int = DEFAULT_CONCURRENCY,
        max_retries: int = 4,
        cancel: CancelToken | None = None,
    ) -> None:
        register_secret(api_key)
        api_key = api_key.strip()  # pasted keys often carry a newline
        register_secret(api_key)
        if not api_key or not all(33 <= ord(char) <= 126 for char in api_key):
            raise AuthenticationFailed(
                "The API key is empty or contains characters an API key cannot have (create one in Octopus "
                "under your profile, My API Keys)."
            )
        self.server_url = normalise_server_url(server_url)
        if isinstance(verify, str) and not os.path.isfile(verify):
            raise TlsError(f"The CA bundle file {verify} does not exist.")
        self.verify = verify
        if verify is False:
            log.warning("TLS certificate verification is off for %s", self.server_url)
        self.timeout = timeout
        self.concurrency = max(1, int(concurrency))
        self.max_retries = max(0, int(max_retries))
        self.cancel = cancel or CancelToken()
        # Replaceable in tests: every back-off wait goes through here (seconds -> None, raises Cancelled).
        self.sleep: Callable[[float], None] = self._cancellable_sleep
        self._random = random.Random()

        # Proxy and CA settings come from the environment once, with the rules requests users know.
        if self.verify is True:
            self.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        try:
            self._transport = Transport(
                self.server_url,
                verify=self.verify,
                timeout=self.timeout,
                connections=self.concurrency,
                cancel=self.cancel,
            )
        except NoAnswer as error:  # an https:// proxy: http.client cannot tunnel through TLS to a proxy
            raise ConnectionFailed(
                f"The proxy for {self.server_url} (HTTPS_PROXY/HTTP_PROXY) is an {error.detail}:// address: "
                "give the proxy as http://host:port."
            ) from None
        self._headers = {
            **credential_header(api_key),
            "User-Agent": f"octodesk/{__version__}",
            "Accept": "application/json",
        }
        parts = urlsplit(self.server_url)
        self._origin = f"{parts.scheme}://{parts.netloc}"
        self._counts: Counter[str] = Counter()
        self._counts_lock = threading.Lock()
        self._workers = BoundedPool(self.concurrency, self.cancel)
        self._paused_until = 0.0  # monotonic time before which no request is sent (after a 429)
        self._single_file_until = 0.0  # until then (a minute after a 429) requests go one at a time
        self._pause_lock = threading.Lock()
        self._single_file = threading.Lock()

    # --- lifecycle --------------------------------------------------------------------------------

    def close(self) -> None:
        self._workers.close()
        self._transport.close()

    def __enter__(self) -> OctopusClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:  # never shows the key
        return f"OctopusClient({self.server_url!r})"

    # --- counters ---------------------------------------------------------------------------------

    @property
    def request_count(self) -> int:
        """HTTP requests sent (every attempt, retries included)."""
        with self._counts_lock:
            return sum(self._counts.values())

    @property
    def request_counts(self) -> dict[str, int]:
        """Requests sent per HTTP method, e.g. {"GET": 12, "PUT": 3}."""
        with self._counts_lock:
            return dict(self._counts)

    def reset_counters(self) -> None:
        with self._counts_lock:
            self._counts.clear()

    # --- reads ------------------------------------------------------------------------------------

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self._request("GET", path, params=params, decode=decode_json)

    def get_bytes(
        self, path: str, params: dict[str, Any] | None = None, *, accept: str = ""
    ) -> tuple[bytes, str]:
        """The raw body and its content type. With ``accept`` (a content-type prefix such as "image/"),
        an answer of another type is malformed and, like any malformed read, retried."""

        def decode(response: Answer) -> tuple[bytes, str]:
            content_type = response.content_type
            if accept and not content_type.lower().startswith(accept):
                raise UndecodableResponse(f"expected {accept}* but the answer is {content_type or 'untyped'}")
            return response.body, content_type

        return self._request("GET", path, params=params, decode=decode)

    def get_all(self, path: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Every item of a collection route (all pages), or the array of a /all route."""
        route = urlsplit(path).path
        caller_params = {**dict(parse_qsl(urlsplit(path).query)), **(params or {})}
        if route.rstrip("/").endswith("/all"):
            return as_items(self.get(route, caller_params), path)
        query: dict[str, Any] = {"skip": 0, "take": self.page_size, **caller_params}
        items: list[dict[str, Any]] = []
        seen_ids: set[Any] = set()
        pages = 0
        while True:
            pages += 1
            page = self.get(route, query)
            if isinstance(page, list):  # an array-returning route without /all
                return items + objects_only(page, route)
            if not isinstance(page, dict) or not isinstance(page.get("Items"), list):
                raise ServerFailure(f"GET {route} did not return a collection (no Items list).")
            page_items = objects_only(page["Items"], route)
            page_ids = {item.get("Id") for item in page_items}
            if page_items and page_ids <= seen_ids:
                raise ServerFailure(f"GET {route} returned the same items again: the server ignores paging.")
            seen_ids |= page_ids
            items.extend(page_items)
            check_collection_budget(route, pages, len(items))
            next_query = next_page_query(page, query, len(page_items), len(items))
            if next_query is None:
                return items
            query = next_query

    def read_collection(
        self, route: str, params: dict[str, Any] | None = None, *, all_route: bool = True
    ) -> list[dict[str, Any]]:
        """Every item of a collection: ``route/all`` (one request) where the server has it, otherwise every
        page of ``route``. ``all_route=False`` for kinds known to have no ``/all`` (project triggers, Git
        credentials) or filters only the paged route takes (teams by space)."""
        if all_route:
            try:
                return self.get_all(f"{route.rstrip('/')}/all", params)
            except ResourceNotFound:
                pass
        return self.get_all(route, params)

    def feature_enabled(self, name: str) -> bool:
        """A server feature toggle (``GET /api/configuration/feature-toggles?Name=``, newer servers). False
        where the route is missing or refused, or the answer lists no toggle of that exact name (servers
        that ignore ``Name`` list others: OctopusDeploy/cli pkg/util/featuretoggle)."""
        try:
            answer = self.get("/api/configuration/feature-toggles", {"Name": name})
        except (ResourceNotFound, PermissionDenied):
            return False
        toggles = answer.get("FeatureToggles") if isinstance(answer, dict) else None
        return any(
            isinstance(toggle, dict) and toggle.get("Name") == name and toggle.get("IsEnabled") is True
            for toggle in toggles or []
        )

    def get_by_ids(self, collection_path: str, ids: Iterable[str]) -> list[dict[str, Any]]:
        """The resources with these ids: de-duplicated, ~100 ids per request (batches in parallel), every
        page followed. Ids the server does not know are simply absent from the result.

        ``collection_path`` is a paged collection that takes ``ids=`` (``deploymentprocesses``) or an
        ``/all`` route that does (``variables/all``: variable sets have no paged collection)."""
        unique = list(dict.fromkeys(item for item in ids if item))
        starts = range(0, len(unique), IDS_PER_REQUEST)
        batches = [unique[start : start + IDS_PER_REQUEST] for start in starts]
        is_all = urlsplit(collection_path).path.rstrip("/").endswith("/all")

        def read(batch: list[str]) -> list[dict[str, Any]]:
            params: dict[str, Any] = {"ids": ",".join(batch)}
            if not is_all:
                params["take"] = len(batch)
            return self.get_all(collection_path, params)

        pages = self.map(read, batches)
        return [item for page in pages for item in page]

    # --- writes -----------------------------------------------------------------------------------

    def post(self, path: str, body: Any) -> Any:
        return self._request("POST", path, json_body=body, decode=decode_json)

    def put(self, path: str, body: Any) -> Any:
        return self._request("PUT", path, json_body=body, decode=decode_json)

    def delete(self, path: str) -> Any:
        return self._request("DELETE", path, decode=decode_json)

    def post_file(self, path: str, field: str, filename: str, data: bytes, content_type: str) -> Any:
        return self._request(
            "POST",
            path,
            files={field: (filename, data, content_type)},
            decode=decode_json,
        )

    # --- streamed transfers (package files) --------------------------------------------------------
    # Kept apart from the request loop: a body that streams cannot be sent twice, so nothing here is
    # retried (octodesk.core.packages repeats a whole transfer when that is safe), and the transport's
    # deadline is for silence, not for the whole transfer.

    @contextmanager
    def open_download(self, path: str, params: dict[str, Any] | None = None) -> Iterator[Download]:
        """GET whose body is read a chunk at a time instead of into memory; the connection goes back to
        the pool when the block ends. Errors before and while reading are the client's typed errors."""
        shown_path = urlsplit(path).path or path
        with self._streamed("GET", path, params, self._headers) as answer:
            yield Download(answer, lambda error: self._no_answer("GET", shown_path, error))

    def post_streamed(
        self, path: str, body: StreamedBody, content_type: str, params: dict[str, Any] | None = None
    ) -> Any:
        """POST ``body`` (read a chunk at a time, sent with Content-Length ``len(body)``); the JSON answer.
        An exception raised by ``body.read`` ends the request unfinished and reaches the caller as it is."""
        headers = {**self._headers, "Content-Type": content_type, "Content-Length": str(len(body))}
        with self._streamed("POST", path, params, headers, body) as answer:
            data = self._read_answer(answer, "POST", path, MAX_ANSWER_BYTES)
        try:
            return decode_json(Answer(answer.status, answer.headers, data))
        except UndecodableResponse as error:
            shown_path = urlsplit(path).path or path
            raise ServerFailure(safe_message(f"POST {shown_path}: {error}."), status=answer.status) from None

    @contextmanager
    def _streamed(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None,
        headers: dict[str, str],
        body: Readable | None = None,
    ) -> Iterator[StreamedAnswer]:
        """One streamed request, counted; a non-2xx answer is the client's typed error."""
        self.cancel.raise_if_cancelled()
        shown_path = urlsplit(path).path or path
        with self._counts_lock:
            self._counts[method] += 1
        target = self._target(self._url(path), params)
        with self._rate_gate():
            try:
                with self._transport.stream(method, target, headers, body) as answer:
                    if not 200 <= answer.status < 300:
                        error_body = self._read_answer(answer, method, path, MAX_ERROR_BYTES)
                        refused = Answer(answer.status, answer.headers, error_body)
                        answered = classify_response(refused, method, shown_path, 1, self.server_url)
                        failure = _sanitised(answered)
                        if isinstance(failure.error, RateLimited):
                            self._pause(failure.retry_after, 1)  # the caller sends it again, after the pause
                        raise failure.error
                    yield answer
            except NoAnswer as error:
                raise self._no_answer(method, shown_path, error) from None

    def _read_answer(self, answer: StreamedAnswer, method: str, path: str, limit: int) -> bytes:
        try:
            return answer.read_all(limit)
        except NoAnswer as error:
            raise self._no_answer(method, urlsplit(path).path or path, error) from None

    def _no_answer(self, method: str, shown_path: str, error: NoAnswer) -> ServerError:
        return _sanitised(classify_no_answer(error, method, shown_path, self.server_url, self.timeout)).error

    # --- server, spaces ---------------------------------------------------------------------------

    def server_info(self) -> ServerInfo:
        """Version (the API root) and hosting (the license status), read at once."""
        root, hosting = self._at_once(self._api_root, self._detect_hosting)
        return _server_info(self.server_url, root, hosting)

    def server_info_and_space(self, space_name: str) -> tuple[ServerInfo, dict[str, Any]]:
        """``server_info()`` and ``resolve_space(space_name)``, all three reads at once: one round trip where
        they took three. Where several fail, the server's error is raised (it says what the URL is, not
        only that it has no such space)."""
        root, hosting, space = self._at_once(
            self._api_root, self._detect_hosting, lambda: self.resolve_space(space_name)
        )
        return _server_info(self.server_url, root, hosting), space

    def _at_once(self, *reads: Callable[[], Any]) -> list[Any]:
        """Every read in parallel; where several fail, the first one's error in this order is raised."""
        outcomes: list[tuple[Any, BaseException | None]] = [(None, None)] * len(reads)

        def run(index: int) -> None:
            try:
                outcomes[index] = (reads[index](), None)
            except Exception as error:  # raised below, in a fixed order
                outcomes[index] = (None, error)

        self.map(run, range(len(reads)))
        for _, error in outcomes:
            if error is not None:
                raise error
        return [value for value, _ in outcomes]

    def _api_root(self) -> dict[str, Any]:
        try:
            return self._request("GET", "/api", decode=self._decode_api_root)
        except ResourceNotFound:
            raise NotAnOctopusServer(
                f"{self.server_url} answered, but has no Octopus API at /api (404): check the server URL."
            ) from None

    def _decode_api_root(self, response: Answer) -> dict[str, Any]:
        try:
            root = decode_json(response)
        except UndecodableResponse as error:
            raise NotAnOctopusServer(
                f"{self.server_url} answered, but not as an Octopus Server: "
                f"GET /api returned no API document ({error})."
            ) from None
        if (
            not isinstance(root, dict)
            or not root.get("Version")
            or not ("Octopus" in str(root.get("Application", "")) or "ApiVersion" in root)
        ):
            raise NotAnOctopusServer(
                f"{self.server_url} answered, but not as an Octopus Server: GET /api has no Octopus version."
            )
        return root

    def _detect_hosting(self) -> Hosting:
        try:
            status = self.get("/api/licenses/licenses-current-status")
        except (ResourceNotFound, PermissionDenied):
            status = None
        hosting = status.get("HostingEnvironment") if isinstance(status, dict) else None
        if hosting in tuple(Hosting):
            return Hosting(hosting)
        return hosting_from_host(urlsplit(self.server_url).hostname or "")

    def list_spaces(self) -> list[dict[str, Any]]:
        try:
            return self.get_all("/api/spaces/all")
        except ResourceNotFound:
            pass
        try:
            return self.get_all("/api/spaces")
        except ResourceNotFound:
            raise ResourceNotFound(
                f"{self.server_url} has no spaces API: OctoDesk needs Octopus Server 2019.1 or later."
            ) from None

    def resolve_space(self, name: str) -> dict[str, Any]:
        """The space with exactly this name (case-insensitive only when that is unambiguous), or this
        space id (e.g. Spaces-1, as seen in the web portal's addresses)."""
        name = name.strip()
        spaces = self.list_spaces()
        exact = [space for space in spaces if space.get("Name") == name]
        if not exact:
            exact = [space for space in spaces if str(space.get("Name", "")).casefold() == name.casefold()]
        if not exact:
            exact = [space for space in spaces if str(space.get("Id", "")).casefold() == name.casefold()]
        if len(exact) == 1:
            return exact[0]
        names = [str(space.get("Name", "")) for space in spaces]
        if not exact:
            raise ResourceNotFound(_not_found_message("space", name, names, self.server_url))
        raise ResourceNotFound(f"More than one space on {self.server_url} is named '{name}' (ignoring case).")

    # --- concurrency ------------------------------------------------------------------------------

    def start_workers(self) -> None:
        """Start the pool's threads now: before a thread that touches a lot of memory at once (the bundle
        key derivation's 128 MB), as each thread started meanwhile waits on the memory map's lock."""
        self._workers.start()

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """``fn`` over ``items`` on the shared bounded pool; results in input order (see BoundedPool)."""
        return self._workers.map(fn, items)

    # --- the request loop -------------------------------------------------------------------------

    def _cancellable_sleep(self, seconds: float) -> None:
        if self.cancel.wait(seconds):
            raise Cancelled()

    def _backoff(self, attempt: int) -> float:
        """Exponential back-off with jitter: attempt 1 -> ~0.5 s, 2 -> ~1 s, ... capped."""
        ceiling = min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))
        return ceiling * (0.5 + self._random.random() / 2)

    def _url(self, path: str) -> str:
        if not path.startswith("/"):
            path = "/" + path
        prefix = urlsplit(self.server_url).path
        if prefix and path.startswith(prefix + "/api"):  # a link that already carries the virtual directory
            path = path[len(prefix) :]
        return self.server_url + path

    def _request(
        self,
        method: str,
        path: str,
        *,
        decode: Callable[[Answer], T],
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
    ) -> T:
        url = self._url(path)
        shown_path = urlsplit(path).path or path
        attempt = 0
        rate_limited_for = 0.0  # seconds this request has waited on the server's rate limiter
        refusals = 0
        while True:
            attempt += 1
            self.cancel.raise_if_cancelled()
            with self._rate_gate() as waited:
                rate_limited_for += waited
                failure = self._attempt(method, url, shown_path, attempt, decode, params, json_body, files)
            if isinstance(failure, _Success):
                return failure.value
            limited = isinstance(failure.error, RateLimited)
            if limited and rate_limited_for < self.rate_limit_patience:
                refusals += 1
                self._pause(failure.retry_after, refusals)
                attempt -= 1  # refused unprocessed: not a failed try
                continue
            if attempt > self.max_retries or not failure.may_retry(method) or limited:
                if limited:
                    note = f"refused again after {rate_limited_for:.0f} s of waiting on the rate limit"
                    _reword(failure.error, f"{failure.error.message.rstrip('.')} ({note})")
                elif attempt > 1 and failure.error.status is None and failure.transient:
                    tries = f" (after {attempt} attempts)."
                    _reword(failure.error, failure.error.message.rstrip(".") + tries)
                elif failure.transient and not failure.may_retry(method):
                    note = " (not sent again: the server may have applied it)"
                    _reword(failure.error, failure.error.message + note)
                error = failure.error
                del failure
                try:
                    raise error
                finally:
                    # This frame is in the error's traceback: a local naming the error would make a cycle
                    # that keeps every caller's frame (an export's whole source read) alive until a full
                    # collection, or for good once the engine froze it (octodesk/core/gc_pause.py).
                    del error
            delay = self._backoff(attempt)
            if failure.retry_after is not None:
                delay = min(failure.retry_after, self.retry_after_cap)
            log.info(
                "%s; retrying in %.1f s (attempt %d of %d)",
                failure.error.message.rstrip("."),
                delay,
                attempt + 1,
                self.max_retries + 1,
            )
            self.sleep(delay)

    def _pause(self, retry_after: float | None, refusals: int) -> None:
        """Hold every request of this client, not just the refused one, for the server's Retry-After (or a
        back-off): the others would only be refused too."""
        delay = min(retry_after, self.retry_after_cap) if retry_after is not None else self._backoff(refusals)
        with self._pause_lock:
            now = time.monotonic()
            newly_limited = now >= self._single_file_until
            self._single_file_until = now + delay + SINGLE_FILE_SECONDS
            self._paused_until = max(self._paused_until, now + delay)
        if newly_limited:  # said once (it can make a run take minutes), not at every pause
            log.warning(
                "The server is limiting the rate of requests (429); going on one request at a time, at the "
                "pace it allows (first wait %.1f s)",
                delay,
            )

    @contextmanager
    def _rate_gate(self) -> Iterator[float]:
        """Around one attempt: wait out the pause; within a minute of the last 429, also take the one slot
        (the whole pool sent again after each pause found tokens for three and was refused thirteen times).
        Yields the seconds waited on the pause."""
        single_file = time.monotonic() < self._single_file_until
        if single_file:
            while not self._single_file.acquire(timeout=0.2):
                self.cancel.raise_if_cancelled()
        try:
            yield self._wait_out_pause()
        finally:
            if single_file:
                self._single_file.release()

    def _wait_out_pause(self) -> float:
        """Wait until the client's pause (a 429's Retry-After) is over; the seconds waited."""
        with self._pause_lock:
            wait = math.ceil((self._paused_until - time.monotonic()) * 1000) / 1000  # whole milliseconds
        if wait <= 0:
            return 0.0
        self.sleep(wait)
        return wait

    def _attempt(
        self,
        method: str,
        url: str,
        shown_path: str,
        attempt: int,
        decode: Callable[[Answer], T],
        params: dict[str, Any] | None,
        json_body: Any,
        files: dict[str, tuple[str, bytes, str]] | None,
    ) -> _Success | Failure:
        with self._counts_lock:
            self._counts[method] += 1
        body, headers = _encoded_body(json_body, files, self._headers)
        try:
            response = self._transport.request(method, self._target(url, params), body, headers)
        except NoAnswer as error:
            failure = classify_no_answer(error, method, shown_path, self.server_url, self.timeout)
            return _sanitised(failure)
        log.debug("%s %s -> %s", method, shown_path, response.status)
        if not 200 <= response.status < 300:
            return _sanitised(classify_response(response, method, shown_path, attempt, self.server_url))
        try:
            return _Success(decode(response))
        except UndecodableResponse as error:
            return Failure(
                ServerFailure(
                    safe_message(f"{method} {shown_path}: {error}."), status=response.status, url=url
                ),
                transient=True,
                may_have_reached_server=True,
            )

    def _target(self, url: str, params: dict[str, Any] | None) -> str:
        """The request target (path and query) of a full URL of this server, quoted like requests does."""
        target = quote(url[len(self._origin) :], safe=_SAFE)
        if params:
            query = urlencode({key: value for key, value in params.items() if value is not None})
            target = f"{target}{'&' if '?' in target else '?'}{query}"
        return target


_SAFE = "/:@!$&'()*+,;=-._~%?"  # what requests leaves unquoted in a URL


def _encoded_body(
    json_body: Any, files: dict[str, tuple[str, bytes, str]] | None, headers: dict[str, str]
) -> tuple[bytes | None, dict[str, str]]:
    """The request body (JSON, or multipart for a file) and the headers that go with it."""
    if isinstance(json_body, EncodedJson):
        return json_body.data, {**headers, "Content-Type": "application/json"}
    if json_body is not None:
        data = json.dumps(json_body, allow_nan=False).encode("utf-8")
        return data, {**headers, "Content-Type": "application/json"}
    if files:
        boundary = uuid.uuid4().hex
        parts = []
        for field, (filename, content, content_type) in files.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
                f"Content-Type: {content_type}\r\n\r\n".encode()
                + content
                + b"\r\n"
            )
        data = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return data, {**headers, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    return None, headers


def credential_header(key: str) -> dict[str, str]:
    """An API key (``API-...``) goes in X-Octopus-ApiKey; anything else is an access token (e.g. from an
    OIDC token exchange), sent as a bearer token (go-octopusdeploy pkg/client/octopusdeploy.go)."""
    if key.startswith("API-"):
        return {"X-Octopus-ApiKey": key}
    return {"Authorization": f"Bearer {key}"}


class StreamedBody(Readable, Protocol):
    """A request body sent a chunk at a time (a file-like object with a known length)."""

    def __len__(self) -> int: ...


class Download:
    """The body of a streamed GET: ``length`` from Content-Length (None without one), ``chunks()``."""

    def __init__(self, answer: StreamedAnswer, failure: Callable[[NoAnswer], ServerError]) -> None:
        self._answer = answer
        self._failure = failure
        header = answer.headers.get("Content-Length")
        self.length = int(header) if header and header.isdigit() else None

    def chunks(self, size: int) -> Iterator[bytes]:
        """The body ``size`` bytes at a time (the last chunk may be shorter); a dropped connection is the
        client's ConnectionFailed, a stall longer than the timeout its RequestTimedOut."""
        while True:
            try:
                chunk = self._answer.read(size)
            except NoAnswer as error:
                raise self._failure(error) from None
            if not chunk:
                return
            yield chunk


def hosting_from_host(host: str) -> Hosting:
    """Fallback when the license status cannot be read: Octopus Cloud instances live under octopus.app."""
    return Hosting.CLOUD if host.lower().rstrip(".").endswith(CLOUD_HOST_SUFFIXES) else Hosting.SELF_HOSTED


@dataclass
class _Success:
    value: Any


def _reword(error: ServerError, message: str) -> None:
    error.message = message
    error.args = (message,)


def _server_info(server_url: str, root: dict[str, Any], hosting: Hosting) -> ServerInfo:
    version = str(root.get("Version") or "")
    application = str(root.get("Application") or "Octopus Deploy")
    return ServerInfo(url=server_url, version=version, hosting=hosting, application=application)


def _sanitised(failure: Failure) -> Failure:
    clean = safe_message(failure.error.message)
    if clean != failure.error.message:
        _reword(failure.error, clean)
    return failure


def _not_found_message(what: str, name: str, available: Sequence[str], server_url: str) -> str:
    close = difflib.get_close_matches(name, available, n=3, cutoff=0.5)
    close += [item for item in available if name.casefold() in item.casefold() and item not in close][:3]
    if close:
        hint = "Did you mean " + ", ".join(f"'{item}'" for item in close[:5]) + "?"
    elif available:
        shown = ", ".join(f"'{item}'" for item in sorted(available)[:10])
        more = f" and {len(available) - 10} more" if len(available) > 10 else ""
        hint = f"Available: {shown}{more}."
    else:
        hint = f"There is no {what} you can see."
    return f"No {what} named '{name}' on {server_url}. {hint}"


__all__ = [
    "CLOUD_HOST_SUFFIXES",
    "DEFAULT_CONCURRENCY",
    "Download",
    "OctopusClient",
    "ServerError",
    "ServerInfo",
    "StreamedBody",
    "credential_header",
    "hosting_from_host",
]

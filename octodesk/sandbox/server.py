"""SandboxServer: an Octopus-compatible HTTP/1.1 server on loopback with API-key auth and injected faults."""

from __future__ import annotations

import dataclasses
import json
import secrets
import string
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from .api import InProcessApi
from .body_stream import RequestBody
from .faults import Fault, FaultPlan
from .http_types import Request, Response
from .profiles import full_version, profile_for
from .rate_limit import RATE_LIMITING_SINCE, RateLimiter, RatePolicy
from .resources.packages import add_package_file
from .resources.spaces import system_teams
from .router import Router
from .store import Store
from .tasks import TaskEngine
from .wire import HttpServer, fault_response

ROLES = ("full", "read-only", "no-certificate-export", "restricted")
# What a "restricted" key's user lacks: the permission each of these collections needs to be read at all.
RESTRICTED_COLLECTIONS = {"machines": "MachineView", "teams": "TeamView"}
MISSING_KEY = "You must be logged in to perform this action. Please provide a valid API key or log in again."
INVALID_KEY = (
    "Either the API key you provided is invalid, or your account has been disabled. "
    "Please provide a valid API key or log in again."
)
NO_PERMISSION = (
    "You do not have permission to perform this action. Please contact your Octopus administrator."
)

DatasetSpec = str | Path | Callable[[Any], None] | None


def new_api_key() -> str:
    alphabet = string.ascii_uppercase + string.digits
    return "API-" + "".join(secrets.choice(alphabet) for _ in range(26))


class SandboxServer:
    def __init__(
        self,
        dataset: DatasetSpec = "empty",
        *,
        version: str = "2021.2.4488",
        hosting: str = "self-hosted",
        feature_toggles: Mapping[str, bool] | None = None,
        latency_ms: float = 0.0,
        fail_rate: float = 0.0,
        api_key: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        fault_seed: int = 20212,
    ) -> None:
        if hosting not in ("self-hosted", "cloud"):
            raise ValueError(f"hosting must be 'self-hosted' or 'cloud', not {hosting!r}")
        self.profile = profile_for(version)
        if feature_toggles is not None:
            self.profile = dataclasses.replace(
                self.profile, feature_toggles={**(self.profile.feature_toggles or {}), **feature_toggles}
            )
        self.version = full_version(version)
        self.hosting = hosting
        self.host = host
        self.port = port
        self.api_key = api_key or new_api_key()
        self._keys: dict[str, str] = {self.api_key: "full"}
        self._tokens: dict[str, str] = {}
        self.faults = FaultPlan(fail_rate=fail_rate, latency_ms=latency_ms, seed=fault_seed)
        self.store = Store()
        for team in system_teams():
            self.store.put("teams", team)
        self.tasks = TaskEngine(self.store, latency=lambda: self.faults.latency_ms / 1000.0)
        self.router = Router(
            self.store,
            version=self.version,
            profile=self.profile,
            hosting=hosting,
            installation_id=secrets.token_hex(16),
            tasks=self.tasks,
        )
        self.api = InProcessApi(self.router)
        self._log_lock = threading.Lock()
        self._log: list[tuple[str, str]] = []
        self._httpd: HttpServer | None = None
        self._thread: threading.Thread | None = None
        self._rate_limiter: RateLimiter | None = None
        self._load(dataset)

    def _load(self, dataset: DatasetSpec) -> None:
        if dataset is None:
            return
        if callable(dataset):
            dataset(self.api)
            return
        from .datasets import load

        load(str(dataset))(self.api)

    # lifecycle -------------------------------------------------------------------------------------
    def start(self) -> SandboxServer:
        if self._httpd is not None:
            return self
        self._httpd = HttpServer((self.host, self.port), self)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"sandbox-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and remove the built-in feed's package files (the feed is empty afterwards)."""
        self.tasks.shutdown()
        httpd, self._httpd = self._httpd, None
        if httpd is not None:
            httpd.shutdown()
            httpd.close_connections()
            httpd.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
        self.store.packages.close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    # observation -----------------------------------------------------------------------------------
    @property
    def request_count(self) -> int:
        with self._log_lock:
            return len(self._log)

    @property
    def request_log(self) -> list[tuple[str, str]]:
        with self._log_lock:
            return list(self._log)

    def reset_counters(self) -> None:
        with self._log_lock:
            self._log.clear()

    def record(self, method: str, path: str) -> None:
        with self._log_lock:
            self._log.append((method, path))

    def snapshot(self) -> dict[str, Any]:
        return self.store.snapshot()

    def add_package(self, space_name: str, path: str | Path) -> dict[str, Any]:
        """Copy a package file from disk into the space's built-in feed without HTTP (large benchmark
        packages), with an upload's checks; its package document. ValueError says why it was refused."""
        return add_package_file(self.router.ctx(self.space_id(space_name)), Path(path))

    def space_id(self, name: str) -> str:
        for space in self.store.collection("spaces").values():
            if space["Name"] == name:
                return str(space["Id"])
        raise LookupError(f"the sandbox has no space named {name!r}")

    # configuration ---------------------------------------------------------------------------------
    def add_api_key(self, key: str, role: str = "full") -> None:
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}, not {role!r}")
        self._keys[key] = role

    def add_access_token(self, token: str, role: str = "full") -> None:
        """A bearer access token (what an OIDC token exchange hands out), sent as
        ``Authorization: Bearer``."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}, not {role!r}")
        self._tokens[token] = role

    def role_of(self, key: str | None) -> str | None:
        return self._keys.get(key) if key else None

    def set_faults(
        self,
        *,
        fail_rate: float | None = None,
        latency_ms: float | None = None,
        modes: set[str] | frozenset[str] | None = None,
        slow_seconds: float | None = None,
    ) -> None:
        self.faults.configure(
            fail_rate=fail_rate, latency_ms=latency_ms, modes=modes, slow_seconds=slow_seconds
        )

    def fail_next(
        self,
        count: int = 1,
        mode: str = "503",
        *,
        method: str | None = None,
        path_contains: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        self.faults.fail_next(
            count, mode, method=method, path_contains=path_contains, retry_after=retry_after
        )

    def fail_next_task(self, message: str | None = None) -> None:
        """The next server task queued (export or import) fails with ``message`` (a test hook)."""
        if message is None:
            self.tasks.fail_next()
        else:
            self.tasks.fail_next(message)

    # one request -----------------------------------------------------------------------------------
    def respond(
        self, method: str, target: str, headers: Any, raw: bytes, *, stream: RequestBody | None = None
    ) -> tuple[Response | None, Fault | None]:
        """The answer to one HTTP request (None = drop the connection), with the fault applied, if any.
        ``stream``: the unread body of a streamed route (package upload), read by its handler."""
        url = urlsplit(target)
        self.record(method, _without_api_key(target, url.query))
        fault = self.faults.choose(method, url.path)
        if self.faults.latency_ms:
            time.sleep(self.faults.latency_ms / 1000.0)
        if fault is not None and fault.mode == "slow":
            time.sleep(self.faults.slow_seconds)
        elif fault is not None and fault.mode in ("drop", "503", "429", "html"):
            return fault_response(fault), fault
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        key = headers.get("X-Octopus-ApiKey")
        for name in [n for n in query if n.lower() == "apikey"]:
            key = key or query[name]
            del query[name]
        denied = self._authorise(method, url.path, key, headers.get("Authorization"))
        if denied is not None:
            return denied, fault
        limited = self._rate_limited(key or headers.get("Authorization"))
        if limited is not None:
            return limited, fault
        content_type = headers.get("Content-Type", "") or ""
        body: Any = None
        if (raw and "json" in content_type.lower()) or (raw and not content_type):
            try:
                body = json.loads(raw)
            except ValueError:
                return Response(
                    400, {"ErrorMessage": "The request body is not valid JSON.", "Errors": []}
                ), fault
        try:
            request = Request(method, url.path, query, body, raw, content_type, stream)
            return self.router.handle(request), fault
        except Exception as error:  # a sandbox bug: answer like the real server does, never drop silently
            body = {
                "ErrorMessage": "There was a problem with your request.",
                "Errors": [],
                "FullException": f"{type(error).__name__}: {error}",
            }
            return Response(500, body), fault

    def limit_rate(self, policy: RatePolicy | None) -> None:
        """Turn on Octopus's rate limiter for authenticated requests (2026.3 and later), or off (None)."""
        if policy is not None and self.profile.key < RATE_LIMITING_SINCE:
            line = ".".join(map(str, RATE_LIMITING_SINCE))
            raise ValueError(f"Octopus Server {self.version} has no rate limiter: it arrived in {line}")
        self._rate_limiter = RateLimiter(policy) if policy is not None else None

    @property
    def rate_limited_requests(self) -> int:
        """Requests the rate limiter refused (0 while it is off)."""
        return self._rate_limiter.refused if self._rate_limiter is not None else 0

    def _rate_limited(self, user: str | None) -> Response | None:
        limiter = self._rate_limiter
        wait = limiter.take(user) if limiter is not None and user else None
        if wait is None:
            return None
        message = "You have exceeded the rate limit for authenticated requests. Please try again later."
        return Response(429, {"ErrorMessage": message, "Errors": []}, headers={"Retry-After": str(wait)})

    def _authorise(
        self, method: str, path: str, key: str | None, authorization: str | None
    ) -> Response | None:
        is_root = path.rstrip("/") == "/api" and method == "GET"
        bearer = (
            authorization[7:].strip()
            if authorization and authorization.lower().startswith("bearer ")
            else None
        )
        if not key and not bearer:
            return None if is_root else Response(401, {"ErrorMessage": MISSING_KEY, "Errors": []})
        role = self.role_of(key) if key else self._tokens.get(bearer or "")
        if role is None:
            return Response(401, {"ErrorMessage": INVALID_KEY, "Errors": []})
        if role == "read-only" and method not in ("GET", "HEAD"):
            return Response(
                403, {"ErrorMessage": f"{NO_PERMISSION} This API key is read-only.", "Errors": []}
            )
        segments = [part.lower() for part in path.split("/") if part]
        denied_collection = next((c for c in RESTRICTED_COLLECTIONS if c in segments[1:3]), None)
        if role == "restricted" and denied_collection is not None:
            permission = RESTRICTED_COLLECTIONS[denied_collection]
            return Response(
                403, {"ErrorMessage": f"{NO_PERMISSION} Missing permission: {permission}", "Errors": []}
            )
        if (
            role == "no-certificate-export"
            and "/certificates/" in path
            and path.rstrip("/").endswith("/export")
        ):
            return Response(
                403,
                {
                    "ErrorMessage": f"{NO_PERMISSION} Missing permission: CertificateExportPrivateKey",
                    "Errors": [],
                },
            )
        return None


def _without_api_key(target: str, query: str) -> str:
    """The request target as logged: an API key passed as ?apikey= never reaches the request log."""
    if "apikey" not in query.lower():
        return target
    kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k.lower() != "apikey"]
    path = target.split("?", 1)[0]
    return f"{path}?{urlencode(kept)}" if kept else path

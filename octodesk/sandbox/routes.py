"""The sandbox's route table: every method and path template it serves, each with its handler.

Resource modules add their routes through one function each (``register_routes(table)``), so the whole
surface can be listed, checked against docs/api-evidence.md and compared with what real servers serve. A
route may be limited to some server profiles (``when``); on the others it does not exist (404).

Two route forms real servers also accept are applied as rewrites before matching, each with its evidence:
every ``/api/{spaceId}/...`` route is reachable without the space segment for the default space (the 2021.2
Swagger lists an unprefixed twin for each of its 299 space-scoped routes).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from .errors import method_not_allowed, not_found
from .http_types import Request, Response
from .profiles import PROFILES, Profile
from .resources.base import Behaviour, Ctx

ANSWERS = ("document", "collection", "array", "bytes", "empty")
METHODS = ("GET", "POST", "PUT", "DELETE")
SPACE_ID = re.compile(r"^Spaces-\d+$")


Handler = Callable[["Call"], Response]


class Site(Protocol):
    """What dispatching needs from the server: its profile, its spaces and a context per space."""

    profile: Profile

    def ctx(self, space_id: str | None) -> Ctx: ...

    def default_space(self) -> str | None: ...

    def has_space(self, space_id: str) -> bool: ...


@dataclass
class Call:
    """One matched request: the context, the request, the template's parameters (``{id}`` -> value) and
    the server it reached (for routes that run server-wide machinery, such as tasks)."""

    ctx: Ctx
    request: Request
    params: dict[str, str]
    site: Site

    def __getitem__(self, name: str) -> str:
        return self.params[name]


ProfileFilter = Callable[[Profile], bool]


def always(profile: Profile) -> bool:
    return True


@dataclass(frozen=True)
class Route:
    method: str
    template: str  # e.g. "/api/{spaceId}/variables/{id}"
    handler: Handler = field(compare=False)
    answers: str
    when: ProfileFilter = field(default=always, compare=False)

    @property
    def segments(self) -> tuple[str, ...]:
        return tuple(part for part in self.template.split("/") if part)

    @property
    def space_scoped(self) -> bool:
        return len(self.segments) > 1 and self.segments[1] == "{spaceId}"

    def profiles_label(self) -> str:
        """Which profiles serve the route, as docs/api-evidence.md writes it: "all", "2023.1+" or a list."""
        served = [profile.name for profile in PROFILES if self.when(profile)]
        if len(served) == len(PROFILES):
            return "all"
        if served and served == [p.name for p in PROFILES[len(PROFILES) - len(served) :]]:
            return f"{served[0]}+"
        return ", ".join(served) or "none"


class RouteTable:
    def __init__(self) -> None:
        self._routes: list[Route] = []
        self._by_length: dict[int, list[Route]] = {}

    def add(
        self, method: str, template: str, handler: Handler, *, answers: str, when: ProfileFilter = always
    ) -> None:
        if method not in METHODS or answers not in ANSWERS:
            raise ValueError(f"bad route {method} {template} ({answers})")
        route = Route(method, template, handler, answers, when)
        if any(r.method == method and r.template.lower() == template.lower() for r in self._routes):
            raise ValueError(f"route registered twice: {method} {template}")
        self._routes.append(route)
        self._by_length.setdefault(len(route.segments), []).append(route)

    @property
    def routes(self) -> list[Route]:
        return list(self._routes)

    def dispatch(self, site: Site, request: Request) -> Response:
        """The answer of the route this request matches on the site's profile; 404 or 405 like the real
        server."""
        segments = [part for part in request.path.split("/") if part]
        matched = self.match(request.method, segments, site.profile, site)
        if matched is None and _default_space_form(segments):
            space = site.default_space()
            if space is not None:
                matched = self.match(request.method, ["api", space, *segments[1:]], site.profile, site)
        if matched is None:
            raise not_found(request.path)
        route, params = matched
        if route is None:
            raise method_not_allowed(request.method, request.path)
        return route.handler(Call(site.ctx(params.get("spaceId")), request, params, site))

    def match(
        self,
        method: str,
        segments: list[str],
        profile: Profile,
        site: Site | None = None,
    ) -> tuple[Route | None, dict[str, str]] | None:
        """(route, params) for the most specific template matching ``segments``; (None, params) when the
        path exists with other methods only; None when no served template matches the path."""
        best: tuple[tuple[bool, ...], dict[str, str], list[Route]] | None = None
        for route in self._by_length.get(len(segments), []):
            if not route.when(profile):
                continue
            params = _bind(route.segments, segments)
            if params is None:
                continue
            rank = tuple(not part.startswith("{") for part in route.segments)
            if best is None or rank > best[0]:
                best = (rank, params, [route])
            elif rank == best[0]:
                best[2].append(route)
        if best is None:
            return None
        rank, params, routes = best
        space = params.get("spaceId")
        if space is not None and site is not None and not site.has_space(space):
            raise not_found(space)
        chosen = next((route for route in routes if route.method == method), None)
        return chosen, params

    def template_of(self, method: str, path: str) -> Route | None:
        """The route a logged request went to, whatever the profile (for the evidence test)."""
        segments = [part for part in path.split("?", 1)[0].split("/") if part]
        for profile in PROFILES:
            matched = self.match(method, segments, profile)
            if matched is not None and matched[0] is not None:
                return matched[0]
        return None


def add_kind_routes(
    table: RouteTable, behaviour: Behaviour, prefix: str = "/api/{spaceId}", *, when: ProfileFilter = always
) -> None:
    """The collection, ``/all`` and single-resource routes of one kind, as its Behaviour implements them."""
    kind = behaviour.kind
    base = f"{prefix}/{kind.route}"
    if kind.paged:
        table.add(
            "GET", base, lambda c: behaviour.list_items(c.ctx, c.request), answers="collection", when=when
        )
    if kind.has_all:
        table.add(
            "GET", f"{base}/all", lambda c: behaviour.all_items(c.ctx, c.request), answers="array", when=when
        )
    table.add("GET", f"{base}/{{id}}", lambda c: behaviour.get(c.ctx, c["id"]), answers="document", when=when)
    table.add(
        "PUT",
        f"{base}/{{id}}",
        lambda c: behaviour.update(c.ctx, c["id"], c.request),
        answers="document",
        when=when,
    )
    if kind.creatable:
        table.add("POST", base, lambda c: behaviour.create(c.ctx, c.request), answers="document", when=when)
        table.add(
            "DELETE", f"{base}/{{id}}", lambda c: behaviour.delete(c.ctx, c["id"]), answers="empty", when=when
        )


def _default_space_form(segments: list[str]) -> bool:
    return len(segments) >= 2 and segments[0].lower() == "api" and not SPACE_ID.match(segments[1])


def _bind(template: tuple[str, ...], segments: list[str]) -> dict[str, str] | None:
    params: dict[str, str] = {}
    for part, value in zip(template, segments, strict=True):
        if part.startswith("{"):
            name = part[1:-1]
            if name == "spaceId" and not SPACE_ID.match(value):
                return None
            params[name] = value
        elif part.lower() != value.lower():
            return None
    return params


__all__ = ["Call", "Handler", "ProfileFilter", "Route", "RouteTable", "Site", "add_kind_routes", "always"]

"""Maps Octopus REST routes to the resource behaviours; turns ApiError into the real error answer."""

from __future__ import annotations

import re

from .errors import ApiError, method_not_allowed, not_found
from .http_types import Request, Response
from .kinds import KINDS, SPACE_ROUTES
from .resources import library, packages, projects, spaces, task_routes, templates, variables
from .resources.base import Behaviour, Ctx, behaviour_for
from .store import Store
from .tasks import TaskEngine

_SPACE_ID = re.compile(r"^Spaces-\d+$")
_CANONICAL_ROUTES = {route.lower(): route for route in KINDS}
_EXTRA_SPACE_ROUTES = {"machineroles", "tenantvariables", "packages"}

for module in (spaces, projects, library, templates, variables):
    module.register_all()


class Router:
    def __init__(
        self,
        store: Store,
        *,
        version: str,
        hosting: str,
        installation_id: str,
        tasks: TaskEngine | None = None,
    ) -> None:
        self.store = store
        self.version = version
        self.hosting = hosting
        self.installation_id = installation_id
        self.tasks = tasks or TaskEngine(store)

    def handle(self, request: Request) -> Response:
        """One request at a time against the store (each takes well under a millisecond), so readers never
        see a collection change under them; injected latency is spent before this, in parallel."""
        try:
            if packages.is_package_route(request.path):  # streams files: the feed index has its own lock
                return self._route(request)
            with self.store.lock:
                return self._route(request)
        except ApiError as error:
            return Response(error.status, error.body())

    def default_space(self) -> str | None:
        for space in self.store.collection("spaces").values():
            if space.get("IsDefault"):
                return str(space["Id"])
        return None

    def _ctx(self, space_id: str | None) -> Ctx:
        return Ctx(self.store, space_id, self.version, self.hosting)

    def _route(self, request: Request) -> Response:
        segments = [s for s in request.path.split("/") if s]
        if not segments or segments[0].lower() != "api":
            raise not_found(request.path)
        served = task_routes.dispatch(self, request)
        if served is not None:
            return served
        segments = segments[1:]
        method = request.method
        if not segments:
            self._only(request, "GET")
            root = spaces.api_root(self.version, self.installation_id)
            root["Links"].update(task_routes.root_links(self.version, self.default_space()))
            return Response(200, root)
        head = segments[0].lower()
        if head == "licenses" and segments[1:] == ["licenses-current-status"]:
            self._only(request, "GET")
            return Response(200, spaces.license_status(self.hosting))
        if head == "users" and segments[1:] == ["me"]:
            self._only(request, "GET")
            return Response(
                200,
                {
                    "Id": "Users-1",
                    "Username": "sandbox",
                    "DisplayName": "Sandbox User",
                    "IsActive": True,
                    "IsService": False,
                    "Links": {"Self": "/api/users/Users-1"},
                },
            )
        if head == "spaces":
            if len(segments) >= 3:  # the 2026 form /api/spaces/{spaceId}/projects...
                return self._space_scoped(request, self._space(segments[1]), segments[2:])
            return self._kind(request, self._ctx(None), behaviour_for("spaces"), segments[1:])
        if head == "teams":
            return self._kind(request, self._ctx(None), behaviour_for("teams"), segments[1:])
        if _SPACE_ID.match(segments[0]):
            space_id = self._space(segments[0])
            if len(segments) == 1:
                self._only(request, "GET")
                root = spaces.space_root(space_id)
                root["Links"].update(task_routes.root_links(self.version, space_id))
                return Response(200, root)
            return self._space_scoped(request, space_id, segments[1:])
        if head in _CANONICAL_ROUTES or head in _EXTRA_SPACE_ROUTES:
            default = self.default_space()
            if default is None:
                raise not_found(request.path)
            return self._space_scoped(request, default, segments)
        if method not in ("GET", "POST", "PUT", "DELETE"):
            raise method_not_allowed(method, request.path)
        raise not_found(request.path)

    def _space(self, space_id: str) -> str:
        if self.store.get("spaces", space_id) is None:
            raise not_found(space_id)
        return space_id

    @staticmethod
    def _only(request: Request, *methods: str) -> None:
        if request.method not in methods:
            raise method_not_allowed(request.method, request.path)

    def _space_scoped(self, request: Request, space_id: str, rest: list[str]) -> Response:
        ctx = self._ctx(space_id)
        head = rest[0].lower()
        if head == "machineroles" and rest[1:] == ["all"]:
            self._only(request, "GET")
            roles = {role for m in self.store.in_space("machines", space_id) for role in m.get("Roles", [])}
            return Response(200, sorted(roles, key=str.lower))
        if head == "tenantvariables" and rest[1:] == ["all"]:
            self._only(request, "GET")
            return variables.all_tenant_variables(ctx, request)
        if head == "packages":
            return packages.route(ctx, request, rest[1:])
        route = _CANONICAL_ROUTES.get(head)
        if route is None or route not in SPACE_ROUTES:
            raise not_found(request.path)
        return self._kind(request, ctx, behaviour_for(route), rest[1:])

    def _kind(self, request: Request, ctx: Ctx, behaviour: Behaviour, rest: list[str]) -> Response:
        method, kind = request.method, behaviour.kind
        if not rest:
            if method == "GET":
                return behaviour.list_items(ctx, request)
            if method == "POST":
                return behaviour.create(ctx, request)
            raise method_not_allowed(method, request.path)
        if rest == ["all"] and (kind.has_all or kind.route == "variables"):
            self._only(request, "GET")
            return behaviour.all_items(ctx, request)
        if len(rest) == 1:
            if method == "GET":
                return behaviour.get(ctx, rest[0])
            if method == "PUT":
                return behaviour.update(ctx, rest[0], request)
            if method == "DELETE" and kind.creatable:
                return behaviour.delete(ctx, rest[0])
            raise method_not_allowed(method, request.path)
        return behaviour.subroute(ctx, request, rest[0], rest[1:])

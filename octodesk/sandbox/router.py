"""Dispatches requests through the route table; turns ApiError into the real error answer.

Every route lives in the resource module that implements it; ``ROUTE_MODULES`` lists those modules once.
A module that serves more routes adds itself here, with its rows in docs/api-evidence.md.
"""

from __future__ import annotations

from .errors import ApiError
from .http_types import Request, Response
from .profiles import Profile
from .resources import (
    configuration,
    credentials,
    library,
    packages,
    projects,
    settings,
    spaces,
    task_routes,
    templates,
    tenants,
    variables,
)
from .resources.base import Ctx
from .routes import RouteTable
from .store import Store
from .tasks import TaskEngine

ROUTE_MODULES = (
    spaces,
    configuration,
    projects,
    settings,
    library,
    credentials,
    templates,
    variables,
    tenants,
    packages,
    task_routes,
)


def build_table() -> RouteTable:
    table = RouteTable()
    for module in ROUTE_MODULES:
        module.register_routes(table)
    return table


TABLE = build_table()


class Router:
    def __init__(
        self,
        store: Store,
        *,
        version: str,
        profile: Profile,
        hosting: str,
        installation_id: str,
        tasks: TaskEngine | None = None,
    ) -> None:
        self.store = store
        self.version = version
        self.profile = profile
        self.hosting = hosting
        self.installation_id = installation_id
        self.tasks = tasks or TaskEngine(store)

    def handle(self, request: Request) -> Response:
        """One request at a time against the store (each takes well under a millisecond), so readers never
        see a collection change under them; injected latency is spent before this, in parallel."""
        try:
            if packages.is_package_route(request.path):  # streams files: the feed index has its own lock
                return TABLE.dispatch(self, request)
            with self.store.lock:
                return TABLE.dispatch(self, request)
        except ApiError as error:
            return Response(error.status, error.body())

    # the Site the route table dispatches on ----------------------------------------------------------
    def ctx(self, space_id: str | None) -> Ctx:
        return Ctx(self.store, space_id, self.version, self.hosting, self.profile, self.installation_id)

    def default_space(self) -> str | None:
        for space in self.store.collection("spaces").values():
            if space.get("IsDefault"):
                return str(space["Id"])
        return None

    def has_space(self, space_id: str) -> bool:
        return self.store.get("spaces", space_id) is not None

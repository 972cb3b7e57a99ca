"""The one registration point of the task, artifact and Export/Import Projects routes: a declarative table
(method, path template, handler) the router consults before its kind routes, and which lists them all.

``{spaceId}`` must name an existing space (404 otherwise); ``/api/artifacts`` without a space answers for
the default space, as the router does for kind routes. The Export/Import Projects routes exist from 2021.1
(before that a real server answers 404, and so does the sandbox).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import method_not_allowed, not_found
from ..http_types import Request, Response
from . import artifacts, import_export, tasks
from .import_export import TaskServer

Handler = Callable[[TaskServer, Request, dict[str, str]], Response]
_SPACE_ID = re.compile(r"^Spaces-\d+$")


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    handler: Handler
    import_export: bool = False

    @property
    def segments(self) -> list[str]:
        return [s for s in self.template.split("/") if s]


def _space(params: dict[str, str]) -> str | None:
    return params.get("spaceId")


def _default_space(server: TaskServer) -> str:
    space = next((s["Id"] for s in server.store.collection("spaces").values() if s.get("IsDefault")), None)
    if space is None:
        raise not_found("/api/artifacts")
    return str(space)


def _task_routes(prefix: str) -> list[Route]:
    return [
        Route("GET", f"{prefix}/tasks/{{id}}", lambda s, r, p: tasks.get_task(s.tasks, p["id"], _space(p))),
        Route(
            "GET",
            f"{prefix}/tasks/{{id}}/details",
            lambda s, r, p: tasks.details(s.tasks, r, p["id"], _space(p)),
        ),
        Route(
            "GET", f"{prefix}/tasks/{{id}}/raw", lambda s, r, p: tasks.raw_log(s.tasks, p["id"], _space(p))
        ),
        Route(
            "POST",
            f"{prefix}/tasks/{{id}}/cancel",
            lambda s, r, p: tasks.cancel_task(s.tasks, p["id"], _space(p)),
        ),
    ]


def _artifact_routes(prefix: str, space: Callable[[TaskServer, dict[str, str]], str]) -> list[Route]:
    return [
        Route(
            "GET", f"{prefix}/artifacts", lambda s, r, p: artifacts.list_artifacts(s.tasks, r, space(s, p))
        ),
        Route(
            "GET",
            f"{prefix}/artifacts/{{id}}",
            lambda s, r, p: artifacts.get_artifact(s.tasks, space(s, p), p["id"]),
        ),
        Route(
            "GET",
            f"{prefix}/artifacts/{{id}}/content",
            lambda s, r, p: artifacts.artifact_content(s.tasks, space(s, p), p["id"]),
        ),
    ]


def _import_export(method: str, path: str, handler: Callable[[TaskServer, Request, str], Response]) -> Route:
    return Route(
        method,
        f"/api/{{spaceId}}/projects/import-export/{path}",
        lambda s, r, p: handler(s, r, p["spaceId"]),
        import_export=True,
    )


ROUTES: list[Route] = [
    *_task_routes("/api"),
    *_task_routes("/api/{spaceId}"),
    *_artifact_routes("/api", lambda s, p: _default_space(s)),
    *_artifact_routes("/api/{spaceId}", lambda s, p: p["spaceId"]),
    _import_export("POST", "export", import_export.export_projects),
    _import_export("GET", "import-files", import_export.list_import_files),
    _import_export("POST", "import-files", import_export.upload_import_file),
    _import_export("POST", "import/preview", import_export.preview_import),
    _import_export("POST", "import", import_export.import_projects),
]


def served_routes(version: str) -> list[Route]:
    """The routes a server of this version answers."""
    has_feature = import_export.has_import_export(version)
    return [route for route in ROUTES if has_feature or not route.import_export]


def _match(route: Route, segments: list[str]) -> dict[str, str] | None:
    pattern = route.segments
    if len(pattern) != len(segments):
        return None
    params: dict[str, str] = {}
    for expected, actual in zip(pattern, segments, strict=True):
        if expected == "{spaceId}":
            if not _SPACE_ID.match(actual):
                return None
            params["spaceId"] = actual
        elif expected.startswith("{"):
            params[expected.strip("{}")] = actual
        elif expected.lower() != actual.lower():
            return None
    return params


def dispatch(server: TaskServer, request: Request) -> Response | None:
    """The answer when the path is one of these routes; None to let the router carry on."""
    segments = [s for s in request.path.split("/") if s]
    matched: list[tuple[Route, dict[str, str]]] = []
    for route in served_routes(server.version):
        params = _match(route, segments)
        if params is not None:
            matched.append((route, params))
    if not matched:
        return None
    space_id = matched[0][1].get("spaceId")
    if space_id is not None and server.store.get("spaces", space_id) is None:
        raise not_found(space_id)
    for route, params in matched:
        if route.method == request.method:
            return route.handler(server, request, params)
    raise method_not_allowed(request.method, request.path)


def root_links(version: str, space_id: str | None) -> dict[str, Any]:
    """The links a real root document has for these routes (api-root-2023.1.json)."""
    prefix = f"/api/{space_id}" if space_id else "/api"
    links = {"Artifacts": f"{prefix}/artifacts{{/id}}{{?skip,take,regarding,ids,partialName,order}}"}
    if import_export.has_import_export(version) and space_id:
        base = f"{prefix}/projects/import-export"
        links.update(
            {
                "ExportProjects": f"{base}/export",
                "ImportProjects": f"{base}/import",
                "ProjectImportFiles": f"{base}/import-files",
                "ProjectImportPreview": f"{base}/import/preview",
            }
        )
    return links

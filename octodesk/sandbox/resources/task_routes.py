"""The one registration point of the task, artifact and Export/Import Projects routes (``register_routes``
adds them to the sandbox's route table).

``{spaceId}`` must name an existing space (404 otherwise); ``/api/artifacts`` without a space answers for
the default space, as the router does for kind routes. The Export/Import Projects routes exist from 2021.1
(before that a real server answers 404, and so does the sandbox, whatever profile it has).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from ..errors import not_found
from ..http_types import Request, Response
from ..routes import Call, RouteTable
from . import artifacts, import_export, tasks
from .import_export import TaskServer

Handler = Callable[[TaskServer, Request, dict[str, str]], Response]


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    handler: Handler
    import_export: bool = False
    answers: str = "document"


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
            "GET",
            f"{prefix}/tasks/{{id}}/raw",
            lambda s, r, p: tasks.raw_log(s.tasks, p["id"], _space(p)),
            answers="bytes",
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
            "GET",
            f"{prefix}/artifacts",
            lambda s, r, p: artifacts.list_artifacts(s.tasks, r, space(s, p)),
            answers="collection",
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
            answers="bytes",
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


def register_routes(table: RouteTable) -> None:
    for route in ROUTES:
        table.add(route.method, route.template, _adapt(route), answers=route.answers)


def _adapt(route: Route) -> Callable[[Call], Response]:
    def handle(call: Call) -> Response:
        server = cast(TaskServer, call.site)
        if route.import_export and not import_export.has_import_export(server.version):
            raise not_found(call.request.path)
        return route.handler(server, call.request, call.params)

    return handle


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

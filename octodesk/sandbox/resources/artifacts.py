"""Artifact routes: the paged list (``regarding=`` a task), one artifact, and its content as bytes
(2021.2 Swagger ArtifactResource; the newest first, as the Swagger's list description says)."""

from __future__ import annotations

from ..errors import not_found
from ..http_types import Request, Response
from ..paging import collection, filter_items
from ..store import Document
from ..tasks import Artifact, TaskEngine

_TEMPLATE = "{prefix}/artifacts{{/id}}{{?skip,take,regarding,ids,partialName,order}}"


def _render(artifact: Artifact) -> Document:
    doc = artifact.doc
    base = f"/api/{doc['SpaceId']}/artifacts/{doc['Id']}"
    return {**doc, "Links": {"Self": base, "Content": f"{base}/content"}}


def _find(engine: TaskEngine, space_id: str, artifact_id: str) -> Artifact:
    artifact = engine.artifacts.get(artifact_id)
    if artifact is None or artifact.doc["SpaceId"] != space_id:
        raise not_found(artifact_id)
    return artifact


def list_artifacts(engine: TaskEngine, request: Request, space_id: str) -> Response:
    with engine.lock:
        artifacts = [a for a in engine.artifacts.values() if a.doc["SpaceId"] == space_id]
    regarding = request.query.get("regarding")
    if regarding:
        artifacts = [a for a in artifacts if a.doc["ServerTaskId"] == regarding]
    by_id = {a.doc["Id"]: a for a in artifacts}
    # partialName= matches the file name: filter_items reads Name, so give a copy one
    chosen = filter_items([{**a.doc, "Name": a.doc["Filename"]} for a in artifacts], request.query)
    chosen.sort(key=lambda d: d["Created"], reverse=request.query.get("order", "desc").lower() != "asc")
    body = collection(
        chosen,
        request.query,
        item_type="Artifact",
        base_path=request.path,
        template=_TEMPLATE.format(prefix=f"/api/{space_id}"),
        render=lambda d: _render(by_id[d["Id"]]),
    )
    return Response(200, body)


def get_artifact(engine: TaskEngine, space_id: str, artifact_id: str) -> Response:
    with engine.lock:
        return Response(200, _render(_find(engine, space_id, artifact_id)))


def artifact_content(engine: TaskEngine, space_id: str, artifact_id: str) -> Response:
    with engine.lock:
        artifact = _find(engine, space_id, artifact_id)
    filename = artifact.doc["Filename"]
    content_type = "application/zip" if filename.lower().endswith(".zip") else "application/octet-stream"
    return Response(
        200,
        artifact.data,
        content_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )

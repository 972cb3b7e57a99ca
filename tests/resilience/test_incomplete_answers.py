"""Well-formed JSON that does not hold what was asked for: a ``?ids=`` answer missing one of the requested
documents (deleted meanwhile, or filtered by a proxy), or a list whose items are not objects. The export
must not report success over a bundle that silently lacks part of a project, and every such answer must end
in one typed error rather than a Python exception."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from resilience_support import SandboxAnswer, export_demo, files_in

from octodesk.core.errors import OctoDeskError
from octodesk.sandbox import SandboxServer
from octodesk.sandbox.http_types import Response

Rewrite = Callable[[str, Any], Any]


def rewrite_answers(server: SandboxServer, path_contains: str, rewrite: Rewrite) -> None:
    """Pass GET answers whose path contains ``path_contains`` through ``rewrite(target, body)``."""
    original = server.respond

    def respond(method: str, target: str, headers: Any, raw: bytes) -> SandboxAnswer:
        response, fault = original(method, target, headers, raw)
        if method != "GET" or not urlsplit(target).path.endswith(path_contains) or response is None:
            return response, fault
        body = response.body if not isinstance(response.body, bytes) else json.loads(response.body)
        return Response(response.status, rewrite(target, body)), fault

    server.respond = respond  # type: ignore[method-assign]


class WithoutFirstRequested:
    """Answers to ``?ids=`` reads lose the first id asked for (as if deleted a moment before); ``removed``
    lists the ids taken out."""

    def __init__(self) -> None:
        self.removed: list[str] = []

    def __call__(self, target: str, page: Any) -> Any:
        requested = parse_qs(urlsplit(target).query).get("ids", [""])[0].split(",")
        if not requested[0]:
            return page
        given = page["Items"] if isinstance(page, dict) else page  # /variables?ids= answers a bare array
        items = [item for item in given if item["Id"] != requested[0]]
        if len(items) < len(given):
            self.removed.append(requested[0])
        return {**page, "Items": items, "TotalResults": len(items)} if isinstance(page, dict) else items


def names_for(source: SandboxServer, doc_id: str) -> list[str]:
    """How a message may name a document: its id, or the name of the project that owns it."""
    for documents in source.snapshot()["documents"].values():
        doc = documents.get(doc_id)
        if doc is not None:
            owner = next(
                (
                    d
                    for d in source.snapshot()["documents"]["projects"].values()
                    if d["Id"] in (doc.get("ProjectId"), doc.get("OwnerId"))
                ),
                None,
            )
            return [doc_id] + ([owner["Name"]] if owner else [])
    return [doc_id]


@pytest.mark.parametrize("route", ["/deploymentprocesses", "/variables", "/runbookProcesses"])
def test_a_requested_document_missing_from_the_answer_is_not_a_silent_success(
    tmp_path: Path, route: str
) -> None:
    with SandboxServer("demo") as source:
        lose_one = WithoutFirstRequested()
        rewrite_answers(source, route, lose_one)
        destination = tmp_path / "demo.octobundle"
        try:
            report, _ = export_demo(source, destination)
        except OctoDeskError as error:  # refusing the export is one acceptable answer...
            assert lose_one.removed, str(error)
            assert any(name in str(error) for name in names_for(source, lose_one.removed[0])), str(error)
            assert files_in(tmp_path) == []
            return
        # ...warning that the bundle lacks the document is the other
        assert lose_one.removed, "the answer should have lost a document"
        names = names_for(source, lose_one.removed[0])
        named = [warning for warning in report.warnings if any(name in warning for name in names)]
        assert named, f"export succeeded without naming the missing {names}: {report.warnings}"


def test_a_list_of_non_objects_is_a_server_failure(tmp_path: Path) -> None:
    with SandboxServer("demo") as source:
        rewrite_answers(source, "/projects/all", lambda _target, _body: [1, 2])
        with pytest.raises(OctoDeskError, match="/projects/all"):
            export_demo(source, tmp_path / "demo.octobundle")
        assert files_in(tmp_path) == []

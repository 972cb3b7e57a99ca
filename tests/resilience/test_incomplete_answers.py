"""Well-formed JSON that does not hold what was asked for: a ``?ids=`` answer missing one of the requested
documents (deleted meanwhile, or filtered by a proxy), a list whose items are not objects, a create answered
without the created resource. The export must not report success over a bundle that silently lacks part of
a project, and every such answer must end in one typed error rather than a Python exception."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from resilience_support import (
    SandboxAnswer,
    export_demo,
    files_in,
    import_demo,
    normalised_state,
    state_differences,
)

from octodesk.core.errors import OctoDeskError
from octodesk.sandbox import SandboxServer
from octodesk.sandbox.http_types import Response

Rewrite = Callable[[str, Any], Any]


def rewrite_answers(
    server: SandboxServer, path_ends: str, rewrite: Rewrite, method_rewritten: str = "GET", times: int = -1
) -> None:
    """Pass answers to ``method_rewritten`` requests whose path ends with ``path_ends`` through
    ``rewrite(target, body)`` (the first ``times`` of them; all when negative). The request itself is
    carried out as usual."""
    original = server.respond
    remaining = [times]

    def respond(method: str, target: str, headers: Any, raw: bytes) -> SandboxAnswer:
        response, fault = original(method, target, headers, raw)
        matches = method == method_rewritten and urlsplit(target).path.endswith(path_ends)
        if not matches or response is None or remaining[0] == 0:
            return response, fault
        remaining[0] -= 1
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
        given = page["Items"] if isinstance(page, dict) else page  # /variables/all?ids= answers a bare array
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


@pytest.mark.parametrize("route", ["/deploymentprocesses", "/variables/all", "/runbookProcesses"])
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


@pytest.mark.parametrize("answer", [{}, None, []], ids=["no-id", "null", "a-list"])
def test_a_create_answered_without_the_created_resource_is_a_server_failure_then_resumes(
    demo_bundle: Path, clean_import_state: dict[str, Any], answer: Any
) -> None:
    with SandboxServer("empty") as target:
        rewrite_answers(target, "/projects", lambda _target, _body: answer, method_rewritten="POST", times=1)
        with pytest.raises(OctoDeskError, match=r"POST /api/.*/projects"):
            import_demo(target, demo_bundle)
        assert import_demo(target, demo_bundle).succeeded
        differences = state_differences(normalised_state(target), clean_import_state)
        assert differences == [], "\n".join(differences)


def test_a_process_update_answered_with_null_is_a_server_failure(demo_bundle: Path) -> None:
    with SandboxServer("empty") as server:
        original = server.respond

        def null_for_processes(method: str, target: str, headers: Any, raw: bytes) -> SandboxAnswer:
            response, fault = original(method, target, headers, raw)
            if method == "PUT" and "/deploymentprocesses/" in target and response is not None:
                return Response(response.status, None), fault  # applied; the answer is JSON null
            return response, fault

        server.respond = null_for_processes  # type: ignore[method-assign]
        with pytest.raises(OctoDeskError, match=r"PUT /api/.*/deploymentprocesses/"):
            import_demo(server, demo_bundle)

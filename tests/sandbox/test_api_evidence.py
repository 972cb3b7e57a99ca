"""docs/api-evidence.md and the sandbox's route table agree: every served route has a cited row, every row is
served (or is documented as absent on real servers and is absent here too)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from api_evidence import Row, evidence_rows

from octodesk.sandbox.profiles import PROFILES
from octodesk.sandbox.router import TABLE

_SWAGGER_CITATION = re.compile(r"1 swagger 2021\.2: (GET|PUT|POST|DELETE) (/[^\s;?,]*)")


def _routes() -> dict[tuple[str, str], Any]:
    return {(route.method, route.template): route for route in TABLE.routes}


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path).lower()


def test_every_served_route_has_a_row_with_its_answers_and_profiles() -> None:
    rows = {row.key: row for row in evidence_rows()}
    problems = []
    for key, route in _routes().items():
        row = rows.get(key)
        if row is None:
            problems.append(f"no row for {key[0]} {key[1]}")
            continue
        if row.answers != route.answers:
            problems.append(
                f"{key[0]} {key[1]}: the table says {row.answers}, the route answers {route.answers}"
            )
        if row.profiles != route.profiles_label():
            problems.append(
                f"{key[0]} {key[1]}: the table says profiles {row.profiles}, "
                f"served on {route.profiles_label()}"
            )
    assert problems == []


def test_every_row_is_a_served_route_or_documented_as_absent() -> None:
    served = _routes()
    stale = [
        f"{row.method} {row.route} ({row.section})"
        for row in evidence_rows()
        if row.method != "*" and row.profiles != "none" and row.key not in served
    ]
    assert stale == []


def test_every_row_cites_ranked_evidence() -> None:
    unranked = [f"{row.method} {row.route}: {row.evidence}" for row in evidence_rows() if not row.ranked()]
    assert unranked == []


def test_rank_one_citations_are_in_the_2021_2_swagger(swagger: dict[str, Any]) -> None:
    paths: dict[str, set[str]] = {}
    for path, ops in swagger["paths"].items():  # /projects/{id} and /projects/{projectId} share a shape
        paths.setdefault(_shape(path), set()).update(method.upper() for method in ops)
    wrong = []
    for row in evidence_rows():
        for method, path in _SWAGGER_CITATION.findall(row.evidence):
            if method not in paths.get(_shape(path), set()):
                wrong.append(f"{row.method} {row.route} cites {method} {path}")
    assert wrong == []


def test_rows_that_cite_the_swagger_serve_that_shape(swagger: dict[str, Any]) -> None:
    """A rank-1 row's template is the Swagger path it cites (``/api/{spaceId}/x`` = ``/{baseSpaceId}/x``)."""
    mismatched = []
    for row in evidence_rows():
        if row.method == "*" or row.profiles == "none":
            continue
        cited = [path for method, path in _SWAGGER_CITATION.findall(row.evidence) if method == row.method]
        served = _shape(row.route.removeprefix("/api").replace("{spaceId}", "{baseSpaceId}") or "/")
        if cited and served not in {_shape(path) for path in cited}:
            mismatched.append(f"{row.method} {row.route} cites {cited}")
    assert mismatched == []


@pytest.mark.parametrize("row", [r for r in evidence_rows() if r.profiles == "none"], ids=lambda r: r.route)
def test_routes_real_servers_lack_are_not_served(row: Row, sandbox_factory: Callable[..., Any]) -> None:
    server = sandbox_factory("demo", version=PROFILES[-1].name)
    import requests

    path = row.route.replace("{spaceId}", server.space_id("Default"))
    answer = requests.request(
        row.method,
        server.url + path,
        params={"ids": "x"},
        headers={"X-Octopus-ApiKey": server.api_key},
        timeout=10,
    )
    assert answer.status_code == 404

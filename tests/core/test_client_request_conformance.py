"""The documents OctoDesk writes through the client validate against the real server's Swagger.

A demo export is imported into an empty sandbox twice (create, then update_existing), recording every JSON
body the client sends; each is checked against the body schema Swagger 2021.2 gives for that route, with the
same null-tolerant, no-undeclared-properties rules as the sandbox's response conformance tests.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from octodesk.core.apply import import_bundle
from octodesk.core.export import export_projects
from octodesk.core.octopus.client import OctopusClient
from octodesk.core.octopus.http import EncodedJson
from octodesk.core.plan import ImportOptions
from octodesk.sandbox import SandboxServer
from octodesk.sandbox.datasets.demo_shared import CERTIFICATE_PASSWORD

PASSWORD = "correct horse battery staple"
DEMO_PROJECTS = ["Web Portal", "Billing API", "Database Migrations", "Release Orchestrator"]
# 2021.2 reads these bodies by hand, so its Swagger operation has no body parameter; the resource is the
# one the route serves (GET of the same route returns it).
UNDECLARED_BODIES = {
    r"/variables/[^/]+$": "VariableSetResource",
    r"/runbookProcesses/[^/]+$": "RunbookProcessResource",
    r"/deploymentprocesses/[^/]+$": "DeploymentProcessResource",
}


class RecordingClient(OctopusClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.writes: list[tuple[str, str, Any]] = []

    def post(self, path: str, body: Any) -> Any:
        self.writes.append(("POST", path, _decoded(body)))
        return super().post(path, body)

    def put(self, path: str, body: Any) -> Any:
        self.writes.append(("PUT", path, _decoded(body)))
        return super().put(path, body)


def _decoded(body: Any) -> Any:
    """The document a write sends, also when the import encoded it already (EncodedJson)."""
    return json.loads(body.data) if isinstance(body, EncodedJson) else body


def load_swagger_schemas() -> ModuleType:
    """The sandbox suite's Swagger-to-JSON-Schema rules, shared rather than repeated."""
    path = Path(__file__).resolve().parents[1] / "sandbox" / "swagger_schema.py"
    spec = importlib.util.spec_from_file_location("sandbox_swagger_schema", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def body_definitions(swagger: dict[str, Any]) -> list[tuple[str, re.Pattern[str], int, str]]:
    """(method, route pattern, template parameter count, definition) for every POST/PUT with a body."""
    found = []
    for template, operations in swagger["paths"].items():
        for method, operation in operations.items():
            if method not in ("post", "put"):
                continue
            for parameter in operation.get("parameters", []):
                ref = parameter.get("schema", {}).get("$ref", "") if parameter.get("in") == "body" else ""
                if ref:
                    pattern = re.compile("^/api" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$")
                    found.append((method.upper(), pattern, template.count("{"), ref.rsplit("/", 1)[1]))
    return found


def definition_for(method: str, path: str, bodies: list[tuple[str, re.Pattern[str], int, str]]) -> str | None:
    route = path.split("?", 1)[0]
    matches = sorted(
        (count, name) for verb, pattern, count, name in bodies if verb == method and pattern.match(route)
    )
    if matches:
        return matches[0][1]  # the most literal template wins (/projects/all over /projects/{id})
    return next((name for suffix, name in UNDECLARED_BODIES.items() if re.search(suffix, route)), None)


@pytest.fixture(scope="module")
def recorded_writes(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str, Any]]:
    bundle = tmp_path_factory.mktemp("conformance") / "demo.octobundle"
    with SandboxServer("demo") as source, OctopusClient(source.url, source.api_key) as reader:
        secrets = {
            "certificate:Portal TLS/Password": CERTIFICATE_PASSWORD,
            "account:Azure Portal Subscription/Password": "azure-SP-from-secrets-file",
            "account:AWS Billing/SecretKey": "aws-secret-from-secrets-file",
        }
        assert export_projects(reader, "Default", DEMO_PROJECTS, bundle, PASSWORD, secrets=secrets).succeeded
    with SandboxServer("empty") as target, RecordingClient(target.url, target.api_key) as writer:
        assert import_bundle(bundle, PASSWORD, writer, "Default", ImportOptions()).succeeded
        again = import_bundle(bundle, PASSWORD, writer, "Default", ImportOptions(update_existing=True))
        assert again.succeeded
        return writer.writes


def test_every_body_the_client_writes_conforms(
    swagger: dict[str, Any], recorded_writes: list[tuple[str, str, Any]]
) -> None:
    schemas = load_swagger_schemas().SwaggerSchemas(swagger)
    bodies = body_definitions(swagger)
    problems: list[str] = []
    checked: Counter[str] = Counter()
    for method, path, body in recorded_writes:
        definition = definition_for(method, path, bodies)
        if definition is None:
            problems.append(f"{method} {path}: no Swagger body definition for this route")
            continue
        checked[definition] += 1
        problems += [f"{method} {path} ({definition}): {error}" for error in schemas.errors(body, definition)]
    assert not problems, "\n".join(problems[:40])
    assert sum(checked.values()) == len(recorded_writes) > 0
    # creates and updates of the kinds an import writes: one definition per kind
    for kind in ("Project", "Environment", "VariableSet", "DeploymentProcess", "Tenant", "ActionTemplate"):
        assert checked[f"{kind}Resource"], f"no {kind}Resource body was written"
    assert len(checked) >= 15, sorted(checked)  # 22 definitions with the demo data today


def test_the_check_itself_catches_a_bad_body_and_routes_correctly(swagger: dict[str, Any]) -> None:
    schemas = load_swagger_schemas().SwaggerSchemas(swagger)
    bodies = body_definitions(swagger)
    assert definition_for("POST", "/api/Spaces-1/environments", bodies) == "EnvironmentResource"
    assert definition_for("PUT", "/api/Spaces-1/projects/Projects-1", bodies) == "ProjectResource"
    variables = "/api/Spaces-1/variables/variableset-Projects-1"
    assert definition_for("PUT", variables, bodies) == "VariableSetResource"
    assert schemas.errors({"Name": "Production", "SortOrder": 1}, "EnvironmentResource") == []
    assert schemas.errors({"Name": "Production", "Colour": "red"}, "EnvironmentResource")
    assert schemas.errors({"Name": "Production", "SortOrder": "first"}, "EnvironmentResource")

"""Shared helpers of the import tests: export a bundle from a demo sandbox, import it, read the target."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from octodesk.core.apply import import_bundle
from octodesk.core.export import export_projects
from octodesk.core.octopus.client import OctopusClient
from octodesk.core.plan import ImportOptions
from octodesk.core.report import Report
from octodesk.sandbox.datasets.demo_shared import CERTIFICATE_PASSWORD

PASSWORD = "correct horse battery staple"
DEMO_PROJECTS = ["Web Portal", "Billing API", "Database Migrations", "Release Orchestrator"]
CERTIFICATE_SECRETS = {"certificate:Portal TLS/Password": CERTIFICATE_PASSWORD}
# The demo accounts' required secrets, as a user supplies them in a secrets file (the API never returns them).
ACCOUNT_SECRETS = {
    "account:Azure Portal Subscription/Password": "azure-SP-from-secrets-file",
    "account:AWS Billing/SecretKey": "aws-secret-from-secrets-file",
}


def client_for(server: Any, **options: Any) -> OctopusClient:
    return OctopusClient(server.url, server.api_key, **options)


def export_demo(
    source: Any, path: Path, projects: list[str] | None = None, secrets: dict[str, str] | None = None
) -> Path:
    with client_for(source) as client:
        report = export_projects(
            client,
            "Default",
            projects or DEMO_PROJECTS,
            path,
            PASSWORD,
            secrets={**CERTIFICATE_SECRETS, **ACCOUNT_SECRETS, **(secrets or {})},
        )
    assert report.succeeded
    return path


def import_into(target: Any, bundle: Path, space: str = "Default", **options: Any) -> Report:
    with client_for(target, concurrency=options.pop("concurrency", 8)) as client:
        return import_bundle(bundle, PASSWORD, client, space, ImportOptions(**options))


def space_docs(server: Any, route: str, space: str = "Default") -> list[dict[str, Any]]:
    """Every stored document of a collection in one space (read from the server's own store)."""
    space_id = server.space_id(space)
    documents = server.snapshot()["documents"].get(route, {})
    return [doc for doc in documents.values() if doc.get("SpaceId") in (space_id, None)]


def named(server: Any, route: str, name: str, space: str = "Default") -> list[dict[str, Any]]:
    return [doc for doc in space_docs(server, route, space) if doc.get("Name") == name]


def one(server: Any, route: str, name: str, space: str = "Default") -> dict[str, Any]:
    found = named(server, route, name, space)
    assert len(found) == 1, f"expected one {route} named {name!r}, found {len(found)}"
    return found[0]


def names(server: Any, route: str, space: str = "Default") -> list[str]:
    return sorted(str(doc.get("Name")) for doc in space_docs(server, route, space))


def stored_tenant_value(
    server: Any, tenant_id: str, owner_id: str, template_id: str, environment_id: str | None = None
) -> Any:
    """The value a tenant holds for a project template in one environment, or for a library-set template
    (unscoped when ``environment_id`` is None), as the server stored it (secrets included)."""
    for value in server.snapshot()["tenant_variables"].get(tenant_id, {}).get("Values", []):
        scope = value["EnvironmentIds"]
        in_scope = environment_id in scope if environment_id is not None else not scope
        if value["OwnerId"] == owner_id and value["TemplateId"] == template_id and in_scope:
            return value["Value"]
    raise AssertionError(f"tenant {tenant_id} has no value for {owner_id}/{template_id} in {environment_id}")

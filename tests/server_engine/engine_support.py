"""What the server engine's tests share: clients for a sandbox, fast polling, export and import helpers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from octodesk.core.octopus.client import OctopusClient
from octodesk.core.report import Report
from octodesk.core.server_engine import (
    PollSettings,
    apply_server_import,
    export_with_server,
    plan_server_import,
)

PASSWORD = "correct horse battery staple"
FAST = PollSettings(first=0.01, factor=1.5, maximum=0.05)
TWO_PROJECTS = ["Web Portal", "Billing API"]


def client_for(server: Any, **options: Any) -> OctopusClient:
    return OctopusClient(server.url, server.api_key, **options)


def server_export(source: Any, path: Path, projects: list[str] | None = None, **options: Any) -> Report:
    with client_for(source) as client:
        return export_with_server(
            client, "Default", projects or TWO_PROJECTS, path, PASSWORD, poll=FAST, **options
        )


def server_import(target: Any, bundle: Path, space: str = "Default", password: str = PASSWORD) -> Report:
    with client_for(target) as client:
        plan = plan_server_import(bundle, password, client, space)
        return apply_server_import(plan, client, poll=FAST)


def posts(server: Any, fragment: str) -> list[str]:
    """Paths of the POST requests a sandbox received that contain ``fragment``."""
    return [path for method, path in server.request_log if method == "POST" and fragment in path]


def names(server: Any, route: str, space: str = "Default") -> list[str]:
    space_id = server.space_id(space)
    documents = server.snapshot()["documents"].get(route, {}).values()
    return sorted(str(d.get("Name")) for d in documents if d.get("SpaceId") == space_id)

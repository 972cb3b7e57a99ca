"""The comparison point for the export benchmark: a straightforward sequential exporter.

It does what existing cloning scripts do: list each shared kind once, then walk the projects one at a time
and read each project's documents with one request each (project, process, variables, channels, runbooks
and their processes, triggers, included library sets' variables, connected tenants' variables, the step
templates its steps use, its logo), no batching and no parallelism. For comparison only: it is not used
by OctoDesk.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from octodesk.core.octopus.client import OctopusClient

SHARED_ROUTES = (
    "environments",
    "lifecycles",
    "projectgroups",
    "feeds",
    "workerpools",
    "tagsets",
    "accounts",
    "certificates",
    "libraryvariablesets",
    "actiontemplates",
    "tenants",
    "projects",
)


def baseline_export(
    client: OctopusClient, space_name: str, project_names: list[str], destination: Path
) -> int:
    """Export sequentially into a plain JSON file; returns the number of documents read."""
    space = next(s for s in client.get_all("/api/spaces/all") if s.get("Name") == space_name)
    base = f"/api/{space['Id']}"
    shared = {route: client.get_all(f"{base}/{route}/all") for route in SHARED_ROUTES}
    projects_by_name = {p["Name"]: p for p in shared["projects"]}
    exported: dict[str, Any] = {"shared": shared, "projects": {}}
    for name in project_names:
        summary = projects_by_name[name]
        project_id = summary["Id"]
        project = client.get(f"{base}/projects/{project_id}")
        process = client.get(f"{base}/deploymentprocesses/{project['DeploymentProcessId']}")
        documents: dict[str, Any] = {
            "project": project,
            "process": process,
            "variables": client.get(f"{base}/variables/{project['VariableSetId']}"),
            "channels": client.get_all(f"{base}/projects/{project_id}/channels"),
            "runbooks": client.get_all(f"{base}/projects/{project_id}/runbooks"),
            "triggers": client.get_all(f"{base}/projects/{project_id}/triggers"),
        }
        documents["runbook_processes"] = [
            client.get(f"{base}/runbookProcesses/{runbook['RunbookProcessId']}")
            for runbook in documents["runbooks"]
        ]
        library_sets = {s["Id"]: s for s in shared["libraryvariablesets"]}
        documents["library_variables"] = [
            client.get(f"{base}/variables/{library_sets[set_id]['VariableSetId']}")
            for set_id in project.get("IncludedLibraryVariableSetIds") or []
            if set_id in library_sets
        ]
        documents["tenant_variables"] = [
            client.get(f"{base}/tenants/{tenant['Id']}/variables")
            for tenant in shared["tenants"]
            if project_id in (tenant.get("ProjectEnvironments") or {})
        ]
        documents["step_templates"] = [
            client.get(f"{base}/actiontemplates/{template_id}")
            for template_id in _template_ids(process, *documents["runbook_processes"])
        ]
        logo, _ = client.get_bytes(f"{base}/projects/{project_id}/logo")
        documents["logo_bytes"] = len(logo)
        exported["projects"][name] = documents
    destination.write_text(json.dumps(exported))
    return sum(
        len(v) if isinstance(v, list) else 1 for p in exported["projects"].values() for v in p.values()
    )


def _template_ids(*processes: dict[str, Any]) -> list[str]:
    ids: list[str] = []
    for process in processes:
        for step in process.get("Steps") or []:
            for action in step.get("Actions") or []:
                template_id = (action.get("Properties") or {}).get("Octopus.Action.Template.Id")
                if isinstance(template_id, str) and template_id not in ids:
                    ids.append(template_id)
    return ids

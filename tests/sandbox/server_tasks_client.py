"""What the server-task tests share: running an export or import over HTTP as Octopus's own scripts do
(OctopusDeploy-Api REST/PowerShell/Projects/ExportImportProjects.ps1), and reading every sensitive value a
sandbox stores for some projects, keyed by names so two instances (different ids) can be compared."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from sandbox_client import Octo

from octodesk.sandbox.resources.tenants import stored_legacy_values

PASSWORD = "correct horse battery staple"
TERMINAL = {"Success", "Failed", "Canceled", "TimedOut"}


def secret(value: str) -> dict[str, Any]:
    return {"HasValue": True, "NewValue": value}


def project_ids(octo: Octo, *names: str) -> list[str]:
    projects = {p["Name"]: p["Id"] for p in octo.ok(octo.get(f"{octo.p}/projects/all"))}
    return [projects[name] for name in names]


def wait_for(octo: Octo, task_id: str, timeout: float = 30.0) -> dict[str, Any]:
    """Polls the task (the space-scoped route, as the scripts do) until it completes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        task: dict[str, Any] = octo.ok(octo.get(f"{octo.p}/tasks/{task_id}"))
        if task["State"] in TERMINAL:
            assert task["IsCompleted"] is True
            return task
        assert task["IsCompleted"] is False
        time.sleep(0.02)
    raise AssertionError(f"task {task_id} did not complete within {timeout}s")


def start_export(octo: Octo, ids: list[str], password: str = PASSWORD) -> dict[str, Any]:
    body = {"IncludedProjectIds": ids, "Password": secret(password)}
    result: dict[str, Any] = octo.ok(octo.post(f"{octo.p}/projects/import-export/export", body))
    return result


def export_zip(octo: Octo, *names: str, password: str = PASSWORD) -> tuple[str, bytes]:
    """(export task id, the zip's bytes) after a successful export of the named projects."""
    task = wait_for(octo, start_export(octo, project_ids(octo, *names), password)["TaskId"])
    assert task["State"] == "Success", task["ErrorMessage"]
    artifacts = octo.ok(octo.get(f"{octo.p}/artifacts", regarding=task["Id"]))["Items"]
    artifact = next(a for a in artifacts if a["Filename"].startswith("Octopus-Export-"))
    content = octo.session.get(octo.server.url + artifact["Links"]["Content"], timeout=10)
    assert content.status_code == 200
    return task["Id"], content.content


def upload(octo: Octo, filename: str, data: bytes) -> dict[str, Any]:
    response = octo.session.post(
        f"{octo.server.url}{octo.p}/projects/import-export/import-files",
        files={"fileData": (filename, data, "application/zip")},
        timeout=10,
    )
    result: dict[str, Any] = octo.ok(response)
    return result


def import_body(source: dict[str, Any], password: str = PASSWORD) -> dict[str, Any]:
    return {"ImportSource": source, "Password": secret(password)}


def run_import(octo: Octo, source: dict[str, Any], password: str = PASSWORD) -> dict[str, Any]:
    started = octo.ok(octo.post(f"{octo.p}/projects/import-export/import", import_body(source, password)))
    return wait_for(octo, started["TaskId"])


def log_lines(octo: Octo, task_id: str, **params: Any) -> list[str]:
    details = octo.ok(octo.get(f"/api/tasks/{task_id}/details", **params))

    def lines(node: dict[str, Any]) -> list[str]:
        own = [element["MessageText"] for element in node["LogElements"]]
        return own + [line for child in node["Children"] for line in lines(child)]

    return [line for root in details["ActivityLogs"] for line in lines(root)]


# sensitive values by name ---------------------------------------------------------------------------
def _walk(value: Any, path: tuple[Any, ...], found: Counter[tuple[Any, ...]]) -> None:
    if isinstance(value, dict):
        if "HasValue" in value and set(value) <= {"HasValue", "NewValue", "Hint"}:
            if value.get("NewValue") is not None:
                found[(*path, value["NewValue"])] += 1
            return
        if value.get("IsSensitive") is True and value.get("Value") is not None:
            found[(*path, "Value", value["Value"])] += 1
        for key, item in value.items():
            _walk(item, (*path, key), found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            label = item.get("Name", index) if isinstance(item, dict) else index
            _walk(item, (*path, label), found)


def _referenced(docs: dict[str, Any], projects: list[dict[str, Any]], libraries: set[str]) -> set[str]:
    """Ids the projects' variables (account, certificate values) and steps (account properties, package
    and container feeds) refer to."""
    refs: set[str] = set()
    sets = [docs["variables"][p["VariableSetId"]] for p in projects]
    sets += [docs["variables"][docs["libraryvariablesets"][i]["VariableSetId"]] for i in libraries]
    refs.update(
        str(v["Value"]) for s in sets for v in s["Variables"] if v.get("Type") not in ("String", "Sensitive")
    )
    processes = [docs["deploymentprocesses"][p["DeploymentProcessId"]] for p in projects]
    owners = {p["Id"] for p in projects}
    processes += [p for p in docs.get("runbookProcesses", {}).values() if p.get("ProjectId") in owners]
    for process in processes:
        for step in process["Steps"]:
            for action in step["Actions"]:
                refs.update(str(v) for v in action["Properties"].values() if isinstance(v, str))
                refs.update(str(package.get("FeedId")) for package in action.get("Packages", []))
                refs.add(str((action.get("Container") or {}).get("FeedId")))
    return refs


def sensitive_values(server: Any, space_name: str, project_names: list[str]) -> Counter[tuple[Any, ...]]:
    """Every sensitive value the projects hold or reach (variables, library sets, processes, templates,
    tenant values, accounts, certificates, feeds), with ids replaced by names."""
    snapshot = server.snapshot()
    docs = snapshot["documents"]
    space = server.space_id(space_name)

    def in_space(route: str) -> list[dict[str, Any]]:
        return [d for d in docs.get(route, {}).values() if d.get("SpaceId") == space]

    names = {d["Id"]: d.get("Name") for route in docs for d in docs[route].values() if "Name" in d}
    projects = [p for p in in_space("projects") if p["Name"] in project_names]
    found: Counter[tuple[Any, ...]] = Counter()
    libraries: set[str] = set()
    for project in projects:
        _walk(project.get("Templates"), ("project", project["Name"]), found)
        _walk(docs["variables"][project["VariableSetId"]], ("variables", project["Name"]), found)
        _walk(
            docs["deploymentprocesses"][project["DeploymentProcessId"]], ("process", project["Name"]), found
        )
        for runbook in in_space("runbooks"):
            if runbook["ProjectId"] == project["Id"]:
                process = docs["runbookProcesses"][runbook["RunbookProcessId"]]
                _walk(process, ("runbook", project["Name"], runbook["Name"]), found)
        libraries.update(project.get("IncludedLibraryVariableSetIds", []))
    for library_id in libraries:
        library = docs["libraryvariablesets"][library_id]
        _walk(docs["variables"][library["VariableSetId"]], ("library", library["Name"]), found)
    for route in ("accounts", "certificates", "feeds"):
        for doc in in_space(route):
            if doc["Id"] in _referenced(docs, projects, libraries):
                _walk(doc, (route, doc["Name"]), found)
    template_names = {t["Id"]: t["Name"] for p in projects for t in p.get("Templates", [])}
    for library_id in libraries:
        template_names.update(
            {t["Id"]: t["Name"] for t in docs["libraryvariablesets"][library_id]["Templates"]}
        )
    for tenant in in_space("tenants"):
        values = stored_legacy_values(server.store, tenant["Id"])
        for project_id, by_environment in values["ProjectVariables"].items():
            if names.get(project_id) in project_names:
                for env_id, by_template in by_environment.items():
                    for template_id, value in by_template.items():
                        where = (
                            "tenant",
                            tenant["Name"],
                            names[project_id],
                            names[env_id],
                            template_names[template_id],
                        )
                        _walk([value], where, found)
        for set_id, by_template in values["LibraryVariables"].items():
            if set_id in libraries:
                for template_id, value in by_template.items():
                    _walk(
                        [value], ("tenant", tenant["Name"], names[set_id], template_names[template_id]), found
                    )
    return found


def template_uses(server: Any, space_name: str, project_names: list[str]) -> set[tuple[Any, ...]]:
    """(project, step, template name, version, the version's parameters) for every step that uses a step
    template: the version the step names must exist, with its content, on the server."""
    snapshot = server.snapshot()
    docs = snapshot["documents"]
    space = server.space_id(space_name)
    uses: set[tuple[Any, ...]] = set()
    for project in docs["projects"].values():
        if project.get("SpaceId") != space or project["Name"] not in project_names:
            continue
        processes = [docs["deploymentprocesses"][project["DeploymentProcessId"]]]
        processes += [
            p for p in docs.get("runbookProcesses", {}).values() if p.get("ProjectId") == project["Id"]
        ]
        for process in processes:
            for step in process["Steps"]:
                for action in step["Actions"]:
                    template_id = action["Properties"].get("Octopus.Action.Template.Id")
                    if template_id:
                        version = str(action["Properties"]["Octopus.Action.Template.Version"])
                        template = snapshot["template_versions"][template_id][version]
                        parameters = tuple(
                            (p["Name"], str(p.get("DefaultValue"))) for p in template["Parameters"]
                        )
                        uses.add((project["Name"], step["Name"], template["Name"], version, parameters))
    return uses

"""Import of the projects themselves: every project first (Deploy Release steps name each other), then their
channels, runbooks, processes and variables, then tenant connections and tenant variables, then logos when the
export comes from this same instance. Triggers are never imported (docs/octopus-api-facts.md "Export/Import
Projects")."""

from __future__ import annotations

from ..resources.tenants import scoped_bodies, stored_legacy_values
from ..store import Document
from .target import ImportTarget, body_of
from .walk import visit

_CREATED_WITH_PROJECT = ("DeploymentProcessId", "VariableSetId", "ClonedFromProjectId")


def import_projects(target: ImportTarget) -> None:
    projects = target.exported("projects")
    for doc in projects:
        body = visit("projects", body_of(doc, *_CREATED_WITH_PROJECT), target)
        created = target.write("POST", "projects", body)
        target.mapped("projects", doc["Id"], created["Id"])
        target.mapped("deploymentprocesses", doc["DeploymentProcessId"], created["DeploymentProcessId"])
        target.mapped("variables", doc["VariableSetId"], created["VariableSetId"])
        target.log.info(f"Created the project '{created['Name']}'.")
    for doc in projects:
        _channels(target, doc)
        _runbooks(target, doc)
    for route in ("deploymentprocesses", "runbookProcesses"):
        for process in target.exported(route):
            _process(target, route, process)
    for doc in projects:
        _settings_naming_channels(target, doc)
        _variables(target, doc)
    _tenants(target)
    _logos_and_triggers(target, projects)


def _owned(target: ImportTarget, route: str, project: Document) -> list[Document]:
    return [doc for doc in target.exported(route) if doc.get("ProjectId") == project["Id"]]


def _channels(target: ImportTarget, project: Document) -> None:
    project_id = target.maps["projects"][project["Id"]]
    for doc in _owned(target, "channels", project):
        body = visit("channels", body_of(doc), target)
        if doc.get("IsDefault"):
            default = next(
                c
                for c in target.existing("channels")
                if c.get("ProjectId") == project_id and c.get("IsDefault")
            )
            written = target.write(
                "PUT", f"channels/{default['Id']}", {**target.raw("channels", default["Id"]), **body}
            )
        else:
            written = target.write("POST", "channels", body)
        target.mapped("channels", doc["Id"], written["Id"])


def _runbooks(target: ImportTarget, project: Document) -> None:
    for doc in _owned(target, "runbooks", project):
        body = visit("runbooks", body_of(doc, "RunbookProcessId"), target)
        body["PublishedRunbookSnapshotId"] = None  # snapshots are not exported
        created = target.write("POST", "runbooks", body)
        target.mapped("runbooks", doc["Id"], created["Id"])
        target.mapped("runbookProcesses", doc["RunbookProcessId"], created["RunbookProcessId"])


def _process(target: ImportTarget, route: str, doc: Document) -> None:
    process_id = target.maps[route][doc["Id"]]
    steps = visit(route, doc, target)["Steps"]
    if target.hosting == "cloud" and target.content.manifest.get("Hosting") != "cloud":
        _run_on_server_to_default_pool(target, steps)
    target.write("PUT", f"{route}/{process_id}", {**target.raw(route, process_id), "Steps": steps})


def _run_on_server_to_default_pool(target: ImportTarget, steps: list[Document]) -> None:
    """Octopus Cloud has no "run on server": such steps move to the default worker pool."""
    pool = next((p for p in target.existing("workerpools") if p.get("IsDefault")), None)
    for step in steps:
        for action in step.get("Actions") or []:
            runs_on_server = (
                str((action.get("Properties") or {}).get("Octopus.Action.RunOnServer")).lower() == "true"
            )
            if (
                runs_on_server
                and not action.get("WorkerPoolId")
                and not action.get("WorkerPoolVariable")
                and pool
            ):
                action["WorkerPoolId"] = pool["Id"]
                target.log.warn(
                    f"The step '{step.get('Name')}' ran on the server; it now runs on the worker pool "
                    f"'{pool['Name']}' (Octopus Cloud has no run on server)."
                )


def _settings_naming_channels(target: ImportTarget, project: Document) -> None:
    """Settings that name the project's own channels, written once the channels exist."""
    strategy = visit("projects", body_of(project), target).get("ReleaseCreationStrategy")
    if isinstance(strategy, dict) and strategy.get("ChannelId"):
        project_id = target.maps["projects"][project["Id"]]
        target.write(
            "PUT",
            f"projects/{project_id}",
            {**target.raw("projects", project_id), "ReleaseCreationStrategy": strategy},
        )


def _variables(target: ImportTarget, project: Document) -> None:
    exported = next(doc for doc in target.exported("variables") if doc["Id"] == project["VariableSetId"])
    target.log.verbose(f"Importing the variables of '{project['Name']}'.")
    variables = visit("variables", exported, target)["Variables"]
    for variable in variables:
        variable.pop("Id", None)
    set_id = target.maps["variables"][exported["Id"]]
    target.write("PUT", f"variables/{set_id}", {**target.raw("variables", set_id), "Variables": variables})


def _tenants(target: ImportTarget) -> None:
    """Connections to the imported projects merged into each tenant, then their variable values."""
    for doc in target.exported("tenants"):
        tenant_id = target.maps["tenants"][doc["Id"]]
        tenant = target.raw("tenants", tenant_id)
        connections = dict(tenant.get("ProjectEnvironments") or {})
        for project_id, environment_ids in visit("tenants", doc, target)["ProjectEnvironments"].items():
            connections[project_id] = sorted(set(connections.get(project_id, [])) | set(environment_ids))
        if connections != tenant.get("ProjectEnvironments"):
            target.write("PUT", f"tenants/{tenant_id}", {**tenant, "ProjectEnvironments": connections})
            target.log.info(f"Connected the tenant '{tenant['Name']}' to the imported projects.")
        values = target.content.tenant_variables.get(doc["Id"])
        if values:
            _tenant_values(target, tenant_id, visit("tenantvariables", values, target))


def _tenant_values(target: ImportTarget, tenant_id: str, imported: Document) -> None:
    """The imported projects' values, and library values the tenant does not have yet; every value the
    tenant already had is sent back as stored, so nothing is lost."""
    stored = stored_legacy_values(target.store, tenant_id)
    projects = {p: dict(v) for p, v in stored.get("ProjectVariables", {}).items()}
    for project_id, by_environment in imported["ProjectVariables"].items():
        projects.setdefault(project_id, {}).update(by_environment)
    libraries = {s: dict(v) for s, v in stored.get("LibraryVariables", {}).items()}
    for set_id, values in imported["LibraryVariables"].items():
        current = libraries.setdefault(set_id, {})
        for template_id, value in values.items():
            current.setdefault(target.template_ids.get(template_id, template_id), value)
    body = {
        "ProjectVariables": {p: {"Variables": v} for p, v in projects.items()},
        "LibraryVariables": {s: {"Variables": v} for s, v in libraries.items()},
    }
    if not target.scoped_tenant_variables:
        target.write("PUT", f"tenants/{tenant_id}/variables", body)
        return
    # Servers with scoped common variables refuse the legacy write; the environment-scoped common values
    # the tenant already had have no place in the legacy shape, so they are sent back as they are.
    project_body, common_body = scoped_bodies(body)
    current = target.write("GET", f"tenants/{tenant_id}/commonvariables", {})["Variables"]
    kept = [value for value in current if value["Scope"]["EnvironmentIds"]]
    target.write("PUT", f"tenants/{tenant_id}/projectvariables", project_body)
    target.write(
        "PUT", f"tenants/{tenant_id}/commonvariables", {"Variables": common_body["Variables"] + kept}
    )


def _logos_and_triggers(target: ImportTarget, projects: list[Document]) -> None:
    manifest = target.content.manifest
    with_logo = set(manifest.get("ProjectsWithLogos", []))
    triggers = manifest.get("TriggerCounts", {})
    for doc in projects:
        project_id = target.maps["projects"][doc["Id"]]
        if doc["Id"] in with_logo:
            if target.same_instance and doc["Id"] in target.store.logos:
                target.store.logos[project_id] = target.store.logos[doc["Id"]]
                target.log.info(f"Kept the logo of '{doc['Name']}' (same Octopus instance).")
            else:
                target.log.warn(
                    f"The logo of '{doc['Name']}' is not imported: logos only move within one instance."
                )
        if triggers.get(doc["Id"]):
            target.log.warn(f"The {triggers[doc['Id']]} trigger(s) of '{doc['Name']}' are not imported.")

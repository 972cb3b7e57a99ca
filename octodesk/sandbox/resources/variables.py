"""Variable sets (project and library), tenants and tenant variables (2021.2 TenantVariableResource)."""

from __future__ import annotations

import uuid
from typing import Any

from ..errors import bad_request, method_not_allowed, not_found
from ..http_types import Request, Response
from ..kinds import KINDS
from ..paging import id_filter
from ..references import ReferenceChecker
from ..secrets import mask, merge
from ..store import Document, now_iso
from .base import Behaviour, Ctx, normalise_keys, register


def _items(docs: list[Document]) -> list[dict[str, str]]:
    return [{"Id": d["Id"], "Name": d.get("Name", "")} for d in docs]


class VariableSetsBehaviour(Behaviour):
    def prepare(self, ctx: Ctx, doc: Document, old: Document | None) -> None:
        assert old is not None
        doc["OwnerId"] = old["OwnerId"]
        doc.pop("ScopeValues", None)
        variables = doc.get("Variables")
        if not isinstance(variables, list):
            raise bad_request(["The Variables field must be a list."])
        for variable in variables:
            if not isinstance(variable, dict) or not str(variable.get("Name") or "").strip():
                raise bad_request(["Every variable needs a Name."])
            variable["Id"] = variable.get("Id") or str(uuid.uuid4())
            variable.setdefault("Type", "Sensitive" if variable.get("IsSensitive") else "String")
            variable["IsSensitive"] = variable["Type"] == "Sensitive"
            variable.setdefault("Scope", {})
            variable.setdefault("IsEditable", True)
            variable.setdefault("Prompt", None)
            variable.setdefault("Description", None)
            variable.setdefault("Value", None)
        if not old["OwnerId"].startswith("Projects-") and any(v["Scope"].get("Action") for v in variables):
            raise bad_request(["Library variable set variables cannot be scoped to actions."])

    def references(self, ctx: Ctx, doc: Document) -> list[str]:
        check = ReferenceChecker(ctx.store, doc["SpaceId"])
        check.check_variables(doc["Variables"], doc["OwnerId"])
        return check.errors

    def render(self, ctx: Ctx, doc: Document) -> Document:
        shown = super().render(ctx, doc)
        shown["ScopeValues"] = self.scope_values(ctx, doc)
        return shown

    def scope_values(self, ctx: Ctx, doc: Document) -> dict[str, Any]:
        store, space, owner = ctx.store, doc["SpaceId"], doc["OwnerId"]
        project = store.get("projects", owner)
        channels = [c for c in store.in_space("channels", space) if c.get("ProjectId") == owner]
        runbooks = [r for r in store.in_space("runbooks", space) if r.get("ProjectId") == owner]
        processes = []
        if project:
            processes.append(store.get("deploymentprocesses", project["DeploymentProcessId"]))
            processes += [store.get("runbookProcesses", r["RunbookProcessId"]) for r in runbooks]
        actions = [a for p in processes if p for s in p.get("Steps", []) for a in s.get("Actions", [])]
        machines = store.in_space("machines", space)
        roles = sorted({role for m in machines for role in m.get("Roles", [])})
        tags = [t for ts in store.in_space("tagsets", space) for t in ts.get("Tags", [])]
        owners = [{"Id": owner, "Name": project["Name"], "ProcessType": "Deployment"}] if project else []
        owners += [{"Id": r["Id"], "Name": r["Name"], "ProcessType": "Runbook"} for r in runbooks]
        return {
            "Environments": _items(store.in_space("environments", space)),
            "Machines": _items(machines),
            "Actions": _items(actions),
            "Roles": [{"Id": r, "Name": r} for r in roles],
            "Channels": _items(channels),
            "TenantTags": [{"Id": t["CanonicalTagName"], "Name": t["Name"]} for t in tags],
            "Processes": owners,
        }

    def links(self, ctx: Ctx, doc: Document) -> dict[str, str]:
        owner = doc["OwnerId"]
        route = "projects" if owner.startswith("Projects-") else "libraryvariablesets"
        return {"Owner": f"/api/{doc['SpaceId']}/{route}/{owner}"}

    def list_items(self, ctx: Ctx, request: Request, items: list[Document] | None = None) -> Response:
        """2021.2 has no paged variables collection: ``/variables?ids=`` answers like ``/variables/all``."""
        return self.all_items(ctx, request)


class TenantsBehaviour(Behaviour):
    def prepare(self, ctx: Ctx, doc: Document, old: Document | None) -> None:
        environments = doc.get("ProjectEnvironments")
        if not isinstance(environments, dict) or not all(isinstance(v, list) for v in environments.values()):
            raise bad_request(["ProjectEnvironments must map project ids to lists of environment ids."])

    def references(self, ctx: Ctx, doc: Document) -> list[str]:
        check = ReferenceChecker(ctx.store, doc["SpaceId"])
        for project_id, environment_ids in doc["ProjectEnvironments"].items():
            check.check("ProjectEnvironments key", "projects", project_id)
            check.check(f"ProjectEnvironments['{project_id}']", "environments", environment_ids)
        check.check_tags("TenantTags", doc.get("TenantTags"))
        return check.errors

    def scope_items(self, ctx: Ctx, query: dict[str, str]) -> list[Document]:
        items = super().scope_items(ctx, query)
        if query.get("projectId"):
            items = [t for t in items if query["projectId"] in t.get("ProjectEnvironments", {})]
        if query.get("tags"):
            wanted = {tag.lower() for tag in query["tags"].split(",")}
            items = [t for t in items if wanted <= {str(tag).lower() for tag in t.get("TenantTags", [])}]
        return items

    def links(self, ctx: Ctx, doc: Document) -> dict[str, str]:
        base = f"/api/{doc['SpaceId']}/tenants/{doc['Id']}"
        return {"Variables": f"{base}/variables", "Logo": f"{base}/logo"}

    def after_delete(self, ctx: Ctx, doc: Document) -> None:
        ctx.store.tenant_variables.pop(doc["Id"], None)

    def subroute(self, ctx: Ctx, request: Request, doc_id: str, rest: list[str]) -> Response:
        tenant = ctx.require("tenants", doc_id)
        if rest != ["variables"]:
            raise not_found(request.path)
        if request.method in ("PUT", "POST"):
            with ctx.store.lock:
                self._store_variables(ctx, tenant, normalise_keys(request.body))
        elif request.method != "GET":
            raise method_not_allowed(request.method, request.path)
        return Response(200, tenant_variables(ctx, tenant))

    def _store_variables(self, ctx: Ctx, tenant: Document, body: Document) -> None:
        store, errors = ctx.store, []
        stored = store.tenant_variables.get(tenant["Id"], {"ProjectVariables": {}, "LibraryVariables": {}})
        connected = tenant.get("ProjectEnvironments", {})
        projects: dict[str, Any] = {}
        for project_id, entry in (body.get("ProjectVariables") or {}).items():
            project = store.get("projects", project_id)
            if project is None or project_id not in connected:
                errors.append(
                    f"ProjectVariables refers to project '{project_id}', which is not connected to "
                    f"tenant '{tenant['Name']}'."
                )
                continue
            template_ids = {t["Id"] for t in project.get("Templates", [])}
            values: dict[str, Any] = {}
            for env_id, by_template in (entry.get("Variables") or {}).items():
                if env_id not in connected[project_id]:
                    errors.append(
                        f"ProjectVariables['{project_id}'] refers to environment '{env_id}', which is "
                        "not connected to this tenant for that project."
                    )
                    continue
                errors += [
                    f"ProjectVariables['{project_id}'] refers to template '{t}', which is not a template "
                    "of that project."
                    for t in by_template
                    if t not in template_ids
                ]
                old = stored["ProjectVariables"].get(project_id, {}).get(env_id, {})
                values[env_id] = {
                    t: merge(v, old.get(t)) for t, v in by_template.items() if t in template_ids
                }
            projects[project_id] = values
        libraries: dict[str, Any] = {}
        for set_id, entry in (body.get("LibraryVariables") or {}).items():
            library = store.get("libraryvariablesets", set_id)
            if library is None or library.get("SpaceId") != tenant["SpaceId"]:
                errors.append(
                    f"LibraryVariables refers to '{set_id}', which does not exist in space "
                    f"{tenant['SpaceId']}."
                )
                continue
            template_ids = {t["Id"] for t in library.get("Templates", [])}
            by_template = entry.get("Variables") or {}
            errors += [
                f"LibraryVariables['{set_id}'] refers to template '{t}', which is not a template of "
                "that variable set."
                for t in by_template
                if t not in template_ids
            ]
            old = stored["LibraryVariables"].get(set_id, {})
            libraries[set_id] = {t: merge(v, old.get(t)) for t, v in by_template.items() if t in template_ids}
        if errors:
            raise bad_request(errors)
        store.tenant_variables[tenant["Id"]] = {
            "ProjectVariables": projects,
            "LibraryVariables": libraries,
            "LastModifiedOn": now_iso(),
        }


def tenant_variables(ctx: Ctx, tenant: Document) -> Document:
    store, space = ctx.store, tenant["SpaceId"]
    stored = store.tenant_variables.get(tenant["Id"], {"ProjectVariables": {}, "LibraryVariables": {}})
    projects: dict[str, Any] = {}
    library_ids: list[str] = []
    for project_id, environment_ids in tenant.get("ProjectEnvironments", {}).items():
        project = store.get("projects", project_id)
        if project is None:
            continue
        library_ids += [i for i in project.get("IncludedLibraryVariableSetIds", []) if i not in library_ids]
        saved = stored["ProjectVariables"].get(project_id, {})
        projects[project_id] = {
            "ProjectId": project_id,
            "ProjectName": project["Name"],
            "Templates": mask(project.get("Templates", [])),
            "Variables": {env: mask(saved.get(env, {})) for env in environment_ids},
            "Links": {"Project": f"/api/{space}/projects/{project_id}"},
        }
    libraries: dict[str, Any] = {}
    for set_id in library_ids:
        library = store.get("libraryvariablesets", set_id)
        if library is None or not library.get("Templates"):
            continue
        libraries[set_id] = {
            "LibraryVariableSetId": set_id,
            "LibraryVariableSetName": library["Name"],
            "Templates": mask(library["Templates"]),
            "Variables": mask(stored["LibraryVariables"].get(set_id, {})),
            "Links": {"LibraryVariableSet": f"/api/{space}/libraryvariablesets/{set_id}"},
        }
    return {
        "Id": tenant["Id"],
        "TenantId": tenant["Id"],
        "TenantName": tenant["Name"],
        "SpaceId": space,
        "ProjectVariables": projects,
        "LibraryVariables": libraries,
        "LastModifiedOn": stored.get("LastModifiedOn"),
        "LastModifiedBy": None,
        "Links": {"Self": f"/api/{space}/tenants/{tenant['Id']}/variables"},
    }


def all_tenant_variables(ctx: Ctx, request: Request) -> Response:
    tenants = ctx.store.in_space("tenants", ctx.space_id)
    project_id = request.query.get("projectId")
    if project_id:
        tenants = [t for t in tenants if project_id in t.get("ProjectEnvironments", {})]
    ids = id_filter(request.query)
    if ids is not None:
        tenants = [t for t in tenants if t["Id"] in ids]
    return Response(200, [tenant_variables(ctx, t) for t in tenants])


def register_all() -> None:
    register(VariableSetsBehaviour(KINDS["variables"]))
    register(TenantsBehaviour(KINDS["tenants"]))

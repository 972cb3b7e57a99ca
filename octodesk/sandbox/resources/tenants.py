"""Tenants and their variable values.

Values are stored one per (project or library set, template, environments), the model of servers with
scoped common variables; the 2021.2 ``TenantVariableResource`` (``tenants/{id}/variables``) is a view of
them. Where the profile has ``CommonVariableScopingFeatureToggle`` on, ``tenants/{id}/projectvariables`` and
``…/commonvariables`` read and replace the values with their environment scopes, and the legacy write is
refused ("When this feature is enabled, the original update endpoint is not accessible", OctopusDeploy/cli
PR 489). A write carrying a stale ``ConcurrencyToken`` is refused; leaving the token out skips the check.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from ..errors import bad_request, stale
from ..http_types import Response
from ..kinds import KINDS
from ..paging import id_filter
from ..profiles import Profile
from ..references import ReferenceChecker
from ..routes import Call, RouteTable, add_kind_routes
from ..secrets import is_sensitive_value, mask, merge
from ..store import Document, Store, now_iso
from .base import Behaviour, Ctx, normalise_keys, register

PROJECT, COMMON = "project", "common"
_OWNER_FIELD = {PROJECT: "ProjectId", COMMON: "LibraryVariableSetId"}
LEGACY_WRITE_REFUSED = (
    "Tenant variables cannot be changed through tenants/{id}/variables while common variable scoping is "
    "enabled; use tenants/{id}/projectvariables and tenants/{id}/commonvariables."
)


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

    def stored(self, ctx: Ctx, doc: Document) -> None:
        """Disconnecting a project deletes the tenant's values for it (tenants API reference, PUT)."""
        values = ctx.store.tenant_variables.get(doc["Id"])
        if values is not None:
            connected = doc["ProjectEnvironments"]
            values["Values"] = [
                v for v in values["Values"] if v["Kind"] != PROJECT or v["OwnerId"] in connected
            ]

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
        links = {"Variables": f"{base}/variables", "Logo": f"{base}/logo"}
        if ctx.profile.scoped_tenant_variables:
            links["CommonVariables"] = f"{base}/commonvariables"
            links["ProjectVariables"] = f"{base}/projectvariables"
        return links

    def after_delete(self, ctx: Ctx, doc: Document) -> None:
        ctx.store.tenant_variables.pop(doc["Id"], None)


# --- stored values -----------------------------------------------------------------------------------


def _stored(ctx: Ctx, tenant: Document) -> Document:
    return ctx.store.tenant_variables.setdefault(
        tenant["Id"], {"Values": [], "ConcurrencyToken": uuid.uuid4().hex, "LastModifiedOn": None}
    )


def _templates(ctx: Ctx, kind: str, owner_id: str) -> dict[str, Document]:
    route = "projects" if kind == PROJECT else "libraryvariablesets"
    owner = ctx.store.get(route, owner_id) or {}
    return {str(t["Id"]): t for t in owner.get("Templates") or []}


def _library_sets(ctx: Ctx, tenant: Document) -> list[str]:
    """Library sets whose templates the tenant answers: those included by its connected projects."""
    found: list[str] = []
    for project_id in tenant.get("ProjectEnvironments", {}):
        project = ctx.store.get("projects", project_id) or {}
        found += [i for i in project.get("IncludedLibraryVariableSetIds", []) if i not in found]
    return found


def _check_token(ctx: Ctx, tenant: Document, body: Document) -> None:
    token = body.get("ConcurrencyToken")
    if ctx.profile.tenant_variables_token and token and token != _stored(ctx, tenant)["ConcurrencyToken"]:
        raise stale("TenantVariable", tenant["Id"])


def _replace(ctx: Ctx, tenant: Document, kind: str, values: list[Document]) -> None:
    stored = _stored(ctx, tenant)
    stored["Values"] = [v for v in stored["Values"] if v["Kind"] != kind] + values
    stored["ConcurrencyToken"] = uuid.uuid4().hex
    stored["LastModifiedOn"] = now_iso()


# --- the 2021.2 TenantVariableResource view ----------------------------------------------------------


def legacy_document(ctx: Ctx, tenant: Document) -> Document:
    space, stored = tenant["SpaceId"], _stored(ctx, tenant)
    projects: dict[str, Any] = {}
    for project_id, environment_ids in tenant.get("ProjectEnvironments", {}).items():
        project = ctx.store.get("projects", project_id)
        if project is None:
            continue
        templates = _templates(ctx, PROJECT, project_id)
        by_environment: dict[str, Any] = {env: {} for env in environment_ids}
        for value in stored["Values"]:
            if (
                value["Kind"] == PROJECT
                and value["OwnerId"] == project_id
                and value["TemplateId"] in templates
            ):
                for env in value["EnvironmentIds"]:
                    if env in by_environment:
                        by_environment[env].setdefault(value["TemplateId"], mask(value["Value"]))
        projects[project_id] = {
            "ProjectId": project_id,
            "ProjectName": project["Name"],
            "Templates": mask(project.get("Templates", [])),
            "Variables": by_environment,
            "Links": {"Project": f"/api/{space}/projects/{project_id}"},
        }
    libraries: dict[str, Any] = {}
    for set_id in _library_sets(ctx, tenant):
        library = ctx.store.get("libraryvariablesets", set_id)
        if library is None or not library.get("Templates"):
            continue
        templates = _templates(ctx, COMMON, set_id)
        libraries[set_id] = {
            "LibraryVariableSetId": set_id,
            "LibraryVariableSetName": library["Name"],
            "Templates": mask(library["Templates"]),
            "Variables": {
                v["TemplateId"]: mask(v["Value"])
                for v in stored["Values"]
                if v["Kind"] == COMMON
                and v["OwnerId"] == set_id
                and not v["EnvironmentIds"]
                and v["TemplateId"] in templates
            },
            "Links": {"LibraryVariableSet": f"/api/{space}/libraryvariablesets/{set_id}"},
        }
    document: Document = {
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
    if ctx.profile.tenant_variables_token:
        document["ConcurrencyToken"] = stored["ConcurrencyToken"]
    return document


def _legacy_write(ctx: Ctx, tenant: Document, body: Document) -> None:
    if ctx.profile.scoped_tenant_variables:
        raise bad_request([LEGACY_WRITE_REFUSED])
    _check_token(ctx, tenant, body)
    errors: list[str] = []
    connected = tenant.get("ProjectEnvironments", {})
    old = {_key(v): v for v in _stored(ctx, tenant)["Values"]}
    project_values: list[Document] = []
    for project_id, entry in (body.get("ProjectVariables") or {}).items():
        if ctx.store.get("projects", project_id) is None or project_id not in connected:
            errors.append(
                f"ProjectVariables refers to project '{project_id}', which is not connected to tenant "
                f"'{tenant['Name']}'."
            )
            continue
        templates = _templates(ctx, PROJECT, project_id)
        for env_id, by_template in (entry.get("Variables") or {}).items():
            if env_id not in connected[project_id]:
                errors.append(
                    f"ProjectVariables['{project_id}'] refers to environment '{env_id}', which is not "
                    "connected to this tenant for that project."
                )
                continue
            for template_id, value in by_template.items():
                if template_id not in templates:
                    errors.append(
                        f"ProjectVariables['{project_id}'] refers to template '{template_id}', which is not "
                        "a template of that project."
                    )
                    continue
                project_values.append(_value(ctx, PROJECT, project_id, template_id, [env_id], value, old))
    common_values: list[Document] = []
    for set_id, entry in (body.get("LibraryVariables") or {}).items():
        library = ctx.store.get("libraryvariablesets", set_id)
        if library is None or library.get("SpaceId") != tenant["SpaceId"]:
            errors.append(
                f"LibraryVariables refers to '{set_id}', which does not exist in space {tenant['SpaceId']}."
            )
            continue
        templates = _templates(ctx, COMMON, set_id)
        for template_id, value in (entry.get("Variables") or {}).items():
            if template_id not in templates:
                errors.append(
                    f"LibraryVariables['{set_id}'] refers to template '{template_id}', which is not a "
                    "template of that variable set."
                )
                continue
            common_values.append(_value(ctx, COMMON, set_id, template_id, [], value, old))
    if errors:
        raise bad_request(errors)
    _replace(ctx, tenant, PROJECT, project_values)
    _replace(ctx, tenant, COMMON, common_values)


def _key(value: Document) -> tuple[str, str, str, tuple[str, ...]]:
    return value["Kind"], value["OwnerId"], value["TemplateId"], tuple(sorted(value["EnvironmentIds"]))


def _value(
    ctx: Ctx,
    kind: str,
    owner: str,
    template_id: str,
    environments: list[str],
    value: Any,
    old: dict[Any, Document],
) -> Document:
    previous = old.get((kind, owner, template_id, tuple(sorted(environments))))
    return {
        "Id": previous["Id"] if previous else ctx.store.new_id("TenantVariables"),
        "Kind": kind,
        "OwnerId": owner,
        "TemplateId": template_id,
        "EnvironmentIds": list(environments),
        "Value": merge(value, previous["Value"] if previous else None),
    }


def stored_legacy_values(store: Store, tenant_id: str) -> Document:
    """A tenant's stored values in the 2021.2 shape, secrets included (for the server's own export and
    import tasks): ``ProjectVariables`` {project: {environment: {template: value}}}, ``LibraryVariables``
    {set: {template: value}} with the unscoped common values."""
    projects: dict[str, Any] = {}
    libraries: dict[str, Any] = {}
    for value in store.tenant_variables.get(tenant_id, {}).get("Values", []):
        if value["Kind"] == PROJECT:
            for env in value["EnvironmentIds"]:
                projects.setdefault(value["OwnerId"], {}).setdefault(env, {})[value["TemplateId"]] = value[
                    "Value"
                ]
        elif not value["EnvironmentIds"]:
            libraries.setdefault(value["OwnerId"], {})[value["TemplateId"]] = value["Value"]
    return copy.deepcopy({"ProjectVariables": projects, "LibraryVariables": libraries})


def scoped_bodies(legacy: Document) -> tuple[Document, Document]:
    """The projectvariables and commonvariables PUT bodies holding the values of a 2021.2-shaped write
    (``ProjectVariables`` {project: {"Variables": {environment: {template: value}}}}, ``LibraryVariables``
    {set: {"Variables": {template: value}}})."""
    project_values = [
        {
            "ProjectId": project_id,
            "TemplateId": template_id,
            "Value": value,
            "Scope": {"EnvironmentIds": [env]},
        }
        for project_id, entry in (legacy.get("ProjectVariables") or {}).items()
        for env, by_template in (entry.get("Variables") or {}).items()
        for template_id, value in by_template.items()
    ]
    common_values = [
        {
            "LibraryVariableSetId": set_id,
            "TemplateId": template_id,
            "Value": value,
            "Scope": {"EnvironmentIds": []},
        }
        for set_id, entry in (legacy.get("LibraryVariables") or {}).items()
        for template_id, value in (entry.get("Variables") or {}).items()
    ]
    return {"Variables": project_values}, {"Variables": common_values}


# --- scoped project and common variables ------------------------------------------------------------


def _scoped(profile: Profile) -> bool:
    return profile.scoped_tenant_variables


def _owner_name(ctx: Ctx, kind: str, owner_id: str) -> str:
    route = "projects" if kind == PROJECT else "libraryvariablesets"
    return str((ctx.store.get(route, owner_id) or {}).get("Name", ""))


def _shown(ctx: Ctx, value: Document, template: Document) -> Document:
    kind = value["Kind"]
    name_field = "ProjectName" if kind == PROJECT else "LibraryVariableSetName"
    return {
        "Id": value["Id"],
        _OWNER_FIELD[kind]: value["OwnerId"],
        name_field: _owner_name(ctx, kind, value["OwnerId"]),
        "TemplateId": value["TemplateId"],
        "Template": mask(template),
        "Value": mask(value["Value"]),
        "Scope": {"EnvironmentIds": list(value["EnvironmentIds"])},
    }


def scoped_read(ctx: Ctx, tenant: Document, kind: str, include_missing: bool = False) -> Document:
    stored = _stored(ctx, tenant)
    owners = list(tenant.get("ProjectEnvironments", {})) if kind == PROJECT else _library_sets(ctx, tenant)
    shown: list[Document] = []
    missing: list[Document] = []
    for owner in owners:
        templates = _templates(ctx, kind, owner)
        mine = [v for v in stored["Values"] if v["Kind"] == kind and v["OwnerId"] == owner]
        shown += [_shown(ctx, v, templates[v["TemplateId"]]) for v in mine if v["TemplateId"] in templates]
        for template_id, template in templates.items():
            covered = {env for v in mine if v["TemplateId"] == template_id for env in v["EnvironmentIds"]}
            unscoped = any(v["TemplateId"] == template_id and not v["EnvironmentIds"] for v in mine)
            wanted = tenant["ProjectEnvironments"].get(owner, []) if kind == PROJECT else []
            gaps = [env for env in wanted if env not in covered] if kind == PROJECT else []
            if kind == COMMON and not unscoped and not covered:
                gaps = [""]
            for env in gaps:
                placeholder = {
                    "Id": "",
                    "Kind": kind,
                    "OwnerId": owner,
                    "TemplateId": template_id,
                    "EnvironmentIds": [env] if env else [],
                    "Value": template.get("DefaultValue"),
                }
                missing.append({k: v for k, v in _shown(ctx, placeholder, template).items() if k != "Id"})
    document: Document = {
        "TenantId": tenant["Id"],
        "ConcurrencyToken": stored["ConcurrencyToken"],
        "Variables": shown,
    }
    if include_missing:
        document["MissingVariables"] = missing
    return document


def _scoped_write(ctx: Ctx, tenant: Document, kind: str, body: Document) -> None:
    _check_token(ctx, tenant, body)
    items = body.get("Variables")
    if not isinstance(items, list):
        raise bad_request(["The Variables field is required."])
    stored = _stored(ctx, tenant)
    old_by_id = {v["Id"]: v for v in stored["Values"] if v["Kind"] == kind}
    connected: dict[str, list[str]] = tenant.get("ProjectEnvironments", {})
    allowed_owners = list(connected) if kind == PROJECT else _library_sets(ctx, tenant)
    owner_field = _OWNER_FIELD[kind]
    errors: list[str] = []
    values: list[Document] = []
    for index, item in enumerate(items):
        where = f"Variables[{index}]"
        if not isinstance(item, dict):
            errors.append(f"{where} must be an object.")
            continue
        owner = item.get(owner_field) or item.get("OwnerId")
        template_id = item.get("TemplateId")
        scope = item.get("Scope")
        environments = scope.get("EnvironmentIds") if isinstance(scope, dict) else None
        value = item.get("Value")
        if owner not in allowed_owners:
            what = (
                "project connected to" if kind == PROJECT else "library variable set included by a project of"
            )
            errors.append(f"{where} refers to '{owner}', which is not a {what} tenant '{tenant['Name']}'.")
            continue
        if template_id not in _templates(ctx, kind, str(owner)):
            errors.append(
                f"{where} refers to template '{template_id}', which is not a template of '{owner}'."
            )
            continue
        if not isinstance(environments, list) or not all(isinstance(e, str) for e in environments):
            errors.append(f"{where} needs a Scope with an EnvironmentIds list.")
            continue
        permitted = (
            connected[str(owner)] if kind == PROJECT else {env for envs in connected.values() for env in envs}
        )
        errors += [
            f"{where} is scoped to environment '{env}', which is not connected to tenant '{tenant['Name']}'."
            for env in environments
            if env not in permitted
        ]
        if not (isinstance(value, str) or is_sensitive_value(value) or value is None):
            errors.append(f"{where} Value must be a string or a sensitive value.")
            continue
        previous = old_by_id.get(str(item.get("Id"))) if item.get("Id") else None
        if item.get("Id") and previous is None:
            errors.append(f"{where} refers to tenant variable '{item['Id']}', which does not exist.")
            continue
        values.append(
            {
                "Id": previous["Id"] if previous else ctx.store.new_id("TenantVariables"),
                "Kind": kind,
                "OwnerId": str(owner),
                "TemplateId": str(template_id),
                "EnvironmentIds": list(environments),
                "Value": merge(copy.deepcopy(value), previous["Value"] if previous else None),
            }
        )
    errors += _overlaps(values)
    if errors:
        raise bad_request(errors)
    _replace(ctx, tenant, kind, values)


def _overlaps(values: list[Document]) -> list[str]:
    """One value per template and environment: two values covering the same environment (or both
    unscoped) would make the tenant's value ambiguous."""
    errors: list[str] = []
    seen: dict[tuple[str, str], list[set[str]]] = {}
    for value in values:
        scopes = seen.setdefault((value["OwnerId"], value["TemplateId"]), [])
        mine = set(value["EnvironmentIds"])
        if any((not mine and not other) or (mine & other) for other in scopes):
            errors.append(
                f"Template '{value['TemplateId']}' of '{value['OwnerId']}' has more than one value for the "
                "same environments."
            )
        scopes.append(mine)
    return errors


# --- routes --------------------------------------------------------------------------------------------


def _all_tenant_variables(call: Call) -> Response:
    tenants = call.ctx.store.in_space("tenants", call.ctx.space_id)
    project_id = call.request.query.get("projectId")
    if project_id:
        tenants = [t for t in tenants if project_id in t.get("ProjectEnvironments", {})]
    ids = id_filter(call.request.query)
    if ids is not None:
        tenants = [t for t in tenants if t["Id"] in ids]
    return Response(200, [legacy_document(call.ctx, t) for t in tenants])


def _legacy(call: Call) -> Response:
    tenant = call.ctx.require("tenants", call["id"])
    if call.request.method != "GET":
        _legacy_write(call.ctx, tenant, normalise_keys(call.request.body))
    return Response(200, legacy_document(call.ctx, tenant))


def _scoped_route(kind: str) -> Any:
    def handle(call: Call) -> Response:
        tenant = call.ctx.require("tenants", call["id"])
        if call.request.method != "GET":
            _scoped_write(call.ctx, tenant, kind, normalise_keys(call.request.body))
            return Response(200, scoped_read(call.ctx, tenant, kind))
        include = call.request.query.get("includeMissingVariables", "").lower() == "true"
        return Response(200, scoped_read(call.ctx, tenant, kind, include))

    return handle


def register_routes(table: RouteTable) -> None:
    add_kind_routes(table, register(TenantsBehaviour(KINDS["tenants"])))
    base = "/api/{spaceId}/tenants/{id}"
    for method in ("GET", "PUT", "POST"):
        table.add(method, f"{base}/variables", _legacy, answers="document")
        for what, kind in (("projectvariables", PROJECT), ("commonvariables", COMMON)):
            table.add(method, f"{base}/{what}", _scoped_route(kind), answers="document", when=_scoped)
    table.add("GET", "/api/{spaceId}/tenantvariables/all", _all_tenant_variables, answers="array")


__all__ = ["legacy_document", "register_routes", "scoped_bodies", "scoped_read", "stored_legacy_values"]

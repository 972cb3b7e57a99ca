"""Projects and what hangs off them: channels, deployment process, runbooks and their processes, triggers."""

from __future__ import annotations

import uuid
from typing import Any

from ..errors import ApiError, bad_request, not_found, out_of_date
from ..http_types import Response
from ..kinds import KINDS
from ..references import ReferenceChecker
from ..routes import Call, Handler, ProfileFilter, RouteTable, add_kind_routes, always
from ..store import Document, now_iso
from . import settings as deployment_settings
from .base import Behaviour, Ctx, behaviour_for, register
from .files import logo_response, store_logo

_PROCESS_DEFAULTS = {"Version": 0, "Steps": [], "LastSnapshotId": None}


def ensure_guids(steps: Any) -> None:
    """Steps, actions and package references posted without an Id get a GUID, as on the real server."""
    for step in steps or []:
        if not isinstance(step, dict):
            raise ApiError(400, "Each step must be a JSON object.")
        step["Id"] = step.get("Id") or str(uuid.uuid4())
        step.setdefault("Properties", {})
        step.setdefault("Condition", "Success")
        step.setdefault("StartTrigger", "StartAfterPrevious")
        step.setdefault("PackageRequirement", "LetOctopusDecide")
        for action in step.setdefault("Actions", []):
            action["Id"] = action.get("Id") or str(uuid.uuid4())
            for key in ("Environments", "ExcludedEnvironments", "Channels", "TenantTags", "Packages"):
                action.setdefault(key, [])
            action.setdefault("Properties", {})
            action.setdefault("IsDisabled", False)
            action.setdefault("IsRequired", False)
            action.setdefault("Condition", "Success")
            action.setdefault("CanBeUsedForProjectVersioning", bool(action.get("Packages")))
            action.setdefault("WorkerPoolId", None)
            action.setdefault("WorkerPoolVariable", None)
            action.setdefault("Container", {"Image": None, "FeedId": None})
            for package in action["Packages"]:
                package["Id"] = package.get("Id") or str(uuid.uuid4())


class ProjectsBehaviour(Behaviour):
    def prepare(self, ctx: Ctx, doc: Document, old: Document | None) -> None:
        settings = doc.get("PersistenceSettings") or {"Type": "Database"}
        doc["IsVersionControlled"] = settings.get("Type") == "VersionControlled"
        for template in doc.get("Templates") or []:
            template["Id"] = template.get("Id") or str(uuid.uuid4())
            template.setdefault("DisplaySettings", {})
        if old is None:
            doc["DeploymentProcessId"] = f"deploymentprocess-{doc['Id']}"
            doc["VariableSetId"] = f"variableset-{doc['Id']}"
        else:
            doc["DeploymentProcessId"] = old["DeploymentProcessId"]
            doc["VariableSetId"] = old["VariableSetId"]
        if "ForcePackageDownload" in ctx.profile.deployment_settings:
            doc.setdefault("ForcePackageDownload", False)
        deployment_settings.strip_unknown_project_fields(ctx, doc)

    def references(self, ctx: Ctx, doc: Document) -> list[str]:
        check = ReferenceChecker(ctx.store, doc["SpaceId"])
        check.check("ProjectGroupId", "projectgroups", doc.get("ProjectGroupId"), required=True)
        check.check("LifecycleId", "lifecycles", doc.get("LifecycleId"), required=True)
        check.check(
            "IncludedLibraryVariableSetIds", "libraryvariablesets", doc.get("IncludedLibraryVariableSetIds")
        )
        check.check("ClonedFromProjectId", "projects", doc.get("ClonedFromProjectId"))
        strategy = doc.get("ReleaseCreationStrategy") or {}
        check.check_project_children(
            "ReleaseCreationStrategy.ChannelId", "channels", strategy.get("ChannelId"), doc["Id"]
        )
        for key in ("ProvisioningRunbookId", "DeprovisioningRunbookId"):
            check.check_project_children(key, "runbooks", doc.get(key), doc["Id"])
        for override in doc.get("AutoDeployReleaseOverrides") or []:
            check.check(
                "AutoDeployReleaseOverrides EnvironmentId", "environments", override.get("EnvironmentId")
            )
            check.check("AutoDeployReleaseOverrides TenantId", "tenants", override.get("TenantId"))
        return check.errors

    def after_create(self, ctx: Ctx, doc: Document) -> None:
        store, space, project_id = ctx.store, doc["SpaceId"], doc["Id"]
        stamp = {"SpaceId": space, "LastModifiedOn": now_iso(), "LastModifiedBy": "sandbox-user"}
        store.put(
            "deploymentprocesses",
            {**_PROCESS_DEFAULTS, "Id": doc["DeploymentProcessId"], "ProjectId": project_id, **stamp},
        )
        store.put(
            "variables",
            {"Id": doc["VariableSetId"], "OwnerId": project_id, "Version": 0, "Variables": [], **stamp},
        )
        store.put(
            "channels",
            {
                **KINDS["channels"].defaults(),
                "Id": store.new_id("Channels"),
                "Name": "Default",
                "Slug": "default",
                "IsDefault": True,
                "ProjectId": project_id,
                **stamp,
            },
        )

    def after_delete(self, ctx: Ctx, doc: Document) -> None:
        store = ctx.store
        store.delete("deploymentprocesses", doc["DeploymentProcessId"])
        store.delete("variables", doc["VariableSetId"])
        for route in ("channels", "runbooks", "projecttriggers", "runbookProcesses"):
            for child in [c for c in store.collection(route).values() if c.get("ProjectId") == doc["Id"]]:
                store.delete(route, child["Id"])
        # Tenants connected to it are disconnected, with their values for it: a tenant naming a project that
        # no longer exists could not be saved again (inferred: docs/api-evidence.md, Tenants).
        for tenant in store.in_space("tenants", doc["SpaceId"]):
            if doc["Id"] in tenant.get("ProjectEnvironments", {}):
                del tenant["ProjectEnvironments"][doc["Id"]]
                behaviour_for("tenants").stored(ctx, tenant)

    def links(self, ctx: Ctx, doc: Document) -> dict[str, str]:
        base = f"/api/{doc['SpaceId']}/projects/{doc['Id']}"
        logo = f"{base}/logo?cb={ctx.version}"
        if doc["Id"] in ctx.store.logos:
            logo = f"{base}/logo?cb={abs(hash(ctx.store.logos[doc['Id']][1])) % 10**8}"
        return {
            "Variables": f"{base}/variables"
            if ctx.profile.project_variables_route
            else f"/api/{doc['SpaceId']}/variables/{doc['VariableSetId']}",
            "Channels": f"{base}/channels{{/id}}{{?skip,take,partialName}}",
            "DeploymentProcess": f"/api/{doc['SpaceId']}/deploymentprocesses/{doc['DeploymentProcessId']}",
            "DeploymentSettings": f"{base}/deploymentsettings",
            "Runbooks": f"{base}/runbooks{{?skip,take,partialName}}",
            "Triggers": f"{base}/triggers{{?skip,take,partialName,triggerActionType}}",
            "Logo": logo,
            "Web": f"/app#/{doc['SpaceId']}/projects/{doc['Id']}",
        }

    def get(self, ctx: Ctx, doc_id: str) -> Response:
        """Projects are addressable by id or slug."""
        if ctx.store.get("projects", doc_id) is None:
            for project in ctx.store.in_space("projects", ctx.space_id):
                if project.get("Slug") == doc_id:
                    return Response(200, self.render(ctx, project))
        return super().get(ctx, doc_id)


def _owned_by(ctx: Ctx, route: str, child_id: str, project_id: str) -> Document:
    child = ctx.require(route, child_id)
    if child.get("ProjectId") != project_id:
        raise not_found(child_id)
    return child


def _project_child_routes(table: RouteTable, what: str, route: str) -> None:
    """/projects/{id}/channels and /projects/{id}/channels/{childId}: only that project's children."""
    base = f"/api/{{spaceId}}/projects/{{id}}/{what}"

    def listed(call: Call) -> Response:
        call.ctx.require("projects", call["id"])
        child = behaviour_for(route)
        items = call.ctx.store.of_project(route, call["id"], call.ctx.space_id)
        return child.list_items(call.ctx, call.request, items)

    def one(action: str) -> Handler:
        def handle(call: Call) -> Response:
            call.ctx.require("projects", call["id"])
            _owned_by(call.ctx, route, call["childId"], call["id"])
            behaviour = behaviour_for(route)
            if action == "get":
                return behaviour.get(call.ctx, call["childId"])
            if action == "put":
                return behaviour.update(call.ctx, call["childId"], call.request)
            return behaviour.delete(call.ctx, call["childId"])

        return handle

    table.add("GET", base, listed, answers="collection")
    table.add("GET", f"{base}/{{childId}}", one("get"), answers="document")
    table.add("PUT", f"{base}/{{childId}}", one("put"), answers="document")
    table.add("DELETE", f"{base}/{{childId}}", one("delete"), answers="empty")


def _project_document(
    table: RouteTable, what: str, route: str, id_field: str, when: ProfileFilter = always
) -> None:
    """/projects/{id}/deploymentprocesses and the like: the project's own child document, GET and PUT."""
    path = f"/api/{{spaceId}}/projects/{{id}}/{what}"

    def get(call: Call) -> Response:
        project = call.ctx.require("projects", call["id"])
        return behaviour_for(route).get(call.ctx, project[id_field])

    def put(call: Call) -> Response:
        project = call.ctx.require("projects", call["id"])
        return behaviour_for(route).update(call.ctx, project[id_field], call.request)

    table.add("GET", path, get, answers="document", when=when)
    table.add("PUT", path, put, answers="document", when=when)


def _runbook_process_routes(table: RouteTable) -> None:
    path = "/api/{spaceId}/projects/{id}/runbookProcesses/{childId}"

    def handler(write: bool) -> Handler:
        def handle(call: Call) -> Response:
            call.ctx.require("projects", call["id"])
            _owned_by(call.ctx, "runbookProcesses", call["childId"], call["id"])
            behaviour = behaviour_for("runbookProcesses")
            if write:
                return behaviour.update(call.ctx, call["childId"], call.request)
            return behaviour.get(call.ctx, call["childId"])

        return handle

    table.add("GET", path, handler(False), answers="document")
    table.add("PUT", path, handler(True), answers="document")


def _logo_routes(table: RouteTable) -> None:
    path = "/api/{spaceId}/projects/{id}/logo"

    def get(call: Call) -> Response:
        call.ctx.require("projects", call["id"])
        return logo_response(call.ctx.store, call["id"])

    def upload(call: Call) -> Response:
        call.ctx.require("projects", call["id"])
        store_logo(call.ctx.store, call["id"], call.request)
        return Response(200, {})

    table.add("GET", path, get, answers="bytes")
    table.add("POST", path, upload, answers="empty")
    table.add("PUT", path, upload, answers="empty")


class ChannelsBehaviour(Behaviour):
    def prepare(self, ctx: Ctx, doc: Document, old: Document | None) -> None:
        if old is not None:
            doc["ProjectId"] = old["ProjectId"]  # writeable on create only
        if doc.get("IsDefault"):
            for other in self.siblings(ctx, doc):
                other["IsDefault"] = False

    def references(self, ctx: Ctx, doc: Document) -> list[str]:
        check = ReferenceChecker(ctx.store, doc["SpaceId"])
        check.check("ProjectId", "projects", doc.get("ProjectId"), required=True)
        check.check("LifecycleId", "lifecycles", doc.get("LifecycleId"))
        check.check_tags("TenantTags", doc.get("TenantTags"))
        return check.errors

    def links(self, ctx: Ctx, doc: Document) -> dict[str, str]:
        return {"Project": f"/api/{doc['SpaceId']}/projects/{doc['ProjectId']}"}


class ProcessBehaviour(Behaviour):
    """Deployment and runbook processes: created with their owner, then only read and PUT."""

    def stale_message(self, doc: Document) -> str:
        return out_of_date(self.kind.item_type, doc["Id"])

    def prepare(self, ctx: Ctx, doc: Document, old: Document | None) -> None:
        assert old is not None
        for key in ("ProjectId", "RunbookId"):
            if key in old:
                doc[key] = old[key]
        steps = doc.get("Steps")
        if not isinstance(steps, list):
            raise bad_request(["The Steps field must be a list."])
        ensure_guids(steps)
        names = [str(step.get("Name", "")).lower() for step in steps]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise bad_request(
                [f"Step names must be unique within a process; '{duplicates[0]}' is used twice."]
            )

    def references(self, ctx: Ctx, doc: Document) -> list[str]:
        check = ReferenceChecker(ctx.store, doc["SpaceId"])
        check.check_steps(doc.get("Steps"), doc.get("ProjectId"))
        return check.errors

    def links(self, ctx: Ctx, doc: Document) -> dict[str, str]:
        links = {"Project": f"/api/{doc['SpaceId']}/projects/{doc['ProjectId']}"}
        if doc.get("RunbookId"):
            links["Runbook"] = f"/api/{doc['SpaceId']}/runbooks/{doc['RunbookId']}"
        return links


class RunbooksBehaviour(Behaviour):
    def prepare(self, ctx: Ctx, doc: Document, old: Document | None) -> None:
        if old is not None:
            doc["ProjectId"] = old["ProjectId"]
            doc["RunbookProcessId"] = old["RunbookProcessId"]
        else:
            doc["RunbookProcessId"] = f"RunbookProcess-{doc['Id']}"

    def references(self, ctx: Ctx, doc: Document) -> list[str]:
        check = ReferenceChecker(ctx.store, doc["SpaceId"])
        check.check("ProjectId", "projects", doc.get("ProjectId"), required=True)
        check.check("Environments", "environments", doc.get("Environments"))
        check.check_tags("RunbookTags", doc.get("RunbookTags"))
        return check.errors

    def after_create(self, ctx: Ctx, doc: Document) -> None:
        ctx.store.put(
            "runbookProcesses",
            {
                **_PROCESS_DEFAULTS,
                "Id": doc["RunbookProcessId"],
                "RunbookId": doc["Id"],
                "ProjectId": doc["ProjectId"],
                "SpaceId": doc["SpaceId"],
                "LastModifiedOn": now_iso(),
                "LastModifiedBy": "sandbox-user",
            },
        )

    def after_delete(self, ctx: Ctx, doc: Document) -> None:
        ctx.store.delete("runbookProcesses", doc["RunbookProcessId"])

    def links(self, ctx: Ctx, doc: Document) -> dict[str, str]:
        return {
            "Project": f"/api/{doc['SpaceId']}/projects/{doc['ProjectId']}",
            "RunbookProcesses": f"/api/{doc['SpaceId']}/runbookProcesses/{doc['RunbookProcessId']}",
        }


class TriggersBehaviour(Behaviour):
    def prepare(self, ctx: Ctx, doc: Document, old: Document | None) -> None:
        if old is not None:
            doc["ProjectId"] = old["ProjectId"]
        for key in ("Filter", "Action"):
            if not isinstance(doc.get(key), dict):
                raise bad_request([f"The ProjectTrigger {key} field is required."])

    def references(self, ctx: Ctx, doc: Document) -> list[str]:
        check = ReferenceChecker(ctx.store, doc["SpaceId"])
        project_id = doc.get("ProjectId")
        check.check("ProjectId", "projects", project_id, required=True)
        trigger_filter, action = doc["Filter"], doc["Action"]
        check.check("Filter.EnvironmentIds", "environments", trigger_filter.get("EnvironmentIds"))
        check.check("Action.EnvironmentIds", "environments", action.get("EnvironmentIds"))
        check.check("Action.SourceEnvironmentIds", "environments", action.get("SourceEnvironmentIds"))
        check.check("Action.DestinationEnvironmentId", "environments", action.get("DestinationEnvironmentId"))
        check.check("Action.TenantIds", "tenants", action.get("TenantIds"))
        check.check_tags("Action.TenantTags", action.get("TenantTags"))
        check.check_project_children("Action.ChannelId", "channels", action.get("ChannelId"), project_id)
        check.check_project_children("Action.RunbookId", "runbooks", action.get("RunbookId"), project_id)
        return check.errors


def register_routes(table: RouteTable) -> None:
    add_kind_routes(table, register(ProjectsBehaviour(KINDS["projects"])))
    add_kind_routes(table, register(ChannelsBehaviour(KINDS["channels"])))
    add_kind_routes(table, register(ProcessBehaviour(KINDS["deploymentprocesses"])))
    add_kind_routes(table, register(ProcessBehaviour(KINDS["runbookProcesses"])))
    add_kind_routes(table, register(RunbooksBehaviour(KINDS["runbooks"])))
    add_kind_routes(table, register(TriggersBehaviour(KINDS["projecttriggers"])))
    _project_child_routes(table, "channels", "channels")
    _project_child_routes(table, "runbooks", "runbooks")
    _project_child_routes(table, "triggers", "projecttriggers")
    _project_document(table, "deploymentprocesses", "deploymentprocesses", "DeploymentProcessId")
    _project_document(
        table, "variables", "variables", "VariableSetId", when=lambda profile: profile.project_variables_route
    )
    _runbook_process_routes(table)
    _logo_routes(table)

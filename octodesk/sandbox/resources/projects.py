"""Projects and what hangs off them: channels, deployment process, runbooks and their processes, triggers."""

from __future__ import annotations

import uuid
from typing import Any

from ..errors import ApiError, bad_request, method_not_allowed, not_found
from ..http_types import Request, Response
from ..kinds import KINDS
from ..references import ReferenceChecker
from ..store import Document, now_iso
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

    def links(self, ctx: Ctx, doc: Document) -> dict[str, str]:
        base = f"/api/{doc['SpaceId']}/projects/{doc['Id']}"
        logo = f"{base}/logo?cb={ctx.version}"
        if doc["Id"] in ctx.store.logos:
            logo = f"{base}/logo?cb={abs(hash(ctx.store.logos[doc['Id']][1])) % 10**8}"
        return {
            "Variables": f"/api/{doc['SpaceId']}/variables/{doc['VariableSetId']}",
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

    def subroute(self, ctx: Ctx, request: Request, doc_id: str, rest: list[str]) -> Response:
        project = ctx.require("projects", doc_id)
        what, method = rest[0], request.method
        child_routes = {"channels": "channels", "runbooks": "runbooks", "triggers": "projecttriggers"}
        if what in child_routes and len(rest) == 1:
            child = behaviour_for(child_routes[what])
            if method == "GET":
                items = [
                    d
                    for d in ctx.store.in_space(child.kind.route, ctx.space_id)
                    if d.get("ProjectId") == doc_id
                ]
                return child.list_items(ctx, request, items)
            raise method_not_allowed(method, request.path)
        if what in child_routes and len(rest) == 2:
            return _project_child(ctx, request, child_routes[what], doc_id, rest[1])
        if what == "runbookProcesses" and len(rest) == 2:
            _owned_by(ctx, "runbookProcesses", rest[1], doc_id)
            return _get_or_put(ctx, request, "runbookProcesses", rest[1])
        if what == "deploymentprocesses" and len(rest) == 1:
            return _get_or_put(ctx, request, "deploymentprocesses", project["DeploymentProcessId"])
        if what == "variables" and len(rest) == 1:
            return _get_or_put(ctx, request, "variables", project["VariableSetId"])
        if what == "logo" and len(rest) == 1:
            if method == "GET":
                return logo_response(ctx.store, doc_id)
            if method in ("POST", "PUT"):
                store_logo(ctx.store, doc_id, request)
                return Response(200, {})
            raise method_not_allowed(method, request.path)
        if what == "deploymentsettings" and len(rest) == 1:
            return _deployment_settings(ctx, request, project)
        raise not_found(request.path)


def _owned_by(ctx: Ctx, route: str, child_id: str, project_id: str) -> Document:
    child = ctx.require(route, child_id)
    if child.get("ProjectId") != project_id:
        raise not_found(child_id)
    return child


def _project_child(ctx: Ctx, request: Request, route: str, project_id: str, child_id: str) -> Response:
    """/projects/{id}/channels/{channelId} and friends: the child, only when it belongs to that project."""
    _owned_by(ctx, route, child_id, project_id)
    behaviour = behaviour_for(route)
    if request.method == "GET":
        return behaviour.get(ctx, child_id)
    if request.method == "PUT":
        return behaviour.update(ctx, child_id, request)
    if request.method == "DELETE":
        return behaviour.delete(ctx, child_id)
    raise method_not_allowed(request.method, request.path)


def _get_or_put(ctx: Ctx, request: Request, route: str, doc_id: str) -> Response:
    behaviour = behaviour_for(route)
    if request.method == "GET":
        return behaviour.get(ctx, doc_id)
    if request.method == "PUT":
        return behaviour.update(ctx, doc_id, request)
    raise method_not_allowed(request.method, request.path)


_SETTINGS_FIELDS = (
    "DefaultGuidedFailureMode",
    "VersioningStrategy",
    "ReleaseNotesTemplate",
    "DefaultToSkipIfAlreadyInstalled",
    "DeploymentChangesTemplate",
)


def _deployment_settings(ctx: Ctx, request: Request, project: Document) -> Response:
    """2021.2 keeps these on the project; the deploymentsettings route reads and writes the same fields."""
    if request.method == "PUT":
        body = request.body if isinstance(request.body, dict) else {}
        with ctx.store.lock:
            for key in _SETTINGS_FIELDS:
                if key in body:
                    project[key] = body[key]
            if "ConnectivityPolicy" in body:
                project["ProjectConnectivityPolicy"] = body["ConnectivityPolicy"]
    elif request.method != "GET":
        raise method_not_allowed(request.method, request.path)
    settings = {key: project.get(key) for key in _SETTINGS_FIELDS}
    return Response(
        200,
        {
            "Id": f"deploymentsettings-{project['Id']}",
            "ProjectId": project["Id"],
            "SpaceId": project["SpaceId"],
            "ConnectivityPolicy": project.get("ProjectConnectivityPolicy"),
            **settings,
            "LastModifiedOn": project.get("LastModifiedOn"),
            "LastModifiedBy": project.get("LastModifiedBy"),
            "Links": {"Self": f"/api/{project['SpaceId']}/projects/{project['Id']}/deploymentsettings"},
        },
    )


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


def register_all() -> None:
    register(ProjectsBehaviour(KINDS["projects"]))
    register(ChannelsBehaviour(KINDS["channels"]))
    register(ProcessBehaviour(KINDS["deploymentprocesses"]))
    register(ProcessBehaviour(KINDS["runbookProcesses"]))
    register(RunbooksBehaviour(KINDS["runbooks"]))
    register(TriggersBehaviour(KINDS["projecttriggers"]))

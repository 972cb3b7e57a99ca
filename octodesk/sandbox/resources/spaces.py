"""Spaces (and what every new space gets), teams, the API root, space root and license status."""

from __future__ import annotations

from typing import Any

from ..errors import bad_request
from ..http_types import Response
from ..kinds import KINDS
from ..profiles import Profile
from ..routes import Call, RouteTable, add_kind_routes
from ..store import Document
from . import packages, task_routes
from .base import Behaviour, Ctx, register

_SPACE_LINKS = {
    "Projects": "projects{/id}{?name,skip,ids,clone,take,partialName,clonedFromProjectId}",
    "ProjectGroups": "projectgroups{/id}{?skip,take,ids,partialName}",
    "Lifecycles": "lifecycles{/id}{?skip,take,ids,partialName}",
    "Environments": "environments{/id}{?name,skip,ids,take,partialName}",
    "Channels": "channels{/id}{?skip,take,ids,partialName}",
    "DeploymentProcesses": "deploymentprocesses{/id}{?skip,take,ids}",
    "Runbooks": "runbooks{/id}{?skip,take,ids,partialName,clone,projectIds}",
    "RunbookProcesses": "runbookProcesses{/id}{?skip,take,ids}",
    "Variables": "variables{/id}{?ids}",
    "LibraryVariables": "libraryvariablesets{/id}{?skip,contentType,take,ids,partialName}",
    "Tenants": "tenants{/id}{?skip,projectId,name,tags,take,ids,clone,partialName,clonedFromTenantId}",
    "TagSets": "tagsets{/id}{?skip,take,ids,partialName}",
    "ActionTemplates": "actiontemplates{/id}{?skip,take,ids,partialName}",
    "Accounts": "accounts{/id}{?skip,take,ids,partialName,accountType}",
    "Certificates": "certificates{/id}{?skip,take,search,archived,tenant,firstResult,orderBy,ids,"
    "partialName}",
    "WorkerPools": "workerpools{/id}{?skip,ids,take,partialName}",
    "Feeds": "feeds{/id}{?skip,take,ids,partialName,feedType,name}",
    "ProjectTriggers": "projecttriggers{/id}{?skip,take,ids,runbooks}",
    "Machines": "machines{/id}{?skip,take,name,ids,partialName,roles,isDisabled,environmentIds}",
    "MachineRoles": "machineroles/all",
    "Teams": "teams{/id}{?skip,take,ids,partialName,spaces,includeSystem}",
    "Packages": packages.TEMPLATE,
    "PackageUpload": packages.UPLOAD_TEMPLATE,
    "PackagesBulk": packages.BULK_TEMPLATE,
}


def _space_links(profile: Profile) -> dict[str, str]:
    links = dict(_SPACE_LINKS)
    if profile.git_credentials:
        links["GitCredentials"] = "git-credentials{/id}{?skip,take,name}"
    return links


def space_root(space_id: str, profile: Profile) -> dict[str, Any]:
    links = {name: f"/api/{space_id}/{template}" for name, template in _space_links(profile).items()}
    return {
        "Id": space_id,
        "LastModifiedOn": None,
        "LastModifiedBy": None,
        "Links": {"Self": f"/api/{space_id}", **links},
    }


def api_root(version: str, installation_id: str, profile: Profile) -> dict[str, Any]:
    links = {name: f"/api/{template}" for name, template in _space_links(profile).items()}
    links.update(
        {
            "Self": "/api",
            "Spaces": "/api/spaces{/id}{?skip,ids,take,partialName}",
            "SpaceHome": "/api/{spaceId}",
            "Teams": "/api/teams{/id}{?skip,take,ids,partialName,spaces,includeSystem}",
            "CurrentLicenseStatus": "/api/licenses/licenses-current-status",
            "CurrentUser": "/api/users/me",
        }
    )
    return {
        "Application": "Octopus Deploy",
        "Version": version,
        "ApiVersion": "3.0.0",
        "InstallationId": installation_id,
        "HasLongTermSupport": True,
        "IsEarlyAccessProgram": False,
        "Id": None,
        "LastModifiedOn": None,
        "LastModifiedBy": None,
        "Links": links,
    }


def license_status(hosting: str) -> dict[str, Any]:
    return {
        "Id": None,
        "IsCompliant": True,
        "HostingEnvironment": "OctopusCloud" if hosting == "cloud" else "SelfHosted",
        "EffectiveExpiryDate": "2099-12-31",  # a NodaTime LocalDate: ISO date on the wire
        "DaysToEffectiveExpiryDate": 27000,
        "DoesExpiryBlockKeyActivities": False,
        "EffectiveNodeTaskLimit": 5,
        "IsNodeTaskLimitControlledByLicense": True,
        "EffectiveClusterTaskLimit": 10,
        "IsClusterTaskLimitControlledByLicense": True,
        "PermissionsMode": "Full",
        "ComplianceSummary": "Your license is compliant.",
        "Messages": [],
        "Limits": [],
        "LastModifiedOn": None,
        "LastModifiedBy": None,
        "Links": {"Self": "/api/licenses/licenses-current-status"},
    }


def system_teams() -> list[Document]:
    defaults = KINDS["teams"].defaults()
    locked = {"CanBeDeleted": False, "CanBeRenamed": False, "CanChangeRoles": False}
    return [
        {
            **defaults,
            **locked,
            "Id": "teams-administrators",
            "Name": "Octopus Administrators",
            "SpaceId": None,
            "Description": "Members of this team can manage the whole server.",
        },
        {
            **defaults,
            **locked,
            "Id": "teams-everyone",
            "Name": "Everyone",
            "SpaceId": None,
            "CanChangeMembers": False,
            "Description": "All users are members of this team.",
        },
    ]


class SpacesBehaviour(Behaviour):
    def prepare(self, ctx: Ctx, doc: Document, old: Document | None) -> None:
        spaces = ctx.store.collection("spaces")
        if old is None and not spaces:
            doc["IsDefault"] = True
        if doc.get("IsDefault"):
            for other in spaces.values():
                if other["Id"] != doc["Id"]:
                    other["IsDefault"] = False

    def siblings(self, ctx: Ctx, doc: Document) -> list[Document]:
        return [s for s in ctx.store.collection("spaces").values() if s["Id"] != doc["Id"]]

    def scope_items(self, ctx: Ctx, query: dict[str, str]) -> list[Document]:
        return list(ctx.store.collection("spaces").values())

    def self_path(self, ctx: Ctx, doc: Document) -> str:
        return f"/api/spaces/{doc['Id']}"

    def links(self, ctx: Ctx, doc: Document) -> dict[str, str]:
        return {
            "SpaceHome": f"/api/{doc['Id']}",
            "Web": f"/app#/{doc['Id']}",
            "Logo": f"/api/spaces/{doc['Id']}/logo",
            "Search": f"/api/spaces/{doc['Id']}/search",
        }

    def after_create(self, ctx: Ctx, doc: Document) -> None:
        """What a real new space has: built-in feed, default lifecycle and worker pool, managers team."""
        space_id = doc["Id"]
        store = ctx.store
        feed_id = store.new_id("Feeds")
        store.put(
            "feeds",
            {
                **KINDS["feeds"].defaults(),
                "Id": feed_id,
                "Name": "Octopus Server (built-in)",
                "Slug": "octopus-server-built-in",
                "FeedType": "BuiltIn",
                "SpaceId": space_id,
                "DeleteUnreleasedPackagesAfterDays": 30,
                "IsBuiltInRepoSyncEnabled": False,
            },
        )
        # The project feed of Deploy-a-Release steps ("feeds-builtin-releases" on a real default space).
        store.put(
            "feeds",
            {
                **KINDS["feeds"].defaults(),
                "Id": store.new_id("Feeds"),
                "Name": "Octopus Server Releases (built-in)",
                "Slug": "octopus-server-releases-built-in",
                "FeedType": "OctopusProject",
                "SpaceId": space_id,
            },
        )
        store.put(
            "lifecycles",
            {
                **KINDS["lifecycles"].defaults(),
                "Id": store.new_id("Lifecycles"),
                "Name": "Default Lifecycle",
                "Slug": "default-lifecycle",
                "SpaceId": space_id,
            },
        )
        store.put(
            "workerpools",
            {
                **KINDS["workerpools"].defaults(),
                "Id": store.new_id("WorkerPools"),
                "Name": "Default Worker Pool",
                "Slug": "default-worker-pool",
                "IsDefault": True,
                "SortOrder": 1,
                "SpaceId": space_id,
            },
        )
        team_id = f"teams-spacemanagers-{space_id}"
        store.put(
            "teams",
            {
                **KINDS["teams"].defaults(),
                "Id": team_id,
                "Name": "Space Managers",
                "SpaceId": space_id,
                "CanBeDeleted": False,
                "CanBeRenamed": False,
                "CanChangeRoles": False,
                "Description": "Members can manage this space.",
            },
        )
        if team_id not in doc["SpaceManagersTeams"]:
            doc["SpaceManagersTeams"] = [team_id, *doc["SpaceManagersTeams"]]

    def after_delete(self, ctx: Ctx, doc: Document) -> None:
        for docs in ctx.store.docs.values():
            for doc_id in [i for i, d in docs.items() if d.get("SpaceId") == doc["Id"]]:
                del docs[doc_id]
        for package in ctx.store.packages.in_space(doc["Id"]):
            ctx.store.packages.remove(doc["Id"], package.key)


class TeamsBehaviour(Behaviour):
    def scope_items(self, ctx: Ctx, query: dict[str, str]) -> list[Document]:
        teams = list(ctx.store.collection("teams").values())
        spaces = {s for s in query.get("spaces", "").split(",") if s}
        if ctx.space_id is not None:
            spaces = {ctx.space_id}
        include_system = query.get("includeSystem", "").lower() == "true" or not spaces
        chosen = []
        for team in teams:
            if team.get("SpaceId") is None:
                if include_system:
                    chosen.append(team)
            elif not spaces or team["SpaceId"] in spaces:
                chosen.append(team)
        return chosen

    def siblings(self, ctx: Ctx, doc: Document) -> list[Document]:
        return [
            t
            for t in ctx.store.collection("teams").values()
            if t["Id"] != doc["Id"] and t.get("SpaceId") in (doc.get("SpaceId"), None)
        ]

    def self_path(self, ctx: Ctx, doc: Document) -> str:
        return f"/api/teams/{doc['Id']}"

    def prepare(self, ctx: Ctx, doc: Document, old: Document | None) -> None:
        doc.setdefault("SpaceId", None)
        space = doc.get("SpaceId")
        if space is not None and ctx.store.get("spaces", space) is None:
            raise bad_request([f"SpaceId refers to '{space}', which does not exist."])

    def references(self, ctx: Ctx, doc: Document) -> list[str]:
        return []


CURRENT_USER = {
    "Id": "Users-1",
    "Username": "sandbox",
    "DisplayName": "Sandbox User",
    "IsActive": True,
    "IsService": False,
    "Links": {"Self": "/api/users/Users-1"},
}


def register_routes(table: RouteTable) -> None:
    def root(call: Call) -> Response:
        document = api_root(call.ctx.version, call.ctx.installation_id, call.ctx.profile)
        document["Links"].update(task_routes.root_links(call.ctx.version, call.site.default_space()))
        return Response(200, document)

    def home(call: Call) -> Response:
        document = space_root(call["spaceId"], call.ctx.profile)
        document["Links"].update(task_routes.root_links(call.ctx.version, call["spaceId"]))
        return Response(200, document)

    table.add("GET", "/api", root, answers="document")
    table.add(
        "GET",
        "/api/licenses/licenses-current-status",
        lambda c: Response(200, license_status(c.ctx.hosting)),
        answers="document",
    )
    table.add("GET", "/api/users/me", lambda c: Response(200, dict(CURRENT_USER)), answers="document")
    table.add("GET", "/api/{spaceId}", home, answers="document")
    add_kind_routes(table, register(SpacesBehaviour(KINDS["spaces"])), "/api")
    teams = register(TeamsBehaviour(KINDS["teams"]))
    add_kind_routes(table, teams, "/api")
    add_kind_routes(table, teams)


__all__ = ["api_root", "license_status", "register_routes", "space_root", "system_teams"]

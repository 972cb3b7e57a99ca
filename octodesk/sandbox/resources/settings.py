"""A project's deployment settings (``projects/{id}/deploymentsettings``).

The fields a 2021.2 project document also carries (guided failure, versioning, templates, connectivity) are
one value seen through both routes. Fields that exist only on the settings route of newer servers
(``FailTargetDiscovery``, ...) are stored beside the project and never appear on the project document. A PUT
replaces the whole settings document: a field left out goes back to its default, as on the real server
("Omitting this clears the project's existing template", deployment-settings API reference).
"""

from __future__ import annotations

import copy
from typing import Any

from ..errors import bad_request
from ..http_types import Response
from ..routes import Call, RouteTable
from ..store import Document, now_iso
from .base import Ctx, normalise_keys

# Settings field -> the project document field holding the same value.
SHARED_WITH_PROJECT = {
    "ConnectivityPolicy": "ProjectConnectivityPolicy",
    "DefaultGuidedFailureMode": "DefaultGuidedFailureMode",
    "DefaultToSkipIfAlreadyInstalled": "DefaultToSkipIfAlreadyInstalled",
    "DeploymentChangesTemplate": "DeploymentChangesTemplate",
    "ReleaseNotesTemplate": "ReleaseNotesTemplate",
    "VersioningStrategy": "VersioningStrategy",
    "ForcePackageDownload": "ForcePackageDownload",
}
SETTINGS_ONLY = frozenset({"FailTargetDiscovery", "CancelQueuedTasks", "CancelRunningTasks"})
_GUIDED_FAILURE_MODES = ("EnvironmentDefault", "Off", "On")


def defaults() -> dict[str, Any]:
    return {
        "ConnectivityPolicy": {
            "SkipMachineBehavior": "None",
            "TargetRoles": [],
            "AllowDeploymentsToNoTargets": False,
            "ExcludeUnhealthyTargets": False,
        },
        "DefaultGuidedFailureMode": "EnvironmentDefault",
        "DefaultToSkipIfAlreadyInstalled": False,
        "DeploymentChangesTemplate": None,
        "ReleaseNotesTemplate": None,
        "VersioningStrategy": {
            "Template": "#{Octopus.Version.LastMajor}.#{Octopus.Version.LastMinor}"
            ".#{Octopus.Version.NextPatch}",
            "DonorPackage": None,
            "DonorPackageStepId": None,
        },
        "ForcePackageDownload": False,
        "FailTargetDiscovery": False,
        "CancelQueuedTasks": False,
        "CancelRunningTasks": False,
    }


def project_fields(ctx: Ctx) -> frozenset[str]:
    """Project document fields this profile has that mirror a settings field."""
    return frozenset(
        project_field
        for field, project_field in SHARED_WITH_PROJECT.items()
        if field in ctx.profile.deployment_settings
    )


def strip_unknown_project_fields(ctx: Ctx, project: Document) -> None:
    """A real server drops what its ProjectResource does not have: settings-only fields always, and the
    shared fields the profile's projects do not carry yet (ForcePackageDownload before 2023.1)."""
    for field in SETTINGS_ONLY:
        project.pop(field, None)
    for field, project_field in SHARED_WITH_PROJECT.items():
        if field not in ctx.profile.deployment_settings:
            project.pop(project_field, None)


def read(ctx: Ctx, project: Document) -> Document:
    stored = ctx.store.deployment_settings.get(project["Id"], {})
    fallback = defaults()
    settings: Document = {}
    for field in ctx.profile.deployment_settings:
        if field in SETTINGS_ONLY:
            settings[field] = copy.deepcopy(stored.get(field, fallback[field]))
        else:
            settings[field] = copy.deepcopy(project.get(SHARED_WITH_PROJECT[field], fallback[field]))
    space, project_id = project["SpaceId"], project["Id"]
    return {
        "Id": f"deploymentsettings-{project_id}",
        "ProjectId": project_id,
        "SpaceId": space,
        **settings,
        "LastModifiedOn": stored.get("LastModifiedOn", project.get("LastModifiedOn")),
        "LastModifiedBy": project.get("LastModifiedBy"),
        "Links": {"Self": f"/api/{space}/projects/{project_id}/deploymentsettings"},
    }


def write(ctx: Ctx, project: Document, body: Document) -> None:
    fallback = defaults()
    mode = body.get("DefaultGuidedFailureMode", fallback["DefaultGuidedFailureMode"])
    if mode not in _GUIDED_FAILURE_MODES:
        raise bad_request([f"DefaultGuidedFailureMode must be one of {', '.join(_GUIDED_FAILURE_MODES)}."])
    only: Document = {"LastModifiedOn": now_iso()}
    for field in ctx.profile.deployment_settings:
        value = copy.deepcopy(body.get(field, fallback[field]))
        if field in SETTINGS_ONLY:
            only[field] = value
        else:
            project[SHARED_WITH_PROJECT[field]] = value
    ctx.store.deployment_settings[project["Id"]] = only
    project["LastModifiedOn"] = now_iso()


def register_routes(table: RouteTable) -> None:
    path = "/api/{spaceId}/projects/{id}/deploymentsettings"

    def get(call: Call) -> Response:
        return Response(200, read(call.ctx, call.ctx.require("projects", call["id"])))

    def put(call: Call) -> Response:
        project = call.ctx.require("projects", call["id"])
        write(call.ctx, project, normalise_keys(call.request.body))
        return Response(200, read(call.ctx, project))

    table.add("GET", path, get, answers="document")
    table.add("PUT", path, put, answers="document")

"""Small helpers that write one space's resources through the sandbox API, the way a REST client does."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from ..resources.tenants import scoped_bodies
from .api import DatasetError, SandboxApi


def secret(value: str) -> dict[str, Any]:
    """A SensitiveValue as a client sends it on write."""
    return {"HasValue": True, "NewValue": value}


def create_space(api: SandboxApi, name: str, description: str, *, is_default: bool = False) -> SpaceWriter:
    space = api.post(
        "/api/spaces",
        {
            "Name": name,
            "Description": description,
            "IsDefault": is_default,
            "TaskQueueStopped": False,
            "SpaceManagersTeams": [],
            "SpaceManagersTeamMembers": [],
        },
    )
    return SpaceWriter(api, space["Id"])


def step(
    name: str,
    action_type: str,
    properties: Mapping[str, Any],
    *,
    roles: Iterable[str] = (),
    condition: str = "Success",
    start_trigger: str = "StartAfterPrevious",
    **action_fields: Any,
) -> dict[str, Any]:
    """A deployment/runbook step with a single action of the same name (what the portal creates).

    Step and action ids are left out: the server assigns them on PUT, and callers read them back.
    """
    step_properties: dict[str, Any] = {}
    role_list = list(roles)
    if role_list:
        step_properties["Octopus.Action.TargetRoles"] = ",".join(role_list)
    action: dict[str, Any] = {
        "Name": name,
        "ActionType": action_type,
        "Notes": None,
        "IsDisabled": False,
        "IsRequired": False,
        "CanBeUsedForProjectVersioning": bool(action_fields.get("Packages")),
        "Condition": "Success",
        "WorkerPoolId": None,
        "WorkerPoolVariable": None,
        "Container": {"Image": None, "FeedId": None},
        "Environments": [],
        "ExcludedEnvironments": [],
        "Channels": [],
        "TenantTags": [],
        "Packages": [],
        "Properties": dict(properties),
    }
    action.update(action_fields)
    return {
        "Name": name,
        "PackageRequirement": "LetOctopusDecide",
        "Properties": step_properties,
        "Condition": condition,
        "StartTrigger": start_trigger,
        "Actions": [action],
    }


def package(
    package_id: str, feed_id: str | None, *, name: str = "", acquisition: str = "Server", extract: bool = True
) -> dict[str, Any]:
    """A PackageReference ("" is the action's primary package)."""
    return {
        "Name": name,
        "PackageId": package_id,
        "FeedId": feed_id,
        "AcquisitionLocation": acquisition,
        "Properties": {"Extract": str(extract), "SelectionMode": "immediate", "Purpose": ""},
    }


def variable(
    name: str,
    value: str | None,
    *,
    sensitive: bool = False,
    var_type: str | None = None,
    description: str = "",
    **scope: list[str],
) -> dict[str, Any]:
    """A variable as a client sends it in a variable-set PUT; scope keys are Octopus scope names."""
    return {
        "Name": name,
        "Value": value,
        "Description": description,
        "Type": var_type or ("Sensitive" if sensitive else "String"),
        "IsSensitive": sensitive,
        "IsEditable": True,
        "Prompt": None,
        "Scope": {key: list(values) for key, values in scope.items() if values},
    }


def template_parameter(
    name: str,
    label: str,
    help_text: str,
    default: Any = "",
    control: str = "SingleLineText",
    options: str | None = None,
) -> dict[str, Any]:
    """An ActionTemplateParameter (also used for project and library-set tenant templates)."""
    display: dict[str, str] = {"Octopus.ControlType": control}
    if options is not None:
        display["Octopus.SelectOptions"] = options
    return {
        "Name": name,
        "Label": label,
        "HelpText": help_text,
        "DefaultValue": default,
        "DisplaySettings": display,
    }


def with_new_ids(parameters: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Project variable templates get their GUIDs from the client, as the portal does when one is added."""
    return [{"Id": str(uuid.uuid4()), **parameter} for parameter in parameters]


def actions_by_name(process: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The actions of a deployment or runbook process, by name (ids as assigned by the server)."""
    return {action["Name"]: action for entry in process["Steps"] for action in entry["Actions"]}


class SpaceWriter:
    """Creates and updates the resources of one space; every id used comes from a server response."""

    def __init__(self, api: SandboxApi, space_id: str) -> None:
        self.api = api
        self.space_id = space_id

    def path(self, route: str) -> str:
        return f"/api/{self.space_id}/{route.lstrip('/')}"

    def create(self, collection: str, body: dict[str, Any]) -> dict[str, Any]:
        return self.api.post(self.path(collection), body)

    def get(self, route: str) -> Any:
        return self.api.get(self.path(route))

    def put(self, route: str, body: dict[str, Any]) -> dict[str, Any]:
        return self.api.put(self.path(route), body)

    def all(self, collection: str, query: str = "") -> list[dict[str, Any]]:
        """Every item of a collection, following pages (the sandbox pages like Octopus, 30 by default)."""
        items: list[dict[str, Any]] = []
        separator = "&" if query else ""
        while True:
            page = self.get(f"{collection}?{query}{separator}skip={len(items)}&take=100")
            batch = page["Items"]
            items.extend(batch)
            if not batch or len(items) >= page["TotalResults"]:
                return items

    def find(self, collection: str, name: str, query: str = "") -> dict[str, Any]:
        for item in self.all(collection, query):
            if item["Name"] == name:
                return item
        raise DatasetError(f"The sandbox space {self.space_id} has no {collection} named '{name}'.")

    def team(self, name: str, description: str) -> dict[str, Any]:
        """Teams live on the global /api/teams route and carry the space id."""
        return self.api.post(
            "/api/teams",
            {
                "Name": name,
                "Description": description,
                "SpaceId": self.space_id,
                "MemberUserIds": [],
                "ExternalSecurityGroups": [],
            },
        )

    def set_deployment_process(
        self, project: Mapping[str, Any], steps: list[dict[str, Any]]
    ) -> dict[str, Any]:
        process = self.get(f"deploymentprocesses/{project['DeploymentProcessId']}")
        process["Steps"] = steps
        return self.put(f"deploymentprocesses/{process['Id']}", process)

    def add_runbook(
        self, project: Mapping[str, Any], body: dict[str, Any], steps: list[dict[str, Any]]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Create a runbook and PUT its process; returns (runbook, process as stored)."""
        runbook = self.create("runbooks", {"ProjectId": project["Id"], **body})
        process = self.get(f"runbookProcesses/{runbook['RunbookProcessId']}")
        process["Steps"] = steps
        return runbook, self.put(f"runbookProcesses/{process['Id']}", process)

    def set_variables(self, variable_set_id: str, variables: list[dict[str, Any]]) -> dict[str, Any]:
        variable_set = self.get(f"variables/{variable_set_id}")
        variable_set["Variables"] = variables
        return self.put(f"variables/{variable_set_id}", variable_set)

    def scoped_tenant_variables(self) -> bool:
        """Whether the server keeps tenant variables with environment scopes on their own endpoints."""
        try:
            toggles = self.api.get(
                "/api/configuration/feature-toggles?Name=CommonVariableScopingFeatureToggle"
            )
        except DatasetError:  # older servers have no such route
            return False
        return any(t.get("IsEnabled") for t in toggles.get("FeatureToggles", []))

    def set_tenant_variables(self, tenant_id: str, values: dict[str, Any]) -> None:
        """Write a tenant's values given in the 2021.2 shape (``ProjectVariables`` per environment,
        ``LibraryVariables`` unscoped) through whichever endpoints the server accepts."""
        if not self.scoped_tenant_variables():
            self.put(f"tenants/{tenant_id}/variables", values)
            return
        project_body, common_body = scoped_bodies(values)
        self.put(f"tenants/{tenant_id}/projectvariables", project_body)
        self.put(f"tenants/{tenant_id}/commonvariables", common_body)

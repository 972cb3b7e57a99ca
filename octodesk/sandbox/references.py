"""Which fields of which kind reference which other kinds, read from the API reference and the Swagger.

Every write goes through here: an id that does not exist in the space is a 400 naming the field and the id.
That is what catches a client that forgets to remap an id from another instance. Values holding a variable
expression (``#{...}``) are not ids and are left alone, as the real server does.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .store import Document, Store

ACCOUNT_VARIABLE_TYPES = frozenset(
    {
        "AmazonWebServicesAccount",
        "AzureAccount",
        "UsernamePasswordAccount",
        "GoogleCloudAccount",
        "GenericOidcAccount",
    }
)
VARIABLE_TYPE_ROUTES = {
    "Certificate": "certificates",
    "WorkerPool": "workerpools",
    **dict.fromkeys(ACCOUNT_VARIABLE_TYPES, "accounts"),
}

# The Octopus project feed of Deploy-a-Release steps: a built-in id, not a stored feed
# (docs/octopus-api-facts.md "Built-in feed").
RELEASES_FEED_ID = "feeds-builtin-releases"

# Action property -> kind of the id(s) it holds (comma separated where several).
ACTION_PROPERTY_ROUTES = {
    "Octopus.Action.Template.Id": "actiontemplates",
    "Octopus.Action.Manual.ResponsibleTeamIds": "teams",
    "Octopus.Action.Email.ToTeamIds": "teams",
    "Octopus.Action.Email.CCTeamIds": "teams",
    "Octopus.Action.Email.BccTeamIds": "teams",
    "Octopus.Action.DeployRelease.ProjectId": "projects",
    "Octopus.Action.Azure.AccountId": "accounts",
    "Octopus.Action.AwsAccount.AccountId": "accounts",
    "Octopus.Action.Package.FeedId": "feeds",
}


def is_expression(value: Any) -> bool:
    return isinstance(value, str) and "#{" in value


def split_ids(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value if v]
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return []


class ReferenceChecker:
    """Collects one error per missing reference of a document about to be stored in ``space_id``."""

    def __init__(self, store: Store, space_id: str) -> None:
        self.store = store
        self.space_id = space_id
        self.errors: list[str] = []

    def exists(self, route: str, ref: str) -> bool:
        doc = self.store.get(route, ref)
        if doc is None:
            return False
        if route == "teams":  # system teams belong to no space
            return doc.get("SpaceId") in (self.space_id, None)
        return doc.get("SpaceId") == self.space_id

    def check(self, field: str, route: str, value: Any, *, required: bool = False) -> None:
        if value is None or value == "" or value == []:
            if required:
                self.errors.append(f"The {field} field is required.")
            return
        for ref in split_ids(value):
            if is_expression(ref):
                continue
            if not self.exists(route, ref):
                self.errors.append(
                    f"{field} refers to '{ref}', which does not exist in space {self.space_id}."
                )

    def check_tags(self, field: str, tags: Any) -> None:
        if not tags:
            return
        known = {
            str(tag.get("CanonicalTagName", "")).lower()
            for tag_set in self.store.in_space("tagsets", self.space_id)
            for tag in tag_set.get("Tags", [])
        }
        for tag in tags:
            if str(tag).lower() not in known:
                self.errors.append(
                    f"{field} refers to the tag '{tag}', which does not exist in space {self.space_id}."
                )

    def check_tenancy(self, doc: Document) -> None:
        self.check("EnvironmentIds", "environments", doc.get("EnvironmentIds"))
        self.check("TenantIds", "tenants", doc.get("TenantIds"))
        self.check_tags("TenantTags", doc.get("TenantTags"))

    # processes -------------------------------------------------------------------------------------
    def check_properties(self, where: str, properties: Any) -> None:
        if not isinstance(properties, dict):
            return
        for prop, route in ACTION_PROPERTY_ROUTES.items():
            value = properties.get(prop)
            if isinstance(value, str) and value:
                self.check(f"{where} property {prop}", route, split_ids(value))
        template_id = properties.get("Octopus.Action.Template.Id")
        version = properties.get("Octopus.Action.Template.Version")
        if (
            isinstance(template_id, str)
            and self.exists("actiontemplates", template_id)
            and version is not None
        ):
            versions = self.store.template_versions.get(template_id, {})
            try:
                known = int(str(version)) in versions
            except ValueError:
                known = False
            if not known:
                self.errors.append(
                    f"{where} property Octopus.Action.Template.Version refers to version "
                    f"'{version}' of step template '{template_id}', which does not exist."
                )

    def check_packages(self, where: str, packages: Any) -> None:
        for package in packages or []:
            if isinstance(package, dict) and package.get("FeedId") != RELEASES_FEED_ID:
                name = package.get("Name") or "(primary)"
                self.check(f"{where} package '{name}' FeedId", "feeds", package.get("FeedId"))

    def check_steps(self, steps: Any, project_id: str | None) -> None:
        for step in steps or []:
            for action in step.get("Actions", []) if isinstance(step, dict) else []:
                where = f"Step '{step.get('Name')}' action '{action.get('Name')}'"
                self.check(f"{where} WorkerPoolId", "workerpools", action.get("WorkerPoolId"))
                container = action.get("Container") or {}
                self.check(f"{where} Container.FeedId", "feeds", container.get("FeedId"))
                self.check(f"{where} Environments", "environments", action.get("Environments"))
                self.check(
                    f"{where} ExcludedEnvironments", "environments", action.get("ExcludedEnvironments")
                )
                self.check_project_children(
                    f"{where} Channels", "channels", action.get("Channels"), project_id
                )
                self.check_tags(f"{where} TenantTags", action.get("TenantTags"))
                self.check_packages(where, action.get("Packages"))
                if action.get("ActionType") == "Octopus.DeployRelease":  # the package is the child project
                    for package in action.get("Packages") or []:
                        self.check(f"{where} package PackageId", "projects", package.get("PackageId"))
                self.check_properties(where, action.get("Properties"))
                for dependency in action.get("GitDependencies") or []:
                    if isinstance(dependency, dict) and dependency.get("GitCredentialId"):
                        self.check(
                            f"{where} GitDependencies GitCredentialId",
                            "git-credentials",
                            dependency["GitCredentialId"],
                        )

    def check_project_children(self, field: str, route: str, ids: Any, project_id: str | None) -> None:
        for ref in split_ids(ids):
            doc = self.store.get(route, ref)
            if doc is None or doc.get("SpaceId") != self.space_id:
                self.errors.append(
                    f"{field} refers to '{ref}', which does not exist in space {self.space_id}."
                )
            elif project_id is not None and doc.get("ProjectId") != project_id:
                self.errors.append(f"{field} refers to '{ref}', which belongs to another project.")

    # variables -------------------------------------------------------------------------------------
    def action_ids(self, project_id: str | None) -> set[str]:
        if project_id is None:
            return set()
        processes = [self.store.get("deploymentprocesses", f"deploymentprocess-{project_id}")]
        processes += self.store.of_project("runbookProcesses", project_id, self.space_id)
        return {
            action.get("Id")
            for process in processes
            if process
            for step in process.get("Steps", [])
            for action in step.get("Actions", [])
        }

    def check_variables(self, variables: Iterable[Document], owner_id: str) -> None:
        project_id = owner_id if owner_id.startswith("Projects-") else None
        owners = {project_id} if project_id else set()
        owners |= {r["Id"] for r in self.store.of_project("runbooks", project_id, self.space_id)}
        actions = self.action_ids(project_id)
        for variable in variables:
            where = f"Variable '{variable.get('Name')}'"
            scope = variable.get("Scope") or {}
            self.check(f"{where} scope Environment", "environments", scope.get("Environment"))
            self.check(f"{where} scope Machine", "machines", scope.get("Machine"))
            self.check(f"{where} scope Tenant", "tenants", scope.get("Tenant"))
            self.check_project_children(
                f"{where} scope Channel", "channels", scope.get("Channel"), project_id
            )
            self.check_tags(f"{where} scope TenantTag", scope.get("TenantTag"))
            for action_id in split_ids(scope.get("Action")):
                if action_id not in actions:
                    self.errors.append(
                        f"{where} scope Action refers to '{action_id}', which is not an action "
                        "of this project's processes."
                    )
            for owner in split_ids(scope.get("ProcessOwner")):
                if owner not in owners:
                    self.errors.append(
                        f"{where} scope ProcessOwner refers to '{owner}', which is not this "
                        "project or one of its runbooks."
                    )
            route = VARIABLE_TYPE_ROUTES.get(str(variable.get("Type")))
            value = variable.get("Value")
            if route and isinstance(value, str) and value and not is_expression(value):
                self.check(f"{where} value ({variable.get('Type')})", route, value)

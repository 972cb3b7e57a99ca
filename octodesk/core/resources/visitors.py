"""Per kind, the fields that hold references (docs/octopus-api-facts.md "Reference fields"), walked with a
``Visitor``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from octodesk.core.resources.fields import (
    COMMUNITY_ACTION_TEMPLATE,
    DEPLOY_RELEASE_ACTION_TYPE,
    DEPLOY_RELEASE_PROJECT,
    DEPLOYMENT_ACTION,
    GIT_CREDENTIAL,
    ID_PROPERTIES,
    LIBRARY_TEMPLATE,
    PROJECT_TEMPLATE,
    REFERENCE_VARIABLE_TYPES,
    RELEASE,
    RUNBOOK_SNAPSHOT,
    SCOPE_KINDS,
    TARGET_ROLE,
    TARGET_ROLES,
    TEAM_PROPERTIES,
    TENANT_TAG,
    USER,
    Visitor,
    each_item,
    is_expression,
    join,
    sub_object,
)
from octodesk.core.resources.tenant_values import SCOPED_COMMON

Doc = dict[str, Any]


def visit(kind: str, document: Doc, v: Visitor) -> None:
    walker = _WALKERS.get(kind)
    if walker is not None and isinstance(document, dict):
        walker(document, v)


# --- processes and step templates --------------------------------------------------------------


def _properties(props: Any, path: str, v: Visitor) -> None:
    if not isinstance(props, dict):
        return
    for key in list(props):
        if key in ID_PROPERTIES:
            v.value(props, key, ID_PROPERTIES[key], path)
        elif key == DEPLOY_RELEASE_PROJECT:
            v.value(props, key, "Project", path, optional=True)
        elif key in TEAM_PROPERTIES:
            v.csv(props, key, "Team", path)
        elif key == TARGET_ROLES:
            v.csv(props, key, TARGET_ROLE, path, by_name=True)
        else:
            v.loose(props, key, path)


def _packages(owner: Doc, path: str, v: Visitor, *, deploy_release: bool = False) -> None:
    for package, here in each_item(owner, "Packages", path):
        v.value(package, "FeedId", "Feed", here)
        if deploy_release:  # a Deploy-a-Release step's package is the child project
            v.value(package, "PackageId", "Project", here, optional=True)
        _properties(package.get("Properties"), join(here, "Properties"), v)


def _git_dependencies(owner: Doc, path: str, v: Visitor) -> None:
    for dependency, here in each_item(owner, "GitDependencies", path):
        v.value(dependency, "GitCredentialId", GIT_CREDENTIAL, here)


def _action(action: Doc, path: str, v: Visitor) -> None:
    deploy_release = action.get("ActionType") == DEPLOY_RELEASE_ACTION_TYPE
    v.value(action, "WorkerPoolId", "WorkerPool", path)
    container, here = sub_object(action, "Container", path)
    v.value(container, "FeedId", "Feed", here)
    v.many(action, "Environments", "Environment", path, scope=True)
    v.many(action, "ExcludedEnvironments", "Environment", path)
    v.many(action, "Channels", "Channel", path, scope=True)
    v.many(action, "TenantTags", TENANT_TAG, path, by_name=True, scope=True)
    _packages(action, path, v, deploy_release=deploy_release)
    _git_dependencies(action, path, v)
    _properties(action.get("Properties"), join(path, "Properties"), v)
    if "Inputs" in action:
        v.loose(action, "Inputs", path)


def _process(doc: Doc, v: Visitor) -> None:
    v.value(doc, "ProjectId", "Project", "")
    v.value(doc, "RunbookId", "Runbook", "")
    for step, step_path in each_item(doc, "Steps", ""):
        _properties(step.get("Properties"), join(step_path, "Properties"), v)
        for action, action_path in each_item(step, "Actions", step_path):
            _action(action, action_path, v)


def _templates(doc: Doc, path: str, v: Visitor, template_kind: str | None = None) -> None:
    for template, here in each_item(doc, "Templates" if template_kind else "Parameters", path):
        if template_kind:
            v.value(template, "Id", template_kind, here)
        v.loose(template, "DefaultValue", here)


def _action_template(doc: Doc, v: Visitor) -> None:
    v.value(doc, "CommunityActionTemplateId", COMMUNITY_ACTION_TEMPLATE, "", optional=True)
    _properties(doc.get("Properties"), "Properties", v)
    _packages(doc, "", v)
    _git_dependencies(doc, "", v)
    _templates(doc, "", v)
    if "Inputs" in doc:
        v.loose(doc, "Inputs", "")


# --- projects and their children -----------------------------------------------------------------


def _project(doc: Doc, v: Visitor) -> None:
    v.value(doc, "ProjectGroupId", "ProjectGroup", "")
    v.value(doc, "LifecycleId", "Lifecycle", "")
    v.many(doc, "IncludedLibraryVariableSetIds", "LibraryVariableSet", "")
    v.value(doc, "DeploymentProcessId", "DeploymentProcess", "")
    v.value(doc, "VariableSetId", "VariableSet", "")
    v.value(doc, "ClonedFromProjectId", "Project", "", optional=True)
    v.value(doc, "ProvisioningRunbookId", "Runbook", "")
    v.value(doc, "DeprovisioningRunbookId", "Runbook", "")
    v.many(doc, "ProjectTags", TENANT_TAG, "", by_name=True)
    creation, here = sub_object(doc, "ReleaseCreationStrategy", "")
    v.value(creation, "ChannelId", "Channel", here)
    v.value(creation, "ReleaseCreationPackageStepId", DEPLOYMENT_ACTION, here, optional=True)
    package, package_path = sub_object(creation, "ReleaseCreationPackage", here)
    v.value(package, "DeploymentAction", DEPLOYMENT_ACTION, package_path, by_name=True)
    versioning, here = sub_object(doc, "VersioningStrategy", "")
    v.value(versioning, "DonorPackageStepId", DEPLOYMENT_ACTION, here, optional=True)
    donor, donor_path = sub_object(versioning, "DonorPackage", here)
    v.value(donor, "DeploymentAction", DEPLOYMENT_ACTION, donor_path, by_name=True)
    policy, here = sub_object(doc, "ProjectConnectivityPolicy", "")
    v.many(policy, "TargetRoles", TARGET_ROLE, here, by_name=True)
    persistence, here = sub_object(doc, "PersistenceSettings", "")
    credentials, here = sub_object(persistence, "Credentials", here)
    if credentials.get("Type") == "Reference":
        v.value(credentials, "Id", GIT_CREDENTIAL, here)
    for override, here in each_item(doc, "AutoDeployReleaseOverrides", ""):
        v.value(override, "EnvironmentId", "Environment", here, optional=True)
        v.value(override, "TenantId", "Tenant", here, optional=True)
        v.value(override, "ReleaseId", RELEASE, here, optional=True)
    _templates(doc, "", v, PROJECT_TEMPLATE)


def _channel(doc: Doc, v: Visitor) -> None:
    v.value(doc, "ProjectId", "Project", "")
    v.value(doc, "LifecycleId", "Lifecycle", "")
    v.value(doc, "ParentEnvironmentId", "Environment", "", optional=True)
    v.many(doc, "TenantTags", TENANT_TAG, "", by_name=True, scope=True)
    for rule, here in each_item(doc, "Rules", ""):
        v.many(rule, "Actions", DEPLOYMENT_ACTION, here, by_name=True)
        for package, package_path in each_item(rule, "ActionPackages", here):
            v.value(package, "DeploymentAction", DEPLOYMENT_ACTION, package_path, by_name=True)


def _runbook(doc: Doc, v: Visitor) -> None:
    v.value(doc, "ProjectId", "Project", "")
    v.value(doc, "RunbookProcessId", "RunbookProcess", "")
    v.value(doc, "PublishedRunbookSnapshotId", RUNBOOK_SNAPSHOT, "", optional=True)
    v.many(doc, "Environments", "Environment", "", scope=True)
    v.many(doc, "RunbookTags", TENANT_TAG, "", by_name=True)
    policy, here = sub_object(doc, "ConnectivityPolicy", "")
    v.many(policy, "TargetRoles", TARGET_ROLE, here, by_name=True)


def _variable_set(doc: Doc, v: Visitor) -> None:
    v.typed(doc, "OwnerId", "")
    for variable, here in each_item(doc, "Variables", ""):
        scope, scope_path = sub_object(variable, "Scope", here)
        for key in list(scope):
            kind, flags = SCOPE_KINDS.get(key, (None, {}))
            if key in SCOPE_KINDS:
                v.many(scope, key, kind, scope_path, scope=True, **flags)
        value_kind = REFERENCE_VARIABLE_TYPES.get(str(variable.get("Type")))
        if value_kind and not is_expression(variable.get("Value")):
            v.value(variable, "Value", value_kind, here)


def _library_variable_set(doc: Doc, v: Visitor) -> None:
    v.value(doc, "VariableSetId", "VariableSet", "")
    _templates(doc, "", v, LIBRARY_TEMPLATE)


def _lifecycle(doc: Doc, v: Visitor) -> None:
    for phase, here in each_item(doc, "Phases", ""):
        v.many(phase, "AutomaticDeploymentTargets", "Environment", here)
        v.many(phase, "OptionalDeploymentTargets", "Environment", here)


def _project_trigger(doc: Doc, v: Visitor) -> None:
    v.value(doc, "ProjectId", "Project", "")
    filter_, here = sub_object(doc, "Filter", "")
    v.many(filter_, "EnvironmentIds", "Environment", here, scope=True)
    v.many(filter_, "Roles", TARGET_ROLE, here, by_name=True)
    for package, package_path in each_item(filter_, "Packages", here):
        v.value(package, "DeploymentActionSlug", DEPLOYMENT_ACTION, package_path, by_name=True)
    action, here = sub_object(doc, "Action", "")
    v.many(action, "EnvironmentIds", "Environment", here, scope=True)
    v.many(action, "SourceEnvironmentIds", "Environment", here, scope=True)
    v.value(action, "DestinationEnvironmentId", "Environment", here)
    v.value(action, "ChannelId", "Channel", here)
    v.value(action, "RunbookId", "Runbook", here)
    v.many(action, "TenantIds", "Tenant", here, scope=True)
    v.many(action, "TenantTags", TENANT_TAG, here, by_name=True, scope=True)


# --- tenants, restrictions, shared resources -----------------------------------------------------


def _tenant(doc: Doc, v: Visitor) -> None:
    v.value(doc, "ClonedFromTenantId", "Tenant", "", optional=True)
    v.many(doc, "TenantTags", TENANT_TAG, "", by_name=True)
    connections = v.keys(doc, "ProjectEnvironments", "Project", "")
    for project_id in list(connections):
        v.many(connections, project_id, "Environment", "ProjectEnvironments")


def _tenant_variables(doc: Doc, v: Visitor) -> None:
    v.value(doc, "TenantId", "Tenant", "")
    projects = v.keys(doc, "ProjectVariables", "Project", "")
    for project_id, entry in projects.items():
        here = join("ProjectVariables", project_id)
        v.value(entry, "ProjectId", "Project", here)
        _templates(entry, here, v, PROJECT_TEMPLATE)
        per_environment = v.keys(entry, "Variables", "Environment", here)
        for environment_id in list(per_environment):
            values_path = join(join(here, "Variables"), environment_id)
            values = v.keys(per_environment, environment_id, PROJECT_TEMPLATE, join(here, "Variables"))
            for template_id in list(values):
                v.loose(values, template_id, values_path)
    libraries = v.keys(doc, "LibraryVariables", "LibraryVariableSet", "")
    for set_id, entry in libraries.items():
        here = join("LibraryVariables", set_id)
        v.value(entry, "LibraryVariableSetId", "LibraryVariableSet", here)
        _templates(entry, here, v, LIBRARY_TEMPLATE)
        values = v.keys(entry, "Variables", LIBRARY_TEMPLATE, here)
        for template_id in list(values):
            v.loose(values, template_id, join(here, "Variables"))
    for value, here in each_item(doc, SCOPED_COMMON, ""):
        v.value(value, "LibraryVariableSetId", "LibraryVariableSet", here)
        v.value(value, "TemplateId", LIBRARY_TEMPLATE, here)
        v.many(value, "EnvironmentIds", "Environment", here, scope=True)
        v.loose(value, "Value", here)


def _restricted(doc: Doc, v: Visitor) -> None:
    """Accounts and certificates: environment/tenant restrictions (dropping one would widen use)."""
    v.many(doc, "EnvironmentIds", "Environment", "", scope=True)
    v.many(doc, "TenantIds", "Tenant", "", scope=True)
    v.many(doc, "TenantTags", TENANT_TAG, "", by_name=True, scope=True)


def _project_group(doc: Doc, v: Visitor) -> None:
    v.many(doc, "EnvironmentIds", "Environment", "", optional=True)


def _team(doc: Doc, v: Visitor) -> None:
    v.many(doc, "MemberUserIds", USER, "", optional=True)


def _environment(doc: Doc, v: Visitor) -> None:
    v.many(doc, "EnvironmentTags", TENANT_TAG, "", by_name=True)


def _deployment_settings(doc: Doc, v: Visitor) -> None:
    v.value(doc, "ProjectId", "Project", "")


_WALKERS: dict[str, Callable[[Doc, Visitor], None]] = {
    "DeploymentSettings": _deployment_settings,
    "Environment": _environment,
    "Project": _project,
    "ProjectGroup": _project_group,
    "Lifecycle": _lifecycle,
    "Channel": _channel,
    "DeploymentProcess": _process,
    "RunbookProcess": _process,
    "Runbook": _runbook,
    "VariableSet": _variable_set,
    "LibraryVariableSet": _library_variable_set,
    "Tenant": _tenant,
    "TenantVariables": _tenant_variables,
    "ActionTemplate": _action_template,
    "Account": _restricted,
    "Certificate": _restricted,
    "ProjectTrigger": _project_trigger,
    "Team": _team,
}

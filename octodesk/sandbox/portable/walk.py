"""Every id a stored document holds, by the kind it refers to: read to collect an export, rewritten on import.

One table serves both directions. ``Mapper.ref(route, id)`` answers the id to keep (the same id when
collecting, the target's id when importing) or None to drop the reference. Besides stored kinds, a few
pseudo-routes name things that are not documents: ``actions`` (step and action GUIDs), ``processowners``
(a project or runbook id in a variable's ProcessOwner scope), ``tags`` (canonical ``TagSet/Tag`` names) and
``machines`` (deployment targets, which are never exported). Variable expressions (``#{...}``) are never ids.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, Protocol

from ..references import ACTION_PROPERTY_ROUTES, VARIABLE_TYPE_ROUTES, is_expression, split_ids
from ..store import Document

_SCOPE_ROUTES = {
    "Environment": "environments",
    "Machine": "machines",
    "Tenant": "tenants",
    "Channel": "channels",
    "TenantTag": "tags",
    "Action": "actions",
    "ProcessOwner": "processowners",
}


class Mapper(Protocol):
    def ref(self, route: str, ref_id: str) -> str | None: ...

    def left_out(self, message: str) -> None: ...


def one(mapper: Mapper, route: str, value: Any) -> Any:
    if not isinstance(value, str) or not value or is_expression(value):
        return value
    return mapper.ref(route, value)


def many(mapper: Mapper, route: str, values: Any) -> list[Any]:
    kept = [one(mapper, route, value) for value in values or []]
    return [value for value in kept if value is not None]


def _set(doc: Document, key: str, mapper: Mapper, route: str) -> None:
    if key in doc:
        doc[key] = one(mapper, route, doc[key])


def _tenancy(doc: Document, mapper: Mapper) -> None:
    doc["EnvironmentIds"] = many(mapper, "environments", doc.get("EnvironmentIds"))
    doc["TenantIds"] = many(mapper, "tenants", doc.get("TenantIds"))
    doc["TenantTags"] = many(mapper, "tags", doc.get("TenantTags"))


def _properties(properties: Any, mapper: Mapper) -> None:
    if not isinstance(properties, dict):
        return
    for prop, route in ACTION_PROPERTY_ROUTES.items():
        value = properties.get(prop)
        if isinstance(value, str) and value and not is_expression(value):
            properties[prop] = ",".join(many(mapper, route, split_ids(value)))


def _packages(packages: Any, mapper: Mapper, *, deploy_release: bool = False) -> None:
    for package in packages or []:
        _set(package, "FeedId", mapper, "feeds")
        if deploy_release:
            _set(package, "PackageId", mapper, "projects")


def _process(doc: Document, mapper: Mapper) -> None:
    _set(doc, "ProjectId", mapper, "projects")
    _set(doc, "RunbookId", mapper, "runbooks")
    for step in doc.get("Steps") or []:
        _set(step, "Id", mapper, "actions")
        for action in step.get("Actions") or []:
            _set(action, "Id", mapper, "actions")
            _set(action, "WorkerPoolId", mapper, "workerpools")
            container = action.get("Container")
            if isinstance(container, dict):
                _set(container, "FeedId", mapper, "feeds")
            action["Environments"] = many(mapper, "environments", action.get("Environments"))
            action["ExcludedEnvironments"] = many(mapper, "environments", action.get("ExcludedEnvironments"))
            action["Channels"] = many(mapper, "channels", action.get("Channels"))
            action["TenantTags"] = many(mapper, "tags", action.get("TenantTags"))
            _packages(
                action.get("Packages"),
                mapper,
                deploy_release=action.get("ActionType") == "Octopus.DeployRelease",
            )
            _properties(action.get("Properties"), mapper)


def _project(doc: Document, mapper: Mapper) -> None:
    _set(doc, "ProjectGroupId", mapper, "projectgroups")
    _set(doc, "LifecycleId", mapper, "lifecycles")
    doc["IncludedLibraryVariableSetIds"] = many(
        mapper, "libraryvariablesets", doc.get("IncludedLibraryVariableSetIds")
    )
    strategy = doc.get("ReleaseCreationStrategy")
    if isinstance(strategy, dict):
        _set(strategy, "ChannelId", mapper, "channels")
        _set(strategy, "ReleaseCreationPackageStepId", mapper, "actions")
    versioning = doc.get("VersioningStrategy")
    if isinstance(versioning, dict):
        _set(versioning, "DonorPackageStepId", mapper, "actions")
    overrides = []
    for override in doc.get("AutoDeployReleaseOverrides") or []:
        override = {
            **override,
            "EnvironmentId": one(mapper, "environments", override.get("EnvironmentId")),
            "TenantId": one(mapper, "tenants", override.get("TenantId")),
        }
        if override["EnvironmentId"]:
            overrides.append(override)
    doc["AutoDeployReleaseOverrides"] = overrides


def _channel(doc: Document, mapper: Mapper) -> None:
    _set(doc, "ProjectId", mapper, "projects")
    _set(doc, "LifecycleId", mapper, "lifecycles")
    doc["TenantTags"] = many(mapper, "tags", doc.get("TenantTags"))


def _runbook(doc: Document, mapper: Mapper) -> None:
    _set(doc, "ProjectId", mapper, "projects")
    doc["Environments"] = many(mapper, "environments", doc.get("Environments"))


def _variable_set(doc: Document, mapper: Mapper) -> None:
    kept = []
    for variable in doc.get("Variables") or []:
        scope = dict(variable.get("Scope") or {})
        narrowed = []
        for dimension, values in scope.items():
            route = _SCOPE_ROUTES.get(dimension)
            if route is None:
                continue
            scope[dimension] = many(mapper, route, values)
            if values and not scope[dimension]:
                narrowed.append(dimension)
        if narrowed:  # importing it would widen its scope: leave it out instead
            mapper.left_out(
                f"variable '{variable.get('Name')}' (its {', '.join(narrowed)} scope has no match)"
            )
            continue
        route = VARIABLE_TYPE_ROUTES.get(str(variable.get("Type")))
        value = variable.get("Value")
        if route is not None:
            value = one(mapper, route, value)
            if variable.get("Value") and value is None:
                mapper.left_out(f"variable '{variable.get('Name')}' (its {variable['Type']} has no match)")
                continue
        kept.append({**variable, "Scope": {k: v for k, v in scope.items() if v}, "Value": value})
    doc["Variables"] = kept


def _tenant(doc: Document, mapper: Mapper) -> None:
    connections = {}
    for project_id, environment_ids in (doc.get("ProjectEnvironments") or {}).items():
        mapped = one(mapper, "projects", project_id)
        if mapped is not None:
            connections[mapped] = many(mapper, "environments", environment_ids)
    doc["ProjectEnvironments"] = connections
    doc["TenantTags"] = many(mapper, "tags", doc.get("TenantTags"))


def _tenant_variables(doc: Document, mapper: Mapper) -> None:
    """A stored tenant variables entry: project id -> environment id -> template id -> value, and
    library variable set id -> template id -> value."""
    projects = {}
    for project_id, by_environment in (doc.get("ProjectVariables") or {}).items():
        mapped = one(mapper, "projects", project_id)
        if mapped is None:
            continue
        projects[mapped] = {
            env: values
            for env_id, values in by_environment.items()
            if (env := one(mapper, "environments", env_id)) is not None
        }
    libraries = {}
    for set_id, values in (doc.get("LibraryVariables") or {}).items():
        mapped = one(mapper, "libraryvariablesets", set_id)
        if mapped is not None:
            libraries[mapped] = values
    doc["ProjectVariables"], doc["LibraryVariables"] = projects, libraries


def _lifecycle(doc: Document, mapper: Mapper) -> None:
    for phase in doc.get("Phases") or []:
        for key in ("AutomaticDeploymentTargets", "OptionalDeploymentTargets"):
            phase[key] = many(mapper, "environments", phase.get(key))


def _action_template(doc: Document, mapper: Mapper) -> None:
    _packages(doc.get("Packages"), mapper)
    _properties(doc.get("Properties"), mapper)


def _no_references(doc: Document, mapper: Mapper) -> None:
    """Kinds that refer to nothing an export carries."""


VISITORS: dict[str, Callable[[Document, Mapper], None]] = {
    "projects": _project,
    "channels": _channel,
    "deploymentprocesses": _process,
    "runbookProcesses": _process,
    "runbooks": _runbook,
    "variables": _variable_set,
    "tenants": _tenant,
    "tenantvariables": _tenant_variables,
    "lifecycles": _lifecycle,
    "accounts": _tenancy,
    "certificates": _tenancy,
    "actiontemplates": _action_template,
    "environments": _no_references,
    "projectgroups": _no_references,
    "tagsets": _no_references,
    "teams": _no_references,
    "feeds": _no_references,
    "workerpools": _no_references,
    "libraryvariablesets": _no_references,
}


def visit(route: str, doc: Document, mapper: Mapper) -> Document:
    """A copy of ``doc`` with every reference passed through ``mapper``."""
    copied = copy.deepcopy(doc)
    VISITORS[route](copied, mapper)
    return copied

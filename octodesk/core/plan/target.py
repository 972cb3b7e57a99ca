"""What the target space already holds: every shared collection, read once, in parallel."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from octodesk.core.errors import PermissionDenied, ResourceNotFound
from octodesk.core.octopus.client import OctopusClient
from octodesk.core.resources import kinds, tenant_values
from octodesk.core.resources.ids import match_by_name
from octodesk.core.vocabulary import Hosting

# Kinds matched by name against the target, and the collection that lists them.
MATCHED_KINDS = (
    kinds.ENVIRONMENT,
    kinds.TAG_SET,
    kinds.WORKER_POOL,
    kinds.FEED,
    kinds.ACTION_TEMPLATE,
    kinds.ACCOUNT,
    kinds.CERTIFICATE,
    kinds.LIFECYCLE,
    kinds.PROJECT_GROUP,
    kinds.LIBRARY_VARIABLE_SET,
    kinds.PROJECT,
    kinds.TENANT,
)
MACHINES = "Machine"


@dataclass
class ProjectContents:
    """What an existing target project holds, read when the import may update it (to say what changes)."""

    process: dict[str, Any] | None = None
    variables: dict[str, Any] | None = None
    channels: list[dict[str, Any]] = field(default_factory=list)
    runbooks: list[dict[str, Any]] = field(default_factory=list)
    runbook_processes: dict[str, dict[str, Any]] = field(default_factory=dict)  # by id


@dataclass
class TargetSpace:
    space_id: str
    space_name: str
    server_url: str
    version: str
    hosting: Hosting
    collections: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # The variable sets (by variable-set id) of the target's library variable sets the bundle also carries.
    library_variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Update mode: the contents of the target's projects the bundle also carries, by target project id.
    project_contents: dict[str, ProjectContents] = field(default_factory=dict)
    # Kinds the API key may not read (403), with the server's message: teams, deployment targets.
    unreadable: dict[str, str] = field(default_factory=dict)
    # Tenant values are written on projectvariables/commonvariables, with environment-scoped common values
    # (the CommonVariableScopingFeatureToggle); otherwise through the 2021.2 tenants/{id}/variables.
    scoped_tenant_variables: bool = False

    def of(self, kind: str) -> list[dict[str, Any]]:
        return self.collections.get(kind, [])

    def by_id(self, kind: str, target_id: str) -> dict[str, Any] | None:
        return next((item for item in self.of(kind) if item.get("Id") == target_id), None)

    def route(self, collection: str) -> str:
        return f"/api/{self.space_id}/{collection}"

    @property
    def is_cloud(self) -> bool:
        return self.hosting == Hosting.CLOUD

    def default_worker_pool(self) -> dict[str, Any] | None:
        pools = self.of(kinds.WORKER_POOL.name)
        return next((pool for pool in pools if pool.get("IsDefault")), pools[0] if pools else None)

    def feed_of_type(self, feed_type: str) -> dict[str, Any] | None:
        return next((feed for feed in self.of(kinds.FEED.name) if feed.get("FeedType") == feed_type), None)


def read_target(
    client: OctopusClient,
    space_name: str,
    library_set_names: Collection[str] = (),
    project_names: Collection[str] = (),
    *,
    tenant_variables: bool = False,
    git_credentials: bool = False,
) -> TargetSpace:
    """Server facts, the space, each collection the plan matches against (one request per kind), the
    variables of the library variable sets named ``library_set_names`` that the target already has, the
    contents of the projects named ``project_names`` it already has (update mode) and (when the bundle
    carries tenant variables) how the target takes them."""
    info, space = client.server_info_and_space(space_name)
    target = TargetSpace(
        space_id=str(space["Id"]),
        space_name=str(space.get("Name", space_name)),
        server_url=client.server_url,
        version=info.version,
        hosting=info.hosting,
    )

    def read(kind_name: str) -> tuple[str, list[dict[str, Any]]]:
        if kind_name == kinds.TEAM.name:
            params = {"spaces": target.space_id, "includeSystem": "true"}
            teams = client.read_collection("/api/teams", params, all_route=False)
            return kind_name, [t for t in teams if t.get("SpaceId") in (None, "", target.space_id)]
        if kind_name == MACHINES:
            return kind_name, client.read_collection(target.route("machines"))
        kind = kinds.KINDS_BY_NAME[kind_name]
        return kind_name, client.read_collection(target.route(kind.route), all_route=kind.has_all)

    def read_optional(kind_name: str) -> tuple[str, list[dict[str, Any]]]:
        """Teams and deployment targets need permissions of their own: a key without them is a warning
        (or, where the bundle needs the kind, a refusal the plan decides), not a failed plan."""
        try:
            return read(kind_name)
        except PermissionDenied as error:
            target.unreadable[kind_name] = error.message
            return kind_name, []

    names = [kind.name for kind in MATCHED_KINDS]
    target.collections = dict(client.map(read, names))
    target.collections.update(client.map(read_optional, [kinds.TEAM.name, MACHINES]))
    if git_credentials:  # 2023.1+: an older target has none, and no route for them
        try:
            target.collections[kinds.GIT_CREDENTIAL.name] = client.read_collection(
                target.route(kinds.GIT_CREDENTIAL.route), all_route=False
            )
        except ResourceNotFound:
            target.unreadable[kinds.GIT_CREDENTIAL.name] = "this server has no Git credentials"
    target.library_variables = _library_variables(client, target, library_set_names)
    target.project_contents = _project_contents(client, target, project_names)
    if tenant_variables:
        target.scoped_tenant_variables = client.feature_enabled(tenant_values.SCOPED_TENANT_VARIABLES)
    return target


def _project_contents(
    client: OctopusClient, target: TargetSpace, names: Collection[str]
) -> dict[str, ProjectContents]:
    """A few requests for all of them: processes and variable sets by id, channels and runbooks of the
    space, the runbooks' processes by id."""
    existing = target.of(kinds.PROJECT.name)
    projects = [p for p in (match_by_name(name, existing).target for name in names) if p is not None]
    if not projects:
        return {}
    wanted = {str(p["Id"]) for p in projects}
    processes = {
        str(doc["Id"]): doc
        for doc in client.get_by_ids(
            target.route("deploymentprocesses"), [str(p["DeploymentProcessId"]) for p in projects]
        )
    }
    variables = {
        str(doc["Id"]): doc
        for doc in client.get_by_ids(
            target.route("variables/all"), [str(p["VariableSetId"]) for p in projects]
        )
    }
    channels = [
        c for c in client.read_collection(target.route("channels")) if str(c.get("ProjectId")) in wanted
    ]
    runbooks = [
        r for r in client.read_collection(target.route("runbooks")) if str(r.get("ProjectId")) in wanted
    ]
    process_ids = [str(r["RunbookProcessId"]) for r in runbooks if r.get("RunbookProcessId")]
    runbook_processes = (
        {str(doc["Id"]): doc for doc in client.get_by_ids(target.route("runbookProcesses"), process_ids)}
        if process_ids
        else {}
    )
    return {
        str(p["Id"]): ProjectContents(
            process=processes.get(str(p.get("DeploymentProcessId"))),
            variables=variables.get(str(p.get("VariableSetId"))),
            channels=[c for c in channels if c.get("ProjectId") == p["Id"]],
            runbooks=[r for r in runbooks if r.get("ProjectId") == p["Id"]],
            runbook_processes={
                rid: doc for rid, doc in runbook_processes.items() if doc.get("ProjectId") == p["Id"]
            },
        )
        for p in projects
    }


def _library_variables(
    client: OctopusClient, target: TargetSpace, names: Collection[str]
) -> dict[str, dict[str, Any]]:
    existing = target.of(kinds.LIBRARY_VARIABLE_SET.name)
    matches = (match_by_name(name, existing).target for name in names)
    wanted = [str(lvs["VariableSetId"]) for lvs in matches if lvs is not None and lvs.get("VariableSetId")]
    if not wanted:
        return {}
    return {str(vs["Id"]): vs for vs in client.get_by_ids(target.route("variables/all"), wanted)}

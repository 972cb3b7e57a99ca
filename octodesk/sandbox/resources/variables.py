"""Variable sets of projects and library variable sets: read by id or with ``variables/all?ids=``, never as a
paged collection (real servers have no ``GET variables``; Octopus.Client refuses ``Get(ids)`` for them)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from ..errors import bad_request
from ..kinds import KINDS
from ..references import ReferenceChecker
from ..routes import RouteTable, add_kind_routes
from ..store import Document
from .base import Behaviour, Ctx, register

# The server's words for a stale variable-set PUT (seen from 2020.5.7: terraform-provider-octopusdeploy#174).
STALE_VARIABLES = (
    "Changes to these variables could not be saved, because another user has made changes to the variables "
    "between when you started editing and when you saved your changes. Please reload or open a new tab to "
    "make your changes."
)


@dataclass
class _SpaceScopes:
    """What every variable set of a space offers as scopes, read from the store once per answer: a
    ``variables/all`` of 100 sets scanned every machine of the space 100 times. A set's own channels and
    runbooks come from the store's index by project."""

    environments: list[Document]
    machines: list[Document]
    roles: list[str]
    tags: list[Document]

    @classmethod
    def of(cls, ctx: Ctx, space: str) -> _SpaceScopes:
        key = f"scopes:{space}"
        if key not in ctx.memo:
            store = ctx.store
            machines = store.in_space("machines", space)
            ctx.memo[key] = cls(
                environments=store.in_space("environments", space),
                machines=machines,
                roles=sorted({role for m in machines for role in m.get("Roles", [])}),
                tags=[t for ts in store.in_space("tagsets", space) for t in ts.get("Tags", [])],
            )
        scopes: _SpaceScopes = ctx.memo[key]
        return scopes


def _items(docs: list[Document]) -> list[dict[str, str]]:
    return [{"Id": d["Id"], "Name": d.get("Name", "")} for d in docs]


class VariableSetsBehaviour(Behaviour):
    def stale_message(self, doc: Document) -> str:
        return STALE_VARIABLES

    def prepare(self, ctx: Ctx, doc: Document, old: Document | None) -> None:
        assert old is not None
        doc["OwnerId"] = old["OwnerId"]
        doc.pop("ScopeValues", None)
        variables = doc.get("Variables")
        if not isinstance(variables, list):
            raise bad_request(["The Variables field must be a list."])
        for variable in variables:
            if not isinstance(variable, dict) or not str(variable.get("Name") or "").strip():
                raise bad_request(["Every variable needs a Name."])
            variable["Id"] = variable.get("Id") or str(uuid.uuid4())
            variable.setdefault("Type", "Sensitive" if variable.get("IsSensitive") else "String")
            variable["IsSensitive"] = variable["Type"] == "Sensitive"
            variable.setdefault("Scope", {})
            variable.setdefault("IsEditable", True)
            variable.setdefault("Prompt", None)
            variable.setdefault("Description", None)
            variable.setdefault("Value", None)
        if not old["OwnerId"].startswith("Projects-") and any(v["Scope"].get("Action") for v in variables):
            raise bad_request(["Library variable set variables cannot be scoped to actions."])

    def references(self, ctx: Ctx, doc: Document) -> list[str]:
        check = ReferenceChecker(ctx.store, doc["SpaceId"])
        check.check_variables(doc["Variables"], doc["OwnerId"])
        return check.errors

    def render(self, ctx: Ctx, doc: Document) -> Document:
        shown = super().render(ctx, doc)
        shown["ScopeValues"] = self.scope_values(ctx, doc)
        return shown

    def scope_values(self, ctx: Ctx, doc: Document) -> dict[str, Any]:
        store, space, owner = ctx.store, doc["SpaceId"], doc["OwnerId"]
        scopes = _SpaceScopes.of(ctx, space)
        project = store.get("projects", owner)
        channels, runbooks = (store.of_project(route, owner, space) for route in ("channels", "runbooks"))
        processes = []
        if project:
            processes.append(store.get("deploymentprocesses", project["DeploymentProcessId"]))
            processes += [store.get("runbookProcesses", r["RunbookProcessId"]) for r in runbooks]
        actions = [a for p in processes if p for s in p.get("Steps", []) for a in s.get("Actions", [])]
        owners = [{"Id": owner, "Name": project["Name"], "ProcessType": "Deployment"}] if project else []
        owners += [{"Id": r["Id"], "Name": r["Name"], "ProcessType": "Runbook"} for r in runbooks]
        return {
            "Environments": _items(scopes.environments),
            "Machines": _items(scopes.machines),
            "Actions": _items(actions),
            "Roles": [{"Id": r, "Name": r} for r in scopes.roles],
            "Channels": _items(channels),
            "TenantTags": [{"Id": t["CanonicalTagName"], "Name": t["Name"]} for t in scopes.tags],
            "Processes": owners,
        }

    def links(self, ctx: Ctx, doc: Document) -> dict[str, str]:
        owner = doc["OwnerId"]
        route = "projects" if owner.startswith("Projects-") else "libraryvariablesets"
        return {"Owner": f"/api/{doc['SpaceId']}/{route}/{owner}"}


def register_routes(table: RouteTable) -> None:
    add_kind_routes(table, register(VariableSetsBehaviour(KINDS["variables"])))

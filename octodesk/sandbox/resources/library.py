"""Space-wide library kinds: groups, lifecycles, environments, tag sets, accounts, certificates, pools,
feeds, machines and library variable sets."""

from __future__ import annotations

import uuid

from ..errors import bad_request
from ..http_types import Response
from ..kinds import KINDS, Kind
from ..references import ReferenceChecker
from ..routes import Call, RouteTable, add_kind_routes
from ..store import Document, now_iso
from .base import Behaviour, Ctx, behaviour_for, register
from .files import export_certificate, read_certificate


def _next_sort_order(ctx: Ctx, route: str, space_id: str) -> int:
    return 1 + max((int(d.get("SortOrder") or 0) for d in ctx.store.in_space(route, space_id)), default=0)


class SortedBehaviour(Behaviour):
    """Kinds with a SortOrder the server assigns when the client leaves it out."""

    def prepare(self, ctx: Ctx, doc: Document, old: Document | None) -> None:
        if doc.get("SortOrder") is None:
            doc["SortOrder"] = _next_sort_order(ctx, self.kind.route, doc["SpaceId"])


class ProjectGroupsBehaviour(Behaviour):
    def references(self, ctx: Ctx, doc: Document) -> list[str]:
        check = ReferenceChecker(ctx.store, doc["SpaceId"])
        check.check("EnvironmentIds", "environments", doc.get("EnvironmentIds"))
        return check.errors

    def links(self, ctx: Ctx, doc: Document) -> dict[str, str]:
        return {"Projects": f"/api/{doc['SpaceId']}/projectgroups/{doc['Id']}/projects{{?skip,take}}"}


class LifecyclesBehaviour(Behaviour):
    def prepare(self, ctx: Ctx, doc: Document, old: Document | None) -> None:
        for phase in doc.get("Phases") or []:
            phase["Id"] = phase.get("Id") or str(uuid.uuid4())
            phase.setdefault("AutomaticDeploymentTargets", [])
            phase.setdefault("OptionalDeploymentTargets", [])
            phase.setdefault("MinimumEnvironmentsBeforePromotion", 0)
            phase.setdefault("IsOptionalPhase", False)
            phase.setdefault("ReleaseRetentionPolicy", None)
            phase.setdefault("TentacleRetentionPolicy", None)

    def references(self, ctx: Ctx, doc: Document) -> list[str]:
        check = ReferenceChecker(ctx.store, doc["SpaceId"])
        for phase in doc.get("Phases") or []:
            where = f"Phase '{phase.get('Name')}'"
            check.check(
                f"{where} AutomaticDeploymentTargets", "environments", phase.get("AutomaticDeploymentTargets")
            )
            check.check(
                f"{where} OptionalDeploymentTargets", "environments", phase.get("OptionalDeploymentTargets")
            )
        return check.errors


class EnvironmentsBehaviour(SortedBehaviour):
    def references(self, ctx: Ctx, doc: Document) -> list[str]:
        check = ReferenceChecker(ctx.store, doc["SpaceId"])
        check.check_tags("EnvironmentTags", doc.get("EnvironmentTags"))
        return check.errors


class TenancyBehaviour(Behaviour):
    """Accounts and the like: restricted to environments, tenants and tenant tags."""

    def references(self, ctx: Ctx, doc: Document) -> list[str]:
        check = ReferenceChecker(ctx.store, doc["SpaceId"])
        check.check_tenancy(doc)
        return check.errors

    def scope_items(self, ctx: Ctx, query: dict[str, str]) -> list[Document]:
        items = super().scope_items(ctx, query)
        if query.get("accountType"):
            items = [i for i in items if i.get("AccountType") == query["accountType"]]
        return items


class CertificatesBehaviour(TenancyBehaviour):
    def __init__(self, kind: Kind) -> None:
        super().__init__(kind)
        self._parsed_files: dict[str, tuple[str, bytes, bytes]] = {}

    def prepare(self, ctx: Ctx, doc: Document, old: Document | None) -> None:
        if old is not None:  # CertificateData and Password are writeable on create only
            doc["CertificateData"], doc["Password"] = old["CertificateData"], old["Password"]
            for key in ("CertificateDataFormat", "Thumbprint", "HasPrivateKey", "NotAfter", "NotBefore"):
                doc[key] = old.get(key)
            return
        fields, fmt, raw, pem = read_certificate(doc.get("CertificateData"), doc.get("Password"))
        doc.update(fields)
        doc.setdefault("Version", 0)
        if not isinstance(doc.get("Password"), dict):
            doc["Password"] = {"HasValue": bool(doc.get("Password")), "NewValue": doc.get("Password") or None}
        if not isinstance(doc.get("CertificateData"), dict):
            doc["CertificateData"] = {"HasValue": True, "NewValue": doc["CertificateData"]}
        # Kept aside until the document is stored: a create refused later (unique name, references) must
        # leave no certificate file behind.
        self._parsed_files.clear()  # writes run one at a time under the store lock
        self._parsed_files[doc["Id"]] = (fmt, raw, pem)

    def stored(self, ctx: Ctx, doc: Document) -> None:
        parsed = self._parsed_files.pop(doc["Id"], None)
        if parsed is not None:
            ctx.store.certificate_files[doc["Id"]] = parsed

    def links(self, ctx: Ctx, doc: Document) -> dict[str, str]:
        return {
            "Export": f"/api/{doc['SpaceId']}/certificates/{doc['Id']}/export"
            "{?includePrivateKey,password,pemOptions}"
        }


class TagSetsBehaviour(SortedBehaviour):
    def prepare(self, ctx: Ctx, doc: Document, old: Document | None) -> None:
        super().prepare(ctx, doc, old)
        tags = doc.get("Tags") or []
        names = [str(tag.get("Name", "")).lower() for tag in tags]
        if len(set(names)) != len(names):
            raise bad_request([f"Tag names must be unique within the tag set '{doc['Name']}'."])
        old_ids = {t["Id"] for t in (old or {}).get("Tags", [])}
        for order, tag in enumerate(tags):
            tag_id = tag.get("Id")
            if tag_id and tag_id not in old_ids:
                raise bad_request(
                    [f"Tag Id '{tag_id}' is in an invalid format: new tags must not carry an Id."]
                )
            tag["Id"] = tag_id or ctx.store.new_id(doc["Id"])
            tag["CanonicalTagName"] = f"{doc['Name']}/{tag['Name']}"
            tag.setdefault("Color", "#333333")
            tag.setdefault("Description", "")
            tag["SortOrder"] = tag.get("SortOrder", order)


class WorkerPoolsBehaviour(SortedBehaviour):
    def prepare(self, ctx: Ctx, doc: Document, old: Document | None) -> None:
        super().prepare(ctx, doc, old)
        if doc.get("WorkerPoolType") == "DynamicWorkerPool" and ctx.hosting != "cloud":
            message = (
                "Dynamic worker pools are only available on Octopus Cloud; create a static pool instead."
            )
            raise bad_request([message])
        if doc.get("IsDefault"):
            for other in self.siblings(ctx, doc):
                other["IsDefault"] = False


class MachinesBehaviour(TenancyBehaviour):
    def prepare(self, ctx: Ctx, doc: Document, old: Document | None) -> None:
        if not doc.get("EnvironmentIds"):
            raise bad_request(["A deployment target needs at least one environment (EnvironmentIds)."])
        if not isinstance(doc.get("Roles"), list) or not doc["Roles"]:
            raise bad_request(["A deployment target needs at least one role (Roles)."])

    def references(self, ctx: Ctx, doc: Document) -> list[str]:
        check = ReferenceChecker(ctx.store, doc["SpaceId"])
        check.check_tenancy(doc)
        endpoint = doc.get("Endpoint") or {}
        check.check("Endpoint.AccountId", "accounts", endpoint.get("AccountId"))
        check.check("Endpoint.DefaultWorkerPoolId", "workerpools", endpoint.get("DefaultWorkerPoolId"))
        return check.errors

    def scope_items(self, ctx: Ctx, query: dict[str, str]) -> list[Document]:
        items = super().scope_items(ctx, query)
        if query.get("roles"):
            wanted = set(query["roles"].split(","))
            items = [i for i in items if wanted & set(i.get("Roles", []))]
        if query.get("environmentIds"):
            wanted = set(query["environmentIds"].split(","))
            items = [i for i in items if wanted & set(i.get("EnvironmentIds", []))]
        return items


class LibraryVariableSetsBehaviour(Behaviour):
    def prepare(self, ctx: Ctx, doc: Document, old: Document | None) -> None:
        if old is not None:
            doc["ContentType"], doc["VariableSetId"] = old["ContentType"], old["VariableSetId"]
        else:
            doc["VariableSetId"] = f"variableset-{doc['Id']}"
        for template in doc.get("Templates") or []:
            template["Id"] = template.get("Id") or str(uuid.uuid4())

    def scope_items(self, ctx: Ctx, query: dict[str, str]) -> list[Document]:
        items = super().scope_items(ctx, query)
        if query.get("contentType"):
            items = [i for i in items if i.get("ContentType") == query["contentType"]]
        return items

    def after_create(self, ctx: Ctx, doc: Document) -> None:
        ctx.store.put(
            "variables",
            {
                "Id": doc["VariableSetId"],
                "OwnerId": doc["Id"],
                "Version": 0,
                "Variables": [],
                "SpaceId": doc["SpaceId"],
                "LastModifiedOn": now_iso(),
                "LastModifiedBy": "sandbox-user",
            },
        )

    def after_delete(self, ctx: Ctx, doc: Document) -> None:
        ctx.store.delete("variables", doc["VariableSetId"])

    def links(self, ctx: Ctx, doc: Document) -> dict[str, str]:
        return {"Variables": f"/api/{doc['SpaceId']}/variables/{doc['VariableSetId']}"}


def _group_projects(call: Call) -> Response:
    call.ctx.require("projectgroups", call["id"])
    projects = [
        p
        for p in call.ctx.store.in_space("projects", call.ctx.space_id)
        if p.get("ProjectGroupId") == call["id"]
    ]
    return behaviour_for("projects").list_items(call.ctx, call.request, projects)


def _certificate_export(call: Call) -> Response:
    call.ctx.require("certificates", call["id"])
    fmt, raw, pem = call.ctx.store.certificate_files[call["id"]]
    include = call.request.query.get("includePrivateKey", "").lower() == "true"
    return export_certificate(fmt, raw, pem, include)


def register_routes(table: RouteTable) -> None:
    add_kind_routes(table, register(ProjectGroupsBehaviour(KINDS["projectgroups"])))
    add_kind_routes(table, register(LifecyclesBehaviour(KINDS["lifecycles"])))
    add_kind_routes(table, register(EnvironmentsBehaviour(KINDS["environments"])))
    add_kind_routes(table, register(WorkerPoolsBehaviour(KINDS["workerpools"])))
    add_kind_routes(table, register(TagSetsBehaviour(KINDS["tagsets"])))
    add_kind_routes(table, register(CertificatesBehaviour(KINDS["certificates"])))
    add_kind_routes(table, register(MachinesBehaviour(KINDS["machines"])))
    add_kind_routes(table, register(LibraryVariableSetsBehaviour(KINDS["libraryvariablesets"])))
    table.add("GET", "/api/{spaceId}/projectgroups/{id}/projects", _group_projects, answers="collection")
    table.add("GET", "/api/{spaceId}/certificates/{id}/export", _certificate_export, answers="bytes")
    table.add("GET", "/api/{spaceId}/machineroles/all", _machine_roles, answers="array")


def _machine_roles(call: Call) -> Response:
    roles = {
        role for m in call.ctx.store.in_space("machines", call.ctx.space_id) for role in m.get("Roles", [])
    }
    return Response(200, sorted(roles, key=str.lower))

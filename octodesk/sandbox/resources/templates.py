"""Step templates (action templates): every change bumps Version and every version stays readable."""

from __future__ import annotations

import copy
import uuid

from ..errors import ApiError, bad_request, not_found
from ..http_types import Response
from ..kinds import KINDS
from ..paging import collection
from ..references import ReferenceChecker
from ..routes import Call, RouteTable, add_kind_routes
from ..store import Document
from .base import Behaviour, Ctx, behaviour_for, register

_NOT_CONTENT = {"Version", "LastModifiedOn", "LastModifiedBy", "Links"}


def _content(doc: Document) -> Document:
    return {k: v for k, v in doc.items() if k not in _NOT_CONTENT}


class ActionTemplatesBehaviour(Behaviour):
    bumps_version = False

    def prepare(self, ctx: Ctx, doc: Document, old: Document | None) -> None:
        if not doc.get("ActionType"):
            raise bad_request(["The ActionTemplate ActionType field is required."])
        for parameter in doc.get("Parameters") or []:
            parameter["Id"] = parameter.get("Id") or str(uuid.uuid4())
            parameter.setdefault("DisplaySettings", {})
        for package in doc.get("Packages") or []:
            package["Id"] = package.get("Id") or str(uuid.uuid4())
        if old is None:
            doc["Version"] = 0
            return
        doc["ActionType"] = old["ActionType"]  # writeable on create only
        doc["Version"] = old["Version"] + 1 if _content(doc) != _content(old) else old["Version"]

    def references(self, ctx: Ctx, doc: Document) -> list[str]:
        check = ReferenceChecker(ctx.store, doc["SpaceId"])
        check.check_packages("ActionTemplate", doc.get("Packages"))
        check.check_properties("ActionTemplate", doc.get("Properties"))
        return check.errors

    def stored(self, ctx: Ctx, doc: Document) -> None:
        ctx.store.template_versions.setdefault(doc["Id"], {})[doc["Version"]] = copy.deepcopy(doc)

    def after_delete(self, ctx: Ctx, doc: Document) -> None:
        ctx.store.template_versions.pop(doc["Id"], None)

    def links(self, ctx: Ctx, doc: Document) -> dict[str, str]:
        base = f"/api/{doc['SpaceId']}/actiontemplates/{doc['Id']}"
        return {
            "Versions": f"{base}/versions",
            "Usage": f"{base}/usage",
            "Logo": f"{base}/versions/{doc.get('Version', 0)}/logo",
        }


def _versions(call: Call) -> Response:
    call.ctx.require("actiontemplates", call["id"])
    versions = call.ctx.store.template_versions.get(call["id"], {})
    behaviour = behaviour_for("actiontemplates")
    ordered = [versions[v] for v in sorted(versions, reverse=True)]
    body = collection(
        ordered,
        call.request.query,
        item_type="ActionTemplate",
        base_path=call.request.path,
        template=f"{call.request.path}{{?skip,take}}",
        render=lambda d: behaviour.render(call.ctx, d),
    )
    return Response(200, body)


def _one_version(call: Call) -> Response:
    call.ctx.require("actiontemplates", call["id"])
    versions = call.ctx.store.template_versions.get(call["id"], {})
    try:
        version = int(call["version"])
    except ValueError as error:
        raise ApiError(400, f"'{call['version']}' is not a step template version number.") from error
    if version not in versions:
        raise not_found(f"{call['id']}/versions/{version}")
    return Response(200, behaviour_for("actiontemplates").render(call.ctx, versions[version]))


def register_routes(table: RouteTable) -> None:
    add_kind_routes(table, register(ActionTemplatesBehaviour(KINDS["actiontemplates"])))
    table.add("GET", "/api/{spaceId}/actiontemplates/{id}/versions", _versions, answers="collection")
    table.add(
        "GET", "/api/{spaceId}/actiontemplates/{id}/versions/{version}", _one_version, answers="document"
    )

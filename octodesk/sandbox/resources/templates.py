"""Step templates (action templates): every change bumps Version and every version stays readable."""

from __future__ import annotations

import copy
import uuid

from ..errors import ApiError, bad_request, method_not_allowed, not_found
from ..http_types import Request, Response
from ..kinds import KINDS
from ..paging import collection
from ..references import ReferenceChecker
from ..store import Document
from .base import Behaviour, Ctx, register

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

    def subroute(self, ctx: Ctx, request: Request, doc_id: str, rest: list[str]) -> Response:
        ctx.require("actiontemplates", doc_id)
        if request.method != "GET":
            raise method_not_allowed(request.method, request.path)
        versions = ctx.store.template_versions.get(doc_id, {})
        if rest == ["versions"]:
            ordered = [versions[v] for v in sorted(versions, reverse=True)]
            body = collection(
                ordered,
                request.query,
                item_type="ActionTemplate",
                base_path=request.path,
                template=f"{request.path}{{?skip,take}}",
                render=lambda d: self.render(ctx, d),
            )
            return Response(200, body)
        if len(rest) == 2 and rest[0] == "versions":
            try:
                version = int(rest[1])
            except ValueError as error:
                raise ApiError(400, f"'{rest[1]}' is not a step template version number.") from error
            if version not in versions:
                raise not_found(f"{doc_id}/versions/{version}")
            return Response(200, self.render(ctx, versions[version]))
        raise not_found(request.path)


def register_all() -> None:
    register(ActionTemplatesBehaviour(KINDS["actiontemplates"]))

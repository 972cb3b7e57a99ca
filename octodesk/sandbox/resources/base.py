"""Generic create/read/update/delete for every kind, and the Behaviour hooks each kind can override."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import ApiError, bad_request, method_not_allowed, not_found
from ..http_types import Request, Response
from ..kinds import KINDS, Kind
from ..paging import collection, filter_items, id_filter
from ..profiles import Profile
from ..secrets import mask, merge
from ..store import Document, Store, now_iso, slugify

_SERVER_OWNED = ("Links", "LastModifiedOn", "LastModifiedBy")


@dataclass
class Ctx:
    """What a handler needs: the store, the space the route is in, and the server's identity."""

    store: Store
    space_id: str | None
    version: str
    hosting: str
    profile: Profile
    installation_id: str = ""
    # what one answer works out once for all the documents it renders (a Ctx lives for one request)
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def space_prefix(self) -> str:
        return f"/api/{self.space_id}" if self.space_id else "/api"

    def require(self, route: str, doc_id: str) -> Document:
        doc = self.store.get(route, doc_id)
        if doc is None or (self.space_id is not None and doc.get("SpaceId") not in (self.space_id, None)):
            raise not_found(doc_id)
        return doc


def normalise_keys(body: Any) -> dict[str, Any]:
    """Octopus binds JSON case-insensitively; top-level keys are stored PascalCase ('password' ->
    'Password')."""
    if not isinstance(body, dict):
        raise ApiError(400, "The request body must be a JSON object.")
    return {(key[:1].upper() + key[1:]): value for key, value in body.items()}


class Behaviour:
    """Default behaviour of a kind; subclasses add children, references, extra routes and links."""

    def __init__(self, kind: Kind) -> None:
        self.kind = kind

    # hooks -------------------------------------------------------------------------------------------
    def prepare(self, ctx: Ctx, doc: Document, old: Document | None) -> None:
        """Fill server-computed fields and validate kind rules before storing; raise ApiError to refuse."""

    def references(self, ctx: Ctx, doc: Document) -> list[str]:
        """Errors for every id the document references that does not exist in the space."""
        return []

    def after_create(self, ctx: Ctx, doc: Document) -> None:
        """Create child documents."""

    def after_delete(self, ctx: Ctx, doc: Document) -> None:
        """Delete child documents."""

    def stored(self, ctx: Ctx, doc: Document) -> None:
        """Called after every successful create or update (e.g. to keep a version history)."""

    def links(self, ctx: Ctx, doc: Document) -> dict[str, str]:
        return {}

    def stale_message(self, doc: Document) -> str | None:
        """For kinds with optimistic concurrency: the refusal of a PUT whose Version is not the stored one."""
        return None

    def scope_items(self, ctx: Ctx, query: dict[str, str]) -> list[Document]:
        return ctx.store.in_space(self.kind.route, ctx.space_id)

    def subroute(self, ctx: Ctx, request: Request, doc_id: str, rest: list[str]) -> Response:
        raise not_found(request.path)

    # reading -----------------------------------------------------------------------------------------
    def self_path(self, ctx: Ctx, doc: Document) -> str:
        space = doc.get("SpaceId")
        prefix = f"/api/{space}" if space else "/api"
        return f"{prefix}/{self.kind.route}/{doc['Id']}"

    def render(self, ctx: Ctx, doc: Document) -> Document:
        shown = mask(doc)
        shown["Links"] = {"Self": self.self_path(ctx, doc), **self.links(ctx, doc)}
        return shown

    def sorted_items(self, items: list[Document]) -> list[Document]:
        if self.kind.sort == "name":
            return sorted(items, key=lambda d: str(d.get("Name", "")).lower())
        if self.kind.sort == "sortorder":
            return sorted(items, key=lambda d: (d.get("SortOrder", 0), str(d.get("Name", "")).lower()))
        return items

    def list_items(self, ctx: Ctx, request: Request, items: list[Document] | None = None) -> Response:
        chosen = self.sorted_items(
            filter_items(items if items is not None else self.scope_items(ctx, request.query), request.query)
        )
        base = request.path
        template = f"{ctx.space_prefix}/{self.kind.route}{{/id}}{{?{self.kind.template_params}}}"
        body = collection(
            chosen,
            request.query,
            item_type=self.kind.item_type,
            base_path=base,
            template=template,
            render=lambda d: self.render(ctx, d),
        )
        return Response(200, body)

    def all_items(self, ctx: Ctx, request: Request) -> Response:
        items = self.scope_items(ctx, request.query)
        ids = id_filter(request.query)
        if ids is not None:
            items = [item for item in items if item["Id"] in ids]
        return Response(200, [self.render(ctx, item) for item in self.sorted_items(items)])

    def get(self, ctx: Ctx, doc_id: str) -> Response:
        return Response(200, self.render(ctx, ctx.require(self.kind.route, doc_id)))

    # writing -----------------------------------------------------------------------------------------
    def create(self, ctx: Ctx, request: Request) -> Response:
        if not self.kind.creatable:
            raise method_not_allowed(request.method, request.path)
        body = normalise_keys(request.body)
        with ctx.store.lock:
            doc: Document = {
                **self.kind.defaults(),
                **{k: v for k, v in body.items() if k not in _SERVER_OWNED},
            }
            doc["Id"] = ctx.store.new_id(self.kind.id_prefix)
            if ctx.space_id is not None:
                doc["SpaceId"] = ctx.space_id
            doc = merge(doc, None)
            self._validate_and_store(ctx, doc, None)
            self.after_create(ctx, doc)
        return Response(201, self.render(ctx, doc))

    def update(self, ctx: Ctx, doc_id: str, request: Request) -> Response:
        body = normalise_keys(request.body)
        with ctx.store.lock:
            old = ctx.require(self.kind.route, doc_id)
            self._check_version(old, body)
            incoming = {k: v for k, v in body.items() if k not in _SERVER_OWNED}
            doc: Document = {**old, **incoming, "Id": old["Id"]}
            if "SpaceId" in old:
                doc["SpaceId"] = old["SpaceId"]
            doc = merge(doc, old)
            self._validate_and_store(ctx, doc, old)
        return Response(200, self.render(ctx, doc))

    def _check_version(self, old: Document, body: Document) -> None:
        """A missing Version binds as 0 on the real server, so it is stale too once the document changed."""
        message = self.stale_message(old)
        if message is None:
            return
        try:
            submitted = int(body.get("Version") or 0)
        except (TypeError, ValueError):
            submitted = -1
        if submitted != old.get("Version", 0):
            raise ApiError(400, "There was a problem with your request.", [message])

    def delete(self, ctx: Ctx, doc_id: str) -> Response:
        with ctx.store.lock:
            doc = ctx.require(self.kind.route, doc_id)
            ctx.store.delete(self.kind.route, doc_id)
            self.after_delete(ctx, doc)
        return Response(200, {})

    def _validate_and_store(self, ctx: Ctx, doc: Document, old: Document | None) -> None:
        name = doc.get("Name")
        if self.kind.unique_names is not None and (not isinstance(name, str) or not name.strip()):
            raise bad_request([f"The {self.kind.item_type} Name field is required."])
        if self.kind.slug and not doc.get("Slug"):
            doc["Slug"] = slugify(str(name or doc["Id"]))
        self.prepare(ctx, doc, old)
        self._check_unique(ctx, doc)
        errors = self.references(ctx, doc)
        if errors:
            raise bad_request(errors)
        if (
            "Version" in doc
            and old is not None
            and isinstance(old.get("Version"), int)
            and self.bumps_version
        ):
            doc["Version"] = old["Version"] + 1
        doc["LastModifiedOn"] = now_iso()
        doc["LastModifiedBy"] = "sandbox-user"
        ctx.store.put(self.kind.route, doc)
        self.stored(ctx, doc)

    bumps_version = True

    def siblings(self, ctx: Ctx, doc: Document) -> list[Document]:
        space = doc.get("SpaceId")
        if self.kind.unique_names == "project":
            items = ctx.store.of_project(self.kind.route, doc.get("ProjectId"), space)
        else:
            items = ctx.store.in_space(self.kind.route, space)
        return [item for item in items if item["Id"] != doc["Id"]]

    def _check_unique(self, ctx: Ctx, doc: Document) -> None:
        if self.kind.unique_names is None:
            return
        name = str(doc["Name"]).strip().lower()
        owner = "project" if self.kind.unique_names == "project" else "space"
        for other in self.siblings(ctx, doc):
            if str(other.get("Name", "")).strip().lower() == name:
                raise bad_request(
                    [
                        f"A {self.kind.item_type} named '{doc['Name']}' already exists in this {owner}. "
                        "Please use a different name."
                    ]
                )
            if self.kind.route == "projects" and other.get("Slug") == doc.get("Slug"):
                raise bad_request(
                    [
                        f"A Project with the slug '{doc['Slug']}' already exists in this space. "
                        "Please use a different name or slug."
                    ]
                )


REGISTRY: dict[str, Behaviour] = {}


def register(behaviour: Behaviour) -> Behaviour:
    REGISTRY[behaviour.kind.route] = behaviour
    return behaviour


def behaviour_for(route: str) -> Behaviour:
    if route not in REGISTRY:
        register(Behaviour(KINDS[route]))
    return REGISTRY[route]

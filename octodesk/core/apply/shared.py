"""Shared resources (levels 0-1): environments, tag sets, worker pools, feeds, teams, accounts,
certificates, lifecycles, project groups; each created, reused or merged as the plan says."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from octodesk.core.apply.context import ApplyContext
from octodesk.core.errors import ValidationFailed
from octodesk.core.plan.types import PlanItem
from octodesk.core.resources import kinds, model, secret_refs


def apply_shared_item(ctx: ApplyContext, item: PlanItem) -> None:
    """One level-0/1 resource (not step templates or library variable sets: see their modules)."""
    ctx.check_cancel()
    resource = ctx.bundle.get(item.kind, item.source_id)
    assert resource is not None
    doc = resource.document
    if item.action == "skip":
        ctx.count(item, item.kind, "skip")
        return
    if item.target_id:  # reused, merged, or created by an interrupted run of this import
        ctx.ids.put(item.kind, item.source_id, item.target_id)
        if item.kind == kinds.TAG_SET.name and item.action == "merge":
            _merge_tags(ctx, item, doc)  # adds only the tags still missing: safe to repeat
        ctx.count(item, item.kind, item.action)
        ctx.tick(item.kind, item.name)
        return
    creator = _CREATORS.get(item.kind, _create_plain)
    creator(ctx, item, doc)
    ctx.count(item, item.kind, item.action)
    ctx.tick(item.kind, item.name)


def _create_plain(ctx: ApplyContext, item: PlanItem, doc: dict[str, Any]) -> None:
    kind = kinds.KINDS_BY_NAME[item.kind]
    body, _ = ctx.prepare(item.kind, doc)
    ctx.create(item.kind, item.source_id, item.name, ctx.route(kind.route), body)


def _create_tag_set(ctx: ApplyContext, item: PlanItem, doc: dict[str, Any]) -> None:
    body, _ = ctx.prepare(item.kind, doc)
    body["Tags"] = [_new_tag(tag) for tag in body.get("Tags") or []]
    ctx.create(item.kind, item.source_id, item.name, ctx.route("tagsets"), body)


def _new_tag(tag: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in tag.items() if key not in ("Id", "CanonicalTagName")}


def _merge_tags(ctx: ApplyContext, item: PlanItem, doc: dict[str, Any]) -> None:
    current = ctx.read(ctx.route(f"tagsets/{item.target_id}"))
    have = {str(tag.get("Name", "")).casefold() for tag in current.get("Tags") or []}
    added = [
        _new_tag(tag) for tag in doc.get("Tags") or [] if str(tag.get("Name", "")).casefold() not in have
    ]
    if added:
        current["Tags"] = list(current.get("Tags") or []) + added
        ctx.send("PUT", ctx.route(f"tagsets/{item.target_id}"), current, f"tag set '{item.name}'")


def _create_worker_pool(ctx: ApplyContext, item: PlanItem, doc: dict[str, Any]) -> None:
    body, _ = ctx.prepare(item.kind, doc)
    body["IsDefault"] = False  # never take over the target's default pool
    if item.action == "convert":
        body["WorkerPoolType"] = "StaticWorkerPool"
        body.pop("WorkerType", None)
    ctx.create(item.kind, item.source_id, item.name, ctx.route("workerpools"), body)
    ctx.follow_up(
        "workers", f"Worker pool '{item.name}' was created empty: add workers to it.", item.kind, item.name
    )


def _create_team(ctx: ApplyContext, item: PlanItem, doc: dict[str, Any]) -> None:
    body = {
        "Name": doc.get("Name", item.name),
        "Description": doc.get("Description") or "",
        "SpaceId": ctx.target.space_id,
        "MemberUserIds": [],
        "ExternalSecurityGroups": [],
    }
    ctx.create(item.kind, item.source_id, item.name, "/api/teams", body)
    ctx.follow_up(
        "team-members", f"Team '{item.name}' was created empty: add its members.", item.kind, item.name
    )


def _with_secret(
    ctx: ApplyContext, body: dict[str, Any], field: str, ref: str, what: str, kind: str, name: str
) -> None:
    """Set a SensitiveValue field from the bundle's secrets, or leave it unset and say so."""
    value = body.get(field)
    secret = ctx.bundle.secrets.get(ref)
    if secret is not None:
        body[field] = {"HasValue": True, "NewValue": secret}
        return
    body.pop(field, None)
    if secret_refs.has_secret(value):
        ctx.follow_up(
            "sensitive-value", f"Set {what} by hand: the bundle does not carry it ({ref}).", kind, name
        )


def _fill_placeholders(ctx: ApplyContext, item: PlanItem, body: dict[str, Any], doc: dict[str, Any]) -> None:
    """Required secrets the bundle lacks: the plan refused the import unless placeholders were allowed."""
    if not ctx.plan.options.placeholder_secrets:
        return
    for field, ref in secret_refs.required_secrets(item.kind, item.name, doc):
        if ref in ctx.bundle.secrets:
            continue
        body[field] = {"HasValue": True, "NewValue": secret_refs.PLACEHOLDER}
        ctx.follow_up(
            "sensitive-value",
            f"{item.kind} '{item.name}' was created with a placeholder {field} "
            f"('{secret_refs.PLACEHOLDER}'): set the real value ({ref}).",
            item.kind,
            item.name,
        )


def _with_secrets(
    ctx: ApplyContext,
    item: PlanItem,
    body: dict[str, Any],
    doc: dict[str, Any],
    type_fields: Iterable[str],
    ref_of: Callable[[str], str],
    what_of: Callable[[str], str],
) -> None:
    """Every SensitiveValue of the resource (those its type has and those the document shows) from the
    bundle's secrets; then the placeholders the plan allowed for required ones still missing."""
    fields = set(type_fields) | {
        field for field, value in doc.items() if secret_refs.is_sensitive_value(value)
    }
    for field in sorted(fields):
        _with_secret(ctx, body, field, ref_of(field), what_of(field), item.kind, item.name)
    _fill_placeholders(ctx, item, body, doc)


def _create_feed(ctx: ApplyContext, item: PlanItem, doc: dict[str, Any]) -> None:
    body, _ = ctx.prepare(item.kind, doc)
    _with_secrets(
        ctx,
        item,
        body,
        doc,
        secret_refs.feed_secret_fields(doc.get("FeedType")),
        lambda field: secret_refs.feed_ref(item.name, field),
        lambda field: f"the {field} of feed '{item.name}'",
    )
    ctx.create(item.kind, item.source_id, item.name, ctx.route("feeds"), body)


def _restriction_not_yet_created(ctx: ApplyContext, ref: model.Reference) -> bool:
    """Tenants are created after accounts and certificates: their restriction is completed later."""
    return ref.kind == kinds.TENANT.name and ctx.bundle.get(kinds.TENANT.name, ref.value) is not None


def _without_pending_tenants(ctx: ApplyContext, body: dict[str, Any], pending: list[model.Reference]) -> None:
    if pending:
        waiting = {ref.value for ref in pending}
        body["TenantIds"] = [tenant for tenant in body.get("TenantIds") or [] if tenant not in waiting]


def _create_account(ctx: ApplyContext, item: PlanItem, doc: dict[str, Any]) -> None:
    body, pending = ctx.prepare(
        item.kind, doc, allow_unmapped=lambda ref: _restriction_not_yet_created(ctx, ref)
    )
    _without_pending_tenants(ctx, body, pending)
    _with_secrets(
        ctx,
        item,
        body,
        doc,
        secret_refs.ACCOUNT_SECRET_FIELDS.get(str(doc.get("AccountType")), ()),
        lambda field: secret_refs.account_ref(item.name, field),
        lambda field: f"{field} of account '{item.name}'",
    )
    created = ctx.create(item.kind, item.source_id, item.name, ctx.route("accounts"), body)
    if pending:
        ctx.state.restrictions_to_complete.append((item, "accounts", created["Id"]))


def _create_certificate(ctx: ApplyContext, item: PlanItem, doc: dict[str, Any]) -> None:
    data = ctx.bundle.secrets.get(secret_refs.certificate_ref(item.name))
    if data is None:
        ctx.count(None, item.kind, "skip")
        ctx.follow_up(
            "certificate",
            f"Certificate '{item.name}' was not created: the bundle does not carry its "
            "file. Upload it on the target; variables that use it were left out.",
            item.kind,
            item.name,
        )
        return
    body, pending = ctx.prepare(
        item.kind, doc, allow_unmapped=lambda ref: _restriction_not_yet_created(ctx, ref)
    )
    _without_pending_tenants(ctx, body, pending)
    keep = (
        "Name",
        "Notes",
        "SpaceId",
        "EnvironmentIds",
        "TenantIds",
        "TenantTags",
        "TenantedDeploymentParticipation",
    )
    body = {key: value for key, value in body.items() if key in keep}
    body["CertificateData"] = {"HasValue": True, "NewValue": data}
    password = ctx.bundle.secrets.get(secret_refs.certificate_password_ref(item.name))
    if password is not None:
        body["Password"] = {"HasValue": True, "NewValue": password}
    try:
        created = ctx.create(item.kind, item.source_id, item.name, ctx.route("certificates"), body)
    except ValidationFailed as error:
        # Typically a PFX whose password the bundle does not carry: the rest of the import goes on.
        ctx.count(None, item.kind, "skip")
        message = f"Certificate '{item.name}' was not created ({error.message}). Upload it on the target; "
        ctx.follow_up("certificate", message + "variables that use it were left out.", item.kind, item.name)
        return
    if pending:
        ctx.state.restrictions_to_complete.append((item, "certificates", created["Id"]))


def _create_lifecycle(ctx: ApplyContext, item: PlanItem, doc: dict[str, Any]) -> None:
    body, dropped = ctx.prepare(item.kind, doc, allow_unmapped=lambda ref: ref.kind == kinds.ENVIRONMENT.name)
    if dropped:
        missing = {ref.value for ref in dropped}
        for phase in body.get("Phases") or []:
            for key in ("AutomaticDeploymentTargets", "OptionalDeploymentTargets"):
                phase[key] = [env for env in phase.get(key) or [] if env not in missing]
        ctx.warn(
            f"Lifecycle '{item.name}' was created without {len(missing)} environment(s) the bundle does "
            "not carry (the default lifecycle's environments are not exported)."
        )
    ctx.create(item.kind, item.source_id, item.name, ctx.route("lifecycles"), body)


def _create_project_group(ctx: ApplyContext, item: PlanItem, doc: dict[str, Any]) -> None:
    body, dropped = ctx.prepare(item.kind, doc, allow_unmapped=lambda ref: ref.optional)
    missing = {ref.value for ref in dropped}
    body["EnvironmentIds"] = [env for env in body.get("EnvironmentIds") or [] if env not in missing]
    ctx.create(item.kind, item.source_id, item.name, ctx.route("projectgroups"), body)


def _create_git_credential(ctx: ApplyContext, item: PlanItem, doc: dict[str, Any]) -> None:
    """A library Git credential: its name, description, user name and restrictions; the password from the
    bundle's secrets, or the placeholder the plan allowed."""
    details = dict(doc.get("Details") or {})
    ref = secret_refs.git_credential_ref(item.name)
    secret = ctx.bundle.secrets.get(ref)
    password = secret if secret is not None else secret_refs.PLACEHOLDER
    body = {
        "Name": doc.get("Name", item.name),
        "Description": doc.get("Description") or "",
        "Details": {
            "Type": details.get("Type", "UsernamePassword"),
            "Username": details.get("Username"),
            "Password": {"HasValue": True, "NewValue": password},
        },
        "RepositoryRestrictions": doc.get("RepositoryRestrictions")
        or {"Enabled": False, "AllowedRepositories": []},
    }
    ctx.create(item.kind, item.source_id, item.name, ctx.route("git-credentials"), body)
    if secret is None:
        ctx.follow_up(
            "sensitive-value",
            f"Git credential '{item.name}' was created with a placeholder password "
            f"('{secret_refs.PLACEHOLDER}'): set the real one ({ref}).",
            item.kind,
            item.name,
        )


_CREATORS = {
    kinds.GIT_CREDENTIAL.name: _create_git_credential,
    kinds.TAG_SET.name: _create_tag_set,
    kinds.WORKER_POOL.name: _create_worker_pool,
    kinds.TEAM.name: _create_team,
    kinds.FEED.name: _create_feed,
    kinds.ACCOUNT.name: _create_account,
    kinds.CERTIFICATE.name: _create_certificate,
    kinds.LIFECYCLE.name: _create_lifecycle,
    kinds.PROJECT_GROUP.name: _create_project_group,
}

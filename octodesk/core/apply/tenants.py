"""Tenants (connections merged), tenant variables (set only where the target has no value), triggers, and
tenant restrictions of accounts/certificates (completed once the tenants exist)."""

from __future__ import annotations

from typing import Any

from octodesk.core.apply.context import ApplyContext
from octodesk.core.apply.secret_values import sensitive_value
from octodesk.core.apply.tenant_values import apply_scoped_tenant_values, leave_out_scoped_common
from octodesk.core.errors import ResourceNotFound
from octodesk.core.plan.types import PlanItem
from octodesk.core.resources import kinds, model, secret_refs, tenant_values
from octodesk.core.resources.ids import match_by_name

TENANT = kinds.TENANT.name


def _mapped_connections(ctx: ApplyContext, item: PlanItem, doc: dict[str, Any]) -> dict[str, list[str]]:
    """The tenant's project/environment map on the target; projects the bundle does not carry are left out,
    environments it does not carry are dropped from the connection (and said so)."""
    mapped: dict[str, list[str]] = {}
    for project_id, environment_ids in (doc.get("ProjectEnvironments") or {}).items():
        target_project = ctx.ids.get(kinds.PROJECT.name, project_id)
        if target_project is None:
            continue
        environments = []
        for environment_id in environment_ids:
            target_environment = ctx.ids.get(kinds.ENVIRONMENT.name, environment_id)
            if target_environment is None:
                ctx.warn(
                    f"Tenant '{item.name}' keeps its connection to a project without environment "
                    f"{environment_id}, which the bundle does not carry."
                )
                continue
            environments.append(target_environment)
        mapped[target_project] = environments
    return mapped


def apply_tenant(ctx: ApplyContext, item: PlanItem) -> None:
    ctx.check_cancel()
    if item.action == "skip":
        ctx.count(item, TENANT, "skip")
        return
    resource = ctx.bundle.get(TENANT, item.source_id)
    assert resource is not None
    doc = dict(resource.document)
    connections = _mapped_connections(ctx, item, doc)
    if item.target_id:
        ctx.ids.put(TENANT, item.source_id, item.target_id)
        current = ctx.read(ctx.route(f"tenants/{item.target_id}"))
        have = current.get("ProjectEnvironments") or {}
        merged = {project: list(envs) for project, envs in have.items()}
        for project, envs in connections.items():
            merged[project] = list(dict.fromkeys([*merged.get(project, []), *envs]))
        if merged != have:
            current["ProjectEnvironments"] = merged
            ctx.send("PUT", ctx.route(f"tenants/{item.target_id}"), current, f"tenant '{item.name}'")
    else:
        doc.pop("ProjectEnvironments", None)
        body, _ = ctx.prepare(TENANT, doc)
        body.pop("Slug", None)
        body["ProjectEnvironments"] = connections
        ctx.create(TENANT, item.source_id, item.name, ctx.route("tenants"), body)
    ctx.count(item, TENANT, item.action)
    ctx.tick(TENANT, item.name)


def _is_set(value: Any) -> bool:
    if isinstance(value, dict):
        return bool(value.get("HasValue"))
    return value not in (None, "")


def _template_names(templates: Any) -> dict[str, str]:
    return {str(t.get("Id")): str(t.get("Name")) for t in templates or [] if isinstance(t, dict)}


def prefetch_tenant_variables(ctx: ApplyContext, items: list[PlanItem]) -> None:
    """Every tenant's variables in one request (``/tenantvariables/all``, 2021.2 Swagger) instead of one per
    tenant; a server without that route is read per tenant."""
    if not items or ctx.target.scoped_tenant_variables:
        return  # newer servers: values go through tenants/{id}/projectvariables and commonvariables
    try:
        documents = list(ctx.remember(ctx.client.get_all(ctx.route("tenantvariables/all"))))
    except ResourceNotFound:
        return
    ctx.state.prefetched_tenant_variables = {str(doc.get("TenantId")): doc for doc in documents}


def apply_tenant_variables(ctx: ApplyContext, item: PlanItem) -> None:
    ctx.check_cancel()
    resource = ctx.bundle.get(kinds.TENANT_VARIABLES.name, item.source_id)
    assert resource is not None
    doc = resource.document
    tenant_source = str(doc.get("TenantId") or item.source_id)
    tenant_id = ctx.ids.get(TENANT, tenant_source)
    if tenant_id is None:
        return
    if ctx.target.scoped_tenant_variables:
        apply_scoped_tenant_values(ctx, item, doc, tenant_id)
        ctx.count(item, kinds.TENANT_VARIABLES.name, item.action)
        return
    leave_out_scoped_common(ctx, item, doc)
    path = ctx.route(f"tenants/{tenant_id}/variables")
    current = ctx.state.prefetched_tenant_variables.get(tenant_id) or ctx.read(path)
    changed = False
    for project_id, entry in (doc.get("ProjectVariables") or {}).items():
        target_project = ctx.ids.get(kinds.PROJECT.name, project_id)
        target_entry = (current.get("ProjectVariables") or {}).get(target_project or "")
        if target_entry is None:
            continue
        names = tenant_values.template_names(entry.get("Templates"))
        owner = str(entry.get("ProjectName") or project_id)
        for environment_id, values in (entry.get("Variables") or {}).items():
            target_environment = ctx.ids.get(kinds.ENVIRONMENT.name, environment_id)
            target_values = (target_entry.get("Variables") or {}).get(target_environment or "")
            if target_values is None:
                continue
            environment = ctx.bundle.get(kinds.ENVIRONMENT.name, environment_id)
            for template_id, value in values.items():
                ref = secret_refs.tenant_ref(
                    item.name,
                    "Project",
                    owner,
                    names.get(template_id, template_id),
                    environment.name if environment else environment_id,
                )
                changed |= _set_value(
                    ctx, item, target_values, model.PROJECT_TEMPLATE, template_id, value, ref
                )
    for set_id, entry in (doc.get("LibraryVariables") or {}).items():
        target_set = ctx.ids.get(kinds.LIBRARY_VARIABLE_SET.name, set_id)
        target_entry = (current.get("LibraryVariables") or {}).get(target_set or "")
        if target_entry is None:
            continue
        names = tenant_values.template_names(entry.get("Templates"))
        owner = str(entry.get("LibraryVariableSetName") or set_id)
        target_values = target_entry.setdefault("Variables", {})
        for template_id, value in (entry.get("Variables") or {}).items():
            ref = secret_refs.tenant_ref(
                item.name, "LibraryVariableSet", owner, names.get(template_id, template_id)
            )
            changed |= _set_value(ctx, item, target_values, model.LIBRARY_TEMPLATE, template_id, value, ref)
    if changed:
        ctx.send("PUT", path, current, f"variables of tenant '{item.name}'")
    ctx.count(item, kinds.TENANT_VARIABLES.name, item.action)


def _set_value(
    ctx: ApplyContext,
    item: PlanItem,
    target_values: dict[str, Any],
    template_kind: str,
    template_id: str,
    value: Any,
    ref: str,
) -> bool:
    """Set one tenant variable where the target has none; never overwrite a value the target holds."""
    target_template = ctx.ids.get(template_kind, template_id)
    if target_template is None or _is_set(target_values.get(target_template)):
        return False
    if secret_refs.is_sensitive_value(value):
        secret = ctx.bundle.secrets.get(ref)
        if secret is None:
            if secret_refs.has_secret(value):
                ctx.follow_up(
                    "sensitive-value",
                    f"Set the sensitive tenant variable {ref}: the bundle does not carry it.",
                    kinds.TENANT.name,
                    item.name,
                )
            return False
        target_values[target_template] = {"HasValue": True, "NewValue": secret}
        return True
    if value in (None, ""):
        return False
    target_values[target_template] = value
    return True


# --- after tenants -------------------------------------------------------------------------------


def complete_restrictions(ctx: ApplyContext) -> None:
    """Accounts/certificates restricted to tenants that did not exist when they were created."""
    for item, route, target_id in ctx.state.restrictions_to_complete:
        resource = ctx.bundle.get(item.kind, item.source_id)
        assert resource is not None
        wanted = [ctx.ids.get(TENANT, tenant) for tenant in resource.document.get("TenantIds") or []]
        current = ctx.read(ctx.route(f"{route}/{target_id}"))
        current["TenantIds"] = [tenant for tenant in wanted if tenant]
        current.pop("CertificateData", None)
        current.pop("Password", None)
        ctx.send("PUT", ctx.route(f"{route}/{target_id}"), current, f"{item.kind} '{item.name}'")


def apply_triggers(ctx: ApplyContext, project_item: PlanItem) -> None:
    """Project triggers (Octopus's own import drops them): created when the target project lacks them."""
    if project_item.action == "skip":
        return
    triggers = ctx.bundle.owned_by(kinds.PROJECT_TRIGGER.name, project_item.source_id)
    if not triggers:
        return
    project_id = ctx.ids.get(kinds.PROJECT.name, project_item.source_id)
    is_new = project_item.action == "create" and not project_item.resumed
    existing = (
        [] if is_new else ctx.read_collection(ctx.route(f"projects/{project_id}/triggers"), all_route=False)
    )
    for resource in triggers:
        ctx.check_cancel()
        child = ctx.plan.item(kinds.PROJECT_TRIGGER.name, resource.id)
        if match_by_name(resource.name, existing).target is not None:
            ctx.count(child, kinds.PROJECT_TRIGGER.name, "reuse")
            continue
        body, unmapped = ctx.prepare(
            kinds.PROJECT_TRIGGER.name, resource.document, allow_unmapped=lambda ref: True
        )
        if unmapped:
            ctx.follow_up(
                "trigger",
                f"Trigger '{resource.name}' of '{project_item.name}' was not carried: it refers "
                "to resources the target does not have. Recreate it by hand.",
                "ProjectTrigger",
                resource.name,
            )
            ctx.count(None, kinds.PROJECT_TRIGGER.name, "skip")
            continue
        trigger_filter = body.get("Filter")
        if isinstance(trigger_filter, dict) and "Secret" in trigger_filter:  # a webhook trigger's secret
            trigger_filter["Secret"] = sensitive_value(
                ctx,
                trigger_filter["Secret"],
                secret_refs.trigger_ref(project_item.name, resource.name),
                f"the webhook secret of trigger '{resource.name}' in '{project_item.name}'",
                "ProjectTrigger",
                resource.name,
            )
        ctx.create(kinds.PROJECT_TRIGGER.name, resource.id, resource.name, ctx.route("projecttriggers"), body)
        ctx.count(child, kinds.PROJECT_TRIGGER.name, "create")

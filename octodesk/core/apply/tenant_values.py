"""Tenant values on a target with scoped common variables (``tenants/{id}/projectvariables`` and
``…/commonvariables``; the legacy write is refused there). Each PUT is the full set: the target's own values
are sent back unchanged (a sensitive one masked, which keeps it), the bundle's are added only where the
target holds no value for that template and environment, with the ConcurrencyToken of the read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from octodesk.core.apply.context import ApplyContext
from octodesk.core.plan.scopes import scoped_common_label
from octodesk.core.plan.types import PlanItem
from octodesk.core.resources import kinds, model, secret_refs, tenant_values
from octodesk.core.vocabulary import FollowUpCategory


@dataclass(frozen=True)
class Wanted:
    owner: str  # target project or library variable set id
    template: str  # target template id
    environments: tuple[str, ...]  # target environment ids; () = unscoped
    value: Any
    ref: str  # the secret reference, for a sensitive value


def apply_scoped_tenant_values(
    ctx: ApplyContext, item: PlanItem, doc: dict[str, Any], tenant_id: str
) -> None:
    projects, commons = _wanted(ctx, item, doc)
    _put_missing(ctx, item, tenant_id, "projectvariables", "ProjectId", projects)
    _put_missing(ctx, item, tenant_id, "commonvariables", "LibraryVariableSetId", commons)


def leave_out_scoped_common(ctx: ApplyContext, item: PlanItem, doc: dict[str, Any]) -> None:
    """An older target: environment-scoped common values cannot be written without widening them."""
    for value in doc.get(tenant_values.SCOPED_COMMON) or []:
        ctx.follow_up(
            FollowUpCategory.SCOPE,
            f"Tenant '{item.name}' value {scoped_common_label(ctx.plan, value)} was left out: the target has "
            "no environment-scoped common variables (written unscoped it would apply to every environment).",
            kinds.TENANT.name,
            item.name,
        )


def _wanted(ctx: ApplyContext, item: PlanItem, doc: dict[str, Any]) -> tuple[list[Wanted], list[Wanted]]:
    projects: list[Wanted] = []
    for project_id, entry in (doc.get("ProjectVariables") or {}).items():
        owner = ctx.ids.get(kinds.PROJECT.name, project_id)
        names = tenant_values.template_names(entry.get("Templates"))
        project_name = str(entry.get("ProjectName") or project_id)
        for environment_id, values in (entry.get("Variables") or {}).items():
            environment = ctx.ids.get(kinds.ENVIRONMENT.name, environment_id)
            source_environment = ctx.bundle.get(kinds.ENVIRONMENT.name, environment_id)
            for template_id, value in values.items():
                template = ctx.ids.get(model.PROJECT_TEMPLATE, template_id)
                if owner and environment and template:
                    ref = secret_refs.tenant_ref(
                        item.name,
                        "Project",
                        project_name,
                        names.get(template_id, template_id),
                        source_environment.name if source_environment else environment_id,
                    )
                    projects.append(Wanted(owner, template, (environment,), value, ref))
    commons: list[Wanted] = []
    for set_id, entry in (doc.get("LibraryVariables") or {}).items():
        owner = ctx.ids.get(kinds.LIBRARY_VARIABLE_SET.name, set_id)
        names = tenant_values.template_names(entry.get("Templates"))
        set_name = str(entry.get("LibraryVariableSetName") or set_id)
        for template_id, value in (entry.get("Variables") or {}).items():
            template = ctx.ids.get(model.LIBRARY_TEMPLATE, template_id)
            if owner and template:
                ref = secret_refs.tenant_ref(
                    item.name, "LibraryVariableSet", set_name, names.get(template_id, template_id)
                )
                commons.append(Wanted(owner, template, (), value, ref))
    commons += _wanted_scoped_common(ctx, item, doc)
    return projects, commons


def _wanted_scoped_common(ctx: ApplyContext, item: PlanItem, doc: dict[str, Any]) -> list[Wanted]:
    wanted: list[Wanted] = []
    for value in doc.get(tenant_values.SCOPED_COMMON) or []:
        set_id = str(value.get("LibraryVariableSetId"))
        owner = ctx.ids.get(kinds.LIBRARY_VARIABLE_SET.name, set_id)
        template = ctx.ids.get(model.LIBRARY_TEMPLATE, str(value.get("TemplateId")))
        source_environments = [str(e) for e in value.get("EnvironmentIds") or []]
        environments = [ctx.ids.get(kinds.ENVIRONMENT.name, e) for e in source_environments]
        described = scoped_common_label(ctx.plan, value)
        if not owner or not template:
            continue
        if not all(environments):  # never widen: a value scoped to an environment the target lacks
            ctx.follow_up(
                FollowUpCategory.SCOPE,
                f"Tenant '{item.name}' value {described} was left out: not every environment of its scope "
                "is on the target.",
                kinds.TENANT.name,
                item.name,
            )
            continue
        library = ctx.bundle.get(kinds.LIBRARY_VARIABLE_SET.name, set_id)
        names = tenant_values.template_names((library.document if library else {}).get("Templates"))
        template_name = names.get(str(value.get("TemplateId")), str(value.get("TemplateId")))
        environment_names = [
            resource.name if (resource := ctx.bundle.get(kinds.ENVIRONMENT.name, e)) else e
            for e in source_environments
        ]
        ref = secret_refs.tenant_ref(
            item.name,
            "LibraryVariableSet",
            library.name if library else set_id,
            template_name,
            secret_refs.environments_label(environment_names),
        )
        wanted.append(Wanted(owner, template, tuple(str(e) for e in environments), value.get("Value"), ref))
    return wanted


def _put_missing(
    ctx: ApplyContext, item: PlanItem, tenant_id: str, route: str, owner_field: str, wanted: list[Wanted]
) -> None:
    if not wanted:
        return
    path = ctx.route(f"tenants/{tenant_id}/{route}")
    current = ctx.read(path)
    existing = [v for v in current.get("Variables") or [] if isinstance(v, dict)]
    added: list[dict[str, Any]] = []
    for want in wanted:
        environments = _uncovered(want, existing, owner_field, added)
        if environments is None:
            continue
        value = _value(ctx, item, want)
        if value is None:
            continue
        added.append(tenant_values.payload(owner_field, want.owner, want.template, value, list(environments)))
    if added:
        body = {
            "TenantId": tenant_id,
            "ConcurrencyToken": current.get("ConcurrencyToken"),
            "Variables": [tenant_values.echo(v, owner_field) for v in existing] + added,
        }
        ctx.send("PUT", path, body, f"{route} of tenant '{item.name}'", identity="TenantId")


def _uncovered(
    want: Wanted, existing: list[dict[str, Any]], owner_field: str, added: list[dict[str, Any]]
) -> tuple[str, ...] | None:
    """The environments of ``want`` where the target (or what this import adds) holds no value for the
    template: None when there are none (an unscoped value is covered by an unscoped one)."""
    covered: set[str] = set()
    unscoped = False
    for value in [*existing, *added]:
        if str(value.get(owner_field)) != want.owner or str(value.get("TemplateId")) != want.template:
            continue
        scope = [str(e) for e in (value.get("Scope") or {}).get("EnvironmentIds") or []]
        covered.update(scope)
        unscoped = unscoped or not scope
    if not want.environments:
        return None if unscoped else ()
    remaining = tuple(e for e in want.environments if e not in covered)
    if owner_field == "ProjectId" and unscoped:
        return None  # a project value for every environment already holds
    return remaining or None


def _value(ctx: ApplyContext, item: PlanItem, want: Wanted) -> Any:
    """What to send for one value: the bundle's secret for a sensitive one (or a follow-up), the text
    otherwise; None for nothing to write."""
    if secret_refs.is_sensitive_value(want.value):
        secret = ctx.bundle.secrets.get(want.ref)
        if secret is None:
            if secret_refs.has_secret(want.value):
                ctx.follow_up(
                    FollowUpCategory.SENSITIVE_VALUE,
                    f"Set the sensitive tenant variable {want.ref}: the bundle does not carry it.",
                    kinds.TENANT.name,
                    item.name,
                    want.ref,
                )
            return None
        return {"HasValue": True, "NewValue": secret}
    if want.value in (None, ""):
        return None
    return want.value

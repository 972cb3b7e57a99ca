"""Step templates (version rules) and library variable sets (merge rules)."""

from __future__ import annotations

from typing import Any

from octodesk.core.apply.context import TEMPLATE_VERSION_KIND, ApplyContext
from octodesk.core.apply.secret_values import fill_template_defaults
from octodesk.core.apply.variables import merged_variables, put_variables
from octodesk.core.plan.types import PlanItem
from octodesk.core.resources import kinds, model, secret_refs
from octodesk.core.vocabulary import Action, FollowUpCategory


def template_version_key(source_id: str, version: int) -> str:
    return f"{source_id}@{version}"


def _versions_of(ctx: ApplyContext, source_id: str) -> list[dict[str, Any]]:
    documents = [
        resource.document
        for resource in ctx.bundle.by_kind(kinds.ACTION_TEMPLATE.name)
        if str(resource.document.get("Id") or resource.id) == source_id
    ]
    return sorted(documents, key=lambda doc: int(doc.get("Version") or 0))


def _template_body(ctx: ApplyContext, item: PlanItem, doc: dict[str, Any]) -> dict[str, Any]:
    body, _ = ctx.prepare(
        kinds.ACTION_TEMPLATE.name, doc, strip=("Id", "Links", "Version", "LastModifiedOn", "LastModifiedBy")
    )
    body["CommunityActionTemplateId"] = None  # community ids belong to the source instance's library
    for parameter in body.get("Parameters") or []:
        default = parameter.get("DefaultValue")
        if not secret_refs.is_sensitive_value(default):
            continue
        ref = secret_refs.template_ref(item.name, str(parameter.get("Name")))
        secret = ctx.bundle.secrets.get(ref)
        if secret is not None:
            parameter["DefaultValue"] = {"HasValue": True, "NewValue": secret}
        else:
            parameter["DefaultValue"] = None
            if secret_refs.has_secret(default):
                ctx.follow_up(
                    FollowUpCategory.SENSITIVE_VALUE,
                    f"Set the default of sensitive parameter '{parameter.get('Name')}' "
                    f"of step template '{item.name}'.",
                    item.kind,
                    item.name,
                    ref,
                )
    return body


def apply_step_template(ctx: ApplyContext, item: PlanItem) -> None:
    """Create, reuse or update one step template; record which target version each bundle version became."""
    ctx.check_cancel()
    versions = _versions_of(ctx, item.source_id)
    journal = ctx.journal
    target_id = item.target_id
    current_version = 0
    baseline = _target_latest(ctx, item)  # the target's version before this import; -1 when it is new
    if target_id:
        ctx.ids.put(item.kind, item.source_id, target_id)
        existing = ctx.target.by_id(item.kind, target_id)
        current_version = int((existing or {}).get("Version") or 0)
    for doc in versions:
        version = int(doc.get("Version") or 0)
        key = template_version_key(item.source_id, version)
        done = journal.target_id(TEMPLATE_VERSION_KIND, key)
        if done is not None:
            ctx.ids.put(TEMPLATE_VERSION_KIND, key, done)
            continue
        if target_id is None:
            created = ctx.create(
                item.kind,
                item.source_id,
                item.name,
                ctx.route("actiontemplates"),
                _template_body(ctx, item, doc),
            )
            target_id, current_version = str(created["Id"]), int(created.get("Version") or 0)
        elif item.action in (Action.CREATE, Action.UPDATE) and version > baseline:
            body = _template_body(ctx, item, doc)
            body.update({"Id": target_id, "Version": current_version})
            updated = ctx.send(
                "PUT", ctx.route(f"actiontemplates/{target_id}"), body, f"step template '{item.name}'"
            )
            current_version = int(updated.get("Version") or current_version)
        elif version <= baseline:
            # The target holds this version number already (same name and version: reused).
            current_version = version
        # else: reused because the target's version holds the same content (the plan compared them): the
        # bundle's version is the target's current one.
        journal.record(TEMPLATE_VERSION_KIND, key, str(current_version), item.name)
        ctx.ids.put(TEMPLATE_VERSION_KIND, key, str(current_version))
    if versions:
        latest = ctx.ids.get(
            TEMPLATE_VERSION_KIND, template_version_key(item.source_id, _version(versions[-1]))
        )
        if latest is not None:
            ctx.ids.put(TEMPLATE_VERSION_KIND, item.source_id, latest)
    ctx.count(item, item.kind, item.action)
    ctx.tick(item.kind, item.name)


def _version(doc: dict[str, Any]) -> int:
    return int(doc.get("Version") or 0)


def _target_latest(ctx: ApplyContext, item: PlanItem) -> int:
    existing = ctx.target.by_id(item.kind, item.target_id or "")
    return int((existing or {}).get("Version") or 0) if existing else -1


def set_template_versions(ctx: ApplyContext, process: dict[str, Any]) -> None:
    """Before a process is remapped: each templated action's version becomes the target's version."""
    for _, action in model.process_actions(process):
        properties = action.get("Properties") or {}
        template_id = properties.get("Octopus.Action.Template.Id")
        version = properties.get("Octopus.Action.Template.Version")
        if not isinstance(template_id, str) or not str(version or "").isdigit():
            continue
        mapped = ctx.ids.get(TEMPLATE_VERSION_KIND, template_version_key(template_id, int(str(version))))
        # A version the bundle does not carry (export carries one per template): the target's latest.
        mapped = mapped or ctx.ids.get(TEMPLATE_VERSION_KIND, template_id)
        if mapped is not None:
            properties["Octopus.Action.Template.Version"] = mapped


# --- library variable sets -----------------------------------------------------------------------


def apply_library_variable_set(ctx: ApplyContext, item: PlanItem) -> None:
    ctx.check_cancel()
    resource = ctx.bundle.get(item.kind, item.source_id)
    assert resource is not None
    doc = resource.document
    if item.target_id:
        ctx.ids.put(item.kind, item.source_id, item.target_id)
        target_lvs = ctx.read(ctx.route(f"libraryvariablesets/{item.target_id}"))
        _merge_templates(ctx, item, doc, target_lvs)
    else:
        body, _ = ctx.prepare(item.kind, doc)
        fill_template_defaults(ctx, body, "LibraryVariableSet", item.name)
        target_lvs = ctx.create(item.kind, item.source_id, item.name, ctx.route("libraryvariablesets"), body)
    _map_templates(ctx, model.LIBRARY_TEMPLATE, doc, target_lvs)
    source_set_id = str(doc.get("VariableSetId") or "")
    source_set = ctx.bundle.get(kinds.VARIABLE_SET.name, source_set_id)
    target_set_id = str(target_lvs["VariableSetId"])
    ctx.ids.put(kinds.VARIABLE_SET.name, source_set_id, target_set_id)
    if source_set is not None and not ctx.journal.is_done(f"variables:{source_set_id}:{target_set_id}"):
        target_set = ctx.read(ctx.route(f"variables/{target_set_id}"))
        variables, added = merged_variables(
            ctx, source_set.document, target_set, "LibraryVariableSet", item.name, replace=False
        )
        if added:
            put_variables(ctx, target_set, variables, f"variables of library variable set '{item.name}'")
        ctx.journal.mark_done(f"variables:{source_set_id}:{target_set_id}")
    ctx.count(item, item.kind, item.action)
    ctx.tick(item.kind, item.name)


def _merge_templates(
    ctx: ApplyContext, item: PlanItem, doc: dict[str, Any], target_lvs: dict[str, Any]
) -> None:
    """Tenant (common variable) templates the target set lacks are added, matched by name."""
    have = {str(t.get("Name", "")).casefold() for t in target_lvs.get("Templates") or []}
    missing = [t for t in doc.get("Templates") or [] if str(t.get("Name", "")).casefold() not in have]
    if not missing:
        return
    new_templates = [{key: value for key, value in t.items() if key != "Id"} for t in missing]
    fill_template_defaults(ctx, {"Templates": new_templates}, "LibraryVariableSet", item.name)
    body = {key: value for key, value in target_lvs.items() if key != "Links"}
    body["Templates"] = list(target_lvs.get("Templates") or []) + new_templates
    updated = ctx.send(
        "PUT", ctx.route(f"libraryvariablesets/{item.target_id}"), body, f"library variable set '{item.name}'"
    )
    target_lvs["Templates"] = updated.get("Templates", body["Templates"])


def _map_templates(ctx: ApplyContext, kind: str, source: dict[str, Any], target: dict[str, Any]) -> None:
    """Template GUIDs (tenant variables refer to them) mapped through their names."""
    by_name = {str(t.get("Name", "")).casefold(): t for t in target.get("Templates") or []}
    for template in source.get("Templates") or []:
        match = by_name.get(str(template.get("Name", "")).casefold())
        if match is not None and template.get("Id"):
            ctx.ids.put(kind, str(template["Id"]), str(match["Id"]))


map_templates = _map_templates

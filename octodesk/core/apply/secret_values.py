"""Sensitive values on the target: from the bundle's secrets, never invented, never overwriting a value the
target already holds; each one the bundle lacks becomes a follow-up."""

from __future__ import annotations

from typing import Any

from octodesk.core.apply.context import ApplyContext
from octodesk.core.resources import model, secret_refs
from octodesk.core.vocabulary import FollowUpCategory

KEEP_TARGET_VALUE = {"HasValue": True, "NewValue": None}  # the server keeps what it stores
NO_VALUE = {"HasValue": False, "NewValue": None}


def sensitive_value(
    ctx: ApplyContext,
    value: Any,
    ref: str,
    what: str,
    kind: str,
    name: str,
    *,
    target_has_value: bool = False,
) -> Any:
    """What to send for one SensitiveValue field (anything else is returned unchanged)."""
    if not secret_refs.is_sensitive_value(value):
        return value
    if target_has_value:
        return dict(KEEP_TARGET_VALUE)
    secret = ctx.bundle.secrets.get(ref)
    if secret is not None:
        return {"HasValue": True, "NewValue": secret}
    if secret_refs.has_secret(value):
        message = f"Set {what}: the bundle does not carry it."
        ctx.follow_up(FollowUpCategory.SENSITIVE_VALUE, message, kind, name, ref)
    return dict(NO_VALUE)


def fill_action_secrets(
    ctx: ApplyContext, body: dict[str, Any], current: dict[str, Any], project: str, process: str
) -> None:
    """Sensitive step properties of a process about to be PUT (``process``: "deployment" or a runbook)."""
    existing = {
        (str(step.get("Name")).casefold(), str(action.get("Name")).casefold()): action
        for step, action in model.process_actions(current)
    }
    for step, action in model.process_actions(body):
        target_action = existing.get((str(step.get("Name")).casefold(), str(action.get("Name")).casefold()))
        target_properties = (target_action or {}).get("Properties") or {}
        properties = action.get("Properties") or {}
        for key, value in list(properties.items()):
            if not secret_refs.is_sensitive_value(value):
                continue
            ref = secret_refs.action_ref(
                project, process, str(step.get("Name")), str(action.get("Name")), key
            )
            properties[key] = sensitive_value(
                ctx,
                value,
                ref,
                f"step property {key} of '{action.get('Name')}' in '{project}'",
                "Project",
                project,
                target_has_value=secret_refs.has_secret(target_properties.get(key)),
            )


def fill_template_defaults(ctx: ApplyContext, body: dict[str, Any], owner_kind: str, owner_name: str) -> None:
    """Sensitive default values of a project's or library set's variable templates (tenant variables)."""
    for template in body.get("Templates") or []:
        default = template.get("DefaultValue")
        if secret_refs.is_sensitive_value(default):
            ref = secret_refs.parameter_ref(owner_kind, owner_name, str(template.get("Name")))
            template["DefaultValue"] = sensitive_value(
                ctx,
                default,
                ref,
                f"the default of template '{template.get('Name')}' of {secret_refs.owner_label(owner_kind)} "
                f"'{owner_name}'",
                owner_kind,
                owner_name,
            )

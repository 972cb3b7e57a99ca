"""Import rules for references: every id a written document needs is carried by the bundle or found on
the target by name; otherwise the plan is refused. Also the export's follow-ups carried into the plan."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

from octodesk.core.plan.resolution import CARRIED_OR_MATCHED, RESOLUTION
from octodesk.core.plan.types import ImportPlan
from octodesk.core.resources import kinds, model
from octodesk.core.resources.ids import match_by_name

if TYPE_CHECKING:
    from octodesk.core.bundle import Bundle


# --- references ----------------------------------------------------------------------------------


def resolve_external_references(plan: ImportPlan) -> None:
    """Resources the bundle names but does not carry (Deploy-a-Release child projects, machines in scopes):
    matched by name on the target (``plan.external``)."""
    names, external = plan.external.names, plan.external.targets
    references = plan.bundle.manifest.get("external_references")
    for kind, entries in references.items() if isinstance(references, dict) else []:
        if not isinstance(entries, dict):
            continue
        for source_id, name in entries.items():
            names[(str(kind), str(source_id))] = str(name)
            match = match_by_name(str(name), plan.target.of(str(kind)))
            if match.target is not None:
                external[(str(kind), str(source_id))] = str(match.target["Id"])


def check_references(plan: ImportPlan) -> None:
    """Every id a written document needs must be carried by the bundle or found on the target by name."""
    bundle = plan.bundle
    writes = {
        (item.kind, item.source_id)
        for item in plan.items
        if item.action in ("create", "update", "convert", "merge")
    }
    not_written = {(item.kind, item.source_id) for item in plan.items if item.action == "skip"}
    carried = {(resource.kind, resource.id) for resource in bundle.resources} - not_written
    external, external_names = plan.external.targets, plan.external.names
    skipped = (kinds.VARIABLE_SET.name, kinds.TENANT_VARIABLES.name, kinds.PROJECT_TRIGGER.name)
    for resource in bundle.resources:
        if (resource.kind, resource.id) not in writes or resource.kind in skipped:
            continue  # variables and triggers: left out one by one (with a follow-up) when unmappable
        for ref in model.references(resource.kind, resource.document):
            key = (ref.kind, ref.value)
            how = RESOLUTION.get(ref.kind)
            if how is None:
                plan.refusals.append(
                    f"{resource.kind} '{resource.name}' refers to a {ref.kind} ({ref.path}), a kind of "
                    "reference the import does not know how to resolve."
                )
                continue
            if how != CARRIED_OR_MATCHED or ref.by_name or ref.value in model.FIXED_IDS:
                continue  # see resolution.py: names, owners' children and templates, left-out scopes
            if key in carried or key in external:
                continue
            if ref.optional and key not in external_names:
                continue  # not needed on the target (cloned-from ids, release overrides)
            what = (
                f"{ref.kind} '{external_names[key]}'" if key in external_names else f"{ref.kind} {ref.value}"
            )
            plan.refusals.append(
                f"{resource.kind} '{resource.name}' refers to {what} ({ref.path}), which the bundle does not "
                f"carry and target space '{plan.space_name}' does not have: the reference cannot be resolved."
            )


def export_follow_ups(plan: ImportPlan, bundle: Bundle) -> None:
    """The export's follow-ups (deployment targets, packages, sensitive values it could not carry: those
    are listed once, in ``secrets_not_carried``; bundles of earlier versions also list them here)."""
    from octodesk.core.report import SENSITIVE_VALUE, FollowUp, not_carried_follow_up

    listed = [item for item in bundle.manifest.get("follow_ups") or [] if isinstance(item, dict)]
    if not any(item.get("category") == SENSITIVE_VALUE for item in listed):
        not_carried = bundle.manifest.get("secrets_not_carried") or []
        listed += [asdict(not_carried_follow_up(item)) for item in not_carried if isinstance(item, dict)]
    for follow_up in listed:
        if not follow_up.get("message"):
            continue
        plan.follow_ups.append(
            FollowUp(
                str(follow_up.get("category", "export")),
                str(follow_up["message"]),
                str(follow_up.get("kind", "")),
                str(follow_up.get("name", "")),
            )
        )

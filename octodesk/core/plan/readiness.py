"""What must be settled before anything is written, so an import never stops half-way on something the
plan could have seen: kinds the API key may not read, secrets a create cannot do without, projects the
target keeps in Git."""

from __future__ import annotations

from octodesk.core.plan.target import MACHINES
from octodesk.core.plan.types import ImportPlan
from octodesk.core.resources import kinds, secret_refs


def check_unreadable_kinds(plan: ImportPlan) -> None:
    """Teams and deployment targets need permissions of their own (TeamView, MachineView). Without them
    the plan cannot match the bundle's teams, so it refuses; machine scopes are left out with a warning."""
    unreadable = plan.target.unreadable
    if kinds.TEAM.name in unreadable:
        teams = [resource.name for resource in plan.bundle.by_kind(kinds.TEAM.name)]
        if teams:
            plan.refusals.append(
                f"The API key may not read the target's teams ({unreadable[kinds.TEAM.name]}), so the teams "
                f"the projects use ({', '.join(sorted(teams))}) cannot be matched: use a key that may view "
                "teams (TeamView)."
            )
        else:
            plan.warnings.append(
                f"The API key may not read the target's teams: {unreadable[kinds.TEAM.name]}"
            )
    if kinds.GIT_CREDENTIAL.name in unreadable:
        names = sorted(resource.name for resource in plan.bundle.by_kind(kinds.GIT_CREDENTIAL.name))
        plan.refusals.append(
            f"The target cannot hold the Git credentials the steps use ({', '.join(names)}): "
            f"{unreadable[kinds.GIT_CREDENTIAL.name]}."
        )
    if MACHINES in unreadable:
        plan.warnings.append(
            f"The API key may not read the target's deployment targets ({unreadable[MACHINES]}): variables "
            "scoped to deployment targets are left out."
        )


def check_required_secrets(plan: ImportPlan) -> None:
    """A resource the import creates must get the secrets its create requires (an AWS account's SecretKey,
    a Git credential's password, ...): from the bundle, or as a named placeholder the user allowed."""
    for item in plan.items:
        if item.action != "create" or item.resumed:
            continue
        resource = plan.bundle.get(item.kind, item.source_id)
        if resource is None:
            continue
        for field, ref in secret_refs.required_secrets(item.kind, item.name, resource.document):
            if ref in plan.bundle.secrets:
                continue
            if plan.options.placeholder_secrets:
                item.details.append(f"{field}: a placeholder to replace after the import ({ref})")
                continue
            plan.refusals.append(
                f"{item.kind} '{item.name}' cannot be created without its {field}, which the bundle does not "
                f"carry: export again with the value supplied as '{ref}', or allow placeholder secrets to "
                "create it with a named placeholder you replace afterwards."
            )

"""What must be settled before anything is written, so an import never stops half-way on something the
plan could have seen: kinds the API key may not read, secrets a create cannot do without, projects the
target keeps in Git."""

from __future__ import annotations

from octodesk.core.plan.target import MACHINES
from octodesk.core.plan.types import ImportPlan
from octodesk.core.resources import kinds


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
    if MACHINES in unreadable:
        plan.warnings.append(
            f"The API key may not read the target's deployment targets ({unreadable[MACHINES]}): variables "
            "scoped to deployment targets are left out."
        )

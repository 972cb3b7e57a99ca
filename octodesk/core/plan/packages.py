"""The packages part of an import plan: the versions the bundle lists, checked against the target's feed.

Each version becomes a plan item (kind ``Package``): create (copied before the projects), or skip (the
target has the same file, or a conflicting one that is never overwritten). On an Octopus Cloud target the
limits are checked here, so an oversized package refuses the plan before anything is written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from octodesk.core.packages.bundle_entries import BundleSource
from octodesk.core.packages.copier import PACKAGE_KIND, journal_step
from octodesk.core.packages.decide import (
    CONFLICT,
    COPY,
    FROM_BUNDLE,
    FROM_NOWHERE,
    FROM_SOURCE,
    PackageDecision,
    PackagePlan,
    human_bytes,
)
from octodesk.core.packages.manifest import ManifestPackages
from octodesk.core.packages.target import check_target
from octodesk.core.packages.transfer import PackageSource
from octodesk.core.plan.types import ImportPlan, PlanItem
from octodesk.core.report import FollowUp
from octodesk.core.vocabulary import Action, FollowUpCategory

if TYPE_CHECKING:
    from octodesk.core.octopus.client import OctopusClient

CONFLICT_PREFIX = "conflict: "  # how a skipped version's reason starts when the target has other contents


def plan_packages(plan: ImportPlan, client: OctopusClient, live_source: PackageSource | None) -> None:
    """Read what the target's feed has of the listed packages and decide per version. Files the bundle
    carries are uploaded from it; otherwise from ``live_source`` when there is one."""
    section = ManifestPackages.from_manifest(plan.bundle.manifest, plan.bundle_path)
    if section is None:
        return
    source: PackageSource | None = live_source
    files_from = FROM_SOURCE if live_source is not None else FROM_NOWHERE
    if section.carried:
        source, files_from = BundleSource(plan.bundle, section), FROM_BUNDLE
    packages = PackagePlan(
        choice=section.choice,
        referenced=section.referenced,
        not_on_source=section.not_on_source,
        files_from=files_from,
        target_cloud=plan.target.is_cloud,
    )
    plan.packages = packages
    plan.package_source = source
    if section.not_on_source:
        plan.warnings.append(
            "Packages the projects use are not in the source's built-in feed, so none is copied: "
            + ", ".join(section.not_on_source)
            + "."
        )
    if not section.versions:
        return
    if files_from == FROM_NOWHERE:
        plan.follow_ups.append(_not_carried(section))
        return
    earlier = [version.key for version in section.versions if plan.journal.is_done(journal_step(version))]
    check_target(packages, client, plan.space_id, section.versions, copied_earlier=earlier)
    plan.refusals.extend(packages.refusals)
    plan.warnings.extend(packages.warnings)
    for decision in packages.decisions:
        plan.items.append(_item(decision, files_from))
        if decision.action == CONFLICT:
            plan.follow_ups.append(
                FollowUp(
                    FollowUpCategory.PACKAGE,
                    f"{decision.version.label}: {decision.reason}.",
                    PACKAGE_KIND,
                    decision.version.label,
                )
            )


def _item(decision: PackageDecision, files_from: str) -> PlanItem:
    version = decision.version
    origin = "the bundle" if files_from == FROM_BUNDLE else "the source server"
    details = [f"{human_bytes(version.size)}, SHA-1 {version.sha1 or 'unknown'}"]
    if version.sha256:
        details.append(f"SHA-256 {version.sha256} in the bundle")
    if decision.action == COPY:
        action, reason = (
            Action.CREATE,
            (decision.reason if decision.resumed else f"{decision.reason}: copied from {origin}"),
        )
    else:
        action, reason = Action.SKIP, decision.reason
        if decision.action == CONFLICT:
            reason = CONFLICT_PREFIX + reason
    return PlanItem(
        kind=PACKAGE_KIND,
        name=version.label,
        source_id=f"{version.package_id}@{version.version}",
        action=action,
        reason=reason,
        details=details,
        resumed=decision.resumed,
    )


def _not_carried(section: ManifestPackages) -> FollowUp:
    listed = ", ".join(version.label for version in section.versions)
    return FollowUp(
        FollowUpCategory.PACKAGE,
        "The bundle lists these built-in feed package versions but does not carry them: push them to the "
        f"target's built-in feed (or export again choosing to carry them): {listed}.",
        PACKAGE_KIND,
    )

"""Checking chosen versions against a target space's built-in feed (one request per package id, plus the
whole feed's size on an Octopus Cloud target), then deciding per version."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from octodesk.core.packages.decide import PackagePlan, decide_packages
from octodesk.core.packages.versions import PackageVersion, all_versions, stored_bytes

if TYPE_CHECKING:
    from octodesk.core.octopus.client import OctopusClient


def check_target(
    plan: PackagePlan,
    client: OctopusClient,
    space_id: str,
    versions: list[PackageVersion],
    *,
    copied_earlier: Iterable[tuple[str, str]] = (),
) -> None:
    """Fill ``plan`` (its ``target_cloud`` already set) with a decision per version."""
    ids = list(dict.fromkeys(version.package_id for version in versions))
    on_target = all_versions(client, space_id, ids) if ids else []
    if plan.target_cloud:
        plan.target_stored_bytes = stored_bytes(client, space_id)
    decide_packages(plan, versions, on_target, copied_earlier=copied_earlier)

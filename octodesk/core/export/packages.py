"""The package part of an export: which built-in feed packages the exported processes use, and which of
their versions to take (``--packages none|latest|N``), recorded in the manifest."""

from __future__ import annotations

from typing import TYPE_CHECKING

from octodesk.core.export.selection import Selection
from octodesk.core.export.walk import SourceData
from octodesk.core.packages.choice import PackageChoice
from octodesk.core.packages.manifest import ManifestPackages
from octodesk.core.packages.references import built_in_package_ids
from octodesk.core.packages.versions import newest_versions
from octodesk.core.report import FollowUp
from octodesk.core.vocabulary import FollowUpCategory

if TYPE_CHECKING:
    from octodesk.core.octopus.client import OctopusClient


def referenced_package_ids(data: SourceData, selection: Selection) -> list[str]:
    """The built-in feed packages of every exported deployment and runbook process and step template."""
    carried = selection.carried
    processes = [*carried.get("DeploymentProcess", {}).values(), *carried.get("RunbookProcess", {}).values()]
    templates = carried.get("ActionTemplate", {}).values()
    return built_in_package_ids(processes, templates, data.of("Feed").values())


def choose_packages(
    client: OctopusClient, data: SourceData, selection: Selection, choice: PackageChoice
) -> ManifestPackages:
    referenced = referenced_package_ids(data, selection)
    versions, missing = newest_versions(client, data.space_id, referenced, choice)
    return ManifestPackages(choice.label, referenced, versions, missing)


def package_follow_ups(section: ManifestPackages) -> list[FollowUp]:
    if not section.referenced:
        return []
    if section.choice == "none":
        return [
            FollowUp(
                FollowUpCategory.PACKAGE,
                "Packages in the built-in feed were not chosen for copying; push them to the target's "
                "built-in feed, or export again copying them: "
                + ", ".join(section.referenced)
                + ".",
                "Feed",
            )
        ]
    if section.not_on_source:
        return [
            FollowUp(
                FollowUpCategory.PACKAGE,
                "The projects use packages that are not in the source's built-in feed, so they were not "
                "copied: " + ", ".join(section.not_on_source) + ".",
                "Feed",
            )
        ]
    return []

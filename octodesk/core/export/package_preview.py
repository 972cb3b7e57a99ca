"""Before a migration: which built-in feed packages the chosen projects use, and for a ``--packages``
choice, every version with its size, what the target already has and Octopus Cloud's limits. The desktop
app's Packages page reads the projects once (``referenced_packages``, or ``referenced_in`` the scan it shares
with the sensitive-values page) and previews each choice cheaply (``preview_packages``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from octodesk.core.cancel import CancelToken
from octodesk.core.export.exporter import SourceScan, read_everything, resolve_projects
from octodesk.core.export.packages import referenced_package_ids
from octodesk.core.export.walk import SourceData, SourceReader
from octodesk.core.packages.choice import PackageChoice
from octodesk.core.packages.decide import FROM_SOURCE, PackagePlan
from octodesk.core.packages.target import check_target
from octodesk.core.packages.versions import newest_versions
from octodesk.core.progress import ProgressCallback, no_progress

if TYPE_CHECKING:
    from octodesk.core.octopus.client import OctopusClient


@dataclass(frozen=True)
class ReferencedPackages:
    space_id: str
    package_ids: list[str]


def referenced_packages(
    client: OctopusClient,
    space_name: str,
    project_names: list[str],
    *,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> ReferencedPackages:
    """The package ids the projects' processes and step templates use on the source's built-in feed."""
    info, space = client.server_info_and_space(space_name)
    data = SourceData(space_id=str(space["Id"]), server_version=info.version)
    reader = SourceReader(client, data, progress or no_progress, cancel)
    projects = resolve_projects(reader, space_name, project_names)
    selection = read_everything(reader, [project["Id"] for project in projects])
    return ReferencedPackages(data.space_id, referenced_package_ids(data, selection))


def referenced_in(scan: SourceScan) -> ReferencedPackages:
    """The same, from what a ``scan_source`` read: no request."""
    return ReferencedPackages(scan.data.space_id, referenced_package_ids(scan.data, scan.selection))


def preview_packages(
    source: OctopusClient,
    referenced: ReferencedPackages,
    choice: PackageChoice,
    target: OctopusClient,
    target_space_name: str,
) -> PackagePlan:
    """What a live copy with ``choice`` would do on the target; writes nothing."""
    versions, missing = newest_versions(source, referenced.space_id, referenced.package_ids, choice)
    plan = PackagePlan(
        choice=choice.label,
        referenced=list(referenced.package_ids),
        not_on_source=missing,
        files_from=FROM_SOURCE,
        target_cloud=target.server_info().hosting == "OctopusCloud",
    )
    if versions:
        space_id = str(target.resolve_space(target_space_name)["Id"])
        check_target(plan, target, space_id, versions)
    return plan

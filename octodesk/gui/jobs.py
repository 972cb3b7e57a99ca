"""Background jobs: plain functions of (progress, cancel) that run on the worker thread and call the same
core functions as the command line. Each factory says what its job returns."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import TypeVar

from octodesk.core.apply import apply_plan
from octodesk.core.bundle import BundleSummary, read_bundle, read_manifest
from octodesk.core.cancel import CancelToken
from octodesk.core.export import SourceScan, export_projects, scan_source
from octodesk.core.export.package_preview import ReferencedPackages, preview_packages, referenced_in
from octodesk.core.octopus.catalog import ProjectSummary, deployed_projects, list_projects
from octodesk.core.octopus.probe import ServerProbe, probe_server
from octodesk.core.packages.choice import NONE, PackageChoice
from octodesk.core.packages.decide import PackagePlan
from octodesk.core.plan import ImportOptions, ImportPlan, plan_import
from octodesk.core.progress import ProgressCallback
from octodesk.core.report import Report
from octodesk.gui.connection import Connection
from octodesk.gui.package_source import LivePackageSource

T = TypeVar("T")
Job = Callable[[ProgressCallback, CancelToken], T]


def probe_job(url: str, api_key: str, verify: bool | str) -> Job[ServerProbe]:
    def job(progress: ProgressCallback, cancel: CancelToken) -> ServerProbe:
        return probe_server(url, api_key, verify, cancel)

    return job


def list_projects_job(connection: Connection) -> Job[list[ProjectSummary]]:
    def job(progress: ProgressCallback, cancel: CancelToken) -> list[ProjectSummary]:
        with connection.open_client(cancel=cancel) as client:
            space = client.resolve_space(connection.space)
            return list(list_projects(client, space["Id"]))

    return job


def deployed_projects_job(
    connection: Connection, projects: Sequence[ProjectSummary], chosen: Collection[str]
) -> Job[dict[str, list[str]]]:
    def job(progress: ProgressCallback, cancel: CancelToken) -> dict[str, list[str]]:
        with connection.open_client(cancel=cancel) as client:
            space = client.resolve_space(connection.space)
            return deployed_projects(client, space["Id"], projects, chosen)

    return job


def secret_refs_job(connection: Connection, names: list[str]) -> Job[SourceScan]:
    """Reads the source once: the scan lists the sensitive values (``scan.refs``), then feeds the export."""

    def job(progress: ProgressCallback, cancel: CancelToken) -> SourceScan:
        with connection.open_client(cancel=cancel) as client:
            scan = scan_source(client, connection.space, names, progress=progress, cancel=cancel)
        scan.refs  # noqa: B018 -- worked out here, on the worker thread, not when the window reads it
        return scan

    return job


def packages_used_job(
    connection: Connection, names: list[str], scan: SourceScan | None
) -> Job[tuple[SourceScan, ReferencedPackages]]:
    """The package ids the projects use on the built-in feed, from ``scan`` or a new read of the source
    (returned too: the sensitive-values page and the export reuse it)."""
    read = secret_refs_job(connection, names)

    def job(progress: ProgressCallback, cancel: CancelToken) -> tuple[SourceScan, ReferencedPackages]:
        done = scan if scan is not None else read(progress, cancel)
        return done, referenced_in(done)

    return job


def export_job(
    connection: Connection,
    names: list[str],
    destination: Path,
    password: str,
    secrets: dict[str, str],
    scan: SourceScan | None = None,
    packages: PackageChoice = NONE,
) -> Job[Report]:
    """``packages``: which versions of the built-in feed packages the projects use the bundle lists, for
    the import to copy from the source."""

    def job(progress: ProgressCallback, cancel: CancelToken) -> Report:
        with connection.open_client(cancel=cancel) as client:
            return export_projects(
                client,
                connection.space,
                names,
                destination,
                password,
                secrets=secrets or None,
                progress=progress,
                cancel=cancel,
                scan=scan,
                packages=packages,
            )

    return job


def package_preview_job(
    source: Connection, used: ReferencedPackages, choice: PackageChoice, target: Connection
) -> Job[PackagePlan]:
    """Per version of ``choice``: its size, what the target has of it, the Cloud limits. Writes nothing."""

    def job(progress: ProgressCallback, cancel: CancelToken) -> PackagePlan:
        with source.open_client(cancel=cancel) as source_client, target.open_client(cancel=cancel) as client:
            return preview_packages(source_client, used, choice, client, target.space)

    return job


def plan_job(
    connection: Connection,
    bundle_path: Path,
    password: str,
    options: ImportOptions,
    source: Connection | None = None,
) -> Job[ImportPlan]:
    """``source``: the server the packages the bundle lists are copied from (a migration's source)."""

    def job(progress: ProgressCallback, cancel: CancelToken) -> ImportPlan:
        with connection.open_client(cancel=cancel) as client:
            return plan_import(
                bundle_path,
                password,
                client,
                connection.space,
                options,
                progress=progress,
                cancel=cancel,
                package_source=LivePackageSource(source, cancel) if source is not None else None,
            )

    return job


def apply_job(
    connection: Connection, plan: ImportPlan, report: Report, source: Connection | None = None
) -> Job[Report]:
    """``report`` is filled as the import goes: after a failure or cancel it says what was written.
    ``source``: as for ``plan_job``; its client lives as long as this job."""

    def job(progress: ProgressCallback, cancel: CancelToken) -> Report:
        packages = LivePackageSource(source, cancel) if source is not None else None
        if packages is not None and plan.package_source is not None:
            plan.package_source = packages
        try:
            with connection.open_client(cancel=cancel) as client:
                return apply_plan(plan, client, progress=progress, cancel=cancel, report=report)
        finally:
            if packages is not None:
                packages.close()

    return job


def bundle_summary_job(bundle_path: Path) -> Job[BundleSummary]:
    """What the unencrypted manifest says (structure-checked, not yet authenticated)."""

    def job(progress: ProgressCallback, cancel: CancelToken) -> BundleSummary:
        return BundleSummary.from_manifest(read_manifest(bundle_path))

    return job


def check_password_job(bundle_path: Path, password: str) -> Job[None]:
    def job(progress: ProgressCallback, cancel: CancelToken) -> None:
        read_bundle(bundle_path, password, cancel=cancel)

    return job

"""Migrate: export from the source and import into the target in one run, with either engine, the bundle
always kept on disk. Running the same migration again after a failure resumes it: the bundle on disk and
the import journal of that bundle on that target say where it stopped."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from octodesk.core.apply import apply_plan
from octodesk.core.bundle import read_manifest
from octodesk.core.cancel import CancelToken
from octodesk.core.errors import BundleError, nothing_written
from octodesk.core.export import export_projects
from octodesk.core.journal import Journal, bundle_fingerprint
from octodesk.core.octopus.client import OctopusClient
from octodesk.core.packages.choice import NONE, PackageChoice
from octodesk.core.packages.transfer import ServerSource
from octodesk.core.paths import data_dir
from octodesk.core.plan import ImportOptions, ImportPlan, plan_import
from octodesk.core.progress import ProgressCallback, no_progress
from octodesk.core.report import Report
from octodesk.core.server_engine.bundle import ENGINE_SERVER, bundle_engine
from octodesk.core.server_engine.choice import ENGINE_AUTO, EngineChoice, choose_engine, read_facts
from octodesk.core.server_engine.export import export_with_server
from octodesk.core.server_engine.importer import apply_server_import, plan_server_import
from octodesk.core.server_engine.plan import ServerImportPlan
from octodesk.core.server_engine.tasks import PollSettings


@dataclass
class Side:
    """One server of a migration: the client for its work and, for server tasks, a client the user's
    cancel does not stop (so the cancel itself reaches the task; see ``TaskWatcher``)."""

    client: OctopusClient
    space: str
    control: OctopusClient | None = None


@dataclass
class MigrateRequest:
    projects: list[str]
    bundle_path: Path
    password: str = field(repr=False)
    engine: str = ENGINE_AUTO
    update_existing: bool = False
    placeholder_secrets: bool = False  # the client engine's --placeholder-secrets
    secrets: dict[str, str] | None = field(default=None, repr=False)  # the client engine's --secrets-file
    # Built-in feed packages (client engine): the chosen versions are copied live, source feed to target
    # feed, before the projects; the bundle lists them without carrying their files.
    packages: PackageChoice = NONE


@dataclass
class MigrateResult:
    choice: EngineChoice
    bundle_path: Path
    resumed: bool  # the bundle of an interrupted run was used again
    plan: ImportPlan | ServerImportPlan
    export_report: Report | None = None  # None when the bundle of an interrupted run was used again
    import_report: Report | None = None  # None on a dry run

    def to_dict(self) -> dict[str, Any]:
        return {
            "operation": "migrate",
            "engine": self.choice.engine,
            "requested_engine": self.choice.requested,
            "reason": self.choice.reason,
            "bundle": str(self.bundle_path),
            "resumed": self.resumed,
            "export": self.export_report.to_dict() if self.export_report else None,
            "plan": self.plan.to_dict(),
            "import": self.import_report.to_dict() if self.import_report else None,
        }


def default_bundle_path(source: Side, target: Side, projects: list[str]) -> Path:
    """Where a migration keeps its bundle when no path is given: the same migration, the same file, so
    running it again after a failure finds it (in the app's data folder)."""
    sides = [source.client.server_url.lower(), source.space, target.client.server_url.lower(), target.space]
    key = "\n".join([*sides, *sorted(projects)])
    folder = data_dir() / "migrations"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"migration-{hashlib.sha256(key.encode()).hexdigest()[:16]}.octobundle"


def migrate(
    source: Side,
    target: Side,
    request: MigrateRequest,
    *,
    dry_run: bool = False,
    poll: PollSettings | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> MigrateResult:
    """Choose the engine, export (or reuse an interrupted run's bundle), plan, and unless ``dry_run``
    import. A refused plan raises ImportRefused before anything is written to the target."""
    progress = progress or no_progress
    source_space = source.client.resolve_space(source.space)
    target_space = target.client.resolve_space(target.space)
    resumed = _interrupted_run(
        request, source.client, str(source_space.get("Name")), target.client, str(target_space.get("Name"))
    )
    export_report = None
    if resumed is not None:
        choice = EngineChoice(
            resumed,
            request.engine,
            f"resuming the interrupted migration in {request.bundle_path} with the engine that began it",
        )
    else:
        facts = read_facts(
            source.client,
            str(source_space["Id"]),
            target.client,
            str(target_space["Id"]),
            request.projects,
            update_existing=request.update_existing,
            copy_packages=bool(request.packages.copies),
        )
        choice = choose_engine(facts, request.engine)
        export_report = _export(choice.engine, source, request, poll, progress, cancel)
        if choice.engine == ENGINE_SERVER:
            carried = int(export_report.details.get("secrets_carried") or 0)
            choice = choose_engine(facts, request.engine, carried)
    plan: ImportPlan | ServerImportPlan
    if choice.engine == ENGINE_SERVER:
        plan = plan_server_import(
            request.bundle_path,
            request.password,
            target.client,
            target.space,
            control=target.control,
            progress=progress,
            cancel=cancel,
        )
    else:
        options = ImportOptions(
            update_existing=request.update_existing, placeholder_secrets=request.placeholder_secrets
        )
        live = ServerSource(source.client, str(source_space["Id"])) if request.packages.copies else None
        plan = plan_import(
            request.bundle_path,
            request.password,
            target.client,
            target.space,
            options,
            progress,
            cancel,
            package_source=live,
        )
    result = MigrateResult(choice, request.bundle_path, resumed is not None, plan, export_report)
    if dry_run:
        return result
    if plan.refused:
        kept = f" (the bundle is kept at {request.bundle_path})"
        raise nothing_written(plan.space_name, plan.refusals, kept)
    if isinstance(plan, ServerImportPlan):
        result.import_report = apply_server_import(
            plan, target.client, control=target.control, poll=poll, progress=progress, cancel=cancel
        )
    else:
        result.import_report = apply_plan(plan, target.client, progress, cancel)
    return result


def _export(
    engine: str,
    source: Side,
    request: MigrateRequest,
    poll: PollSettings | None,
    progress: ProgressCallback,
    cancel: CancelToken | None,
) -> Report:
    if engine == ENGINE_SERVER:
        return export_with_server(
            source.client,
            source.space,
            request.projects,
            request.bundle_path,
            request.password,
            control=source.control,
            poll=poll,
            progress=progress,
            cancel=cancel,
        )
    return export_projects(
        source.client,
        source.space,
        request.projects,
        request.bundle_path,
        request.password,
        secrets=request.secrets,
        progress=progress,
        cancel=cancel,
        packages=request.packages,
    )


def _interrupted_run(
    request: MigrateRequest,
    source: OctopusClient,
    source_space: str,
    target: OctopusClient,
    target_space: str,
) -> str | None:
    """The engine of the bundle an interrupted run of this same migration left, or None (export anew).

    Used again only when its import into this target began and did not finish (its journal is there) and
    it holds these projects from this source."""
    path = request.bundle_path
    if not path.is_file():
        return None
    try:
        manifest = read_manifest(path)
    except BundleError:
        return None
    journal = Journal.for_import(bundle_fingerprint(path), target.server_url, target_space)
    origin = manifest.get("source")
    origin = origin if isinstance(origin, dict) else {}
    same_origin = (
        str(origin.get("url", "")).rstrip("/").lower() == source.server_url.rstrip("/").lower()
        and origin.get("space") == source_space
        and manifest.get("projects") == list(dict.fromkeys(request.projects))
    )
    return bundle_engine(manifest) if journal.exists and same_origin else None

"""What the migrate wizard's pages decide, in one place: each page fills its part in ``validatePage`` and
reads what earlier pages decided in ``initializePage``, so Back and Next never lose anything."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from octodesk.core.export import SourceScan
from octodesk.core.export.package_preview import ReferencedPackages
from octodesk.core.packages.choice import LATEST, PackageChoice
from octodesk.core.plan import ImportOptions, ImportPlan
from octodesk.core.report import Report
from octodesk.core.resources.secret_refs import SecretRef
from octodesk.core.server_engine import ENGINE_CLIENT, ENGINE_SERVER, ServerImportPlan
from octodesk.gui.connection import Connection
from octodesk.gui.engine_jobs import EngineOutlook
from octodesk.gui.history import RunRecord
from octodesk.gui.secrets_dialog import user_refs


@dataclass
class MigrationState:
    source: Connection | None = None
    target: Connection | None = None
    projects: list[str] = field(default_factory=list)
    # The engine: what the choice rests on (read for ``outlook_for``) and the one chosen.
    outlook: EngineOutlook | None = field(default=None, repr=False)
    outlook_for: tuple[str, ...] | None = None
    engine: str = ENGINE_CLIENT
    password: str = field(default="", repr=False)
    # The sensitive values the export needs (found for ``refs_for``) and those the user entered.
    secret_refs: list[SecretRef] = field(default_factory=list)
    refs_for: tuple[str, ...] | None = None
    scan: SourceScan | None = field(default=None, repr=False)  # what the scan read: the export reuses it
    secret_values: dict[str, str] = field(default_factory=dict, repr=False)
    # Built-in feed packages: the versions the export lists for the import to copy from the source, and
    # the package ids the projects use (read for ``packages_for``: source, space and projects).
    package_choice: PackageChoice = LATEST
    packages_used: ReferencedPackages | None = None
    packages_for: tuple[str, ...] | None = None
    # An earlier migration of the same projects into the same space that stopped: continue with its bundle.
    resume: RunRecord | None = None
    bundle_path: Path | None = None
    exported_with: str = ""  # ``export_inputs()`` when ``bundle_path`` was written
    export_report: Report | None = None
    options: ImportOptions = field(default_factory=ImportOptions)
    plan: ImportPlan | ServerImportPlan | None = None
    report: Report | None = None  # the import's, filled in as it goes
    record: RunRecord | None = None  # the report as kept in "Recent runs"

    def export_inputs(self) -> str:
        """A digest of everything the bundle depends on: a Back and Next that changed none of it reuse
        the bundle instead of exporting a second one."""
        source = (self.source.url, self.source.space) if self.source else ()
        values = sorted(self.secret_values.items()) if self.engine == ENGINE_CLIENT else []
        text = json.dumps(
            [source, self.projects, self.engine, self.password, values, self.package_choice.label]
        )
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def keep_scan(self, scan: SourceScan, projects: tuple[str, ...]) -> None:
        """What a read of the projects found; the export and the pages after it reuse it."""
        self.scan = scan
        self.secret_refs = user_refs(scan.refs)
        self.refs_for = projects

    def scan_for(self, projects: tuple[str, ...]) -> SourceScan | None:
        return self.scan if self.refs_for == projects else None

    def needs_export(self) -> bool:
        if self.resume is not None:
            return False
        return (
            self.bundle_path is None
            or not self.bundle_path.is_file()
            or self.exported_with != self.export_inputs()
        )

    @property
    def resuming(self) -> bool:
        return self.resume is not None

    @property
    def server_engine(self) -> bool:
        return self.engine == ENGINE_SERVER

    def outlook_key(self) -> tuple[str, ...]:
        """What the engine outlook depends on: the source, the target and the projects."""
        sides = [f"{side.url}|{side.space}" if side else "" for side in (self.source, self.target)]
        return (*sides, *self.projects)

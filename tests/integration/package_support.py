"""Shared helpers of the package tests: a live copy (export, then import reading the files from the source
server), what a sandbox's feed holds, and package files put straight into a sandbox's feed."""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from import_support import ACCOUNT_SECRETS, CERTIFICATE_SECRETS, PASSWORD, client_for

from octodesk.core.apply import apply_plan
from octodesk.core.export import export_projects
from octodesk.core.packages.choice import PackageChoice
from octodesk.core.packages.transfer import ServerSource
from octodesk.core.plan import ImportPlan, plan_import
from octodesk.core.progress import Progress
from octodesk.core.report import Report
from octodesk.sandbox.package_files import PackageSpec, write_package

PACKAGE_PROJECTS = ["Web Portal", "Database Migrations"]


def export_packages(source: Any, path: Path, choice: str = "latest", **options: Any) -> Report:
    """Export the package projects choosing ``choice`` package versions (``carry_packages=True``: in the
    bundle; else only listed in its manifest, for a live copy)."""
    with client_for(source) as client:
        return export_projects(
            client,
            "Default",
            PACKAGE_PROJECTS,
            path,
            PASSWORD,
            secrets={**CERTIFICATE_SECRETS, **ACCOUNT_SECRETS},
            packages=PackageChoice.parse(choice),
            **options,
        )


def export_listing_packages(source: Any, path: Path, choice: str = "latest") -> Path:
    """A bundle whose manifest lists the chosen package versions without carrying them (a live copy's)."""
    assert export_packages(source, path, choice).succeeded
    return path


def live_plan(source: Any, target: Any, bundle: Path, **client_options: Any) -> ImportPlan:
    with client_for(source) as source_client, client_for(target, **client_options) as target_client:
        space_id = source_client.resolve_space("Default")["Id"]
        return plan_import(
            bundle, PASSWORD, target_client, "Default", package_source=ServerSource(source_client, space_id)
        )


def live_import(
    source: Any,
    target: Any,
    bundle: Path,
    progress: Callable[[Progress], None] | None = None,
    prepare: Callable[[Any], None] | None = None,
) -> tuple[ImportPlan, Report]:
    """Plan and apply with the package files read live from ``source``; ``prepare`` sees the target client."""
    with client_for(source) as source_client, client_for(target) as target_client:
        if prepare is not None:
            prepare(target_client)
        space_id = source_client.resolve_space("Default")["Id"]
        plan = plan_import(
            bundle, PASSWORD, target_client, "Default", package_source=ServerSource(source_client, space_id)
        )
        assert not plan.refused, plan.refusals
        return plan, apply_plan(plan, target_client, progress)


def feed(server: Any, space: str = "Default") -> dict[tuple[str, str], dict[str, Any]]:
    """(PackageId, Version) -> the stored package's id, size and SHA-1, from the server's own store."""
    packages = server.snapshot()["packages"].get(server.space_id(space), [])
    return {(item["PackageId"], item["Version"]): item for item in packages}


def put_package(server: Any, folder: Path, spec: PackageSpec, space: str = "Default") -> dict[str, Any]:
    written = write_package(spec, folder)
    document: dict[str, Any] = server.add_package(space, written.path)
    written.path.unlink()
    return document


def uploads(server: Any) -> list[str]:
    return [path for method, path in server.request_log if method == "POST" and "/packages/raw" in path]


def flip_entry_byte(bundle: Path, entry: str, offset: int) -> Callable[[], None]:
    """Change one byte of a stored bundle entry's data in place; the returned call changes it back."""
    with zipfile.ZipFile(bundle) as archive:
        info = archive.getinfo(entry)
    with bundle.open("r+b") as handle:
        handle.seek(info.header_offset + 26)
        name_length, extra_length = struct.unpack("<HH", handle.read(4))  # the local header's (APPNOTE 4.3.7)
        position = info.header_offset + 30 + name_length + extra_length + offset

    def flip() -> None:
        with bundle.open("r+b") as handle:
            handle.seek(position)
            byte = handle.read(1)[0]
            handle.seek(position)
            handle.write(bytes([byte ^ 1]))

    flip()
    return flip

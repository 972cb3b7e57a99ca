"""Shared by the package GUI tests: what a sandbox's built-in feed holds, package files put straight into
it, and screenshots of what a test saw (saved only when OCTODESK_SHOTS names a folder)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from octodesk.sandbox.package_files import PackageSpec, write_package

PACKAGE_PROJECTS = ["Web Portal", "Database Migrations"]
SHOTS = os.environ.get("OCTODESK_SHOTS", "")


def feed(server: Any) -> dict[tuple[str, str], dict[str, Any]]:
    """(PackageId, Version) -> the stored package's document, from the server's own store."""
    packages = server.snapshot()["packages"].get(server.space_id("Default"), [])
    return {(item["PackageId"], item["Version"]): item for item in packages}


def put_package(server: Any, folder: Path, spec: PackageSpec) -> dict[str, Any]:
    written = write_package(spec, folder)
    document: dict[str, Any] = server.add_package("Default", written.path)
    written.path.unlink()
    return document


def shoot(widget: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(SHOTS) / f"{name}.png"))

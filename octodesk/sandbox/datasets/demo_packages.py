"""The demo's built-in feed packages: small real files, uploaded through the real upload route.

Default space: ``Acme.WebPortal.Assets`` 1.4.0, 1.4.1, 1.5.0 (zip; Web Portal's "Deploy static assets"
step) and ``Acme.Database.Migrations`` 3.2.0 and 3.3.0-beta.1 (nupkg; referenced by Database Migrations'
"Check migration lock" script). Platform space: ``Acme.MonitoringAgent`` 2.0.1 (zip; Monitoring Agent's
"Install agent" step). Same content on every build (fixed seeds), so hashes are stable.
"""

from __future__ import annotations

from ..package_files import PackageSpec, package_bytes
from .space import SpaceWriter

DEFAULT_SPACE_PACKAGES = (
    PackageSpec("Acme.WebPortal.Assets", "1.4.0", "zip", payload_bytes=24_000, seed=140),
    PackageSpec("Acme.WebPortal.Assets", "1.4.1", "zip", payload_bytes=24_500, seed=141),
    PackageSpec("Acme.WebPortal.Assets", "1.5.0", "zip", payload_bytes=26_000, seed=150),
    PackageSpec(
        "Acme.Database.Migrations",
        "3.2.0",
        "nupkg",
        payload_bytes=12_000,
        seed=320,
        title="Acme customer database migrations",
        description="Schema migration scripts for the shared customer database.",
        release_notes="Adds the loyalty tables.",
    ),
    PackageSpec(
        "Acme.Database.Migrations",
        "3.3.0-beta.1",
        "nupkg",
        payload_bytes=12_500,
        seed=331,
        title="Acme customer database migrations",
        description="Schema migration scripts for the shared customer database.",
        release_notes="Preview: partitions the orders table.",
    ),
)
PLATFORM_SPACE_PACKAGES = (
    PackageSpec("Acme.MonitoringAgent", "2.0.1", "zip", payload_bytes=8_000, seed=201),
)


def upload_packages(space: SpaceWriter, specs: tuple[PackageSpec, ...]) -> None:
    for spec in specs:
        data = package_bytes(spec)
        space.api.upload(space.path("packages/raw"), "fileData", spec.file_name, data, "application/zip")

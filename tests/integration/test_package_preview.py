"""The Packages page's engine: which packages the chosen projects use (read once), then per choice every
version with its size, what the target already has, and the Cloud check; nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from import_support import client_for
from package_support import PACKAGE_PROJECTS, feed, put_package

from octodesk.core.export.package_preview import preview_packages, referenced_packages
from octodesk.core.packages.choice import LATEST, NONE, PackageChoice
from octodesk.core.packages.decide import CLOUD_MAX_PACKAGE_BYTES
from octodesk.sandbox.datasets.demo_packages import DEFAULT_SPACE_PACKAGES
from octodesk.sandbox.package_store import package_key


def test_each_choice_lists_versions_sizes_and_what_the_target_has(
    sandbox_factory: Callable[..., Any], tmp_path: Path
) -> None:
    source, target = sandbox_factory("demo"), sandbox_factory("empty")
    put_package(target, tmp_path, next(spec for spec in DEFAULT_SPACE_PACKAGES if spec.version == "1.5.0"))
    before = target.snapshot()
    with client_for(source) as source_client, client_for(target) as target_client:
        used = referenced_packages(source_client, "Default", [*PACKAGE_PROJECTS, "Billing API"])
        assert used.package_ids == ["Acme.Database.Migrations", "Acme.WebPortal.Assets"]
        reads = source_client.request_count
        latest = preview_packages(source_client, used, LATEST, target_client, "Default")
        two = preview_packages(source_client, used, PackageChoice(2), target_client, "Default")
        nothing = preview_packages(source_client, used, NONE, target_client, "Default")
        assert source_client.request_count - reads == 4  # one listing per package id and choice that copies

    assert [(d.version.label, d.action) for d in latest.decisions] == [
        ("Acme.Database.Migrations 3.3.0-beta.1", "copy"),
        ("Acme.WebPortal.Assets 1.5.0", "skip"),
    ]
    sizes = {key: item["PackageSizeBytes"] for key, item in feed(source).items()}
    assert latest.decisions[0].version.size == sizes[("Acme.Database.Migrations", "3.3.0-beta.1")]
    assert latest.bytes_to_copy == sizes[("Acme.Database.Migrations", "3.3.0-beta.1")]
    assert [d.action for d in two.decisions] == ["copy", "copy", "skip", "copy"]
    assert nothing.decisions == [] and nothing.referenced == used.package_ids
    assert not latest.target_cloud and latest.storage_line().startswith("1 package version to copy, ")
    assert target.snapshot() == before


def test_a_cloud_target_gets_the_limit_check_in_the_preview(
    sandbox_factory: Callable[..., Any], tmp_path: Path
) -> None:
    source, target = sandbox_factory("demo"), sandbox_factory("empty", hosting="cloud", version="2025.2.1000")
    stored = source.store.packages.find(
        source.space_id("Default"), package_key("Acme.WebPortal.Assets", "1.5.0")
    )
    assert stored is not None
    stored.size = CLOUD_MAX_PACKAGE_BYTES + 1
    with client_for(source) as source_client, client_for(target) as target_client:
        used = referenced_packages(source_client, "Default", PACKAGE_PROJECTS)
        preview = preview_packages(source_client, used, LATEST, target_client, "Default")
    assert preview.target_cloud and preview.target_stored_bytes == 0
    assert len(preview.refusals) == 1 and "Acme.WebPortal.Assets 1.5.0 is 5.0 GB" in preview.refusals[0]
    assert "of Octopus Cloud's 1.0 TB file storage limit" in preview.storage_line()

"""A live package copy over real HTTP between two sandboxes: the versions a migrated project's steps use
on the built-in feed go from the source's feed to the target's, streamed, before the projects; what the
target already has is skipped, a conflicting file is reported and never overwritten, a broken copy resumes
with the packages it had not finished, and Octopus Cloud's size limit refuses the plan before any write."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from import_support import PASSWORD, client_for, one
from package_support import export_listing_packages, feed, live_import, live_plan, put_package, uploads

from octodesk.cli import main
from octodesk.commands.common import CLI_REMEDIES
from octodesk.core.apply import apply_plan
from octodesk.core.cancel import CancelToken
from octodesk.core.errors import Cancelled, PackagesNotCopied
from octodesk.core.packages.decide import CLOUD_MAX_PACKAGE_BYTES
from octodesk.core.packages.transfer import ServerSource
from octodesk.core.plan import plan_import
from octodesk.core.progress import Progress
from octodesk.core.report import Report
from octodesk.render import plan_to_text
from octodesk.sandbox.datasets.demo_packages import DEFAULT_SPACE_PACKAGES
from octodesk.sandbox.package_files import PackageSpec
from octodesk.sandbox.package_store import package_key

NEWEST = {("Acme.WebPortal.Assets", "1.5.0"), ("Acme.Database.Migrations", "3.3.0-beta.1")}


def package_items(plan: Any) -> dict[str, tuple[str, str]]:
    return {item.name: (item.action, item.reason) for item in plan.items if item.kind == "Package"}


def test_a_live_copy_puts_the_newest_versions_on_the_target_with_the_same_bytes(
    sandbox_factory: Callable[..., Any], tmp_path: Path
) -> None:
    source, target = sandbox_factory("demo"), sandbox_factory("empty")
    bundle = export_listing_packages(source, tmp_path / "live.octobundle")
    seen: list[Progress] = []
    plan, report = live_import(source, target, bundle, seen.append)

    assert {name: action for name, (action, _) in package_items(plan).items()} == {
        "Acme.WebPortal.Assets 1.5.0": "create",
        "Acme.Database.Migrations 3.3.0-beta.1": "create",
    }
    copied = feed(target)
    assert set(copied) == NEWEST
    for key in NEWEST:
        assert copied[key]["Hash"] == feed(source)[key]["Hash"]
        assert copied[key]["PackageSizeBytes"] == feed(source)[key]["PackageSizeBytes"]
    assert report.counts["Package"] == {"create": 2}
    assert one(target, "projects", "Web Portal")  # the projects came after their packages
    first_upload = next(i for i, (m, p) in enumerate(target.request_log) if "/packages/raw" in p)
    first_project = next(
        i for i, (m, p) in enumerate(target.request_log) if m == "POST" and p.endswith("/projects")
    )
    assert first_upload < first_project

    moved = [p for p in seen if p.phase == "packages"]
    total = sum(feed(source)[key]["PackageSizeBytes"] for key in NEWEST)
    assert moved[-1].bytes_done == moved[-1].bytes_total == total
    assert moved[-1].done == moved[-1].total == 2
    assert all(a.bytes_done <= b.bytes_done for a, b in itertools.pairwise(moved))


def test_the_newest_n_versions_of_each_package_are_copied(
    sandbox_factory: Callable[..., Any], tmp_path: Path
) -> None:
    source, target = sandbox_factory("demo"), sandbox_factory("empty")
    bundle = export_listing_packages(source, tmp_path / "two.octobundle", choice="2")
    live_import(source, target, bundle)
    assert set(feed(target)) == NEWEST | {
        ("Acme.WebPortal.Assets", "1.4.1"),
        ("Acme.Database.Migrations", "3.2.0"),
    }


def test_what_the_target_already_has_is_skipped_without_sending_it(
    sandbox_factory: Callable[..., Any], tmp_path: Path
) -> None:
    source, target = sandbox_factory("demo"), sandbox_factory("empty")
    same = next(spec for spec in DEFAULT_SPACE_PACKAGES if spec.version == "1.5.0")
    put_package(target, tmp_path, same)  # byte for byte the source's file
    bundle = export_listing_packages(source, tmp_path / "skip.octobundle")
    plan, report = live_import(source, target, bundle)

    action, reason = package_items(plan)["Acme.WebPortal.Assets 1.5.0"]
    assert action == "skip" and "same contents" in reason
    assert package_items(plan)["Acme.Database.Migrations 3.3.0-beta.1"][0] == "create"
    assert len(uploads(target)) == 1
    assert report.counts["Package"] == {"skip": 1, "create": 1}


def test_a_version_with_other_contents_on_the_target_is_a_conflict_and_never_overwritten(
    sandbox_factory: Callable[..., Any], tmp_path: Path
) -> None:
    source, target = sandbox_factory("demo"), sandbox_factory("empty")
    theirs = put_package(
        target, tmp_path, PackageSpec("Acme.WebPortal.Assets", "1.5.0", "zip", 5_000, seed=9)
    )
    bundle = export_listing_packages(source, tmp_path / "conflict.octobundle")
    plan, report = live_import(source, target, bundle)

    action, reason = package_items(plan)["Acme.WebPortal.Assets 1.5.0"]
    assert action == "skip" and reason.startswith("conflict:")
    assert theirs["Hash"][:12] in reason
    assert any("Acme.WebPortal.Assets 1.5.0" in warning for warning in report.warnings)
    assert any(
        f.category == "package" and "Acme.WebPortal.Assets 1.5.0" in f.message for f in report.follow_ups
    )
    assert feed(target)[("Acme.WebPortal.Assets", "1.5.0")]["Hash"] == theirs["Hash"]
    assert len(uploads(target)) == 1  # only the other package


def test_a_copy_broken_mid_stream_stops_the_import_and_the_next_run_copies_only_what_is_missing(
    sandbox_factory: Callable[..., Any], tmp_path: Path
) -> None:
    source, target = sandbox_factory("demo"), sandbox_factory("empty")
    bundle = export_listing_packages(source, tmp_path / "resume.octobundle")
    # Every attempt at the migrations package stops half-way through the file (a truncated download).
    source.fail_next(10, "truncated", method="GET", path_contains="Acme.Database.Migrations.3.3.0-beta.1/raw")

    def no_waits(client: Any) -> None:
        client.sleep = lambda seconds: None

    with pytest.raises(
        PackagesNotCopied, match=re.escape("Acme.Database.Migrations 3.3.0-beta.1")
    ) as stopped:
        live_import(source, target, bundle, prepare=no_waits)
    assert "Nothing else was imported yet." in str(stopped.value)  # each face words the remedy: run again
    assert set(feed(target)) == {("Acme.WebPortal.Assets", "1.5.0")}  # nothing half-stored
    assert one_or_none_projects(target) == []  # the projects wait for their packages
    # tried three times (two retries), each upload abandoned before its file ended (the target may not
    # even log an abandoned upload: the connection is reset under it, so the source's reads are counted)
    tries = [p for m, p in source.request_log if "Acme.Database.Migrations.3.3.0-beta.1/raw" in p]
    assert len(tries) == 3

    source.faults.clear()
    target.reset_counters()
    plan = live_plan(source, target, bundle)
    items = {item.name: item for item in plan.items if item.kind == "Package"}
    assert items["Acme.WebPortal.Assets 1.5.0"].resumed
    assert items["Acme.Database.Migrations 3.3.0-beta.1"].action == "create"
    assert not items["Acme.Database.Migrations 3.3.0-beta.1"].resumed
    target.reset_counters()
    live_import(source, target, bundle)
    assert len(uploads(target)) == 1
    assert set(feed(target)) == NEWEST


def one_or_none_projects(server: Any) -> list[str]:
    documents = server.snapshot()["documents"].get("projects", {})
    return [doc["Name"] for doc in documents.values()]


def test_a_package_over_5_gb_refuses_a_cloud_plan_before_any_write(
    sandbox_factory: Callable[..., Any], tmp_path: Path
) -> None:
    source, target = sandbox_factory("demo"), sandbox_factory("empty", hosting="cloud", version="2025.2.1000")
    stored = source.store.packages.find(
        source.space_id("Default"), package_key("Acme.WebPortal.Assets", "1.5.0")
    )
    assert stored is not None
    stored.size = CLOUD_MAX_PACKAGE_BYTES + 1  # what the source's feed reports; no 5 GB file needed
    bundle = export_listing_packages(source, tmp_path / "cloud.octobundle")
    before = target.snapshot()
    target.reset_counters()

    plan = live_plan(source, target, bundle)

    assert plan.refused
    refusal = next(text for text in plan.refusals if "Acme.WebPortal.Assets 1.5.0" in text)
    assert "5.0 GB" in refusal and "Octopus Cloud" in refusal
    assert plan.packages is not None
    assert "of Octopus Cloud's 1.0 TB file storage limit" in plan.packages.storage_line()
    assert {method for method, _ in target.request_log} == {"GET"}
    assert target.snapshot() == before


def plan_then_apply(source: Any, target: Any, bundle: Path, between: Callable[[], None]) -> Report:
    """Plan, let ``between`` change the target, then apply the plan made before the change."""
    with client_for(source) as source_client, client_for(target) as target_client:
        space_id = source_client.resolve_space("Default")["Id"]
        plan = plan_import(
            bundle, PASSWORD, target_client, "Default", package_source=ServerSource(source_client, space_id)
        )
        between()
        return apply_plan(plan, target_client)


def test_a_version_that_reaches_the_target_during_the_run_is_accepted_only_with_the_same_contents(
    sandbox_factory: Callable[..., Any], tmp_path: Path
) -> None:
    source, target = sandbox_factory("demo"), sandbox_factory("empty")
    bundle = export_listing_packages(source, tmp_path / "race.octobundle")
    same = next(spec for spec in DEFAULT_SPACE_PACKAGES if spec.version == "1.5.0")
    other = PackageSpec("Acme.Database.Migrations", "3.3.0-beta.1", "nupkg", 5_000, seed=7)
    theirs: list[dict[str, Any]] = []

    def both_arrive() -> None:
        put_package(target, tmp_path, same)
        theirs.append(put_package(target, tmp_path, other))

    report = plan_then_apply(source, target, bundle, both_arrive)
    assert report.counts["Package"] == {"create": 1, "skip": 1}  # the same file is fine; the other conflicts
    assert any(
        "Acme.Database.Migrations 3.3.0-beta.1" in w and "not overwritten" in w for w in report.warnings
    )
    assert feed(target)[("Acme.Database.Migrations", "3.3.0-beta.1")]["Hash"] == theirs[0]["Hash"]


def test_inspect_and_the_plan_text_show_the_chosen_versions_and_sizes(
    sandbox_factory: Callable[..., Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source, target = sandbox_factory("demo"), sandbox_factory("empty")
    bundle = export_listing_packages(source, tmp_path / "listed.octobundle")
    monkeypatch.setenv("OCTODESK_PASSWORD", PASSWORD)

    assert main(["inspect", str(bundle)]) == 0
    out = capsys.readouterr().out
    assert (
        "Packages   2 version(s), " in out
        and "listed for a live copy, not carried (--packages latest)" in out
    )
    size = feed(source)[("Acme.WebPortal.Assets", "1.5.0")]["PackageSizeBytes"]
    assert f"  Acme.WebPortal.Assets 1.5.0            {size / 1024:.1f} KB" in out
    assert main(["inspect", str(bundle), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["packages"]
    assert [(v["package_id"], v["version"]) for v in listed["versions"]] == [
        ("Acme.Database.Migrations", "3.3.0-beta.1"),
        ("Acme.WebPortal.Assets", "1.5.0"),
    ]
    text = plan_to_text(live_plan(source, target, bundle), CLI_REMEDIES)
    assert "Packages: 2 package versions to copy, " in text


def test_cancelling_mid_copy_stores_no_half_package_and_raises_cancelled(
    sandbox_factory: Callable[..., Any], tmp_path: Path
) -> None:
    source, target = sandbox_factory("demo"), sandbox_factory("empty")
    big = put_package(source, tmp_path, PackageSpec("Acme.WebPortal.Assets", "9.0.0", "zip", 8 << 20, seed=3))
    bundle = export_listing_packages(source, tmp_path / "cancel.octobundle")
    cancel = CancelToken()

    def cancel_once_bytes_move(progress: Progress) -> None:
        if progress.phase == "packages" and progress.bytes_done > 0:
            cancel.cancel()

    with client_for(source) as source_client, client_for(target, cancel=cancel) as target_client:
        space_id = source_client.resolve_space("Default")["Id"]
        plan = plan_import(
            bundle, PASSWORD, target_client, "Default", package_source=ServerSource(source_client, space_id)
        )
        with pytest.raises(Cancelled):
            apply_plan(plan, target_client, cancel_once_bytes_move, cancel)
    held = feed(target)
    assert ("Acme.WebPortal.Assets", big["Version"]) not in held
    assert one_or_none_projects(target) == []


def test_a_rate_limiters_refusals_of_package_uploads_are_waited_out_not_counted_as_failures(
    sandbox_factory: Callable[..., Any], tmp_path: Path
) -> None:
    """Octopus 2026.3's limiter refuses a request unprocessed: eight refusals over two packages (four or
    more for one, more than a broken transfer is retried) are each sent again after the pause, and the copy
    completes."""
    source, target = sandbox_factory("demo", version="2026.3"), sandbox_factory("empty", version="2026.3")
    bundle = export_listing_packages(source, tmp_path / "live.octobundle")
    target.fail_next(8, "429", method="POST", path_contains="/packages/raw", retry_after=0)
    _, report = live_import(source, target, bundle)
    assert report.succeeded, report.warnings
    assert set(feed(target)) == NEWEST
    assert len(uploads(target)) == 2 + 8  # each package once, and the eight refused tries

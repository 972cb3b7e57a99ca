"""Packages in a migrate wizard run, over real HTTP between sandboxes: the preview lists the versions to
copy, the import copies them before the projects with progress in bytes on the run page, the target's feed
ends with the same files, and a cancel during the copy is resumed package by package."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gui_helpers import ACCOUNT_SECRETS, connection_to
from migrate_helpers import PASSWORD, TIMEOUT, advance, open_wizard, set_password, wait_complete
from package_helpers import PACKAGE_PROJECTS, feed, put_package, shoot
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from octodesk.core import paths
from octodesk.core.bundle import read_bundle
from octodesk.core.packages.decide import human_bytes
from octodesk.core.progress import Progress
from octodesk.gui.byte_progress import BAR_STEPS
from octodesk.gui.main_window import MainWindow
from octodesk.gui.migrate.packages_page import PackagesPage
from octodesk.gui.migrate.password_page import PasswordPage
from octodesk.gui.migrate.preview_page import PreviewPage
from octodesk.gui.migrate.results_page import ResultsPage
from octodesk.gui.migrate.run_page import RunPage
from octodesk.gui.migrate.secrets_page import SecretsPage
from octodesk.gui.package_table import WARNING_COLOUR
from octodesk.gui.worker import ProgressForwarder
from octodesk.sandbox.package_files import PackageSpec

WEB = ("Acme.WebPortal.Assets", "1.5.0")
MIGRATIONS = ("Acme.Database.Migrations", "3.3.0-beta.1")


def uploads(server: Any) -> int:
    return sum(1 for method, path in server.request_log if method == "POST" and "/packages/raw" in path)


def to_preview(
    qtbot: QtBot, window: MainWindow, run_async: Callable[..., Any], source: Any, target: Any
) -> tuple[Any, PreviewPage]:
    run_async(window.set_connection("source", connection_to(source)))
    run_async(window.set_connection("target", connection_to(target)))
    window.project_panel.model.set_checked_names(PACKAGE_PROJECTS)
    wizard = open_wizard(qtbot, window)
    packages = advance(qtbot, wizard, PackagesPage)
    wait_complete(qtbot, packages)
    advance(qtbot, wizard, PasswordPage)
    set_password(wizard)
    secrets = advance(qtbot, wizard, SecretsPage)
    wait_complete(qtbot, secrets)
    assert secrets.runner.operation is None, "the projects were read once, by the packages page"
    offered = {ref.ref for ref in wizard.migration.secret_refs}
    for ref, value in ACCOUNT_SECRETS.items():
        if ref in offered:
            secrets.editor.model.set_value(ref, value)
    preview = advance(qtbot, wizard, PreviewPage)
    wait_complete(qtbot, preview)
    return wizard, preview


def journaled_packages() -> list[str]:
    return [
        line
        for journal in paths.journal_dir().glob("import-*.jsonl")
        for line in journal.read_text().splitlines()
        if '"step": "package:' in line
    ]


def test_a_wizard_run_copies_the_packages_with_progress_in_bytes(
    qtbot: QtBot, window: MainWindow, run_async: Callable[..., Any], demo_server: Any, empty_server: Any
) -> None:
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT) as finished:
        wizard, preview = to_preview(qtbot, window, run_async, demo_server, empty_server)
        for key in (WEB, MIGRATIONS):
            item = preview.preview.model.find("Package", " ".join(key))
            assert item.isValid() and item.siblingAtColumn(1).data() == "Create", key
        total = sum(feed(demo_server)[key]["PackageSizeBytes"] for key in (WEB, MIGRATIONS))
        assert preview.preview.packages_label.text() == (
            f"Packages: 2 package versions to copy, {human_bytes(total)}."
        )
        assert not [p for _m, p in demo_server.request_log if p.endswith("/raw")], "no file read before Apply"
        run_page = wizard.page_of(RunPage)
        seen: list[Progress] = []
        run_page.run_view.progressed.connect(seen.append)
        wizard.next()  # Apply
        results = wizard.page_of(ResultsPage)
        qtbot.waitUntil(lambda: wizard.currentPage() is results, timeout=TIMEOUT)
        bytes_shown = run_page.run_view.byte_progress
        assert bytes_shown.label.text() == f"Packages: 2 of 2, {human_bytes(total)} of {human_bytes(total)}"
        assert bytes_shown.bar.value() == BAR_STEPS and not bytes_shown.isHidden()
        shoot(run_page, "packages-run-page")
        moved = [p.bytes_done for p in seen if p.phase == "packages"]
        assert moved[-1] == total and moved == sorted(moved)
        assert results.results.headline.text() == "Migrated Database Migrations, Web Portal."
        report = wizard.migration.report
        assert report is not None and report.counts["Package"] == {"create": 2}
        wizard.accept()
    assert finished.args == ["migrate", "succeeded"]
    copied, source = feed(empty_server), feed(demo_server)
    assert set(copied) == {WEB, MIGRATIONS}
    for key in (WEB, MIGRATIONS):
        assert copied[key]["Hash"] == source[key]["Hash"]
        assert copied[key]["PackageSizeBytes"] == source[key]["PackageSizeBytes"]


def test_the_preview_shows_a_conflict_in_the_warning_colour_and_the_results_count_it_skipped(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    demo_server: Any,
    empty_server: Any,
    tmp_path: Path,
) -> None:
    theirs = put_package(empty_server, tmp_path, PackageSpec(*WEB, "zip", 2_000, seed=7))
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT):
        wizard, preview = to_preview(qtbot, window, run_async, demo_server, empty_server)
        conflict = preview.preview.model.find("Package", " ".join(WEB))
        assert conflict.siblingAtColumn(1).data() == "Skip"
        assert conflict.siblingAtColumn(2).data().startswith("conflict: the target has this version")
        assert conflict.siblingAtColumn(2).data(Qt.ItemDataRole.ForegroundRole) == QColor(WARNING_COLOUR)
        assert any(" ".join(WEB) in warning for warning in wizard.migration.plan.warnings)
        preview.preview.select("Package", " ".join(WEB))
        shoot(wizard, "packages-preview-conflict")
        wizard.next()
        results = wizard.page_of(ResultsPage)
        qtbot.waitUntil(lambda: wizard.currentPage() is results, timeout=TIMEOUT)
        report = wizard.migration.report
        assert report is not None and report.counts["Package"] == {"skip": 1, "create": 1}
        assert any(f.category == "package" and " ".join(WEB) in f.message for f in report.follow_ups)
        wizard.accept()
    assert feed(empty_server)[WEB]["Hash"] == theirs["Hash"], "never overwritten"


def test_cancel_during_the_package_copy_then_resume_copies_only_what_is_missing(
    qtbot: QtBot, window: MainWindow, run_async: Callable[..., Any], demo_server: Any, empty_server: Any
) -> None:
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT) as finished:
        wizard, _preview = to_preview(qtbot, window, run_async, demo_server, empty_server)
        # The web package's download hangs on the source (nothing of it reaches the target); the other copies.
        demo_server.set_faults(slow_seconds=20)
        demo_server.fail_next(1, "slow", method="GET", path_contains="Acme.WebPortal.Assets.1.5.0/raw")
        wizard.next()  # Apply
        run_page = wizard.page_of(RunPage)
        qtbot.waitUntil(lambda: len(journaled_packages()) == 1, timeout=TIMEOUT)
        assert "acme.database.migrations" in journaled_packages()[0]
        run_page.run_view.cancel_button.click()
        qtbot.waitUntil(run_page.resume_button.isVisible, timeout=TIMEOUT)
        assert "was cancelled" in run_page.stopped_label.text()
        assert set(feed(empty_server)) == {MIGRATIONS}, "a package is copied whole or not at all"
        assert not any(m == "POST" and p.endswith("/projects") for m, p in empty_server.request_log)

        run_page.resume_button.click()
        results = wizard.page_of(ResultsPage)
        qtbot.waitUntil(lambda: wizard.currentPage() is results, timeout=TIMEOUT)
        plan = wizard.migration.plan
        resumed = {item.name: item.resumed for item in plan.items if item.kind == "Package"}
        assert resumed == {" ".join(MIGRATIONS): True, " ".join(WEB): False}
        wizard.accept()
    assert finished.args == ["migrate", "succeeded"]
    assert set(feed(empty_server)) == {WEB, MIGRATIONS}
    assert feed(empty_server)[WEB]["Hash"] == feed(demo_server)[WEB]["Hash"]
    assert uploads(empty_server) == 2, "the package copied before the cancel is not sent again"


def test_the_last_progress_of_each_phase_reaches_the_screen(
    qtbot: QtBot, async_loop: asyncio.AbstractEventLoop
) -> None:
    """Coalescing may drop updates, never the bytes a package copy ended with."""
    shown: list[Progress] = []
    forward = ProgressForwarder(shown.append, async_loop)

    def engine() -> None:
        for moved in range(0, 1001, 10):
            forward(Progress("packages", "Package", done=0, total=1, bytes_done=moved, bytes_total=1000))
        for done in range(50):
            forward(Progress("apply", "Project", done=done, total=50))

    worker = threading.Thread(target=engine)
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: bool(shown) and shown[-1].phase == "apply" and shown[-1].done == 49)
    packages = [p for p in shown if p.phase == "packages"]
    assert packages[-1].bytes_done == 1000
    assert [p.phase for p in shown] == sorted((p.phase for p in shown), key=["packages", "apply"].index)


def test_the_choice_goes_into_the_bundle_and_changing_it_writes_a_new_one(
    qtbot: QtBot, window: MainWindow, run_async: Callable[..., Any], demo_server: Any, empty_server: Any
) -> None:
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT):
        wizard, preview = to_preview(qtbot, window, run_async, demo_server, empty_server)
        first = wizard.migration.bundle_path
        assert read_bundle(first, PASSWORD).manifest["packages"]["choice"] == "latest"
        packages = wizard.page_of(PackagesPage)
        while wizard.currentPage() is not packages:
            wizard.back()
        packages.none_button.click()
        wait_complete(qtbot, packages)
        preview = advance(qtbot, wizard, PreviewPage)
        wait_complete(qtbot, preview)
        second = wizard.migration.bundle_path
        assert second != first
        manifest = read_bundle(second, PASSWORD).manifest["packages"]
        assert manifest["choice"] == "none" and manifest["versions"] == []
        plan = wizard.migration.plan
        assert not [item for item in plan.items if item.kind == "Package"]
        assert any(
            f.category == "package" and "Acme.WebPortal.Assets" in f.message for f in plan.follow_ups
        ), "packages not copied are a follow-up"
        wizard.reject()
    assert feed(empty_server) == {}

"""The migrate wizard's Packages page against sandbox servers over real HTTP: the package versions the
chosen projects use with their sizes and what the target already has (the same file: skipped; other
contents: a conflict in the warning colour), the choice none / latest / newest N changing the list and the
total, Octopus Cloud's package limit blocking Next, and read failures said in one sentence."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from gui_helpers import connection_to
from migrate_helpers import TIMEOUT, advance, open_wizard, wait_complete
from package_helpers import PACKAGE_PROJECTS, feed, put_package, shoot
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from octodesk.core.packages.decide import CLOUD_MAX_PACKAGE_BYTES, human_bytes
from octodesk.gui.main_window import MainWindow
from octodesk.gui.migrate.connection_page import TargetPage
from octodesk.gui.migrate.packages_page import NO_PACKAGES, PackagesPage
from octodesk.gui.migrate.password_page import PasswordPage
from octodesk.gui.migrate.projects_page import ProjectsPage
from octodesk.gui.package_table import WARNING_COLOUR
from octodesk.sandbox.datasets.demo_packages import DEFAULT_SPACE_PACKAGES
from octodesk.sandbox.package_files import PackageSpec
from octodesk.sandbox.package_store import package_key


def demo_spec(package_id: str, version: str) -> PackageSpec:
    return next(s for s in DEFAULT_SPACE_PACKAGES if (s.package_id, s.version) == (package_id, version))


def to_packages(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    source: Any,
    target: Any,
    projects: list[str],
    target_connection: Any = None,
) -> tuple[Any, PackagesPage]:
    run_async(window.set_connection("source", connection_to(source)))
    run_async(window.set_connection("target", target_connection or connection_to(target)))
    window.project_panel.model.set_checked_names(projects)
    wizard = open_wizard(qtbot, window)
    advance(qtbot, wizard, ProjectsPage)
    advance(qtbot, wizard, TargetPage)
    page = advance(qtbot, wizard, PackagesPage)
    qtbot.waitUntil(lambda: page.settled, timeout=TIMEOUT)
    return wizard, page


def rows(page: PackagesPage) -> list[tuple[str, ...]]:
    model = page.model
    return [
        tuple(str(model.index(row, column).data()) for column in range(model.columnCount()))
        for row in range(model.rowCount())
    ]


def test_the_page_lists_sizes_what_the_target_has_and_each_choice_changes_the_total(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    demo_server: Any,
    empty_server: Any,
    tmp_path: Path,
) -> None:
    put_package(empty_server, tmp_path, demo_spec("Acme.WebPortal.Assets", "1.5.0"))  # byte for byte
    theirs = put_package(
        empty_server, tmp_path, PackageSpec("Acme.Database.Migrations", "3.2.0", "nupkg", 3_000, seed=9)
    )
    before = empty_server.snapshot()
    sizes = {key: item["PackageSizeBytes"] for key, item in feed(demo_server).items()}
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT):
        wizard, page = to_packages(qtbot, window, run_async, demo_server, empty_server, PACKAGE_PROJECTS)
        assert "▶ Packages" in wizard.steps.text()
        assert page.latest_button.isChecked(), "the latest version of each is the default"
        wait_complete(qtbot, page)
        newest_migrations = ("Acme.Database.Migrations", "3.3.0-beta.1")
        assert rows(page) == [
            (*newest_migrations, human_bytes(sizes[newest_migrations]), "Not there: copy"),
            (
                "Acme.WebPortal.Assets",
                "1.5.0",
                human_bytes(sizes[("Acme.WebPortal.Assets", "1.5.0")]),
                "Same contents: skip",
            ),
        ]
        assert page.total_label.text() == (
            f"1 package version to copy, {human_bytes(sizes[newest_migrations])}."
        )
        assert not page.conflicts_label.isVisible()
        shoot(wizard, "packages-latest")

        page.newest_button.click()  # the newest 2 of each
        wait_complete(qtbot, page)
        table = rows(page)
        assert [(r[0], r[1], r[3]) for r in table] == [
            ("Acme.Database.Migrations", "3.3.0-beta.1", "Not there: copy"),
            ("Acme.Database.Migrations", "3.2.0", "Other contents: conflict, left as it is"),
            ("Acme.WebPortal.Assets", "1.5.0", "Same contents: skip"),
            ("Acme.WebPortal.Assets", "1.4.1", "Not there: copy"),
        ]
        copied = sizes[newest_migrations] + sizes[("Acme.WebPortal.Assets", "1.4.1")]
        assert page.total_label.text() == f"2 package versions to copy, {human_bytes(copied)}."
        conflict = page.model.index(1, 3)
        assert conflict.data(Qt.ItemDataRole.ForegroundRole) == QColor(WARNING_COLOUR)
        assert page.model.index(0, 3).data(Qt.ItemDataRole.ForegroundRole) is None
        assert page.conflicts_label.isVisible()
        assert "Acme.Database.Migrations 3.2.0: the target has this version with other contents" in (
            page.conflicts_label.text()
        )
        assert theirs["Hash"][:12] in page.conflicts_label.text()
        assert page.isComplete(), "a conflict is reported, never a reason to stop"
        shoot(wizard, "packages-newest-2")

        page.count.setValue(3)
        wait_complete(qtbot, page)
        assert len(rows(page)) == 5
        assert wizard.migration.package_choice.versions == 3

        page.none_button.click()
        wait_complete(qtbot, page)
        assert page.stack.currentIndex() == 2, "no table for none"
        assert "No package is copied" in page.message.text()
        assert "Acme.Database.Migrations, Acme.WebPortal.Assets" in page.message.text()
        assert "follow-ups" in page.message.text()

        reads = demo_server.request_count
        page.count.setValue(2)
        page.newest_button.click()
        wait_complete(qtbot, page)
        assert len(rows(page)) == 4
        assert demo_server.request_count == reads, "a choice listed during this visit is not read again"

        advance(qtbot, wizard, PasswordPage)
        wizard.back()
        assert wizard.currentPage() is page
        wait_complete(qtbot, page)
        assert page.newest_button.isChecked() and page.count.value() == 2, "Back and Next keep the choice"
        assert len(rows(page)) == 4
        wizard.reject()
    assert empty_server.snapshot() == before, "the page writes nothing"


def test_a_cloud_target_with_an_oversized_package_blocks_next_naming_it(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    demo_server: Any,
    sandbox_factory: Callable[..., Any],
) -> None:
    cloud = sandbox_factory("empty", hosting="cloud", version="2025.2.1000")
    stored = demo_server.store.packages.find(
        demo_server.space_id("Default"), package_key("Acme.WebPortal.Assets", "1.5.0")
    )
    stored.size = CLOUD_MAX_PACKAGE_BYTES + 1  # what the source's feed reports; no 5 GB file needed
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT):
        wizard, page = to_packages(qtbot, window, run_async, demo_server, cloud, PACKAGE_PROJECTS)
        assert page.refusals_label.isVisible()
        assert "Next is blocked" in page.refusals_label.text()
        assert "Acme.WebPortal.Assets 1.5.0 is 5.0 GB" in page.refusals_label.text()
        assert "of Octopus Cloud's 1.0 TB file storage limit" in page.total_label.text()
        assert not page.isComplete()
        shoot(wizard, "packages-cloud-refused")
        wizard.next()
        assert wizard.currentPage() is page, "Next does not pass an oversized package"

        page.none_button.click()
        wait_complete(qtbot, page)
        advance(qtbot, wizard, PasswordPage)
        wizard.reject()


def test_projects_without_packages_say_so(
    qtbot: QtBot, window: MainWindow, run_async: Callable[..., Any], demo_server: Any, empty_server: Any
) -> None:
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT):
        wizard, page = to_packages(qtbot, window, run_async, demo_server, empty_server, ["Billing API"])
        assert page.message.text() == NO_PACKAGES
        assert not page.latest_button.isEnabled(), "nothing to choose"
        wait_complete(qtbot, page)
        advance(qtbot, wizard, PasswordPage)
        wizard.reject()


def refuse_the_key(target: Any) -> Any:
    return dataclasses.replace(connection_to(target), api_key="API-" + "X" * 26)


@pytest.mark.parametrize("fault", ["refused key", "server error", "unreachable"])
def test_a_failed_read_is_one_sentence_and_none_or_try_again_go_on(
    qtbot: QtBot,
    window: MainWindow,
    run_async: Callable[..., Any],
    demo_server: Any,
    sandbox_factory: Callable[..., Any],
    fault: str,
) -> None:
    target = sandbox_factory("empty")
    connection = refuse_the_key(target) if fault == "refused key" else None
    if fault == "server error":
        target.fail_next(20, "503", path_contains="/packages")
    if fault == "unreachable":
        connection = connection_to(target)
        target.stop()
    with qtbot.waitSignal(window.flow_finished, timeout=TIMEOUT):
        wizard, page = to_packages(
            qtbot, window, run_async, demo_server, target, PACKAGE_PROJECTS, connection
        )
        text = page.message.text()
        assert text.startswith("The packages could not be read: "), text
        assert text.endswith("Choose None to go on without the packages."), text
        assert "Traceback" not in text and "\n" not in text
        assert page.message.property("state") == "error"
        assert page.retry_button.isVisible()
        assert not page.isComplete()
        shoot(wizard, f"packages-error-{fault.replace(' ', '-')}")
        if fault == "server error":
            target.faults.clear()
            page.retry_button.click()
            wait_complete(qtbot, page)
            assert [r[0] for r in rows(page)] == ["Acme.Database.Migrations", "Acme.WebPortal.Assets"]
        else:
            page.none_button.click()
            wait_complete(qtbot, page)
        wizard.reject()

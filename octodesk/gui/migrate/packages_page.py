"""Which built-in feed packages the migration copies: none (listed as follow-ups), the newest version of
each, or the newest N. Each choice shows every version with its size and what the target already has, the
total, and on an Octopus Cloud target the total against the storage limit; a version over Cloud's package
limit blocks Next, naming it. The reads run on the worker thread; the choice is kept in the state."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from octodesk.core.export.package_preview import ReferencedPackages
from octodesk.core.packages.choice import LATEST, MAX_VERSIONS, NONE, PackageChoice
from octodesk.core.packages.decide import PackagePlan
from octodesk.core.text import safe_text
from octodesk.gui.jobs import package_preview_job, packages_used_job
from octodesk.gui.migrate.page import MigrationContext, MigrationPage
from octodesk.gui.package_table import PackageTableModel
from octodesk.gui.run_view import RunView
from octodesk.gui.runner import JobFailed, Runner
from octodesk.gui.worker import spawn
from octodesk.render import plural

NO_PACKAGES = "These projects use no packages from the built-in feed: there is nothing to copy."
PreviewKey = tuple[object, ...]


def listed(names: list[str]) -> str:
    return ", ".join(safe_text(name) for name in names)


class PackagesPage(MigrationPage):
    step = "Packages"

    def __init__(self, context: MigrationContext) -> None:
        super().__init__(context)
        self.setTitle("Packages")
        self.setSubTitle(
            "Packages the projects deploy from the built-in feed, copied from the source's feed to the "
            "target's before the projects."
        )
        self.none_button = QRadioButton("N&one: list them as follow-ups to push by hand")
        self.latest_button = QRadioButton("The &latest version of each package")
        self.newest_button = QRadioButton("The ne&west")
        self.count = QSpinBox()
        self.count.setRange(2, MAX_VERSIONS)
        self.count.setAccessibleName("Versions of each package")
        self.choices = QButtonGroup(self)
        for button in (self.none_button, self.latest_button, self.newest_button):
            self.choices.addButton(button)
        self.choices.buttonToggled.connect(self._button_toggled)
        self.count.valueChanged.connect(lambda _value: self._choice_changed())
        newest_row = QHBoxLayout()
        newest_row.addWidget(self.newest_button)
        newest_row.addWidget(self.count)
        newest_row.addWidget(QLabel("versions of each package"))
        newest_row.addStretch(1)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.retry_button = QPushButton("&Try again")
        self.retry_button.hide()
        self.retry_button.clicked.connect(self.refresh)
        message_row = QHBoxLayout()
        message_row.addWidget(self.message, 1)
        message_row.addWidget(self.retry_button)

        self.model = PackageTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Package versions")
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.total_label = QLabel()
        self.total_label.setWordWrap(True)
        self.total_label.setTextFormat(Qt.TextFormat.PlainText)
        self.conflicts_label = QLabel()
        self.conflicts_label.setObjectName("warningBanner")
        self.conflicts_label.setWordWrap(True)
        self.refusals_label = QLabel()
        self.refusals_label.setObjectName("errorBanner")
        self.refusals_label.setWordWrap(True)
        listing = QWidget()
        listing_layout = QVBoxLayout(listing)
        listing_layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.refusals_label, self.table, self.total_label, self.conflicts_label):
            listing_layout.addWidget(widget)
        listing_layout.setStretchFactor(self.table, 1)

        self.run_view = RunView()
        self.runner = Runner(self.run_view)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.run_view)
        self.stack.addWidget(listing)
        self.stack.addWidget(QWidget())  # nothing to list: the message says why

        layout = QVBoxLayout(self)
        layout.addWidget(self.none_button)
        layout.addWidget(self.latest_button)
        layout.addLayout(newest_row)
        layout.addLayout(message_row)
        layout.addWidget(self.stack, 1)

        self.shown: PackagePlan | None = None  # the listing on screen, for ``shown_for``
        self.shown_for: PreviewKey | None = None
        self._previews: dict[PreviewKey, PackagePlan] = {}
        self._previewing = False
        self._generation = 0
        self._pending = 0  # refreshes started and not finished
        self._show_choice(self.migration.package_choice)

    # --- the choice ------------------------------------------------------------------------------------

    def choice(self) -> PackageChoice:
        if self.none_button.isChecked():
            return NONE
        if self.latest_button.isChecked():
            return LATEST
        return PackageChoice(self.count.value())

    def _show_choice(self, choice: PackageChoice) -> None:
        self.choices.blockSignals(True)
        self.count.blockSignals(True)
        if choice.versions > 1:
            self.count.setValue(choice.versions)
            self.newest_button.setChecked(True)
        else:
            (self.latest_button if choice.copies else self.none_button).setChecked(True)
        self.choices.blockSignals(False)
        self.count.blockSignals(False)

    def _button_toggled(self, _button: QRadioButton, checked: bool) -> None:
        if checked:
            self._choice_changed()

    def _choice_changed(self) -> None:
        choice = self.choice()
        if choice == self.migration.package_choice:
            return
        self.migration.package_choice = choice
        self.refresh()

    # --- the page --------------------------------------------------------------------------------------

    def skipped(self) -> bool:
        # The stopped migration's bundle already lists its packages; Octopus's own export carries none (the
        # server engine lists them as follow-ups).
        return self.migration.resuming or self.migration.server_engine

    def runners(self) -> list[Runner]:
        return [self.runner]

    def initializePage(self) -> None:
        self._previews.clear()  # each visit reads what the target has now
        self._show_choice(self.migration.package_choice)
        self.refresh()

    def cleanupPage(self) -> None:
        """Back while the packages are read: the read stops (Next starts it again)."""
        self._generation += 1
        self.runner.cancel()

    def _used_key(self) -> tuple[str, ...] | None:
        source = self.migration.source
        if source is None:
            return None
        return (source.url, source.space, *self.migration.projects)

    def _preview_key(self, choice: PackageChoice) -> PreviewKey | None:
        target = self.migration.target
        if target is None:
            return None
        return (self._used_key(), target.url, target.space, choice.versions)

    def refresh(self) -> None:
        """Show the current choice: what the projects use (read once), then its versions (per choice)."""
        self._pending += 1
        self.completeChanged.emit()
        spawn(self._refresh())

    @property
    def settled(self) -> bool:
        """Nothing is being read or waiting to be: the page shows the current choice."""
        return not self._pending and not self.runner.running

    async def _refresh(self) -> None:
        try:
            await self._show_current()
        finally:
            self._pending -= 1
            self.completeChanged.emit()

    async def _show_current(self) -> None:
        self._generation += 1
        generation = self._generation
        if self._previewing:
            self.runner.cancel()  # a listing for a choice no longer wanted
        await self.runner.wait_idle()
        if generation != self._generation:
            return
        self.retry_button.hide()
        self.shown = self.shown_for = None
        self.completeChanged.emit()
        used = await self._used()
        if used is None or generation != self._generation:
            return
        choice = self.migration.package_choice
        self._enable_choice(bool(used.package_ids))
        if not used.package_ids:
            self._show_message(NO_PACKAGES)
            return
        if not choice.copies:
            self._show_message(
                f"No package is copied. The projects use {plural(len(used.package_ids), 'package')} from "
                f"the built-in feed ({listed(used.package_ids)}); they are listed as follow-ups, to push to "
                "the target's feed by hand."
            )
            return
        key = self._preview_key(choice)
        if key is None:
            return
        plan = self._previews.get(key)
        if plan is None:
            plan = await self._preview(used, choice)
            if plan is None or generation != self._generation:
                return
            self._previews[key] = plan
        self._show_plan(plan, key)

    async def _used(self) -> ReferencedPackages | None:
        migration, key = self.migration, self._used_key()
        source = migration.source
        if source is None or key is None:
            return None
        if migration.packages_for == key and migration.packages_used is not None:
            return migration.packages_used
        projects = tuple(migration.projects)
        earlier = migration.scan_for(projects)
        if earlier is not None and earlier.server_url != source.url:
            earlier = None
        self._show_busy("Looking for the packages these projects use…")
        try:
            scan, used = await self.runner.run_job(
                "Reading the projects' steps", packages_used_job(source, list(projects), earlier)
            )
        except JobFailed as failed:
            self._failed("The projects could not be read", failed)
            return None
        migration.keep_scan(scan, projects)  # the sensitive-values page uses the same read
        migration.packages_used, migration.packages_for = used, key
        return used

    async def _preview(self, used: ReferencedPackages, choice: PackageChoice) -> PackagePlan | None:
        source, target = self.migration.source, self.migration.target
        if source is None or target is None:
            return None
        self._show_busy(f"Reading the sizes of {choice.describe()} and what {target.space} already has…")
        self._previewing = True
        try:
            return await self.runner.run_job(
                "Reading the packages", package_preview_job(source, used, choice, target)
            )
        except JobFailed as failed:
            self._failed("The packages could not be read", failed)
            return None
        finally:
            self._previewing = False

    # --- what is shown ---------------------------------------------------------------------------------

    def _enable_choice(self, enabled: bool) -> None:
        for widget in (self.none_button, self.latest_button, self.newest_button, self.count):
            widget.setEnabled(enabled)

    def _show_busy(self, text: str) -> None:
        self.message.setProperty("state", "")
        self.message.setText(text)
        self.stack.setCurrentWidget(self.run_view)
        self.completeChanged.emit()

    def _show_message(self, text: str, *, error: bool = False) -> None:
        self.message.setProperty("state", "error" if error else "")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text)
        self.stack.setCurrentIndex(2)
        self.completeChanged.emit()

    def _failed(self, what: str, failed: JobFailed) -> None:
        if failed.cancelled:
            self._show_message("Cancelled. Try again to list the packages.")
        else:
            self._show_message(
                f"{what}: {failed.error} Choose None to go on without the packages.", error=True
            )
        self.retry_button.show()

    def _show_plan(self, plan: PackagePlan, key: PreviewKey | None) -> None:
        self.shown, self.shown_for = plan, key
        self.model.set_plan(plan)
        self.message.setProperty("state", "")
        missing = (
            f" Not in the source's built-in feed, so not copied: {listed(plan.not_on_source)}."
            if plan.not_on_source
            else ""
        )
        self.message.setText(
            f"The projects use {plural(len(plan.referenced), 'package')} from the built-in feed; "
            f"{plural(len(plan.decisions), 'version')} chosen.{missing}"
        )
        self.total_label.setText(plan.storage_line())
        conflicts = plan.conflicts
        self.conflicts_label.setText(
            "<b>The target has other contents under these versions; they are left as they are and listed "
            "as follow-ups:</b><br>"
            + "<br>".join(escape(safe_text(f"{c.version.label}: {c.reason}")) for c in conflicts)
        )
        self.conflicts_label.setVisible(bool(conflicts))
        self.refusals_label.setText(
            "<b>Next is blocked:</b><br>" + "<br>".join(escape(refusal) for refusal in plan.refusals)
        )
        self.refusals_label.setVisible(bool(plan.refusals))
        self.stack.setCurrentIndex(1)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        if not self.settled or self.checking:
            return False
        choice = self.migration.package_choice
        used = self.migration.packages_used
        if not choice.copies:
            return True
        if used is not None and self.migration.packages_for == self._used_key() and not used.package_ids:
            return True
        plan = self.shown
        return plan is not None and self.shown_for == self._preview_key(choice) and not plan.refusals

    def validatePage(self) -> bool:
        return self.isComplete()

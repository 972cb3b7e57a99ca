"""Which engine moves the projects: OctoDesk's own (client) or Octopus's Export/Import Projects (server).

The page reads, on the worker thread, what the choice rests on (both servers' import-export routes and
versions, which chosen projects the target already has, and the sensitive values the projects use, counted
by the same scan the sensitive-values page then reuses), shows what each engine carries and recommends one
with its reason (``core.server_engine.choose_engine``, as ``octodesk migrate --engine auto``). The user may
pick the other; the server engine is disabled, with the reason, when it cannot move these projects.
A stopped migration being continued keeps the engine that began it: the page is passed over."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QStackedWidget, QVBoxLayout

from octodesk.core.server_engine import ENGINE_CLIENT
from octodesk.gui.engine_choice import EngineChoiceView
from octodesk.gui.engine_jobs import engine_outlook_job
from octodesk.gui.migrate.page import MigrationContext, MigrationPage
from octodesk.gui.run_view import RunView
from octodesk.gui.runner import JobFailed, Runner
from octodesk.gui.worker import spawn


class EnginePage(MigrationPage):
    step = "Engine"

    def __init__(self, context: MigrationContext) -> None:
        super().__init__(context)
        self.setTitle("Engine")
        self.setSubTitle("Which engine moves the projects. Both keep the bundle on disk.")
        self.run_view = RunView()
        self.runner = Runner(self.run_view)
        self.choice = EngineChoiceView()
        self.choice.changed.connect(self._keep_choice)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setObjectName("errorLabel")
        self.problem.hide()
        self.retry_button = QPushButton("&Try again")
        self.retry_button.hide()
        self.retry_button.clicked.connect(lambda: spawn(self._load(self.migration.outlook_key())))
        problem_row = QHBoxLayout()
        problem_row.addWidget(self.problem, 1)
        problem_row.addWidget(self.retry_button)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.run_view)
        self.stack.addWidget(self.choice)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack, 1)
        layout.addLayout(problem_row)
        self.loaded = False  # Next may go on: the servers were compared, or that failed (client engine)
        self.compared = False
        self.chosen = ""  # the user's own pick, kept while the facts allow it

    def skipped(self) -> bool:
        return self.migration.resuming

    def runners(self) -> list[Runner]:
        return [self.runner]

    def initializePage(self) -> None:
        key = self.migration.outlook_key()
        if self.migration.outlook is not None and self.migration.outlook_for == key:
            self._show()
            return
        self.loaded = False
        self.completeChanged.emit()
        spawn(self._load(key))

    def cleanupPage(self) -> None:
        self.runner.cancel()  # Back while the servers are read

    async def _load(self, key: tuple[str, ...]) -> None:
        await self.runner.wait_idle()
        migration = self.migration
        if migration.source is None:
            return
        self.problem.hide()
        self.retry_button.hide()
        self.loaded = False
        self.completeChanged.emit()
        self.stack.setCurrentWidget(self.run_view)
        try:
            outlook = await self.runner.run_job(
                "Finding out which engine fits these projects",
                engine_outlook_job(migration.source, migration.target, list(migration.projects)),
            )
        except JobFailed as failed:
            # The client engine needs none of this to start: Next goes on with it (its own pages say what
            # they cannot read), Try again compares the servers again.
            self.problem.setText(
                "Cancelled."
                if failed.cancelled
                else f"The servers could not be compared: {failed.error} Next goes on with OctoDesk's "
                "client engine; Try again compares them again."
            )
            self.problem.show()
            self.retry_button.show()
            self.migration.engine, self.loaded, self.compared = ENGINE_CLIENT, True, False
            self.completeChanged.emit()
            return
        migration.outlook, migration.outlook_for = outlook, key
        # The packages and sensitive-values pages use this read of the projects instead of their own.
        migration.keep_scan(outlook.scan, tuple(migration.projects))
        self._show()

    def _show(self) -> None:
        outlook = self.migration.outlook
        if outlook is None:
            return
        self.choice.set_outlook(outlook, self.chosen)
        self.migration.engine = self.choice.engine()
        self.stack.setCurrentWidget(self.choice)
        self.loaded = self.compared = True
        self.completeChanged.emit()

    def _keep_choice(self) -> None:
        if self.loaded:
            self.chosen = self.migration.engine = self.choice.engine()
            self.completeChanged.emit()  # the sensitive-values step comes and goes: the indicator follows

    def isComplete(self) -> bool:
        return self.loaded and not self.runner.running

    def validatePage(self) -> bool:
        self.migration.engine = self.choice.engine() if self.compared else ENGINE_CLIENT
        return True

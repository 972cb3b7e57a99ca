"""What every migrate wizard page shares: the host and the migration state, skipping itself when it has
nothing to ask, checks that need the worker thread or a question before Next, and its running jobs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QWizardPage

from octodesk.gui.host import OperationHost
from octodesk.gui.migrate.state import MigrationState
from octodesk.gui.runner import Runner
from octodesk.gui.state import AppState
from octodesk.gui.worker import spawn


@dataclass
class MigrationContext:
    host: OperationHost
    migration: MigrationState

    @property
    def app(self) -> AppState:
        return self.host.state


class MigrationPage(QWizardPage):
    step = ""  # its name in the step indicator

    def __init__(self, context: MigrationContext) -> None:
        super().__init__()
        self.context = context
        self.host = context.host
        self.migration = context.migration
        self._passed: object = None
        self._checking = False

    def skipped(self) -> bool:
        """True when the page has nothing to ask this time (Next and Back pass over it)."""
        return False

    def runners(self) -> list[Runner]:
        """Jobs this page runs, so closing the wizard can cancel and wait for them."""
        return []

    @property
    def checking(self) -> bool:
        return self._checking

    def nextId(self) -> int:
        wizard = self.wizard()
        ids = wizard.pageIds()
        mine = next(page_id for page_id in ids if wizard.page(page_id) is self)
        for candidate in ids[ids.index(mine) + 1 :]:
            page = wizard.page(candidate)
            if not (isinstance(page, MigrationPage) and page.skipped()):
                return candidate
        return -1

    def validate_with(self, key: object, check: Callable[[], Awaitable[bool]]) -> bool:
        """``validatePage`` for a check that needs the worker or a question: it starts the check and says
        "not yet"; when the check passes for ``key`` (the inputs it judged) the wizard moves on."""
        if self._passed == key:
            return True
        if not self._checking:
            spawn(self._check(key, check))
        return False

    async def _check(self, key: object, check: Callable[[], Awaitable[bool]]) -> None:
        self._checking = True
        self.completeChanged.emit()
        try:
            passed = await check()
        finally:
            self._checking = False
            self.completeChanged.emit()
        if passed:
            self._passed = key
            if self.wizard() is not None and self.wizard().currentPage() is self:
                self.wizard().next()

"""The results: how the migration ended (a run with a failure says so), counts, failures, warnings and the
follow-up checklist, kept with the run in "Recent runs"."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout

from octodesk.core.vocabulary import RunOutcome
from octodesk.gui.flows import stopped_headline
from octodesk.gui.migrate.page import MigrationContext, MigrationPage
from octodesk.gui.results_view import ResultsView
from octodesk.render import headline, some_names


class ResultsPage(MigrationPage):
    step = "Results"

    def __init__(self, context: MigrationContext) -> None:
        super().__init__(context)
        self.setTitle("Results")
        self.setSubTitle("What was written, and what is left to do by hand. Finish closes the wizard.")
        self.results = ResultsView()
        layout = QVBoxLayout(self)
        layout.addWidget(self.results)

    def initializePage(self) -> None:
        report = self.migration.report
        if report is None:
            return
        if report.outcome == RunOutcome.SUCCEEDED:
            text = f"Migrated {some_names(self.migration.projects)}."
        elif report.outcome == RunOutcome.COMPLETED_WITH_FAILURES:
            text = headline(report).replace("import", "migration", 1)
        else:
            text = stopped_headline(report).replace("Resume continues", "Migrate again to continue")
        self.results.set_report(report, headline=text, bundle_path=self.migration.bundle_path)
        record = self.migration.record
        self.results.on_ticked = (lambda _report: record.save()) if record is not None else None

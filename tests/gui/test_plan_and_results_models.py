from __future__ import annotations

from dataclasses import dataclass, field

from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from octodesk.core.plan import PlanItem
from octodesk.core.report import FollowUp, Report
from octodesk.core.vocabulary import Action, FollowUpCategory
from octodesk.gui.actions import action_colour
from octodesk.gui.plan_model import PlanTreeModel
from octodesk.gui.preview_view import PreviewView
from octodesk.gui.results_model import CountsModel, FollowUpModel


def Item(kind: str, name: str, action: str, reason: str = "", details: list[str] | None = None) -> PlanItem:
    return PlanItem(kind, name, f"{kind}-{name}", Action(action), reason, details or [])


@dataclass
class Plan:
    items: list[PlanItem]
    refusals: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return bool(self.refusals)


PLAN = Plan(
    items=[
        Item("Project", "Web Portal", "create"),
        Item("Environment", "Production", "reuse", "exists on the target"),
        Item("Environment", "Dev", "create"),
        Item("LibraryVariableSet", "Shared", "merge", details=["add variable DbHost", "add variable DbPort"]),
    ],
    warnings=["Logo of Web Portal is too large"],
)


def test_plan_tree_groups_by_kind_in_import_order(qtmodeltester: ModelTester) -> None:
    model = PlanTreeModel()
    model.set_plan(PLAN)
    qtmodeltester.check(model)
    kinds = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert kinds == ["Environment (2)", "Library variable set (1)", "Project (1)"]
    assert model.index(0, 1).data() == "1 create, 1 reuse"
    environments = model.index(0, 0)
    assert [model.index(r, 0, environments).data() for r in range(2)] == ["Dev", "Production"]


def test_plan_row_shows_action_with_colour_icon_and_merge_details(qapp: QApplication) -> None:
    model = PlanTreeModel()
    model.set_plan(PLAN)
    shared = model.find("LibraryVariableSet", "Shared")
    action = shared.siblingAtColumn(1)
    assert action.data() == "Merge"
    assert action.data(Qt.ItemDataRole.ForegroundRole) == action_colour("merge")
    assert not action.data(Qt.ItemDataRole.DecorationRole).isNull()
    assert [model.index(r, 0, shared).data() for r in range(model.rowCount(shared))] == [
        "add variable DbHost",
        "add variable DbPort",
    ]
    assert action_colour("create") != action_colour("merge")


def test_preview_shows_refusals_on_top(qtbot: QtBot) -> None:
    view = PreviewView()
    qtbot.addWidget(view)
    view.show()
    view.set_plan(PLAN)
    assert not view.refused
    assert view.tabs.tabText(2) == "&Warnings (1)" and view.warnings.item(0).text().endswith("too large")
    assert not view.refusals_label.isVisible()
    merge = view.first_index_with_action("merge")
    assert merge.data() == "Shared"
    assert view.summary_label.text().startswith("4 resources: 2 create, 1 reuse, 1 merge")
    view.set_plan(Plan(items=[], refusals=["Project Web Portal already exists"]))
    assert view.refused
    assert view.refusals_label.isVisible() and "already exists" in view.refusals_label.text()


def test_counts_table_per_kind_and_action(qtmodeltester: ModelTester) -> None:
    report = Report("import")
    report.count("Environment", "create", 2)
    report.count("Environment", "reuse")
    report.count("Project", "create")
    model = CountsModel()
    model.set_counts(report.counts)
    qtmodeltester.check(model)
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == ["Create", "Reuse", "Total"]
    assert model.headerData(2, Qt.Orientation.Vertical) == "Total"
    assert [model.index(0, c).data() for c in range(3)] == ["2", "1", "3"]
    assert [model.index(1, c).data() for c in range(3)] == ["1", "\u2013", "1"]
    assert [model.index(2, c).data() for c in range(3)] == ["3", "1", "4"]


TARGETS, TRIGGER = FollowUpCategory.DEPLOYMENT_TARGETS, FollowUpCategory.TRIGGER


def test_follow_ups_are_a_checklist(qtmodeltester: ModelTester) -> None:
    model = FollowUpModel()
    model.set_follow_ups(
        [
            FollowUp(
                FollowUpCategory.DEPLOYMENT_TARGETS,
                "Recreate 3 deployment targets",
                "Environment",
                "Production",
            ),
            FollowUp(
                FollowUpCategory.TRIGGER, "Trigger 'Nightly' of 'Web' was not imported", "Project", "Web"
            ),
            FollowUp(FollowUpCategory.SENSITIVE_VALUE, "Set the value of DbPassword"),
        ]
    )
    qtmodeltester.check(model)
    assert model.index(0).data() == "Environment “Production”: Recreate 3 deployment targets"
    assert model.index(1).data() == "Trigger 'Nightly' of 'Web' was not imported"
    assert model.remaining() == 3
    assert model.setData(model.index(1), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    assert model.remaining() == 2


def test_a_preview_of_hundreds_of_resources_filters_searches_and_explains(qtbot: QtBot) -> None:
    """Issue 11: the preview works for hundreds of items: filter by action, search names and reasons, the
    whole reason in the detail pane, follow-ups listed, and columns that stay on screen."""
    long_reason = "exists on the target: updated from the bundle; " + "a very long explanation " * 30
    items = [Item("Environment", f"Env {n:03}", "create", "missing on the target") for n in range(300)]
    items += [
        Item("Project", f"Service {n:03}", "update", long_reason, [f"step {n} changed"]) for n in range(200)
    ]
    items += [
        Item("Certificate", f"Cert {n:03}", "skip", "the bundle does not carry its file") for n in range(100)
    ]
    follow_ups = [
        FollowUp(FollowUpCategory.CERTIFICATE, f"Upload certificate 'Cert {n:03}'.") for n in range(100)
    ]
    view = PreviewView()
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    view.set_plan(Plan(items=items, follow_ups=follow_ups))
    assert view.summary_label.text().startswith("600 resources: 300 create, 200 update, 100 skip")
    assert view.tabs.tabText(1) == "&Follow-ups (100)" and view.follow_ups.count() == 100

    def shown() -> list[str]:
        proxy = view.proxy
        return [
            proxy.index(row, 0, proxy.index(kind, 0)).data()
            for kind in range(proxy.rowCount())
            for row in range(proxy.rowCount(proxy.index(kind, 0)))
        ]

    view.show_action("update")
    assert len(shown()) == 200 and view.shown_label.text() == "200 of 600 shown"
    view.show_action("")
    qtbot.keyClicks(view.search, "Service 19")
    assert shown() == [f"Service {n}" for n in range(190, 200)]
    view.search.clear()
    qtbot.keyClicks(view.search, "does not carry")  # reasons are searched too
    assert len(shown()) == 100 and all(name.startswith("Cert") for name in shown())
    view.search.clear()
    view.select("Project", "Service 042")
    assert long_reason.strip() in view.detail.toPlainText(), "the whole reason, not the elided cell"
    header, width = view.tree.header(), view.tree.viewport().width()
    assert all(header.sectionViewportPosition(column) < width for column in range(3))

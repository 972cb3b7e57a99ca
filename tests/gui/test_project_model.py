from __future__ import annotations

from pytestqt.modeltest import ModelTester

from PySide6.QtCore import Qt

from octodesk.gui.project_model import VERSION_CONTROLLED_REASON, ProjectFilterProxy, ProjectListModel


def _model(projects: list) -> ProjectListModel:
    model = ProjectListModel()
    model.set_projects(projects)
    return model


def test_grouped_by_project_group_sorted(sample_projects: list, qtmodeltester: ModelTester) -> None:
    model = _model(sample_projects)
    qtmodeltester.check(model)
    groups = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert groups == ["(no group) (1)", "Back office (2)", "Web (2)"]
    web = model.index(2, 0)
    assert [model.index(r, 0, web).data() for r in range(model.rowCount(web))] == ["Web API", "Web Portal"]
    assert model.total_count() == 5
    assert model.selectable_count() == 4


def test_version_controlled_project_disabled_with_reason(sample_projects: list) -> None:
    model = _model(sample_projects)
    back_office = model.index(1, 0)
    cac = model.index(1, 0, back_office)
    assert cac.data(Qt.ItemDataRole.UserRole) == "Config as Code Demo"
    assert not (model.flags(cac) & Qt.ItemFlag.ItemIsEnabled)
    assert cac.data(Qt.ItemDataRole.ToolTipRole) == VERSION_CONTROLLED_REASON
    assert not model.setData(cac, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    model.set_all_checked(True)
    assert "Config as Code Demo" not in model.checked_names()
    assert len(model.checked_names()) == 4


def test_checking_a_group_checks_its_selectable_projects(sample_projects: list) -> None:
    model = _model(sample_projects)
    web = model.index(2, 0)
    assert model.setData(web, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    assert sorted(model.checked_names()) == ["Web API", "Web Portal"]
    model.setData(model.index(0, 0, web), Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    assert web.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.PartiallyChecked
    model.set_all_checked(False)
    assert model.checked_names() == []


def test_search_filters_projects_and_keeps_their_group(sample_projects: list) -> None:
    model = _model(sample_projects)
    proxy = ProjectFilterProxy()
    proxy.setSourceModel(model)
    proxy.setFilterFixedString("web")
    assert proxy.visible_project_names() == ["Web API", "Web Portal"]
    assert proxy.rowCount() == 1
    proxy.setFilterFixedString("BILLING")
    assert proxy.visible_project_names() == ["Billing Worker"]
    proxy.setFilterFixedString("")
    assert len(proxy.visible_project_names()) == 5

"""Refusals before any task: a wrong password, a project already on the target, a target older than the
source or without Export/Import Projects; and the server's own preview refusal."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from engine_support import PASSWORD, client_for, posts, server_export, server_import
from sandbox_client import Octo

from octodesk.core.errors import ImportRefused, ServerEngineUnavailable, WrongPassword
from octodesk.core.plan import plan_import
from octodesk.core.server_engine import api, apply_server_import, plan_server_import


@pytest.fixture
def bundle(source: Any, tmp_path: Path) -> Path:
    path = tmp_path / "server.octobundle"
    server_export(source, path)
    return path


def test_a_wrong_password_is_refused_before_anything_reaches_the_target(target: Any, bundle: Path) -> None:
    target.reset_counters()
    with pytest.raises(WrongPassword):
        server_import(target, bundle, password="not the password")
    assert target.request_count == 0


def test_the_servers_preview_refuses_a_wrong_password_with_its_own_reason(target: Any, bundle: Path) -> None:
    with client_for(target) as client:
        plan = plan_server_import(bundle, PASSWORD, client, "Default")  # uploads the zip, previews fine
        with pytest.raises(ImportRefused) as refused:
            api.preview_import(client, plan.target.space_id, plan.import_source, "not the password")
    assert "password is not the one the projects were exported with" in str(refused.value)
    assert not target.tasks.tasks  # a preview starts no task


def test_an_existing_project_is_refused_before_any_upload_or_task(target: Any, bundle: Path) -> None:
    Octo(target).project("web portal")  # same name, other case
    before = target.snapshot()
    with client_for(target) as client:
        plan = plan_server_import(bundle, PASSWORD, client, "Default")
        assert plan.refused and "Project 'Web Portal' already exists" in plan.refusals[0]
        with pytest.raises(ImportRefused) as refused:
            apply_server_import(plan, client)
    assert refused.value.exit_code == 3
    assert not target.tasks.tasks and not posts(target, "import-files")
    assert target.snapshot() == before


def test_a_target_older_than_the_source_is_refused_before_any_task(
    sandbox_factory: Callable[..., Any], tmp_path: Path
) -> None:
    newer = sandbox_factory("demo", version="2024.1.1")
    older = sandbox_factory("empty", version="2023.1.9626")
    path = tmp_path / "newer.octobundle"
    server_export(newer, path, ["Database Migrations"])
    with client_for(older) as client:
        plan = plan_server_import(path, PASSWORD, client, "Default")
    assert plan.refusals == [
        "The bundle comes from Octopus Server 2024.1.1, newer than the target's 2023.1.9626: Octopus imports "
        "only into the same or a newer version."
    ]
    assert not older.tasks.tasks and not posts(older, "import-files")


def test_a_server_without_export_import_projects_cannot_use_the_server_engine(
    sandbox_factory: Callable[..., Any], tmp_path: Path
) -> None:
    old = sandbox_factory("demo", version="2020.6.4671")
    with pytest.raises(ServerEngineUnavailable) as refused:
        server_export(old, tmp_path / "x.octobundle")
    assert "has no Export/Import Projects" in str(refused.value)
    assert refused.value.exit_code == 3
    assert not (tmp_path / "x.octobundle").exists()


def test_the_client_engine_refuses_a_server_bundle_whose_secrets_it_cannot_read(
    target: Any, bundle: Path
) -> None:
    with client_for(target) as client:
        plan = plan_import(bundle, PASSWORD, client, "Default")
    assert plan.refused and "made by the server engine" in plan.refusals[-1]

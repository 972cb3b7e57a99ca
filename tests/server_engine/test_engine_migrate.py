"""Migrate in one run: ``auto`` picks each engine for its reason, and running a failed migration again
continues where it stopped, with the bundle it kept."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from engine_support import FAST, PASSWORD, TWO_PROJECTS, client_for, names
from sandbox_client import Octo

from octodesk.core.errors import ImportRefused, ServerEngineUnavailable, ServerFailure
from octodesk.core.server_engine import MigrateRequest, MigrateResult, Side, migrate


def _runbooks_of(server: Any, projects: list[str]) -> list[str]:
    documents = server.snapshot()["documents"]
    ids = {p["Id"] for p in documents["projects"].values() if p["Name"] in projects}
    return sorted(r["Name"] for r in documents["runbooks"].values() if r["ProjectId"] in ids)


def _migrate(source: Any, target: Any, path: Path, dry_run: bool = False, **request: Any) -> MigrateResult:
    projects = request.pop("projects", TWO_PROJECTS)
    # The client engine cannot read the demo accounts' secrets: allow named placeholders, as a user would.
    request.setdefault("placeholder_secrets", True)
    with client_for(source) as source_client, client_for(target) as target_client:
        return migrate(
            Side(source_client, "Default"),
            Side(target_client, "Default"),
            MigrateRequest(projects, path, PASSWORD, **request),
            dry_run=dry_run,
            poll=FAST,
        )


def test_auto_picks_the_server_engine_and_says_how_many_sensitive_values_it_carries(
    source: Any, target: Any, tmp_path: Path
) -> None:
    result = _migrate(source, target, tmp_path / "m.octobundle")

    assert result.choice.engine == "server" and result.choice.requested == "auto"
    assert result.export_report is not None
    carried = result.export_report.details["secrets_carried"]
    assert carried >= 20 and f"carries all {carried} sensitive values" in result.choice.reason
    assert result.import_report is not None and result.import_report.succeeded
    assert names(target, "projects") == sorted(TWO_PROJECTS)


@pytest.mark.parametrize(
    ("source_version", "target_version", "why"),
    [
        ("2024.1.1", "2023.1.9626", "the target (Octopus 2023.1.9626) is older than the source (2024.1.1)"),
        ("2020.6.4671", "2020.6.4671", "has no Export/Import Projects (it came with Octopus 2021.1)"),
    ],
)
def test_auto_picks_the_client_engine_when_the_servers_rule_the_server_engine_out(
    sandbox_factory: Callable[..., Any], tmp_path: Path, source_version: str, target_version: str, why: str
) -> None:
    source = sandbox_factory("demo", version=source_version)
    target = sandbox_factory("empty", version=target_version)
    result = _migrate(
        source, target, tmp_path / "m.octobundle", dry_run=True, projects=["Database Migrations"]
    )
    assert result.choice.engine == "client"
    assert (
        result.choice.reason.startswith("OctoDesk's client engine, because ") and why in result.choice.reason
    )
    assert not source.tasks.tasks and not target.tasks.tasks


def test_auto_picks_the_client_engine_to_update_an_existing_project(
    source: Any, target: Any, tmp_path: Path
) -> None:
    Octo(target).project("Web Portal")
    refused = _migrate(source, target, tmp_path / "a.octobundle", dry_run=True)
    assert refused.choice.engine == "client"
    assert "'Web Portal' already exist(s) on the target" in refused.choice.reason
    assert refused.plan.refused  # the client engine refuses it too, unless asked to update

    result = _migrate(source, target, tmp_path / "b.octobundle", update_existing=True)

    assert result.choice.engine == "client"
    assert "updating existing projects was asked for" in result.choice.reason
    assert result.import_report is not None and result.import_report.succeeded
    assert not source.tasks.tasks and not target.tasks.tasks


def test_an_explicit_server_engine_that_cannot_work_is_refused_before_any_export(
    source: Any, target: Any, tmp_path: Path
) -> None:
    Octo(target).project("Billing API")
    with pytest.raises(ServerEngineUnavailable) as refused:
        _migrate(source, target, tmp_path / "m.octobundle", engine="server")
    assert refused.value.exit_code == 3 and "'Billing API' already exist(s)" in str(refused.value)
    assert not source.tasks.tasks and not (tmp_path / "m.octobundle").exists()


def test_a_server_migration_that_failed_after_octopus_imported_continues_with_the_extras(
    source: Any, target: Any, tmp_path: Path
) -> None:
    path = tmp_path / "m.octobundle"
    target.fail_next(1, "503", method="POST", path_contains="projecttriggers")
    with pytest.raises(ServerFailure):
        _migrate(source, target, path)
    assert names(target, "projects") == sorted(TWO_PROJECTS)  # Octopus's import had finished

    result = _migrate(source, target, path)

    assert result.resumed and result.export_report is None and result.choice.engine == "server"
    assert "resuming the interrupted migration" in result.choice.reason
    assert len(source.tasks.tasks) == 1 and len(target.tasks.tasks) == 1  # neither task ran again
    assert names(target, "projecttriggers") == ["Deploy to new web servers", "Nightly app pool recycle"]


def test_a_client_migration_that_failed_part_way_continues_where_it_stopped(
    source: Any, target: Any, tmp_path: Path
) -> None:
    path = tmp_path / "m.octobundle"
    target.fail_next(1, "503", method="POST", path_contains="/runbooks")
    with pytest.raises(ServerFailure):
        _migrate(source, target, path, engine="client")

    result = _migrate(source, target, path, engine="client")

    assert result.resumed and result.export_report is None and result.choice.engine == "client"
    assert result.import_report is not None and result.import_report.details["resumed"] is True
    assert names(target, "projects") == sorted(TWO_PROJECTS)
    assert names(target, "runbooks") == _runbooks_of(source, TWO_PROJECTS)  # each once


def test_a_refused_migration_keeps_its_bundle_and_writes_nothing(
    source: Any, target: Any, tmp_path: Path
) -> None:
    Octo(target).project("Web Portal")
    before = target.snapshot()
    with pytest.raises(ImportRefused):
        _migrate(source, target, tmp_path / "m.octobundle")
    assert (tmp_path / "m.octobundle").is_file() and target.snapshot() == before


def test_a_client_migration_without_the_account_secrets_is_refused_before_any_write(
    source: Any, target: Any, tmp_path: Path
) -> None:
    before = target.snapshot()
    with pytest.raises(ImportRefused, match="placeholder"):
        _migrate(source, target, tmp_path / "m.octobundle", engine="client", placeholder_secrets=False)
    assert target.snapshot() == before

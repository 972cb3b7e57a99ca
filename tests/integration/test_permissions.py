"""An API key without the permissions of teams and deployment targets (MachineView, TeamView): optional
reads become warnings; where the import needs them, the plan refuses before anything is written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from import_support import ACCOUNT_SECRETS, CERTIFICATE_SECRETS, PASSWORD, export_demo, import_into

from octodesk.core.apply import import_bundle
from octodesk.core.errors import ImportRefused
from octodesk.core.export import export_projects
from octodesk.core.octopus.client import OctopusClient
from octodesk.core.plan import ImportOptions

RESTRICTED = "API-RESTRICTEDKEY000000000000000"


def restricted_client(server: Any) -> OctopusClient:
    server.add_api_key(RESTRICTED, role="restricted")
    return OctopusClient(server.url, RESTRICTED)


def test_an_export_without_team_and_target_permissions_warns_and_carries_no_teams(
    sandbox_factory: Callable[..., Any], tmp_path: Path
) -> None:
    source = sandbox_factory("demo")
    with restricted_client(source) as client:
        report = export_projects(
            client,
            "Default",
            ["Web Portal"],
            tmp_path / "p.octobundle",
            PASSWORD,
            secrets={**CERTIFICATE_SECRETS, **ACCOUNT_SECRETS},
        )
    assert report.succeeded
    assert any(
        "teams" in warning and "Missing permission: TeamView" in warning for warning in report.warnings
    )
    assert any("deployment targets" in w and "MachineView" in w for w in report.warnings)
    assert "Team" not in report.counts


def test_an_import_that_needs_the_targets_teams_is_refused_when_the_key_may_not_read_them(
    sandbox_factory: Callable[..., Any], tmp_path: Path
) -> None:
    source, target = sandbox_factory("demo"), sandbox_factory("empty")
    bundle = export_demo(source, tmp_path / "p.octobundle", ["Web Portal"])
    before = target.snapshot()
    target.add_api_key(RESTRICTED, role="restricted")
    with pytest.raises(ImportRefused, match="TeamView"), OctopusClient(target.url, RESTRICTED) as client:
        import_bundle(bundle, PASSWORD, client, "Default", ImportOptions())
    assert target.snapshot() == before


def test_an_import_that_needs_no_teams_warns_about_targets_and_goes_on(
    sandbox_factory: Callable[..., Any], tmp_path: Path
) -> None:
    source, target = sandbox_factory("demo"), sandbox_factory("empty")
    bundle = export_demo(source, tmp_path / "p.octobundle", ["Billing API"])
    target.add_api_key(RESTRICTED, role="restricted")
    target.api_key = RESTRICTED  # import_into connects with the server's key
    report = import_into(target, bundle)
    assert report.succeeded
    assert any("deployment targets" in warning for warning in report.warnings)

"""The server engine end to end over real HTTP: Octopus's own export and import tasks carry every sensitive
value, and OctoDesk adds the triggers and logos the server leaves out, across instances and within one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from engine_support import (
    FAST,
    PASSWORD,
    TWO_PROJECTS,
    client_for,
    names,
    posts,
    server_export,
    server_import,
)
from server_tasks_client import sensitive_values

from octodesk.core.bundle import read_bundle, read_manifest
from octodesk.core.server_engine import MigrateRequest, Side, extract_octopus_zip, migrate


def _project(server: Any, name: str, space: str = "Default") -> dict[str, Any]:
    space_id = server.space_id(space)
    projects = server.snapshot()["documents"]["projects"].values()
    return next(p for p in projects if p["Name"] == name and p["SpaceId"] == space_id)


def _triggers_by_name(server: Any, project: str, space: str = "Default") -> dict[str, Any]:
    """Each trigger of the project with every id it holds replaced by the referenced resource's name."""
    snapshot = server.snapshot()["documents"]
    id_names = {doc["Id"]: doc.get("Name") for route in snapshot.values() for doc in route.values()}
    project_id = _project(server, project, space)["Id"]

    def named(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                key: named(item)
                for key, item in value.items()
                if key not in ("Id", "Links", "SpaceId", "LastModifiedOn")
            }
        if isinstance(value, list):
            return [named(item) for item in value]
        return id_names.get(value, value) if isinstance(value, str) else value

    triggers = snapshot.get("projecttriggers", {}).values()
    return {t["Name"]: named(t) for t in triggers if t["ProjectId"] == project_id}


def test_cross_instance_every_sensitive_value_arrives_and_octodesk_adds_triggers_and_logos(
    source: Any, target: Any, tmp_path: Path
) -> None:
    bundle = tmp_path / "server.octobundle"
    exported = server_export(source, bundle)
    wanted = sensitive_values(source, "Default", TWO_PROJECTS)
    assert exported.details["secrets_carried"] >= 20  # the inventory: what a client export cannot carry
    assert read_manifest(bundle)["engine"] == "server"

    report = server_import(target, bundle)

    assert report.succeeded
    assert names(target, "projects") == sorted(TWO_PROJECTS)
    arrived = sensitive_values(target, "Default", TWO_PROJECTS)
    assert len(wanted) >= 20 and arrived == wanted
    # Octopus's import task leaves triggers and logos out across instances; OctoDesk added them.
    server_log = report.details["server_task"]["warnings"]
    assert any("trigger(s) of 'Web Portal' are not imported" in line for line in server_log)
    assert _triggers_by_name(target, "Web Portal") == _triggers_by_name(source, "Web Portal")
    assert len(_triggers_by_name(target, "Web Portal")) == 2
    source_logo = source.snapshot()["logos"][_project(source, "Web Portal")["Id"]]
    assert target.snapshot()["logos"][_project(target, "Web Portal")["Id"]] == source_logo
    by_engine = report.details["by_engine"]
    assert by_engine["OctoDesk"] == {"ProjectTrigger": {"create": 2}, "ProjectLogo": {"create": 1}}
    assert by_engine["Octopus's import task"]["Project"] == {"create": 2}
    assert {f.category for f in report.follow_ups} >= {"deployment-targets", "package", "workers"}


def test_same_instance_reads_the_export_task_without_download_or_upload(
    sandbox_factory: Callable[..., Any], tmp_path: Path
) -> None:
    server = sandbox_factory("demo")
    bundle = tmp_path / "split.octobundle"
    with client_for(server) as client:
        result = migrate(
            Side(client, "Default"),
            Side(client, "Platform"),
            MigrateRequest(["Web Portal"], bundle, PASSWORD, engine="server"),
            poll=FAST,
        )

    assert result.choice.engine == "server"
    assert result.plan.import_source["Type"] == "space"
    assert not posts(server, "import-files")  # the target read the export task itself
    assert not posts(server, "/logo")  # the same instance keeps the logo: OctoDesk uploads none
    assert sensitive_values(server, "Platform", ["Web Portal"]) == sensitive_values(
        server, "Default", ["Web Portal"]
    )
    logos = server.snapshot()["logos"]
    copied = _project(server, "Web Portal", "Platform")["Id"]
    assert logos[copied] == logos[_project(server, "Web Portal")["Id"]]
    assert _triggers_by_name(server, "Web Portal", "Platform") == _triggers_by_name(server, "Web Portal")
    assert result.import_report is not None
    assert result.import_report.details["by_engine"]["OctoDesk"] == {"ProjectTrigger": {"create": 2}}
    assert bundle.is_file()  # the bundle is always kept


def test_the_extracted_zip_is_the_servers_artifact_byte_for_byte(source: Any, tmp_path: Path) -> None:
    bundle = tmp_path / "server.octobundle"
    report = server_export(source, bundle)
    task_id = report.details["server_task"]["id"]
    space = source.space_id("Default")
    session = requests.Session()
    session.headers["X-Octopus-ApiKey"] = source.api_key
    artifacts = session.get(f"{source.url}/api/{space}/artifacts", params={"regarding": task_id}).json()
    artifact = artifacts["Items"][0]
    served = session.get(source.url + artifact["Links"]["Content"]).content

    out = tmp_path / "octopus.zip"
    size = extract_octopus_zip(bundle, PASSWORD, out)

    assert out.read_bytes() == served and size == len(served)
    manifest = read_bundle(bundle, PASSWORD).manifest
    assert manifest["octopus_export"]["filename"] == artifact["Filename"]
    assert manifest["entries"]["octopus/export.zip"] == manifest["octopus_export"]["sha256"]

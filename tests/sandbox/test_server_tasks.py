"""Server tasks over real HTTP: the lifecycle a client polls, the activity log, cancel, a forced failure,
artifacts, and the shapes the 2021.2 Swagger declares."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sandbox_client import Octo
from server_tasks_client import (
    PASSWORD,
    export_zip,
    log_lines,
    project_ids,
    run_import,
    start_export,
    upload,
    wait_for,
)
from swagger_schema import SwaggerSchemas

from octodesk.sandbox.resources.task_routes import ROUTES
from octodesk.sandbox.store import Store
from octodesk.sandbox.tasks import CANCELED, QUEUED, TaskEngine, TaskRun


@pytest.fixture
def demo(sandbox_factory: Callable[..., Any]) -> Octo:
    return Octo(sandbox_factory("demo"))


def test_an_export_task_goes_queued_executing_success_and_attaches_its_zip(
    sandbox_factory: Callable[..., Any],
) -> None:
    octo = Octo(sandbox_factory("demo", latency_ms=100))
    started = start_export(octo, project_ids(octo, "Database Migrations"))
    seen = []
    while not seen or seen[-1]["State"] not in ("Success", "Failed", "Canceled"):
        seen.append(octo.ok(octo.get(f"/api/tasks/{started['TaskId']}")))
    states = [task["State"] for task in seen]
    assert states[0] == "Queued" and seen[0]["StartTime"] is None and seen[0]["Completed"] == "Queued..."
    assert "Executing" in states and states[-1] == "Success"
    assert states == sorted(states, key=["Queued", "Executing", "Success"].index)
    done = seen[-1]
    assert done["IsCompleted"] and done["FinishedSuccessfully"] and done["ErrorMessage"] == ""
    assert done["StartTime"] and done["CompletedTime"] and done["Duration"].endswith(("second", "seconds"))
    assert done["Name"] == "ExportProjects" and done["Description"] == "Export projects: Database Migrations"
    assert done["Links"]["Details"] == f"/api/tasks/{done['Id']}/details{{?verbose,tail}}"
    artifacts = octo.ok(octo.get(done["Links"]["Artifacts"]))
    assert artifacts["TotalResults"] == 1
    artifact = artifacts["Items"][0]
    assert (
        artifact["Filename"] == f"Octopus-Export-{done['Id']}.zip" and artifact["ServerTaskId"] == done["Id"]
    )
    content = octo.session.get(octo.server.url + artifact["Links"]["Content"], timeout=10)
    assert content.headers["Content-Type"] == "application/zip" and content.content[:2] == b"PK"
    assert octo.ok(octo.get(f"{octo.p}/artifacts/{artifact['Id']}")) == artifact


def test_details_carry_the_activity_log_with_verbose_and_tail(demo: Octo) -> None:
    task_id, _data = export_zip(demo, "Web Portal")
    details = demo.ok(demo.get(f"/api/tasks/{task_id}/details"))
    assert details["Task"]["Id"] == task_id and details["Progress"]["ProgressPercentage"] == 100
    root = details["ActivityLogs"][0]
    assert root["Status"] == "Success" and [c["Status"] for c in root["Children"]] == ["Success"] * 3
    lines = log_lines(demo, task_id)
    assert any(line.startswith("Attached the artifact Octopus-Export-") for line in lines)
    assert "2 runbooks" in lines and "1 certificates" in lines  # what the export collected
    assert len(log_lines(demo, task_id, tail=1)) == sum(1 for c in root["Children"] if c["LogElements"])
    assert log_lines(demo, task_id, tail=0) == []
    assert demo.get(f"/api/tasks/{task_id}/details", verbose="maybe").status_code == 400
    raw = demo.get(f"/api/tasks/{task_id}/raw")
    assert raw.headers["Content-Type"].startswith("text/plain") and "Attached the artifact" in raw.text
    verbose = demo.get(f"/api/tasks/{task_id}/details", verbose="true").text
    assert PASSWORD not in raw.text + verbose + demo.get(f"/api/tasks/{task_id}").text  # never logged


def test_verbose_lines_show_only_when_asked(sandbox_factory: Callable[..., Any]) -> None:
    source = Octo(sandbox_factory("demo"))
    target = Octo(sandbox_factory("demo"))  # already has the shared resources: the import reuses them
    target.ok(target.delete(f"{target.p}/projects/{project_ids(target, 'Database Migrations')[0]}"))
    _task, data = export_zip(source, "Database Migrations")
    task = run_import(target, {"Type": "upload", "UploadedFileId": upload(target, "d.zip", data)["Id"]})
    assert task["State"] == "Success", task["ErrorMessage"]
    quiet, verbose = log_lines(target, task["Id"]), log_lines(target, task["Id"], verbose="true")
    assert not any(line.startswith("Using the existing") for line in quiet)
    assert any(line == "Using the existing lifecycle 'Default Lifecycle'." for line in verbose)


def test_cancel_while_executing_goes_cancelling_then_canceled(sandbox_factory: Callable[..., Any]) -> None:
    octo = Octo(sandbox_factory("demo", latency_ms=60))
    started = start_export(octo, project_ids(octo, "Web Portal"))
    task = octo.ok(octo.get(f"/api/tasks/{started['TaskId']}"))
    while task["State"] == "Queued":
        task = octo.ok(octo.get(f"/api/tasks/{started['TaskId']}"))
    assert task["State"] == "Executing"

    cancelled = octo.ok(octo.post(f"/api/tasks/{started['TaskId']}/cancel", None))

    assert cancelled["State"] == "Cancelling" and cancelled["IsCompleted"] is False
    done = wait_for(octo, started["TaskId"])
    assert done["State"] == "Canceled" and done["FinishedSuccessfully"] is False
    assert done["ErrorMessage"] == "The task was canceled."
    assert octo.ok(octo.get(f"{octo.p}/artifacts", regarding=done["Id"]))["TotalResults"] == 0
    again = octo.ok(octo.post(f"{octo.p}/tasks/{done['Id']}/cancel", None))  # too late: answered as it is
    assert again["State"] == "Canceled"


def test_a_queued_task_cancels_at_once_and_never_runs() -> None:
    ran = threading.Event()
    engine = TaskEngine(Store(), latency=lambda: 30.0)  # it would sit in Queued for a minute

    def work(run: TaskRun) -> None:
        ran.set()

    task = engine.queue("Spaces-1", "ExportProjects", "Export", {}, work)
    assert task.state == QUEUED
    engine.cancel(task)
    assert task.state == CANCELED and task.completed_time is not None
    time.sleep(0.05)
    assert not ran.is_set()
    engine.shutdown()


def test_the_next_task_can_be_made_to_fail(demo: Octo) -> None:
    demo.server.fail_next_task("Disk full while writing the export.")
    failed = wait_for(demo, start_export(demo, project_ids(demo, "Web Portal"))["TaskId"])
    assert failed["State"] == "Failed" and failed["ErrorMessage"] == "Disk full while writing the export."
    assert failed["HasWarningsOrErrors"] is True and failed["FinishedSuccessfully"] is False
    assert "Disk full while writing the export." in log_lines(demo, failed["Id"])
    assert demo.ok(demo.get(f"{demo.p}/artifacts", regarding=failed["Id"]))["TotalResults"] == 0
    assert wait_for(demo, start_export(demo, project_ids(demo, "Web Portal"))["TaskId"])["State"] == "Success"


def test_export_requests_are_validated_before_any_task(demo: Octo) -> None:
    url = f"{demo.p}/projects/import-export/export"
    password = {"HasValue": True, "NewValue": "pw"}
    assert demo.post(url, {"IncludedProjectIds": [], "Password": password}).status_code == 400
    no_password = demo.post(url, {"IncludedProjectIds": project_ids(demo, "Web Portal")})
    assert no_password.status_code == 400 and "password is required" in no_password.json()["ErrorMessage"]
    unknown = demo.post(url, {"IncludedProjectIds": ["Projects-999999"], "Password": password})
    assert unknown.status_code == 400 and "Projects-999999" in unknown.json()["ErrorMessage"]
    cac = demo.post(url, {"IncludedProjectIds": project_ids(demo, "Mobile App (Git)"), "Password": password})
    assert cac.status_code == 400 and "version controlled" in cac.json()["ErrorMessage"]
    assert demo.get(url).status_code == 405


def test_version_controlled_projects_export_from_2025_2_5601(sandbox_factory: Callable[..., Any]) -> None:
    octo = Octo(sandbox_factory("demo", version="2025.2.5601"))
    task = wait_for(octo, start_export(octo, project_ids(octo, "Mobile App (Git)"))["TaskId"])
    assert task["State"] == "Success", task["ErrorMessage"]


def test_tasks_and_artifacts_belong_to_their_space(demo: Octo) -> None:
    task_id, _data = export_zip(demo, "Web Portal")
    platform = f"/api/{demo.server.space_id('Platform')}"
    assert demo.get(f"{platform}/tasks/{task_id}").status_code == 404
    assert demo.get(f"{demo.p}/tasks/{task_id}").status_code == 200
    assert demo.get("/api/tasks/ServerTasks-1").status_code == 404
    artifact = demo.ok(demo.get(f"{demo.p}/artifacts", regarding=task_id))["Items"][0]
    assert demo.get(f"{platform}/artifacts/{artifact['Id']}/content").status_code == 404
    assert demo.ok(demo.get(f"{platform}/artifacts"))["TotalResults"] == 0
    assert demo.ok(demo.get("/api/artifacts", regarding=task_id))["TotalResults"] == 1  # default space
    assert demo.get(f"/api/tasks/{task_id}/cancel").status_code == 405
    assert demo.get("/api/Spaces-999999/tasks/" + task_id).status_code == 404


def test_import_export_routes_and_links_exist_from_2021_1(sandbox_factory: Callable[..., Any]) -> None:
    old = Octo(sandbox_factory("demo", version="2020.6.4200"))
    assert old.post(f"{old.p}/projects/import-export/export", {}).status_code == 404
    assert "ExportProjects" not in old.ok(old.get("/api"))["Links"]
    current = Octo(sandbox_factory("empty", version="2021.1.7500"))
    links = current.ok(current.get(current.p))["Links"]
    assert links["ExportProjects"] == f"{current.p}/projects/import-export/export"
    assert links["ProjectImportPreview"] == f"{current.p}/projects/import-export/import/preview"
    assert (
        current.ok(current.get("/api"))["Links"]["ImportProjects"]
        == f"{current.p}/projects/import-export/import"
    )


def test_task_details_and_artifact_shapes_conform_to_the_swagger(demo: Octo, swagger: dict[str, Any]) -> None:
    schemas = SwaggerSchemas(swagger)
    task_id, _data = export_zip(demo, "Billing API")
    assert schemas.errors(demo.ok(demo.get(f"/api/tasks/{task_id}")), "TaskResource") == []
    assert schemas.errors(demo.ok(demo.get(f"/api/tasks/{task_id}/details")), "TaskDetailsResource") == []
    cancelled = demo.ok(demo.post(f"/api/tasks/{task_id}/cancel", None))
    assert schemas.errors(cancelled, "TaskResource") == []
    artifacts = demo.ok(demo.get(f"{demo.p}/artifacts", regarding=task_id))
    assert schemas.collection_errors(artifacts, "ArtifactResource") == []


def test_every_task_route_has_an_evidence_row() -> None:
    evidence = (Path(__file__).resolve().parents[2] / "docs" / "api-evidence.md").read_text()
    section = evidence.split("## Import/export tasks", 1)[1].split("\n## ", 1)[0]
    rows = {
        (cells[1], cells[2].strip("`"))
        for line in section.splitlines()
        if line.startswith("| ") and len(cells := [c.strip() for c in line.split("|")]) > 3
    }
    assert {(route.method, route.template) for route in ROUTES} == rows - {("Method", "Route")}

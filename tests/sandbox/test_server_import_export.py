"""The sandbox's own Export/Import Projects over real HTTP: every sensitive value arrives, the documented
rules (name matching, merges, refusals, what stays out) hold, and a failed import leaves nothing behind."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

from sandbox_client import Octo
from server_tasks_client import (
    export_zip,
    import_body,
    log_lines,
    project_ids,
    run_import,
    sensitive_values,
    start_export,
    template_uses,
    upload,
    wait_for,
)


def test_cross_instance_import_carries_every_sensitive_value(source: Octo, target: Octo) -> None:
    _task, data = export_zip(source, "Web Portal", "Billing API")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"azure-SP-s3cret-value" not in b"".join(archive.read(n) for n in archive.namelist())
    uploaded = upload(target, "projects.zip", data)
    assert uploaded == {"Id": "projects.zip", "FileName": "projects.zip"}
    listed = target.ok(target.get(f"{target.p}/projects/import-export/import-files"))
    assert listed == {"ProjectImportFiles": [uploaded]}

    task = run_import(target, {"Type": "upload", "UploadedFileId": uploaded["Id"]})

    assert task["State"] == "Success", task["ErrorMessage"]
    names = sorted(p["Name"] for p in target.ok(target.get(f"{target.p}/projects/all")))
    assert names == ["Billing API", "Web Portal"]
    wanted = sensitive_values(source.server, "Default", ["Web Portal", "Billing API"])
    arrived = sensitive_values(target.server, "Default", ["Web Portal", "Billing API"])
    assert len(wanted) >= 20  # variables, library sets, steps, tenants, accounts, certificate, feed
    assert arrived == wanted
    used = template_uses(source.server, "Default", names)
    assert len(used) >= 5 and template_uses(target.server, "Default", names) == used


def test_export_brings_the_projects_deploy_release_steps_deploy(source: Octo, target: Octo) -> None:
    started = start_export(source, project_ids(source, "Release Orchestrator"))
    assert sorted(started["ProjectIds"]) == sorted(
        project_ids(source, "Release Orchestrator", "Web Portal", "Billing API")
    )
    task = wait_for(source, started["TaskId"])
    artifact = source.ok(source.get(f"{source.p}/artifacts", regarding=task["Id"]))["Items"][0]
    data = source.session.get(source.server.url + artifact["Links"]["Content"], timeout=10).content
    assert (
        run_import(target, {"Type": "upload", "UploadedFileId": upload(target, "o.zip", data)["Id"]})["State"]
        == "Success"
    )
    projects = {p["Name"]: p for p in target.ok(target.get(f"{target.p}/projects/all"))}
    assert set(projects) == {"Release Orchestrator", "Web Portal", "Billing API"}
    process = target.ok(
        target.get(
            f"{target.p}/deploymentprocesses/{projects['Release Orchestrator']['DeploymentProcessId']}"
        )
    )
    deployed = {
        action["Properties"]["Octopus.Action.DeployRelease.ProjectId"]
        for step in process["Steps"]
        for action in step["Actions"]
    }
    assert deployed == {projects["Web Portal"]["Id"], projects["Billing API"]["Id"]}


def test_what_stays_out_across_instances_triggers_logos_and_unmatched_machine_scopes(
    source: Octo, target: Octo
) -> None:
    _task, data = export_zip(source, "Web Portal")
    task = run_import(target, {"Type": "upload", "UploadedFileId": upload(target, "w.zip", data)["Id"]})
    assert task["State"] == "Success" and task["HasWarningsOrErrors"] is True
    project = next(p for p in target.ok(target.get(f"{target.p}/projects/all")) if p["Name"] == "Web Portal")
    assert target.ok(target.get(f"{target.p}/projects/{project['Id']}/triggers"))["TotalResults"] == 0
    assert project["Id"] not in target.server.snapshot()["logos"]
    lines = log_lines(target, task["Id"])
    assert any("trigger(s) of 'Web Portal' are not imported" in line for line in lines)
    assert any("logo of 'Web Portal' is not imported" in line for line in lines)
    assert any("Machine scope has no match" in line for line in lines)
    assert target.ok(target.get(f"{target.p}/machines"))["TotalResults"] == 0  # targets never travel
    environments = {e["Name"] for e in target.ok(target.get(f"{target.p}/environments/all"))}
    assert "Sandbox Lab" not in environments and {"Test", "Production"} <= environments


def test_same_instance_import_by_space_source_keeps_the_logo_and_every_secret(
    sandbox_factory: Callable[..., Any],
) -> None:
    server = sandbox_factory("demo")
    default, platform = Octo(server), Octo(server)
    platform.space = server.space_id("Platform")
    platform.p = f"/api/{platform.space}"
    export_task, _data = export_zip(default, "Web Portal")

    task = run_import(platform, {"Type": "space", "SpaceId": default.space, "TaskId": export_task})

    assert task["State"] == "Success", task["ErrorMessage"]
    copied = next(
        p for p in platform.ok(platform.get(f"{platform.p}/projects/all")) if p["Name"] == "Web Portal"
    )
    original = project_ids(default, "Web Portal")[0]
    logos = server.snapshot()["logos"]
    assert logos[copied["Id"]] == logos[original]
    assert sensitive_values(server, "Platform", ["Web Portal"]) == sensitive_values(
        server, "Default", ["Web Portal"]
    )
    assert any("Kept the logo" in line for line in log_lines(platform, task["Id"]))


def test_a_wrong_password_fails_the_preview_and_the_import_task_and_writes_nothing(
    source: Octo, target: Octo
) -> None:
    _task, data = export_zip(source, "Web Portal")
    source_ref = {"Type": "upload", "UploadedFileId": upload(target, "w.zip", data)["Id"]}
    before = target.server.snapshot()

    preview = target.post(
        f"{target.p}/projects/import-export/import/preview", import_body(source_ref, "wrong")
    )
    assert preview.status_code == 400
    assert "password" in preview.json()["ErrorMessage"]
    task = run_import(target, source_ref, password="wrong")

    assert task["State"] == "Failed"
    assert "password is not the one the projects were exported with" in task["ErrorMessage"]
    assert target.server.snapshot() == before


def test_an_existing_project_is_refused_by_the_preview_and_the_import(source: Octo, target: Octo) -> None:
    _task, data = export_zip(source, "Web Portal", "Billing API")
    target.project("web portal")  # same name, other case
    source_ref = {"Type": "upload", "UploadedFileId": upload(target, "w.zip", data)["Id"]}
    before = target.server.snapshot()

    preview = target.post(f"{target.p}/projects/import-export/import/preview", import_body(source_ref))
    assert preview.status_code == 400
    assert "The project 'Web Portal' already exists" in preview.json()["ErrorMessage"]
    task = run_import(target, source_ref)

    assert task["State"] == "Failed"
    assert "The project 'Web Portal' already exists" in task["ErrorMessage"]
    assert target.server.snapshot() == before


def test_a_newer_source_server_is_refused(sandbox_factory: Callable[..., Any]) -> None:
    newer = Octo(sandbox_factory("demo", version="2024.1.1"))
    older = Octo(sandbox_factory("empty", version="2023.1.9626"))
    _task, data = export_zip(newer, "Database Migrations")
    source_ref = {"Type": "upload", "UploadedFileId": upload(older, "d.zip", data)["Id"]}

    preview = older.post(f"{older.p}/projects/import-export/import/preview", import_body(source_ref))
    task = run_import(older, source_ref)

    assert preview.status_code == 400
    assert "newer than this server (2023.1.9626)" in preview.json()["ErrorMessage"]
    assert task["State"] == "Failed" and "2024.1.1" in task["ErrorMessage"]


def test_the_preview_lists_what_the_export_carries_per_kind(source: Octo, target: Octo) -> None:
    _task, data = export_zip(source, "Web Portal")
    source_ref = {"Type": "upload", "UploadedFileId": upload(target, "w.zip", data)["Id"]}

    preview = target.ok(
        target.post(f"{target.p}/projects/import-export/import/preview", import_body(source_ref))
    )

    assert set(preview) == {
        "Accounts",
        "Certificates",
        "Environments",
        "Feeds",
        "Lifecycles",
        "Projects",
        "WorkerPools",
    }
    assert {"Name": "Azure Portal Subscription", "Type": "AzureServicePrincipal"} in preview["Accounts"]
    assert preview["Certificates"] == ["Portal TLS"]
    assert preview["Projects"] == [
        {
            "Name": "Web Portal",
            "Channels": ["Default", "Hotfix"],
            "Runbooks": ["Clean IIS Logs", "Recycle App Pool"],
        }
    ]
    assert {"Name": "Acme NuGet", "Type": "NuGet"} in preview["Feeds"]
    assert all(set(pool) == {"Name", "Type", "IsDynamic"} for pool in preview["WorkerPools"])
    assert target.ok(target.get(f"{target.p}/projects/all")) == []  # a preview writes nothing

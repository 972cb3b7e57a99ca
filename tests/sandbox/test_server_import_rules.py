"""The documented import rules on a target that already has some of what the export carries
(docs/import-rules.md): library variable sets and tenants are merged, accounts reused untouched, step
templates matched by name and version, hosting differences converted; and a failed import puts everything
back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sandbox_client import Octo
from server_tasks_client import export_zip, import_body, log_lines, run_import, secret, upload

from octodesk.sandbox.portable import importer
from octodesk.sandbox.portable.target import ImportFailed, ImportTarget
from octodesk.sandbox.resources.tenants import stored_legacy_values


def stored(octo: Octo, route: str, doc_id: str) -> dict[str, Any]:
    doc: dict[str, Any] = octo.server.snapshot()["documents"][route][doc_id]
    return doc


def by_name(octo: Octo, route: str, name: str) -> dict[str, Any]:
    items = [item for item in octo.ok(octo.get(f"{octo.p}/{route}/all")) if item["Name"] == name]
    assert len(items) == 1, f"{len(items)} {route} named {name!r}"
    return items[0]


def import_zip(octo: Octo, data: bytes) -> dict[str, Any]:
    return run_import(octo, {"Type": "upload", "UploadedFileId": upload(octo, "export.zip", data)["Id"]})


def test_library_sets_and_tenants_merge_and_same_named_accounts_are_reused(
    source: Octo, target: Octo
) -> None:
    production = target.create("environments", {"Name": "Production"})
    common = target.create("libraryvariablesets", {"Name": "Common Settings", "ContentType": "Variables"})
    variables_url = f"{target.p}/variables/{common['VariableSetId']}"
    own = target.ok(target.get(variables_url))
    own["Variables"] = [
        {"Name": "Smtp.Password", "Value": "target-secret", "Type": "Sensitive", "IsSensitive": True},
        {"Name": "Logging.Level", "Value": "Error", "Scope": {"Environment": [production["Id"]]}},
        {"Name": "Target.Only", "Value": "kept"},
    ]
    target.ok(target.put(variables_url, own))
    intranet = target.project("Intranet")
    tenant = target.create(
        "tenants", {"Name": "Contoso Pharmacy", "ProjectEnvironments": {intranet["Id"]: [production["Id"]]}}
    )
    azure = target.create(
        "accounts",
        {
            "Name": "Azure Portal Subscription",
            "AccountType": "AzureServicePrincipal",
            "SubscriptionNumber": "00000000-0000-0000-0000-000000000000",
            "ClientId": "target-client",
            "TenantId": "target-tenant",
            "Password": secret("target-azure"),
        },
    )
    _task, data = export_zip(source, "Web Portal")

    task = import_zip(target, data)

    assert task["State"] == "Success", task["ErrorMessage"]
    merged = {
        (v["Name"], tuple(target_env_names(target, v))): v["Value"]
        for v in stored(target, "variables", common["VariableSetId"])["Variables"]
    }
    assert merged[("Smtp.Password", ())] == "target-secret"  # same name and scope: left untouched
    assert merged[("Logging.Level", ("Production",))] == "Error"
    assert merged[("Logging.Level", ("Development", "Test"))] == "Debug"  # added, scoped on the target
    assert merged[("Telemetry.ApiKey", ("Production",))] == "tel-4f1c9a7e-prod"  # a sensitive value added
    assert merged[("Target.Only", ())] == "kept"
    assert any("Merged the variable set 'Common Settings'" in line for line in log_lines(target, task["Id"]))
    portal = by_name(target, "projects", "Web Portal")
    connections = stored(target, "tenants", tenant["Id"])["ProjectEnvironments"]
    assert connections[intranet["Id"]] == [production["Id"]]
    assert sorted(connections[portal["Id"]]) == sorted(
        by_name(target, "environments", n)["Id"] for n in ("Test", "Production")
    )
    values = stored_legacy_values(target.server.store, tenant["Id"])
    by_environment = values["ProjectVariables"][portal["Id"]]
    licences = [
        value["NewValue"]
        for env in by_environment.values()
        for value in env.values()
        if isinstance(value, dict)
    ]
    assert sorted(licences) == ["LIC-CONTOSO-0", "LIC-CONTOSO-1"]
    assert [t["Name"] for t in stored(target, "libraryvariablesets", common["Id"])["Templates"]] == [
        "Tenant.ContactEmail",
        "Tenant.SupportPin",
    ]
    assert len([a for a in target.ok(target.get(f"{target.p}/accounts/all")) if "Azure" in a["Name"]]) == 1
    assert stored(target, "accounts", azure["Id"])["Password"]["NewValue"] == "target-azure"
    process = stored(target, "deploymentprocesses", portal["DeploymentProcessId"])
    account_ids = {
        a["Properties"].get("Octopus.Action.Azure.AccountId") for s in process["Steps"] for a in s["Actions"]
    }
    assert azure["Id"] in account_ids


def target_env_names(octo: Octo, variable: dict[str, Any]) -> list[str]:
    names = {e["Id"]: e["Name"] for e in octo.ok(octo.get(f"{octo.p}/environments/all"))}
    return sorted(names[e] for e in variable.get("Scope", {}).get("Environment", []))


def test_step_templates_are_matched_by_name_and_version(source: Octo, target: Octo) -> None:
    original = by_name(source, "actiontemplates", "SQL - Run Script")
    body = {
        k: original[k] for k in ("Name", "Description", "ActionType", "Properties", "Parameters", "Packages")
    }
    mine = target.create("actiontemplates", body)
    target.ok(
        target.put(f"{target.p}/actiontemplates/{mine['Id']}", {**mine, "Description": "Changed here."})
    )
    assert by_name(target, "actiontemplates", "SQL - Run Script")["Version"] == 1
    _task, data = export_zip(source, "Database Migrations", "Billing API")  # versions 0 and 2

    assert import_zip(target, data)["State"] == "Success"

    history = target.server.snapshot()["template_versions"][mine["Id"]]
    assert sorted(history) == ["0", "1", "2"]  # 0 reused as it was, 2 imported with the source's number
    assert (
        history["0"]["Description"] == original["Description"]
        and history["1"]["Description"] == "Changed here."
    )
    source_v2 = source.server.snapshot()["template_versions"][original["Id"]]["2"]
    assert history["2"]["Properties"] == source_v2["Properties"]
    assert by_name(target, "actiontemplates", "SQL - Run Script")["Version"] == 2
    uses = set()
    for name in ("Database Migrations", "Billing API"):
        process = stored(
            target, "deploymentprocesses", by_name(target, "projects", name)["DeploymentProcessId"]
        )
        for step in process["Steps"]:
            for action in step["Actions"]:
                if action["Properties"].get("Octopus.Action.Template.Id"):
                    uses.add(
                        (
                            name,
                            action["Properties"]["Octopus.Action.Template.Id"],
                            str(action["Properties"]["Octopus.Action.Template.Version"]),
                        )
                    )
    assert ("Database Migrations", mine["Id"], "0") in uses and ("Billing API", mine["Id"], "2") in uses


def test_run_on_server_steps_move_to_the_default_pool_on_cloud(
    source: Octo, sandbox_factory: Callable[..., Any]
) -> None:
    cloud = Octo(sandbox_factory("empty", hosting="cloud"))
    _task, data = export_zip(source, "Database Migrations")

    task = import_zip(cloud, data)

    assert task["State"] == "Success", task["ErrorMessage"]
    process = stored(
        cloud, "deploymentprocesses", by_name(cloud, "projects", "Database Migrations")["DeploymentProcessId"]
    )
    lock_step = next(s for s in process["Steps"] if s["Name"] == "Check migration lock")
    assert (
        lock_step["Actions"][0]["WorkerPoolId"] == by_name(cloud, "workerpools", "Default Worker Pool")["Id"]
    )
    assert any("ran on the server" in line for line in log_lines(cloud, task["Id"]))


def test_dynamic_worker_pools_become_static_on_a_self_hosted_target(
    sandbox_factory: Callable[..., Any], target: Octo
) -> None:
    cloud = Octo(sandbox_factory("empty", hosting="cloud"))
    pool = cloud.create(
        "workerpools",
        {"Name": "Hosted Ubuntu", "WorkerPoolType": "DynamicWorkerPool", "WorkerType": "Ubuntu"},
    )
    project = cloud.project("Builds")
    url = f"{cloud.p}/deploymentprocesses/{project['DeploymentProcessId']}"
    process = cloud.ok(cloud.get(url))
    process["Steps"] = [
        {
            "Name": "Build",
            "Actions": [
                {
                    "Name": "Build",
                    "ActionType": "Octopus.Script",
                    "WorkerPoolId": pool["Id"],
                    "Properties": {"Octopus.Action.Script.ScriptBody": "make"},
                }
            ],
        }
    ]
    cloud.ok(cloud.put(url, process))
    _task, data = export_zip(cloud, "Builds")

    assert import_zip(target, data)["State"] == "Success"

    imported = by_name(target, "workerpools", "Hosted Ubuntu")
    assert imported["WorkerPoolType"] == "StaticWorkerPool"
    steps = stored(
        target, "deploymentprocesses", by_name(target, "projects", "Builds")["DeploymentProcessId"]
    )
    assert steps["Steps"][0]["Actions"][0]["WorkerPoolId"] == imported["Id"]


def test_a_write_refused_part_way_puts_the_target_back(
    source: Octo, target: Octo, monkeypatch: pytest.MonkeyPatch
) -> None:
    _task, data = export_zip(source, "Web Portal")
    source_ref = {"Type": "upload", "UploadedFileId": upload(target, "w.zip", data)["Id"]}
    before = target.server.snapshot()

    def refused(import_target: ImportTarget) -> None:
        raise ImportFailed("The import could not write projects: simulated refusal")

    monkeypatch.setattr(importer, "import_projects", refused)
    task = run_import(target, source_ref)

    assert task["State"] == "Failed" and "simulated refusal" in task["ErrorMessage"]
    assert any("Created the environment" in line for line in log_lines(target, task["Id"]))  # it had begun
    assert target.server.snapshot() == before


def test_import_sources_are_checked_before_any_task(source: Octo, target: Octo) -> None:
    preview_url = f"{target.p}/projects/import-export/import/preview"
    import_url = f"{target.p}/projects/import-export/import"
    unknown = target.post(import_url, import_body({"Type": "upload", "UploadedFileId": "missing.zip"}))
    assert unknown.status_code == 400 and "missing.zip" in unknown.json()["ErrorMessage"]
    capitalised = target.post(import_url, import_body({"Type": "Upload", "UploadedFileId": "x.zip"}))
    assert capitalised.status_code == 400 and "lower case" in capitalised.json()["ErrorMessage"]
    not_export = target.post(
        import_url, import_body({"Type": "space", "SpaceId": target.space, "TaskId": "ServerTasks-1"})
    )
    assert not_export.status_code == 400
    no_password = target.post(import_url, {"ImportSource": {"Type": "upload", "UploadedFileId": "x.zip"}})
    assert no_password.status_code == 400
    upload(target, "notes.zip", b"this is not a zip")
    not_zip = target.post(preview_url, import_body({"Type": "upload", "UploadedFileId": "notes.zip"}))
    assert not_zip.status_code == 400 and "not a zip file" in not_zip.json()["ErrorMessage"]
    plain = target.session.post(
        f"{target.server.url}{target.p}/projects/import-export/import-files", data=b"x"
    )
    assert plain.status_code == 400
    task_id, _data = export_zip(source, "Web Portal")
    other_instance = target.post(
        import_url, import_body({"Type": "space", "SpaceId": source.space, "TaskId": task_id})
    )
    assert other_instance.status_code == 400  # a space source is this instance's own export task only

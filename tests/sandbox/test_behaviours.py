"""Server behaviours clients rely on: children created with their owner, unique names, versions, logos."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox_client import Octo


def test_creating_a_project_creates_process_variable_set_and_default_channel(octo: Octo) -> None:
    project = octo.project("Web Portal")
    pid = project["Id"]
    assert project["Slug"] == "web-portal"
    assert project["DeploymentProcessId"] == f"deploymentprocess-{pid}"
    assert project["VariableSetId"] == f"variableset-{pid}"
    assert project["LastModifiedOn"]
    process = octo.ok(octo.get(f"{octo.p}/deploymentprocesses/{project['DeploymentProcessId']}"))
    assert (process["ProjectId"], process["Steps"], process["Version"]) == (pid, [], 0)
    assert octo.ok(octo.get(f"{octo.p}/projects/{pid}/deploymentprocesses"))["Id"] == process["Id"]
    variables = octo.ok(octo.get(f"{octo.p}/variables/{project['VariableSetId']}"))
    assert (variables["OwnerId"], variables["Variables"]) == (pid, [])
    assert project["Links"]["Variables"] == f"{octo.p}/variables/{project['VariableSetId']}"
    assert octo.get(f"{octo.p}/projects/{pid}/variables").status_code == 404  # 2024.3+ only
    channels = octo.ok(octo.get(f"{octo.p}/projects/{pid}/channels"))["Items"]
    assert [(c["Name"], c["IsDefault"], c["ProjectId"]) for c in channels] == [("Default", True, pid)]


def test_library_variable_set_and_runbook_create_their_children(octo: Octo) -> None:
    library = octo.create("libraryvariablesets", {"Name": "Common"})
    assert library["VariableSetId"] == f"variableset-{library['Id']}"
    assert octo.ok(octo.get(f"{octo.p}/variables/{library['VariableSetId']}"))["OwnerId"] == library["Id"]
    project = octo.project("Ops")
    runbook = octo.create("runbooks", {"Name": "Restart", "ProjectId": project["Id"]})
    assert runbook["RunbookProcessId"] == f"RunbookProcess-{runbook['Id']}"
    process = octo.ok(octo.get(f"{octo.p}/runbookProcesses/{runbook['RunbookProcessId']}"))
    assert (process["RunbookId"], process["ProjectId"]) == (runbook["Id"], project["Id"])
    listed = octo.ok(octo.get(f"{octo.p}/projects/{project['Id']}/runbooks"))["Items"]
    assert [r["Name"] for r in listed] == ["Restart"]


def test_new_space_has_builtin_feed_default_lifecycle_pool_and_managers(octo: Octo) -> None:
    space = octo.ok(octo.post("/api/spaces", {"Name": "Second"}))
    prefix = f"/api/{space['Id']}"
    feeds = octo.ok(octo.get(f"{prefix}/feeds/all"))
    assert [(f["Name"], f["FeedType"]) for f in feeds] == [
        ("Octopus Server (built-in)", "BuiltIn"),
        ("Octopus Server Releases (built-in)", "OctopusProject"),
    ]
    assert [lc["Name"] for lc in octo.ok(octo.get(f"{prefix}/lifecycles/all"))] == ["Default Lifecycle"]
    pools = octo.ok(octo.get(f"{prefix}/workerpools/all"))
    assert [(p["Name"], p["IsDefault"]) for p in pools] == [("Default Worker Pool", True)]


def test_names_are_unique_per_space_and_channels_runbooks_per_project(octo: Octo) -> None:
    octo.create("environments", {"Name": "Production"})
    clash = octo.post(f"{octo.p}/environments", {"Name": "production"})
    assert clash.status_code == 400
    assert "already exists" in clash.json()["ErrorMessage"] and clash.json()["Errors"]
    first, second = octo.project("One"), octo.project("Two")
    for project in (first, second):  # the same channel name in two projects is fine
        octo.create("channels", {"Name": "Hotfix", "ProjectId": project["Id"]})
        octo.create("runbooks", {"Name": "Backup", "ProjectId": project["Id"]})
    assert octo.post(f"{octo.p}/channels", {"Name": "Hotfix", "ProjectId": first["Id"]}).status_code == 400
    assert octo.post(f"{octo.p}/runbooks", {"Name": "backup", "ProjectId": first["Id"]}).status_code == 400
    assert octo.post(f"{octo.p}/projects", {"Name": "One"}).status_code == 400
    slug_clash = octo.post(
        f"{octo.p}/projects",
        {"Name": "One!", "ProjectGroupId": first["ProjectGroupId"], "LifecycleId": first["LifecycleId"]},
    )
    assert slug_clash.status_code == 400 and "slug" in slug_clash.json()["ErrorMessage"]


def test_renaming_onto_an_existing_name_is_refused_but_keeping_ones_own_is_not(octo: Octo) -> None:
    octo.create("environments", {"Name": "Test"})
    staging = octo.create("environments", {"Name": "Staging"})
    assert octo.put(f"{octo.p}/environments/{staging['Id']}", {**staging, "Name": "Test"}).status_code == 400
    updated = octo.ok(octo.put(f"{octo.p}/environments/{staging['Id']}", {**staging, "Description": "QA"}))
    assert updated["Description"] == "QA"


def test_child_documents_version_increments_on_put_and_steps_get_guids(octo: Octo) -> None:
    project = octo.project("Versioned")
    url = f"{octo.p}/deploymentprocesses/{project['DeploymentProcessId']}"
    process = octo.ok(octo.get(url))
    process["Steps"] = [{"Name": "Run", "Actions": [{"Name": "Run", "ActionType": "Octopus.Script"}]}]
    saved = octo.ok(octo.put(url, process))
    assert saved["Version"] == 1
    step = saved["Steps"][0]
    assert len(step["Id"]) == 36 and len(step["Actions"][0]["Id"]) == 36
    again = octo.ok(octo.put(url, saved))
    assert again["Version"] == 2 and again["Steps"][0]["Id"] == step["Id"]


def test_step_template_versions_increment_and_old_versions_stay_readable(octo: Octo) -> None:
    body = {
        "Name": "Notify",
        "ActionType": "Octopus.Script",
        "Properties": {"Octopus.Action.Script.ScriptBody": "v0"},
    }
    template = octo.create("actiontemplates", body)
    assert template["Version"] == 0
    url = f"{octo.p}/actiontemplates/{template['Id']}"
    unchanged = octo.ok(octo.put(url, template))
    assert unchanged["Version"] == 0
    changed = {**template, "Properties": {"Octopus.Action.Script.ScriptBody": "v1"}}
    assert octo.ok(octo.put(url, changed))["Version"] == 1
    old = octo.ok(octo.get(f"{url}/versions/0"))
    assert old["Properties"]["Octopus.Action.Script.ScriptBody"] == "v0"
    assert octo.ok(octo.get(f"{url}/versions/1"))["Properties"]["Octopus.Action.Script.ScriptBody"] == "v1"
    assert octo.get(f"{url}/versions/5").status_code == 404
    assert [v["Version"] for v in octo.ok(octo.get(f"{url}/versions"))["Items"]] == [1, 0]


def test_logo_upload_round_trips_and_changes_the_logo_link(octo: Octo) -> None:
    project = octo.project("Logo")
    url = octo.server.url + f"{octo.p}/projects/{project['Id']}/logo"
    default = octo.session.get(url, timeout=10)
    assert default.headers["Content-Type"] == "image/png" and default.content.startswith(b"\x89PNG")
    files = {"fileData": ("logo.svg", b"<svg/>", "image/svg+xml")}
    assert octo.session.post(url, files=files, timeout=10).status_code == 200
    uploaded = octo.session.get(url, timeout=10)
    assert (uploaded.content, uploaded.headers["Content-Type"]) == (b"<svg/>", "image/svg+xml")
    link = octo.ok(octo.get(f"{octo.p}/projects/{project['Id']}"))["Links"]["Logo"]
    assert not link.endswith(octo.server.version)
    assert octo.session.post(url, files={"other": ("x", b"x")}, timeout=10).status_code == 400


def test_version_controlled_projects_can_be_created(octo: Octo) -> None:
    settings = {
        "Type": "VersionControlled",
        "Url": "https://git.example/repo.git",
        "DefaultBranch": "main",
        "BasePath": ".octopus",
        "Credentials": {"Type": "Anonymous"},
    }
    project = octo.project("CaC", PersistenceSettings=settings, IsVersionControlled=True)
    assert project["IsVersionControlled"] is True
    assert project["PersistenceSettings"]["Type"] == "VersionControlled"


def test_snapshot_is_a_stable_deep_copy(octo: Octo) -> None:
    octo.project("Snap")
    before = octo.server.snapshot()
    assert before == octo.server.snapshot()
    octo.get(f"{octo.p}/projects")
    assert octo.server.snapshot() == before  # reads change nothing
    before["documents"]["projects"].clear()  # a copy: the server is not affected
    assert octo.server.snapshot()["documents"]["projects"]
    octo.create("environments", {"Name": "After"})
    assert octo.server.snapshot() != before


def test_deleting_a_project_removes_its_children(octo: Octo) -> None:
    project = octo.project("Gone")
    octo.create("runbooks", {"Name": "R", "ProjectId": project["Id"]})
    assert octo.delete(f"{octo.p}/projects/{project['Id']}").status_code == 200
    assert octo.get(f"{octo.p}/deploymentprocesses/{project['DeploymentProcessId']}").status_code == 404
    assert octo.ok(octo.get(f"{octo.p}/channels/all")) == []
    assert octo.ok(octo.get(f"{octo.p}/runbooks/all")) == []


def test_deleting_a_project_disconnects_its_tenants_and_drops_their_values_for_it(octo: Octo) -> None:
    env = octo.create("environments", {"Name": "Production"})
    kept, gone = octo.project("Kept"), octo.project("Gone")
    for project in (kept, gone):
        project["Templates"] = [{"Name": "Url", "Label": "Url", "DisplaySettings": {}}]
        octo.ok(octo.put(f"{octo.p}/projects/{project['Id']}", project))
    connected = {kept["Id"]: [env["Id"]], gone["Id"]: [env["Id"]]}
    tenant = octo.create("tenants", {"Name": "Acme", "ProjectEnvironments": connected})
    url = f"{octo.p}/tenants/{tenant['Id']}/variables"
    values = octo.ok(octo.get(url))
    for project_id in (kept["Id"], gone["Id"]):
        template_id = values["ProjectVariables"][project_id]["Templates"][0]["Id"]
        values["ProjectVariables"][project_id]["Variables"] = {env["Id"]: {template_id: "https://x"}}
    octo.ok(octo.put(url, values))

    assert octo.delete(f"{octo.p}/projects/{gone['Id']}").status_code == 200

    tenant = octo.ok(octo.get(f"{octo.p}/tenants/{tenant['Id']}"))
    assert tenant["ProjectEnvironments"] == {kept["Id"]: [env["Id"]]}
    assert set(octo.ok(octo.get(url))["ProjectVariables"]) == {kept["Id"]}
    octo.ok(octo.put(f"{octo.p}/tenants/{tenant['Id']}", tenant))  # the tenant can be saved again


def test_dynamic_worker_pools_exist_only_on_cloud(sandbox_factory: Callable[..., Any]) -> None:
    dynamic = {"Name": "Hosted", "WorkerPoolType": "DynamicWorkerPool", "WorkerType": "UbuntuDefault"}
    local = Octo(sandbox_factory("empty"))
    refused = local.post(f"{local.p}/workerpools", dynamic)
    assert refused.status_code == 400 and "Octopus Cloud" in refused.json()["ErrorMessage"]
    cloud = Octo(sandbox_factory("empty", hosting="cloud"))
    assert cloud.create("workerpools", dynamic)["WorkerPoolType"] == "DynamicWorkerPool"


def test_deploy_release_step_references_its_child_project(octo: Octo) -> None:
    child = octo.project("Child")
    parent = octo.project("Parent")
    url = f"{octo.p}/deploymentprocesses/{parent['DeploymentProcessId']}"
    process = octo.ok(octo.get(url))

    def deploy(project_id: str) -> dict[str, Any]:
        return {
            "Name": "Deploy child",
            "Actions": [
                {
                    "Name": "Deploy child",
                    "ActionType": "Octopus.DeployRelease",
                    "Properties": {"Octopus.Action.DeployRelease.ProjectId": project_id},
                    "Packages": [{"Name": "", "PackageId": project_id, "FeedId": "feeds-builtin-releases"}],
                }
            ],
        }

    process["Steps"] = [deploy(child["Id"])]
    process = octo.ok(octo.put(url, process))
    process["Steps"] = [deploy("Projects-424242")]
    refused = octo.put(url, process)
    assert refused.status_code == 400 and "PackageId" in refused.json()["ErrorMessage"]


def test_project_scoped_child_routes_serve_only_that_projects_children(octo: Octo) -> None:
    first, second = octo.project("First"), octo.project("Second")
    runbook = octo.create("runbooks", {"Name": "Clean", "ProjectId": first["Id"]})
    base = f"{octo.p}/projects/{first['Id']}"
    assert octo.ok(octo.get(f"{base}/runbooks/{runbook['Id']}"))["Name"] == "Clean"
    renamed = octo.ok(octo.put(f"{base}/runbooks/{runbook['Id']}", {**runbook, "Name": "Cleanup"}))
    assert renamed["Name"] == "Cleanup"
    process = octo.ok(octo.get(f"{base}/runbookProcesses/{runbook['RunbookProcessId']}"))
    assert process["RunbookId"] == runbook["Id"]
    assert octo.get(f"{octo.p}/projects/{second['Id']}/runbooks/{runbook['Id']}").status_code == 404


def test_every_variable_set_of_one_answer_offers_its_own_scopes_and_a_later_answer_sees_changes(
    octo: Octo,
) -> None:
    web, ops = octo.project("Web"), octo.project("Ops")
    octo.create("channels", {"Name": "Hotfix", "ProjectId": web["Id"], "LifecycleId": web["LifecycleId"]})
    octo.create("runbooks", {"Name": "Restart", "ProjectId": ops["Id"]})
    octo.create("environments", {"Name": "Staging"})

    def scopes() -> dict[str, dict[str, Any]]:
        sets = octo.ok(octo.get(f"{octo.p}/variables/all?ids={web['VariableSetId']},{ops['VariableSetId']}"))
        return {vs["OwnerId"]: vs["ScopeValues"] for vs in sets}

    together = scopes()
    for project in (web, ops):  # as read one at a time
        alone = octo.ok(octo.get(f"{octo.p}/variables/{project['VariableSetId']}"))["ScopeValues"]
        assert together[project["Id"]] == alone
    assert [c["Name"] for c in together[web["Id"]]["Channels"]] == ["Default", "Hotfix"]
    assert [c["Name"] for c in together[ops["Id"]]["Channels"]] == ["Default"]
    assert [p["Name"] for p in together[ops["Id"]]["Processes"]] == ["Ops", "Restart"]
    assert [p["Name"] for p in together[web["Id"]]["Processes"]] == ["Web"]

    octo.create("environments", {"Name": "Production"})
    names = [e["Name"] for e in scopes()[web["Id"]]["Environments"]]
    assert "Staging" in names and "Production" in names

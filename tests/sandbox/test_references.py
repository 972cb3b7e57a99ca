"""Every write that references an id missing from the space is a 400 naming the field and the id."""

from __future__ import annotations

from typing import Any

import pytest
from sandbox_client import Octo

MISSING = "Missing-424242"


def assert_refused(response: Any, *fragments: str) -> None:
    assert response.status_code == 400, response.text
    message = response.json()["ErrorMessage"]
    for fragment in (MISSING, *fragments):
        assert fragment in message, message


def action(**fields: Any) -> dict[str, Any]:
    return {"Name": "Act", "ActionType": "Octopus.Script", **fields}


@pytest.fixture
def project(octo: Octo) -> dict[str, Any]:
    return octo.project("Refs")


def put_steps(octo: Octo, project: dict[str, Any], *actions: dict[str, Any]) -> Any:
    url = f"{octo.p}/deploymentprocesses/{project['DeploymentProcessId']}"
    process = octo.ok(octo.get(url))
    process["Steps"] = [{"Name": f"Step {i}", "Actions": [a]} for i, a in enumerate(actions)]
    return octo.put(url, process)


def test_project_group_lifecycle_and_library_sets_must_exist(octo: Octo, project: dict[str, Any]) -> None:
    base = {"ProjectGroupId": project["ProjectGroupId"], "LifecycleId": project["LifecycleId"]}
    assert_refused(
        octo.post(f"{octo.p}/projects", {**base, "Name": "A", "ProjectGroupId": MISSING}), "ProjectGroupId"
    )
    assert_refused(
        octo.post(f"{octo.p}/projects", {**base, "Name": "B", "LifecycleId": MISSING}), "LifecycleId"
    )
    body = {**project, "IncludedLibraryVariableSetIds": [MISSING]}
    assert_refused(octo.put(f"{octo.p}/projects/{project['Id']}", body), "IncludedLibraryVariableSetIds")


def test_ids_from_another_space_are_refused(octo: Octo) -> None:
    other = octo.ok(octo.post("/api/spaces", {"Name": "Elsewhere"}))
    foreign = octo.ok(octo.post(f"/api/{other['Id']}/environments", {"Name": "Foreign"}))
    refused = octo.post(f"{octo.p}/projectgroups", {"Name": "G", "EnvironmentIds": [foreign["Id"]]})
    assert refused.status_code == 400 and foreign["Id"] in refused.json()["ErrorMessage"]


def test_lifecycle_phase_environments_and_channel_lifecycle(octo: Octo, project: dict[str, Any]) -> None:
    phases = [{"Name": "Dev", "AutomaticDeploymentTargets": [MISSING]}]
    assert_refused(octo.post(f"{octo.p}/lifecycles", {"Name": "L", "Phases": phases}), "Phase 'Dev'")
    channel = {"Name": "C", "ProjectId": project["Id"], "LifecycleId": MISSING}
    assert_refused(octo.post(f"{octo.p}/channels", channel), "LifecycleId")
    assert_refused(octo.post(f"{octo.p}/channels", {"Name": "C", "ProjectId": MISSING}), "ProjectId")
    tagged = {"Name": "T", "ProjectId": project["Id"], "TenantTags": ["Tier/Missing-424242"]}
    assert_refused(octo.post(f"{octo.p}/channels", tagged), "TenantTags")


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"WorkerPoolId": MISSING}, "WorkerPoolId"),
        ({"Environments": [MISSING]}, "Environments"),
        ({"ExcludedEnvironments": [MISSING]}, "ExcludedEnvironments"),
        ({"Channels": [MISSING]}, "Channels"),
        ({"Container": {"Image": "x", "FeedId": MISSING}}, "Container.FeedId"),
        ({"Packages": [{"Name": "", "PackageId": "p", "FeedId": MISSING}]}, "FeedId"),
        ({"Properties": {"Octopus.Action.Template.Id": MISSING}}, "Octopus.Action.Template.Id"),
        (
            {"Properties": {"Octopus.Action.Manual.ResponsibleTeamIds": f"teams-everyone,{MISSING}"}},
            "ResponsibleTeamIds",
        ),
        ({"Properties": {"Octopus.Action.Email.ToTeamIds": MISSING}}, "Email.ToTeamIds"),
        ({"Properties": {"Octopus.Action.Email.CCTeamIds": MISSING}}, "Email.CCTeamIds"),
        ({"Properties": {"Octopus.Action.DeployRelease.ProjectId": MISSING}}, "DeployRelease.ProjectId"),
        ({"Properties": {"Octopus.Action.Azure.AccountId": MISSING}}, "Azure.AccountId"),
    ],
)
def test_process_action_references(
    octo: Octo, project: dict[str, Any], fields: dict[str, Any], named: str
) -> None:
    assert_refused(put_steps(octo, project, action(**fields)), named, "Step 'Step 0' action 'Act'")


def test_valid_process_references_and_variable_expressions_are_accepted(
    octo: Octo, project: dict[str, Any]
) -> None:
    feed = octo.ok(octo.get(f"{octo.p}/feeds", feedType="BuiltIn"))["Items"][0]
    env = octo.create("environments", {"Name": "Prod"})
    template = octo.create("actiontemplates", {"Name": "T", "ActionType": "Octopus.Script"})
    ok = action(
        Environments=[env["Id"]],
        Packages=[{"Name": "", "PackageId": "app", "FeedId": feed["Id"]}, {"Name": "x", "FeedId": "#{Feed}"}],
        Properties={
            "Octopus.Action.Template.Id": template["Id"],
            "Octopus.Action.Template.Version": "0",
            "Octopus.Action.Manual.ResponsibleTeamIds": f"teams-spacemanagers-{octo.space}",
            "Octopus.Action.Azure.AccountId": "#{Azure.Account}",
        },
    )
    assert put_steps(octo, project, ok).status_code == 200
    wrong_version = action(
        Properties={"Octopus.Action.Template.Id": template["Id"], "Octopus.Action.Template.Version": "3"}
    )
    refused = put_steps(octo, project, wrong_version)
    assert refused.status_code == 400 and "Octopus.Action.Template.Version" in refused.json()["ErrorMessage"]


def test_channel_of_another_project_is_refused_in_an_action(octo: Octo, project: dict[str, Any]) -> None:
    other = octo.project("Other")
    other_channel = octo.ok(octo.get(f"{octo.p}/projects/{other['Id']}/channels"))["Items"][0]
    refused = put_steps(octo, project, action(Channels=[other_channel["Id"]]))
    assert refused.status_code == 400 and "another project" in refused.json()["ErrorMessage"]


@pytest.mark.parametrize(
    ("variable", "named"),
    [
        ({"Scope": {"Environment": [MISSING]}}, "scope Environment"),
        ({"Scope": {"Channel": [MISSING]}}, "scope Channel"),
        ({"Scope": {"Machine": [MISSING]}}, "scope Machine"),
        ({"Scope": {"Action": [MISSING]}}, "scope Action"),
        ({"Scope": {"ProcessOwner": [MISSING]}}, "scope ProcessOwner"),
        ({"Type": "Certificate", "Value": MISSING}, "Certificate"),
        ({"Type": "AmazonWebServicesAccount", "Value": MISSING}, "AmazonWebServicesAccount"),
        ({"Type": "AzureAccount", "Value": MISSING}, "AzureAccount"),
        ({"Type": "WorkerPool", "Value": MISSING}, "WorkerPool"),
    ],
)
def test_variable_scopes_and_reference_values(
    octo: Octo, project: dict[str, Any], variable: dict[str, Any], named: str
) -> None:
    url = f"{octo.p}/variables/{project['VariableSetId']}"
    variables = octo.ok(octo.get(url))
    variables["Variables"] = [{"Name": "V", "Value": "x", **variable}]
    assert_refused(octo.put(url, variables), named, "Variable 'V'")


def test_tenant_project_environments_keys_and_values(octo: Octo, project: dict[str, Any]) -> None:
    env = octo.create("environments", {"Name": "Dev"})
    bad_key = octo.post(f"{octo.p}/tenants", {"Name": "T1", "ProjectEnvironments": {MISSING: [env["Id"]]}})
    assert_refused(bad_key, "ProjectEnvironments")
    bad_value = octo.post(
        f"{octo.p}/tenants", {"Name": "T2", "ProjectEnvironments": {project["Id"]: [MISSING]}}
    )
    assert_refused(bad_value, "ProjectEnvironments")
    assert octo.post(
        f"{octo.p}/tenants", {"Name": "T3", "ProjectEnvironments": {project["Id"]: [env["Id"]]}}
    ).ok


def test_account_trigger_machine_and_tag_references(octo: Octo, project: dict[str, Any]) -> None:
    account = {"Name": "A", "AccountType": "UsernamePassword", "Username": "u", "TenantIds": [MISSING]}
    assert_refused(octo.post(f"{octo.p}/accounts", account), "TenantIds")
    trigger = {
        "Name": "Nightly",
        "ProjectId": project["Id"],
        "Filter": {"FilterType": "OnceDailySchedule"},
        "Action": {"ActionType": "DeployLatestRelease", "SourceEnvironmentIds": [MISSING]},
    }
    assert_refused(octo.post(f"{octo.p}/projecttriggers", trigger), "SourceEnvironmentIds")
    machine = {
        "Name": "m",
        "Roles": ["web"],
        "EnvironmentIds": [MISSING],
        "Endpoint": {"CommunicationStyle": "None"},
    }
    assert_refused(octo.post(f"{octo.p}/machines", machine), "EnvironmentIds")
    octo.create("tagsets", {"Name": "Tier", "Tags": [{"Name": "Gold"}]})
    tenant = octo.post(f"{octo.p}/tenants", {"Name": "T", "TenantTags": ["Tier/Gold", "Tier/Missing-424242"]})
    assert_refused(tenant, "TenantTags")

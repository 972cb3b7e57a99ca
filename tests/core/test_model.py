"""The reference map: every id inside a document is found, and remap replaces every one of them."""

from __future__ import annotations

import json
from typing import Any

from octodesk.core.resources.model import (
    DEPLOYMENT_ACTION,
    MACHINE,
    PROJECT_TEMPLATE,
    TARGET_ROLE,
    TENANT_TAG,
    Reference,
    kind_of_id,
    references,
    remap,
    step_template_usages,
)


def _process() -> dict[str, Any]:
    return {
        "Id": "deploymentprocess-Projects-7",
        "ProjectId": "Projects-7",
        "Steps": [
            {
                "Name": "Deploy",
                "Properties": {"Octopus.Action.TargetRoles": "web-server, api"},
                "Actions": [
                    {
                        "Name": "Deploy",
                        "ActionType": "Octopus.TentaclePackage",
                        "WorkerPoolId": "WorkerPools-3",
                        "Container": {"Image": "ubuntu", "FeedId": "Feeds-4"},
                        "Environments": ["Environments-1"],
                        "ExcludedEnvironments": [],
                        "Channels": ["Channels-9"],
                        "TenantTags": ["Region/EU"],
                        "Packages": [
                            {"Name": "", "PackageId": "Web", "FeedId": "feeds-builtin", "Properties": {}},
                            {"Name": "img", "PackageId": "#{Image}", "FeedId": "#{Feed}", "Properties": {}},
                        ],
                        "Properties": {
                            "Octopus.Action.Template.Id": "ActionTemplates-2",
                            "Octopus.Action.Template.Version": "3",
                            "Octopus.Action.Azure.AccountId": "Accounts-5",
                            "Template.Package": '{"PackageId":"Tool","FeedId":"Feeds-8"}',
                            "Template.Certificate": "Certificates-6",
                            "Template.Password": {"HasValue": True, "NewValue": None},
                            "Octopus.Action.Script.ScriptBody": "echo Projects-1 is not a reference",
                        },
                    },
                    {
                        "Name": "Approve",
                        "ActionType": "Octopus.Manual",
                        "Properties": {"Octopus.Action.Manual.ResponsibleTeamIds": "Teams-2,teams-managers"},
                    },
                    {
                        "Name": "Child",
                        "ActionType": "Octopus.DeployRelease",
                        "Packages": [
                            {"Name": "", "PackageId": "Projects-11", "FeedId": "feeds-builtin-releases"}
                        ],
                        "Properties": {"Octopus.Action.DeployRelease.ProjectId": "Projects-11"},
                    },
                ],
            }
        ],
    }


def _refs(kind: str, document: dict[str, Any]) -> set[tuple[str, str]]:
    return {(ref.kind, ref.value) for ref in references(kind, document)}


def test_process_references_cover_properties_packages_and_embedded_json() -> None:
    found = _refs("DeploymentProcess", _process())
    assert found == {
        ("Project", "Projects-7"),
        (TARGET_ROLE, "web-server"),
        (TARGET_ROLE, "api"),
        ("WorkerPool", "WorkerPools-3"),
        ("Feed", "Feeds-4"),
        ("Environment", "Environments-1"),
        ("Channel", "Channels-9"),
        (TENANT_TAG, "Region/EU"),
        ("Feed", "feeds-builtin"),
        ("ActionTemplate", "ActionTemplates-2"),
        ("Account", "Accounts-5"),
        ("Feed", "Feeds-8"),
        ("Certificate", "Certificates-6"),
        ("Team", "Teams-2"),
        ("Team", "teams-managers"),
        ("Project", "Projects-11"),
        ("Feed", "feeds-builtin-releases"),
    }
    assert list(step_template_usages(_process())) == [("ActionTemplates-2", 3)]


def test_remap_replaces_every_id_and_keeps_names_expressions_and_secrets() -> None:
    source = _process()
    mapping = {
        "Projects-7": "Projects-70",
        "WorkerPools-3": "WorkerPools-30",
        "Feeds-4": "Feeds-40",
        "Environments-1": "Environments-10",
        "Channels-9": "Channels-90",
        "feeds-builtin": "Feeds-100",
        "ActionTemplates-2": "ActionTemplates-20",
        "Accounts-5": "Accounts-50",
        "Feeds-8": "Feeds-80",
        "Certificates-6": "Certificates-60",
        "Teams-2": "Teams-20",
        "feeds-builtin-releases": "Feeds-101",
    }
    result = remap("DeploymentProcess", source, lambda ref: mapping.get(ref.value))
    document = result.document
    remaining = {ref.value for ref in references("DeploymentProcess", document)}
    assert not remaining & set(mapping), "a mapped source id survived"
    assert set(mapping.values()) <= remaining
    action = document["Steps"][0]["Actions"][0]
    assert json.loads(action["Properties"]["Template.Package"]) == {"PackageId": "Tool", "FeedId": "Feeds-80"}
    assert action["Packages"][1]["FeedId"] == "#{Feed}"
    assert action["TenantTags"] == ["Region/EU"]
    assert action["Properties"]["Template.Password"] == {"HasValue": True, "NewValue": None}
    manual = document["Steps"][0]["Actions"][1]
    assert manual["Properties"]["Octopus.Action.Manual.ResponsibleTeamIds"] == "Teams-20,teams-managers"
    # the child project of the Deploy-a-Release step was not in the mapping: kept, and reported
    assert {ref.value for ref in result.unmapped} == {"Projects-11"}
    assert all(ref.optional for ref in result.unmapped)
    assert source["ProjectId"] == "Projects-7", "remap must not change its input"


def test_variable_scopes_and_reference_typed_values() -> None:
    variable_set = {
        "Id": "variableset-Projects-7",
        "OwnerId": "Projects-7",
        "ScopeValues": {"Environments": [{"Id": "Environments-99", "Name": "Unrelated"}]},
        "Variables": [
            {
                "Name": "Db",
                "Type": "Sensitive",
                "IsSensitive": True,
                "Value": None,
                "Scope": {
                    "Environment": ["Environments-1"],
                    "Machine": ["Machines-4"],
                    "Role": ["web"],
                    "Action": ["6f1c-guid"],
                    "ProcessOwner": ["Runbooks-2"],
                    "TenantTag": ["Region/EU"],
                },
            },
            {"Name": "Cloud", "Type": "AzureAccount", "Value": "Accounts-5", "Scope": {}},
            {"Name": "Cert", "Type": "Certificate", "Value": "Certificates-6", "Scope": {}},
            {"Name": "Pool", "Type": "WorkerPool", "Value": "WorkerPools-3", "Scope": {}},
            {"Name": "Plain", "Type": "String", "Value": "Accounts-5", "Scope": {}},
        ],
    }
    refs = list(references("VariableSet", variable_set))
    found = {(ref.kind, ref.value) for ref in refs}
    assert found == {
        ("Project", "Projects-7"),
        ("Environment", "Environments-1"),
        (MACHINE, "Machines-4"),
        (TARGET_ROLE, "web"),
        (DEPLOYMENT_ACTION, "6f1c-guid"),
        ("Runbook", "Runbooks-2"),
        (TENANT_TAG, "Region/EU"),
        ("Account", "Accounts-5"),
        ("Certificate", "Certificates-6"),
        ("WorkerPool", "WorkerPools-3"),
    }
    machine = next(ref for ref in refs if ref.kind == MACHINE)
    assert machine.scope and machine.optional
    assert machine.path == "Variables[0].Scope.Machine[0]"
    # a plain string that looks like an id is not a reference: only typed variables hold ids
    assert sum(1 for ref in refs if ref.value == "Accounts-5") == 1


def test_tenant_project_environment_map_keys_and_values_are_remapped() -> None:
    tenant = {
        "Name": "Acme",
        "TenantTags": ["Tier/Gold"],
        "ProjectEnvironments": {"Projects-7": ["Environments-1", "Environments-2"], "Projects-8": []},
    }
    assert _refs("Tenant", tenant) == {
        ("Project", "Projects-7"),
        ("Project", "Projects-8"),
        ("Environment", "Environments-1"),
        ("Environment", "Environments-2"),
        (TENANT_TAG, "Tier/Gold"),
    }
    mapping = {"Projects-7": "Projects-70", "Environments-1": "Environments-10", "Environments-2": "E-20"}
    result = remap("Tenant", tenant, lambda ref: mapping.get(ref.value))
    assert result.document["ProjectEnvironments"] == {
        "Projects-70": ["Environments-10", "E-20"],
        "Projects-8": [],
    }
    assert [ref.value for ref in result.unmapped] == ["Projects-8"]


def test_tenant_variables_nested_maps_are_found_and_remapped() -> None:
    variables = {
        "TenantId": "Tenants-1",
        "ProjectVariables": {
            "Projects-7": {
                "ProjectId": "Projects-7",
                "Templates": [{"Id": "tpl-a", "Name": "Url", "DefaultValue": ""}],
                "Variables": {"Environments-1": {"tpl-a": "https://x", "tpl-b": "Accounts-5"}},
            }
        },
        "LibraryVariables": {
            "LibraryVariableSets-3": {
                "LibraryVariableSetId": "LibraryVariableSets-3",
                "Templates": [{"Id": "lib-t", "Name": "Key"}],
                "Variables": {"lib-t": {"HasValue": True, "NewValue": None}},
            }
        },
    }
    found = _refs("TenantVariables", variables)
    assert ("Environment", "Environments-1") in found
    assert (PROJECT_TEMPLATE, "tpl-b") in found
    assert ("Account", "Accounts-5") in found
    assert ("LibraryVariableSetTemplate", "lib-t") in found
    mapping = {
        "Tenants-1": "Tenants-10",
        "Projects-7": "Projects-70",
        "tpl-a": "new-a",
        "tpl-b": "new-b",
        "Environments-1": "Environments-10",
        "Accounts-5": "Accounts-50",
        "LibraryVariableSets-3": "LibraryVariableSets-30",
        "lib-t": "new-lib",
    }
    result = remap("TenantVariables", variables, lambda ref: mapping.get(ref.value))
    assert result.unmapped == []
    project = result.document["ProjectVariables"]["Projects-70"]
    assert project["Variables"] == {"Environments-10": {"new-a": "https://x", "new-b": "Accounts-50"}}
    library = result.document["LibraryVariables"]["LibraryVariableSets-30"]
    assert library["Variables"] == {"new-lib": {"HasValue": True, "NewValue": None}}


def test_restrictions_are_scopes_and_lifecycle_phases_reference_environments() -> None:
    account = {"EnvironmentIds": ["Environments-1"], "TenantIds": ["Tenants-1"], "TenantTags": []}
    refs = list(references("Account", account))
    assert all(ref.scope for ref in refs)
    assert {ref.kind for ref in refs} == {"Environment", "Tenant"}
    lifecycle = {
        "Phases": [
            {
                "AutomaticDeploymentTargets": ["Environments-1"],
                "OptionalDeploymentTargets": ["Environments-2"],
            }
        ]
    }
    assert _refs("Lifecycle", lifecycle) == {
        ("Environment", "Environments-1"),
        ("Environment", "Environments-2"),
    }


def test_project_channel_and_trigger_references() -> None:
    project = {
        "ProjectGroupId": "ProjectGroups-1",
        "LifecycleId": "Lifecycles-2",
        "IncludedLibraryVariableSetIds": ["LibraryVariableSets-3", "LibraryVariableSets-4"],
        "DeploymentProcessId": "deploymentprocess-Projects-7",
        "VariableSetId": "variableset-Projects-7",
        "ReleaseCreationStrategy": {
            "ChannelId": "Channels-9",
            "ReleaseCreationPackage": {"DeploymentAction": "Deploy"},
        },
        "PersistenceSettings": {"Type": "Database"},
        "Templates": [{"Id": "tpl-a", "Name": "Url", "DefaultValue": "Certificates-6"}],
    }
    found = _refs("Project", project)
    assert {
        ("ProjectGroup", "ProjectGroups-1"),
        ("Lifecycle", "Lifecycles-2"),
        ("LibraryVariableSet", "LibraryVariableSets-4"),
        ("DeploymentProcess", "deploymentprocess-Projects-7"),
        ("VariableSet", "variableset-Projects-7"),
        ("Channel", "Channels-9"),
        (DEPLOYMENT_ACTION, "Deploy"),
        ("Certificate", "Certificates-6"),
    } <= found
    trigger = {
        "ProjectId": "Projects-7",
        "Filter": {"FilterType": "MachineFilter", "EnvironmentIds": ["Environments-1"], "Roles": ["web"]},
        "Action": {
            "ActionType": "RunRunbook",
            "RunbookId": "Runbooks-2",
            "EnvironmentIds": ["Environments-2"],
            "TenantIds": ["Tenants-1"],
        },
    }
    assert _refs("ProjectTrigger", trigger) == {
        ("Project", "Projects-7"),
        ("Environment", "Environments-1"),
        (TARGET_ROLE, "web"),
        ("Runbook", "Runbooks-2"),
        ("Environment", "Environments-2"),
        ("Tenant", "Tenants-1"),
    }


def test_kind_of_id_recognises_prefixes_and_rejects_lookalikes() -> None:
    assert kind_of_id("Accounts-12") == "Account"
    assert kind_of_id("feeds-builtin") == "Feed"
    assert kind_of_id("teams-managers") == "Team"
    assert kind_of_id("Projects-abc") is None
    assert kind_of_id("Hello-1") is None
    assert kind_of_id("Accounts-12 and more") is None
    assert kind_of_id(None) is None


def test_reference_paths_name_the_field() -> None:
    refs = [ref for ref in references("DeploymentProcess", _process()) if ref.kind == "ActionTemplate"]
    assert refs == [
        Reference(
            'Steps[0].Actions[0].Properties["Octopus.Action.Template.Id"]',
            "ActionTemplate",
            "ActionTemplates-2",
        )
    ]

"""References the demo does not exercise: Git credentials of step Git dependencies (by name, created when
missing, the password from the secrets file), tag sets named by environment and runbook tags, and a webhook
trigger's secret."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from import_support import ACCOUNT_SECRETS, CERTIFICATE_SECRETS, PASSWORD, client_for, import_into, one

from octodesk.core.export import export_projects, list_secret_references

PROJECT = "Web Portal"
GIT_SECRET = {"gitcredential:Scripts Repo/Password": "pat-from-secrets-file"}
HOOK_SECRET = {f"trigger:{PROJECT}/Deploy on push/Secret": "whsec-from-secrets-file"}


def prepare_source(server: Any) -> None:
    space = server.space_id("Default")
    with client_for(server) as client:
        api = f"/api/{space}"
        credential = client.post(
            f"{api}/git-credentials",
            {
                "Name": "Scripts Repo",
                "Details": {
                    "Type": "UsernamePassword",
                    "Username": "ci",
                    "Password": {"HasValue": True, "NewValue": "pat"},
                },
            },
        )
        client.post(f"{api}/tagsets", {"Name": "Environment Tier", "Tags": [{"Name": "Critical"}]})
        client.post(f"{api}/tagsets", {"Name": "Runbook Kind", "Tags": [{"Name": "Maintenance"}]})
        production = next(
            e for e in client.read_collection(f"{api}/environments") if e["Name"] == "Production"
        )
        tagged = {**production, "EnvironmentTags": ["Environment Tier/Critical"]}
        client.put(f"{api}/environments/{production['Id']}", tagged)
        project = next(p for p in client.read_collection(f"{api}/projects") if p["Name"] == PROJECT)
        runbook = client.read_collection(f"{api}/projects/{project['Id']}/runbooks", all_route=False)[0]
        client.put(
            f"{api}/runbooks/{runbook['Id']}", {**runbook, "RunbookTags": ["Runbook Kind/Maintenance"]}
        )
        process = client.get(f"{api}/deploymentprocesses/{project['DeploymentProcessId']}")
        process["Steps"][0]["Actions"][0]["GitDependencies"] = [
            {
                "Name": "",
                "RepositoryUri": "https://git.example/scripts.git",
                "DefaultBranch": "main",
                "GitCredentialType": "Library",
                "GitCredentialId": credential["Id"],
            }
        ]
        client.put(f"{api}/deploymentprocesses/{process['Id']}", process)
        client.post(
            f"{api}/projecttriggers",
            {
                "Name": "Deploy on push",
                "ProjectId": project["Id"],
                "Filter": {"FilterType": "WebhookFilter", "Secret": {"HasValue": True, "NewValue": "whsec"}},
                "Action": {
                    "ActionType": "DeployLatestRelease",
                    "SourceEnvironmentIds": [],
                    "DestinationEnvironmentId": production["Id"],
                },
            },
        )


def test_git_credentials_tags_and_webhook_secrets_travel(
    sandbox_factory: Callable[..., Any], tmp_path: Path
) -> None:
    source, target = sandbox_factory("demo", version="2023.1"), sandbox_factory("empty", version="2023.1")
    prepare_source(source)
    bundle = tmp_path / "b.octobundle"
    secrets = {**CERTIFICATE_SECRETS, **ACCOUNT_SECRETS, **GIT_SECRET, **HOOK_SECRET}
    with client_for(source) as client:
        listed = {ref.ref for ref in list_secret_references(client, "Default", [PROJECT])}
        assert set(GIT_SECRET) | set(HOOK_SECRET) <= listed
        assert export_projects(client, "Default", [PROJECT], bundle, PASSWORD, secrets=secrets).succeeded
    assert import_into(target, bundle).succeeded
    credential = one(target, "git-credentials", "Scripts Repo")
    assert credential["Details"]["Password"]["NewValue"] == "pat-from-secrets-file"
    project = one(target, "projects", PROJECT)
    process = target.snapshot()["documents"]["deploymentprocesses"][project["DeploymentProcessId"]]
    assert process["Steps"][0]["Actions"][0]["GitDependencies"][0]["GitCredentialId"] == credential["Id"]
    assert one(target, "environments", "Production")["EnvironmentTags"] == ["Environment Tier/Critical"]
    tagged = [r for r in target.snapshot()["documents"]["runbooks"].values() if r.get("RunbookTags")]
    assert [r["RunbookTags"] for r in tagged] == [["Runbook Kind/Maintenance"]]
    assert (
        one(target, "projecttriggers", "Deploy on push")["Filter"]["Secret"]["NewValue"]
        == "whsec-from-secrets-file"
    )


def test_an_existing_git_credential_is_matched_by_name_and_its_password_left_alone(
    sandbox_factory: Callable[..., Any], tmp_path: Path
) -> None:
    source, target = sandbox_factory("demo", version="2023.1"), sandbox_factory("empty", version="2023.1")
    prepare_source(source)
    space = target.space_id("Default")
    with client_for(target) as client:
        client.post(
            f"/api/{space}/git-credentials",
            {
                "Name": "Scripts Repo",
                "Details": {
                    "Type": "UsernamePassword",
                    "Username": "t",
                    "Password": {"HasValue": True, "NewValue": "target-own"},
                },
            },
        )
    bundle = tmp_path / "b.octobundle"
    with client_for(source) as client:
        export_projects(
            client, "Default", [PROJECT], bundle, PASSWORD, secrets={**CERTIFICATE_SECRETS, **ACCOUNT_SECRETS}
        )
    assert import_into(target, bundle).succeeded  # no password carried: the target's own one is reused
    assert one(target, "git-credentials", "Scripts Repo")["Details"]["Password"]["NewValue"] == "target-own"

"""Server profiles: what each version serves and refuses (octodesk/sandbox/profiles.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sandbox_client import Octo
from server_tasks_client import export_zip, run_import, upload

from octodesk.sandbox.profiles import PROFILES, profile_for

TOGGLE = "CommonVariableScopingFeatureToggle"


def octo_on(sandbox_factory: Callable[..., Any], version: str, **options: Any) -> Octo:
    return Octo(sandbox_factory("empty", version=version, **options))


@pytest.mark.parametrize(
    ("asked", "profile", "reported"),
    [
        ("2020.5.7", "2021.2", "2020.5.7"),
        ("2021.2", "2021.2", "2021.2.4488"),
        ("2022.4.123", "2021.2", "2022.4.123"),
        ("2023.1", "2023.1", "2023.1.9626"),
        ("2024.3.10989", "2023.1", "2024.3.10989"),
        ("2025.2", "2025.2", "2025.2.11370"),
        ("2027.1.5", "2026.3", "2027.1.5"),
    ],
)
def test_a_version_selects_the_newest_profile_not_newer_than_it(
    sandbox_factory: Callable[..., Any], asked: str, profile: str, reported: str
) -> None:
    assert profile_for(asked).name == profile
    octo = octo_on(sandbox_factory, asked)
    assert octo.ok(octo.get("/api"))["Version"] == reported


def test_a_version_that_is_not_one_is_refused() -> None:
    with pytest.raises(ValueError, match="not an Octopus Server version"):
        profile_for("latest")


def test_feature_toggles_exist_only_on_2025_2_and_filter_by_name(sandbox_factory: Callable[..., Any]) -> None:
    for version in ("2021.2", "2023.1"):
        assert octo_on(sandbox_factory, version).get("/api/configuration/feature-toggles").status_code == 404
    octo = octo_on(sandbox_factory, "2025.2")
    listed = octo.ok(octo.get("/api/configuration/feature-toggles", Name=TOGGLE))["FeatureToggles"]
    assert listed == [{"Name": TOGGLE, "IsEnabled": True}]
    assert octo.ok(octo.get("/api/configuration/feature-toggles", Name="Nope"))["FeatureToggles"] == []


def test_git_credentials_arrive_in_2023_1_need_a_password_and_never_show_it(
    sandbox_factory: Callable[..., Any],
) -> None:
    old = octo_on(sandbox_factory, "2021.2")
    assert old.get(f"{old.p}/git-credentials").status_code == 404
    assert "GitCredentials" not in old.ok(old.get("/api"))["Links"]
    octo = octo_on(sandbox_factory, "2023.1")
    without = octo.post(
        f"{octo.p}/git-credentials",
        {"Name": "GitHub", "Details": {"Type": "UsernamePassword", "Username": "u"}},
    )
    assert without.status_code == 400 and "Password" in without.text
    body = {
        "Name": "GitHub",
        "Details": {
            "Type": "UsernamePassword",
            "Username": "u",
            "Password": {"HasValue": True, "NewValue": "pat"},
        },
    }
    created = octo.create("git-credentials", body)
    assert created["Details"]["Password"] == {"HasValue": True, "NewValue": None, "Hint": None}
    assert "pat" not in octo.get(f"{octo.p}/git-credentials", name="Git").text
    assert octo.ok(octo.get(f"{octo.p}/git-credentials", name="Git"))["Items"][0]["Id"] == created["Id"]


@pytest.mark.parametrize("version", [profile.name for profile in PROFILES])
def test_deployment_settings_carry_the_fields_of_their_version(
    sandbox_factory: Callable[..., Any], version: str
) -> None:
    octo = octo_on(sandbox_factory, version)
    project = octo.project("Settings", FailTargetDiscovery=True, ForcePackageDownload=True)
    assert "FailTargetDiscovery" not in project  # a settings-only field is never a project field
    assert ("ForcePackageDownload" in project) == (version != "2021.2")
    url = f"{octo.p}/projects/{project['Id']}/deploymentsettings"
    settings = octo.ok(octo.get(url))
    settings.update(FailTargetDiscovery=True, ReleaseNotesTemplate="notes", DefaultGuidedFailureMode="On")
    saved = octo.ok(octo.put(url, settings))
    assert saved["ReleaseNotesTemplate"] == "notes" and saved["DefaultGuidedFailureMode"] == "On"
    assert saved.get("FailTargetDiscovery") is (True if profile_for(version).key >= (2025, 2) else None)
    assert octo.ok(octo.get(f"{octo.p}/projects/{project['Id']}"))["DefaultGuidedFailureMode"] == "On"
    cleared = octo.ok(octo.put(url, {"DefaultGuidedFailureMode": "Off"}))  # a PUT replaces the document
    assert cleared["ReleaseNotesTemplate"] is None and cleared.get("FailTargetDiscovery") in (False, None)


def test_a_stale_variable_set_or_process_version_is_refused_with_the_servers_words(octo: Octo) -> None:
    project = octo.project("Stale")
    url = f"{octo.p}/variables/{project['VariableSetId']}"
    first = octo.ok(octo.get(url))
    octo.ok(octo.put(url, {**first, "Variables": [{"Name": "A", "Value": "1"}]}))
    refused = octo.put(url, {**first, "Variables": [{"Name": "B", "Value": "2"}]})
    assert refused.status_code == 400
    assert refused.json()["Errors"][0].startswith("Changes to these variables could not be saved")
    process_url = f"{octo.p}/deploymentprocesses/{project['DeploymentProcessId']}"
    process = octo.ok(octo.get(process_url))
    octo.ok(octo.put(process_url, {**process, "Steps": []}))
    refused = octo.put(process_url, {**process, "Steps": []})
    assert refused.status_code == 400
    assert "because submitted data was out of date" in refused.json()["Errors"][0]
    without_version = {k: v for k, v in octo.ok(octo.get(process_url)).items() if k != "Version"}
    assert octo.put(process_url, without_version).status_code == 400  # binds as Version 0


def _tenant_with_templates(octo: Octo) -> dict[str, Any]:
    environments = [octo.create("environments", {"Name": name})["Id"] for name in ("Test", "Production")]
    library = octo.create(
        "libraryvariablesets",
        {
            "Name": "Common",
            "Templates": [{"Name": "Pin", "DisplaySettings": {"Octopus.ControlType": "Sensitive"}}],
        },
    )
    project = octo.project(
        "Portal",
        IncludedLibraryVariableSetIds=[library["Id"]],
        Templates=[{"Name": "Host", "DisplaySettings": {"Octopus.ControlType": "SingleLineText"}}],
        TenantedDeploymentMode="Tenanted",
    )
    tenant = octo.create("tenants", {"Name": "Acme", "ProjectEnvironments": {project["Id"]: environments}})
    return {
        "tenant": tenant,
        "project": project,
        "library": library,
        "environments": environments,
        "pin": library["Templates"][0]["Id"],
        "host": project["Templates"][0]["Id"],
    }


def test_scoped_common_variables_replace_the_legacy_write_on_2025_2(
    sandbox_factory: Callable[..., Any],
) -> None:
    octo = octo_on(sandbox_factory, "2025.2")
    made = _tenant_with_templates(octo)
    test_env, prod_env = made["environments"]
    base = f"{octo.p}/tenants/{made['tenant']['Id']}"
    legacy = octo.ok(octo.get(f"{base}/variables"))
    refused = octo.put(f"{base}/variables", legacy)
    assert refused.status_code == 400 and "commonvariables" in refused.text
    common = octo.ok(octo.get(f"{base}/commonvariables", includeMissingVariables="true"))
    assert common["Variables"] == [] and common["MissingVariables"][0]["TemplateId"] == made["pin"]
    values = [
        {
            "LibraryVariableSetId": made["library"]["Id"],
            "TemplateId": made["pin"],
            "Value": {"HasValue": True, "NewValue": "1111"},
            "Scope": {"EnvironmentIds": [test_env]},
        },
        {
            "LibraryVariableSetId": made["library"]["Id"],
            "TemplateId": made["pin"],
            "Value": {"HasValue": True, "NewValue": "2222"},
            "Scope": {"EnvironmentIds": [prod_env]},
        },
    ]
    saved = octo.ok(
        octo.put(
            f"{base}/commonvariables", {"ConcurrencyToken": common["ConcurrencyToken"], "Variables": values}
        )
    )
    assert sorted(v["Scope"]["EnvironmentIds"][0] for v in saved["Variables"]) == sorted([test_env, prod_env])
    assert "1111" not in octo.get(f"{base}/commonvariables").text
    stale = octo.put(
        f"{base}/commonvariables", {"ConcurrencyToken": common["ConcurrencyToken"], "Variables": []}
    )
    assert stale.status_code == 400 and "out of date" in stale.text
    overlapping = [values[0], {**values[1], "Scope": {"EnvironmentIds": [test_env]}}]
    assert octo.put(f"{base}/commonvariables", {"Variables": overlapping}).status_code == 400
    keep_one = [{**saved["Variables"][0], "Value": {"HasValue": True, "NewValue": None}}]
    kept = octo.ok(octo.put(f"{base}/commonvariables", {"Variables": keep_one}))  # full set: the other goes
    assert len(kept["Variables"]) == 1
    stored = octo.server.snapshot()["tenant_variables"][made["tenant"]["Id"]]["Values"]
    assert [v["Value"]["NewValue"] for v in stored] in (["1111"], ["2222"])  # the kept secret survived


def test_tenant_variables_token_exists_from_2023_1_and_a_stale_one_is_refused(
    sandbox_factory: Callable[..., Any],
) -> None:
    old = octo_on(sandbox_factory, "2021.2")
    made = _tenant_with_templates(old)
    assert "ConcurrencyToken" not in old.ok(old.get(f"{old.p}/tenants/{made['tenant']['Id']}/variables"))
    octo = octo_on(sandbox_factory, "2023.1")
    made = _tenant_with_templates(octo)
    url = f"{octo.p}/tenants/{made['tenant']['Id']}/variables"
    first = octo.ok(octo.get(url))
    first["ProjectVariables"][made["project"]["Id"]]["Variables"][made["environments"][0]] = {
        made["host"]: "a"
    }
    octo.ok(octo.put(url, first))
    refused = octo.put(url, first)
    assert refused.status_code == 400
    assert "Modification failed for 'TenantVariable' document" in refused.json()["Errors"][0]
    assert octo.put(url, {k: v for k, v in first.items() if k != "ConcurrencyToken"}).status_code == 200


def test_feed_and_account_types_follow_the_profile(sandbox_factory: Callable[..., Any]) -> None:
    old = octo_on(sandbox_factory, "2021.2")
    refused = old.post(f"{old.p}/feeds", {"Name": "GCS", "FeedType": "GcsStorage"})
    assert refused.status_code == 400 and "GcsStorage" in refused.text
    assert old.post(f"{old.p}/accounts", {"Name": "Oidc", "AccountType": "AzureOidc"}).status_code == 400
    octo = octo_on(sandbox_factory, "2026.3")
    feed = octo.create(
        "feeds",
        {"Name": "GCS", "FeedType": "GcsStorage", "ServiceAccountJsonKey": '{"private_key": "k"}'},
    )
    assert feed["ServiceAccountJsonKey"] == {"HasValue": True, "NewValue": None, "Hint": None}
    s3 = octo.create(
        "feeds", {"Name": "S3", "FeedType": "S3", "SecretKey": {"HasValue": True, "NewValue": "s"}}
    )
    assert s3["SecretKey"]["NewValue"] is None


def test_a_restricted_key_cannot_read_machines_or_teams(octo: Octo) -> None:
    octo.server.add_api_key("API-RESTRICTED0000000000000000", role="restricted")
    restricted = Octo(octo.server, "API-RESTRICTED0000000000000000")
    for path in (f"{octo.p}/machines", f"{octo.p}/machines/all", "/api/teams"):
        answer = restricted.get(path)
        assert answer.status_code == 403 and "Missing permission" in answer.json()["ErrorMessage"]
    assert restricted.get(f"{octo.p}/environments/all").status_code == 200


def test_access_tokens_are_bearer_only_and_api_keys_are_not(octo: Octo) -> None:
    octo.server.add_access_token("eyJ.token.sig")
    import requests

    url = f"{octo.server.url}{octo.p}/environments"
    assert requests.get(url, headers={"Authorization": "Bearer eyJ.token.sig"}, timeout=10).status_code == 200
    as_key = requests.get(url, headers={"X-Octopus-ApiKey": "eyJ.token.sig"}, timeout=10)
    assert as_key.status_code == 401
    key_as_bearer = requests.get(url, headers={"Authorization": f"Bearer {octo.server.api_key}"}, timeout=10)
    assert key_as_bearer.status_code == 401


def test_the_servers_own_import_writes_tenant_values_where_the_legacy_write_is_refused(
    sandbox_factory: Callable[..., Any],
) -> None:
    source = Octo(sandbox_factory("demo", version="2025.2"))
    target = Octo(sandbox_factory("empty", version="2025.2"))
    _task, data = export_zip(source, "Web Portal")
    uploaded = upload(target, "portal.zip", data)
    task = run_import(target, {"Type": "upload", "UploadedFileId": uploaded["Id"]})
    assert task["State"] == "Success", task["ErrorMessage"]
    tenant = next(
        t for t in target.ok(target.get(f"{target.p}/tenants/all")) if t["Name"] == "Contoso Pharmacy"
    )
    common = target.ok(target.get(f"{target.p}/tenants/{tenant['Id']}/commonvariables"))["Variables"]
    projects = target.ok(target.get(f"{target.p}/tenants/{tenant['Id']}/projectvariables"))["Variables"]
    assert {v["Template"]["Name"] for v in common} == {"Tenant.ContactEmail", "Tenant.SupportPin"}
    assert len(projects) == 4  # two templates in two environments

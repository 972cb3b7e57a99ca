"""Secrets a create cannot do without are decided at plan time: carried, a named placeholder the user
allowed, or a refusal before anything is written. Every SensitiveValue of accounts and feeds is listed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from import_support import CERTIFICATE_SECRETS, PASSWORD, import_into, one

from octodesk.cli import main
from octodesk.core.errors import ImportRefused
from octodesk.core.export import export_projects, list_secret_references
from octodesk.core.octopus.client import OctopusClient
from octodesk.core.resources.secret_refs import PLACEHOLDER

SandboxFactory = Callable[..., Any]


def export_without_account_secrets(source: Any, path: Path, project: str = "Billing API") -> Path:
    with OctopusClient(source.url, source.api_key) as client:
        export_projects(client, "Default", [project], path, PASSWORD, secrets=dict(CERTIFICATE_SECRETS))
    return path


def test_an_account_without_its_required_secret_is_refused_before_any_write(
    sandbox_factory: SandboxFactory, tmp_path: Path
) -> None:
    source, target = sandbox_factory("demo"), sandbox_factory("empty")
    bundle = export_without_account_secrets(source, tmp_path / "b.octobundle")
    before = target.snapshot()
    with pytest.raises(ImportRefused) as refused:
        import_into(target, bundle)
    message = " ".join(refused.value.refusals)
    assert "Account 'AWS Billing' cannot be created without its SecretKey" in message
    assert "account:AWS Billing/SecretKey" in message and "placeholder" in message
    assert target.snapshot() == before


def test_allowed_placeholders_create_the_account_and_list_each_one(
    sandbox_factory: SandboxFactory, tmp_path: Path
) -> None:
    source, target = sandbox_factory("demo"), sandbox_factory("empty")
    bundle = export_without_account_secrets(source, tmp_path / "b.octobundle")
    report = import_into(target, bundle, placeholder_secrets=True)
    assert report.succeeded
    assert one(target, "accounts", "AWS Billing")["SecretKey"] == {
        "HasValue": True,
        "NewValue": PLACEHOLDER,
        "Hint": None,
    }
    placeholders = [f.message for f in report.follow_ups if PLACEHOLDER in f.message]
    assert any("AWS Billing" in message and "SecretKey" in message for message in placeholders)


def test_the_cli_refuses_with_exit_3_and_accepts_placeholder_secrets(
    sandbox_factory: SandboxFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, target = sandbox_factory("demo"), sandbox_factory("empty")
    bundle = export_without_account_secrets(source, tmp_path / "b.octobundle")
    monkeypatch.setenv("TARGET_KEY", target.api_key)
    monkeypatch.setenv("BUNDLE_PASSWORD", PASSWORD)
    command = ["import", str(bundle), "--server", target.url, "--space", "Default"]
    command += ["--api-key-env", "TARGET_KEY", "--password-env", "BUNDLE_PASSWORD"]
    assert main(command) == 3
    assert main([*command, "--placeholder-secrets"]) == 0
    assert one(target, "accounts", "AWS Billing")["SecretKey"]["NewValue"] == PLACEHOLDER


def _project_with_feeds(server: Any) -> None:
    """A project whose steps take packages from a GCS feed and an S3 feed (2026.3 types and secrets)."""
    space = server.space_id("Default")
    with OctopusClient(server.url, server.api_key) as client:
        api = f"/api/{space}"
        lifecycle = next(
            lc for lc in client.read_collection(f"{api}/lifecycles") if lc["Name"] == "Default Lifecycle"
        )
        group = client.post(f"{api}/projectgroups", {"Name": "Storage"})
        gcs = client.post(
            f"{api}/feeds",
            {
                "Name": "Artifacts GCS",
                "FeedType": "GcsStorage",
                "ServiceAccountJsonKey": '{"private_key": "k"}',
            },
        )
        s3 = client.post(
            f"{api}/feeds",
            {
                "Name": "Artifacts S3",
                "FeedType": "S3",
                "AccessKey": "AKIA",
                "SecretKey": {"HasValue": True, "NewValue": "s"},
            },
        )
        project = client.post(
            f"{api}/projects",
            {"Name": "Storage App", "ProjectGroupId": group["Id"], "LifecycleId": lifecycle["Id"]},
        )
        process = client.get(f"{api}/deploymentprocesses/{project['DeploymentProcessId']}")
        process["Steps"] = [
            {
                "Name": name,
                "Actions": [
                    {
                        "Name": name,
                        "ActionType": "Octopus.TentaclePackage",
                        "Properties": {},
                        "Packages": [{"Name": "", "PackageId": "app", "FeedId": feed["Id"]}],
                    }
                ],
            }
            for name, feed in (("From GCS", gcs), ("From S3", s3))
        ]
        client.put(f"{api}/deploymentprocesses/{process['Id']}", process)


def test_every_secret_of_a_feed_type_is_listed_and_carried(
    sandbox_factory: SandboxFactory, tmp_path: Path
) -> None:
    source, target = sandbox_factory("empty", version="2026.3"), sandbox_factory("empty", version="2026.3")
    _project_with_feeds(source)
    with OctopusClient(source.url, source.api_key) as client:
        refs = {ref.ref for ref in list_secret_references(client, "Default", ["Storage App"])}
        assert {"feed:Artifacts GCS/ServiceAccountJsonKey", "feed:Artifacts S3/SecretKey"} <= refs
        supplied = {"feed:Artifacts GCS/ServiceAccountJsonKey": '{"private_key": "from-file"}'}
        export_projects(
            client, "Default", ["Storage App"], tmp_path / "s.octobundle", PASSWORD, secrets=supplied
        )
    report = import_into(target, tmp_path / "s.octobundle")
    stored = one(target, "feeds", "Artifacts GCS")["ServiceAccountJsonKey"]
    assert stored["NewValue"] == '{"private_key": "from-file"}'
    missing = [f.message for f in report.follow_ups if f.category == "sensitive-value"]
    assert any("feed:Artifacts S3/SecretKey" in message for message in missing)

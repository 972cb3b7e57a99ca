"""The demo dataset's built-in feed packages: real files, referenced by the demo's steps, stable hashes."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable
from typing import Any

from sandbox_client import Octo


def test_every_built_in_feed_package_a_demo_step_uses_has_versions_in_its_space(
    sandbox_factory: Callable[..., Any],
) -> None:
    server = sandbox_factory("demo")
    octo = Octo(server)
    referenced: dict[str, set[str]] = {}
    for space in octo.ok(octo.get("/api/spaces/all")):
        builtin = octo.ok(octo.get(f"/api/{space['Id']}/feeds", feedType="BuiltIn"))["Items"][0]["Id"]
        for project in octo.ok(octo.get(f"/api/{space['Id']}/projects/all")):
            if project.get("IsVersionControlled"):
                continue
            process = octo.ok(
                octo.get(f"/api/{space['Id']}/deploymentprocesses/{project['DeploymentProcessId']}")
            )
            for step in process["Steps"]:
                for action in step["Actions"]:
                    for package in action["Packages"]:
                        if package["FeedId"] == builtin:
                            referenced.setdefault(space["Id"], set()).add(package["PackageId"])
    assert sum(len(ids) for ids in referenced.values()) == 3
    for space_id, package_ids in referenced.items():
        for package_id in package_ids:
            page = octo.ok(octo.get(f"/api/{space_id}/packages", nuGetPackageId=package_id))
            assert page["TotalResults"] >= 1, package_id
    versions = octo.ok(octo.get(f"{octo.p}/packages", nuGetPackageId="Acme.WebPortal.Assets"))["Items"]
    assert [item["Version"] for item in versions] == ["1.5.0", "1.4.1", "1.4.0"]
    octo.close()


def test_demo_packages_are_real_files_whose_hash_matches(sandbox_factory: Callable[..., Any]) -> None:
    server = sandbox_factory("demo")
    octo = Octo(server)
    for item in octo.ok(octo.get(f"{octo.p}/packages", take=100))["Items"]:
        data = octo.get(item["Links"]["Raw"]).content
        assert hashlib.sha1(data).hexdigest() == item["Hash"]
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            assert archive.testzip() is None
            if item["FileExtension"] == ".nupkg":
                assert f"{item['PackageId']}.nuspec" in archive.namelist()
                assert item["Title"] == "Acme customer database migrations"
    again = sandbox_factory("demo").snapshot()["packages"]
    mine = server.snapshot()["packages"]
    assert [[p["Hash"] for p in packages] for packages in again.values()] == [
        [p["Hash"] for p in packages] for packages in mine.values()
    ]
    octo.close()

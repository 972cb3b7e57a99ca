"""The built-in feed over real HTTP: upload, list and search, the package document, raw download,
overwriteMode, refusals, delete, per-space feeds and what a snapshot shows."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from sandbox_client import Octo
from swagger_schema import SwaggerSchemas

from octodesk.sandbox.package_files import PackageSpec, package_bytes

ALREADY_EXISTS = (
    "A package with the same ID and version already exists. To proceed anyway, specify an overwriteMode of "
    "OverwriteExisting or IgnoreIfExists."
)


class Feed:
    """A client of one space's built-in feed."""

    def __init__(self, octo: Octo, space_id: str | None = None) -> None:
        self.octo = octo
        self.p = f"/api/{space_id or octo.space}"

    def upload(self, file_name: str, data: bytes, *, field: str = "file", **params: str) -> requests.Response:
        return self.octo.session.post(
            f"{self.octo.server.url}{self.p}/packages/raw",
            params=params,
            files={field: (file_name, data, "application/octet-stream")},
            timeout=30,
        )

    def push(self, spec: PackageSpec, **params: str) -> dict[str, Any]:
        response = self.upload(spec.file_name, package_bytes(spec), **params)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def list(self, **params: Any) -> dict[str, Any]:
        result: dict[str, Any] = self.octo.ok(self.octo.get(f"{self.p}/packages", **params))
        return result

    def raw(self, document_id: str) -> requests.Response:
        return self.octo.get(f"{self.p}/packages/{document_id}/raw")


@pytest.fixture
def feed(octo: Octo) -> Feed:
    return Feed(octo)


def spec(package_id: str = "Acme.Web", version: str = "1.0.0", **fields: Any) -> PackageSpec:
    return PackageSpec(package_id, version, **fields)


def builtin_feed_id(octo: Octo, space_id: str) -> str:
    return str(octo.ok(octo.get(f"/api/{space_id}/feeds", feedType="BuiltIn"))["Items"][0]["Id"])


def test_upload_answers_the_package_document_with_hash_size_and_links(feed: Feed, octo: Octo) -> None:
    package = spec(fmt="nupkg", description="The web front end.", release_notes="First cut.")
    data = package_bytes(package)
    response = feed.upload(package.file_name, data)
    assert response.status_code == 201
    document = response.json()
    self_path = f"{feed.p}/packages/packages-Acme.Web.1.0.0"
    assert document["Id"] == "packages-Acme.Web.1.0.0"
    assert (document["PackageId"], document["NuGetPackageId"], document["Version"]) == (
        "Acme.Web",
        "Acme.Web",
        "1.0.0",
    )
    assert document["FeedId"] == document["NuGetFeedId"] == builtin_feed_id(octo, octo.space)
    assert document["PackageSizeBytes"] == len(data)
    assert document["Hash"] == hashlib.sha1(data).hexdigest()
    assert document["FileExtension"] == ".nupkg"
    assert document["Published"]
    assert (document["Description"], document["ReleaseNotes"]) == ("The web front end.", "First cut.")
    assert document["Links"] == {"Self": self_path, "Raw": f"{self_path}/raw"}
    assert octo.ok(octo.get(self_path)) == document


def test_documents_and_collections_conform_to_the_swagger(
    feed: Feed, octo: Octo, swagger: dict[str, Any]
) -> None:
    schemas = SwaggerSchemas(swagger)
    document = feed.push(spec(fmt="nupkg"))
    feed.push(spec(version="1.1.0"))
    assert schemas.errors(document, "PackageFromBuiltInFeedResource") == []
    assert (
        schemas.errors(octo.ok(octo.get(document["Links"]["Self"])), "PackageFromBuiltInFeedResource") == []
    )
    # The 2021.2 Swagger names PackageResource for the items, but clients read PackageSizeBytes and Hash from
    # them (OctopusClients ListPackages returns PackageFromBuiltInFeedResource; SyncPackages.ps1 sums sizes).
    page = feed.list()
    assert schemas.errors({**page, "Items": []}, "PackageResourceCollection") == []
    assert [schemas.errors(item, "PackageFromBuiltInFeedResource") for item in page["Items"]] == [[], []]


def test_both_id_forms_find_a_package_and_bad_ids_are_refused(feed: Feed, octo: Octo) -> None:
    document = feed.push(spec("hello-world", "2.0.0-rc.1"))
    assert octo.ok(octo.get(f"{feed.p}/packages/hello-world.2.0.0-rc.1")) == document  # OctopusClients
    assert octo.ok(octo.get(f"{feed.p}/packages/packages-HELLO-WORLD.2.0.0-rc.1"))["Id"] == document["Id"]
    missing = octo.get(f"{feed.p}/packages/packages-hello-world.9.9.9")
    assert missing.status_code == 404
    invalid = octo.get(f"{feed.p}/packages/not-a-package")
    assert invalid.status_code == 400
    assert invalid.json()["ErrorMessage"] == "The provided package id was not valid."


def test_raw_download_is_the_uploaded_bytes(feed: Feed) -> None:
    package = spec(payload_bytes=300_000, seed=7)
    document = feed.push(package)
    response = feed.raw(document["Id"])
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.content == package_bytes(package)
    assert hashlib.sha1(response.content).hexdigest() == document["Hash"]
    assert 'filename="Acme.Web.1.0.0.zip"' in response.headers["Content-Disposition"]


def test_raw_of_a_missing_or_invalid_package_is_refused(feed: Feed) -> None:
    missing = feed.raw("packages-Acme.Web.1.0.0")
    assert missing.status_code == 400
    assert missing.json()["ErrorMessage"] == (
        "Package was not found in the index of the built-in package repository."
    )
    assert feed.raw("garbage").json()["ErrorMessage"] == "Invalid package specified."


@pytest.fixture
def stocked(feed: Feed) -> Feed:
    for package_id, version in [
        ("Acme.Web", "1.9.0"),
        ("Acme.Web", "1.10.0"),
        ("Acme.Web", "1.10.0-beta.2"),
        ("Acme.Web", "1.2.0"),
        ("Acme.Worker", "3.0.0"),
        ("Acme.Worker", "3.0.1-alpha"),
        ("Contoso.Api", "0.9.0"),
    ]:
        feed.push(spec(package_id, version))
    return feed


def ids(page: dict[str, Any]) -> list[str]:
    return [f"{item['PackageId']} {item['Version']}" for item in page["Items"]]


def test_versions_of_one_package_come_newest_first(stocked: Feed) -> None:
    # SyncPackages.ps1 takes the first item of ?nugetPackageId=X&take=1 as the latest version.
    page = stocked.list(nugetPackageId="acme.web")
    assert ids(page) == ["Acme.Web 1.10.0", "Acme.Web 1.10.0-beta.2", "Acme.Web 1.9.0", "Acme.Web 1.2.0"]
    assert ids(stocked.list(nuGetPackageId="Acme.Worker", take=1)) == ["Acme.Worker 3.0.1-alpha"]


def test_filter_matches_part_of_the_package_id_and_latest_keeps_the_newest_of_each(stocked: Feed) -> None:
    assert ids(stocked.list(filter="worker")) == ["Acme.Worker 3.0.1-alpha", "Acme.Worker 3.0.0"]
    latest = stocked.list(latest="true")
    assert ids(latest) == ["Acme.Web 1.10.0", "Acme.Worker 3.0.1-alpha", "Contoso.Api 0.9.0"]
    assert ids(stocked.list(latest="true", filter="acme")) == ["Acme.Web 1.10.0", "Acme.Worker 3.0.1-alpha"]


def test_the_list_pages_like_every_collection(stocked: Feed) -> None:
    first = stocked.list(take=3)
    assert (first["TotalResults"], first["ItemsPerPage"], first["NumberOfPages"]) == (7, 3, 3)
    assert first["ItemType"] == "Package"
    seen = ids(first)
    page = first
    while "Page.Next" in page["Links"]:
        page = stocked.octo.ok(stocked.octo.session.get(stocked.octo.server.url + page["Links"]["Page.Next"]))
        seen += ids(page)
    assert seen == ids(stocked.list(take=100))
    assert first["Links"]["Template"].endswith(
        "/packages{/id}{?nuGetPackageId,filter,latest,skip,take,includeNotes}"
    )


def test_package_id_and_filter_together_are_refused(stocked: Feed) -> None:
    response = stocked.octo.get(f"{stocked.p}/packages", nuGetPackageId="Acme.Web", filter="Acme")
    assert response.status_code == 400
    assert response.json()["ErrorMessage"] == "Only one of either nuGetPackageId or filter may be specified."


def test_release_notes_are_listed_only_when_asked_for(feed: Feed) -> None:
    feed.push(spec(fmt="nupkg", release_notes="Fixes the login page."))
    assert feed.list()["Items"][0]["ReleaseNotes"] is None
    assert feed.list(includeNotes="true")["Items"][0]["ReleaseNotes"] == "Fixes the login page."


# overwriteMode ---------------------------------------------------------------------------------------------
def test_a_second_upload_of_a_version_fails_by_default_and_changes_nothing(feed: Feed, octo: Octo) -> None:
    original = feed.push(spec(seed=1))
    for params in ({}, {"overwriteMode": "FailIfExists"}, {"replace": "false"}):
        response = feed.upload("Acme.Web.1.0.0.zip", package_bytes(spec(seed=2)), **params)
        assert response.status_code == 409, params
        assert response.json()["ErrorMessage"] == ALREADY_EXISTS
    assert octo.ok(octo.get(original["Links"]["Self"]))["Hash"] == original["Hash"]
    assert feed.raw(original["Id"]).content == package_bytes(spec(seed=1))


def test_ignore_if_exists_answers_200_with_the_package_already_there(feed: Feed) -> None:
    original = feed.push(spec(seed=1))
    response = feed.upload("Acme.Web.1.0.0.zip", package_bytes(spec(seed=2)), overwriteMode="IgnoreIfExists")
    assert response.status_code == 200
    assert response.json()["Hash"] == original["Hash"]
    assert feed.raw(original["Id"]).content == package_bytes(spec(seed=1))


@pytest.mark.parametrize("params", [{"overwriteMode": "OverwriteExisting"}, {"replace": "true"}])
def test_overwrite_existing_replaces_the_file(feed: Feed, params: dict[str, str]) -> None:
    original = feed.push(spec(seed=1))
    replacement = package_bytes(spec(seed=2, payload_bytes=9000))
    response = feed.upload("Acme.Web.1.0.0.zip", replacement, **params)
    assert response.status_code == 201
    document = response.json()
    assert document["Hash"] == hashlib.sha1(replacement).hexdigest() != original["Hash"]
    assert document["PackageSizeBytes"] == len(replacement)
    assert feed.raw(original["Id"]).content == replacement
    assert feed.list()["TotalResults"] == 1


def test_an_unknown_overwrite_mode_is_refused_before_anything_is_stored(feed: Feed, octo: Octo) -> None:
    response = feed.upload("Acme.Web.1.0.0.zip", package_bytes(spec()), overwriteMode="Sometimes")
    assert response.status_code == 400
    assert "overwriteMode" in response.json()["Errors"][0]
    assert octo.server.snapshot()["packages"] == {}


def test_servers_before_2019_7_9_know_only_replace(sandbox_factory: Callable[..., Any]) -> None:
    octo = Octo(sandbox_factory("empty", version="2019.6.4"))
    feed = Feed(octo)
    feed.push(spec(seed=1))
    ignored = feed.upload("Acme.Web.1.0.0.zip", package_bytes(spec(seed=2)), overwriteMode="IgnoreIfExists")
    assert ignored.status_code == 409  # the parameter is unknown there: FailIfExists applies
    assert feed.upload("Acme.Web.1.0.0.zip", package_bytes(spec(seed=2)), replace="true").status_code == 201


# refusals ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "file_name",
    ["MyPackage123.zip", "Acme.Web.1.0.0.exe", "Acme.Web.zip", "C:\\builds\\Acme.Web.1.0.0.zip", ".zip"],
)
def test_a_file_name_without_id_version_and_package_extension_is_refused(
    feed: Feed, octo: Octo, file_name: str
) -> None:
    response = feed.upload(file_name, package_bytes(spec()))
    assert response.status_code == 400
    body = response.json()
    assert body["ErrorMessage"] == "There was a problem with your request."
    assert body["Errors"][0].startswith("The uploaded file isn't in a supported package format.")
    assert file_name in body["Errors"][0]
    assert octo.server.snapshot()["packages"] == {}


@pytest.mark.parametrize(
    ("file_name", "data", "error"),
    [
        ("Acme.Web.1.0.0.zip", b"", "The uploaded package file had length equal to 0."),
        (
            "Acme.Web.1.0.0.nupkg",
            b"PK\x03\x04 not really a zip",
            "The uploaded file isn't a valid NuGet package.",
        ),
        ("Acme.Web.1.0.0.nupkg", package_bytes(spec()), "The uploaded file isn't a valid NuGet package."),
    ],
    ids=["empty", "not-a-zip", "zip-without-nuspec"],
)
def test_empty_files_and_broken_nuget_packages_are_refused(
    feed: Feed, octo: Octo, file_name: str, data: bytes, error: str
) -> None:
    response = feed.upload(file_name, data)
    assert response.status_code == 400
    assert response.json()["Errors"][0].startswith(error)
    assert octo.server.snapshot()["packages"] == {}


def test_a_body_without_a_file_or_not_multipart_is_refused(feed: Feed, octo: Octo) -> None:
    url = f"{octo.server.url}{feed.p}/packages/raw"
    no_file = octo.session.post(url, files={"note": (None, "no file here")}, timeout=10)
    assert no_file.status_code == 400
    assert no_file.json()["Errors"] == ["A package file must be provided"]
    not_multipart = octo.session.post(url, data=b"Acme.Web.1.0.0", timeout=10)
    assert not_multipart.status_code == 400
    assert octo.server.snapshot()["packages"] == {}


def test_refused_uploads_leave_no_file_behind(feed: Feed, octo: Octo) -> None:
    feed.upload("Acme.Web.zip", package_bytes(spec()))
    feed.upload("Acme.Web.1.0.0.nupkg", b"broken")
    feed.push(spec())
    feed.upload("Acme.Web.1.0.0.zip", package_bytes(spec(seed=3)))  # 409
    folder = octo.server.store.packages.folder
    assert list((folder / "incoming").iterdir()) == []
    assert len([path for path in folder.rglob("*") if path.is_file()]) == 1


def test_a_read_only_key_cannot_upload_and_the_connection_survives(octo: Octo) -> None:
    octo.server.add_api_key("API-READONLYREADONLYREADONLY12", role="read-only")
    reader = Octo(octo.server, "API-READONLYREADONLYREADONLY12")
    feed = Feed(reader)
    assert feed.upload("Acme.Web.1.0.0.zip", package_bytes(spec(payload_bytes=200_000))).status_code == 403
    assert reader.get(feed.p).status_code == 200  # same keep-alive connection, body was read to the end
    reader.close()


# per space, routes, delete ---------------------------------------------------------------------------------
def test_each_space_has_its_own_feed(octo: Octo, feed: Feed) -> None:
    other_space = octo.ok(
        octo.post("/api/spaces", {"Name": "Team B", "SpaceManagersTeams": ["teams-managers"]})
    )
    other = Feed(octo, other_space["Id"])
    document = other.push(spec("Team.Tool", "1.0.0"))
    assert document["FeedId"] == builtin_feed_id(octo, other_space["Id"]) != builtin_feed_id(octo, octo.space)
    assert feed.list()["TotalResults"] == 0
    assert octo.get(f"{feed.p}/packages/{document['Id']}").status_code == 404
    assert other.list()["TotalResults"] == 1


def test_deleting_a_space_deletes_its_packages(octo: Octo) -> None:
    space = octo.ok(
        octo.post("/api/spaces", {"Name": "Short Lived", "SpaceManagersTeams": ["teams-managers"]})
    )
    Feed(octo, space["Id"]).push(spec())
    assert octo.delete(f"/api/spaces/{space['Id']}").status_code == 200
    assert space["Id"] not in octo.server.snapshot()["packages"]
    assert not [path for path in octo.server.store.packages.folder.rglob("*") if path.is_file()]


def test_the_routes_without_a_space_use_the_default_space(feed: Feed, octo: Octo) -> None:
    document = feed.push(spec())
    assert octo.ok(octo.get("/api/packages"))["Items"][0]["Id"] == document["Id"]
    assert octo.get(f"/api/packages/{document['Id']}/raw").content == package_bytes(spec())
    # the 2026 form /api/spaces/{id}/... is not served (docs/api-evidence.md, Route forms)
    assert octo.get(f"/api/spaces/{octo.space}/packages/{document['Id']}/raw").status_code == 404


def test_space_root_links_the_package_routes(octo: Octo) -> None:
    links = octo.ok(octo.get(octo.p))["Links"]
    assert (
        links["Packages"]
        == f"{octo.p}/packages{{/id}}{{?nuGetPackageId,filter,latest,skip,take,includeNotes}}"
    )
    assert "overwriteMode" in links["PackageUpload"]  # what OctopusClients looks for before using it
    assert links["PackagesBulk"] == f"{octo.p}/packages/bulk{{?ids}}"


def test_delete_one_and_bulk_delete(stocked: Feed) -> None:
    octo = stocked.octo
    assert octo.delete(f"{stocked.p}/packages/packages-Contoso.Api.0.9.0").status_code == 200
    assert octo.get(f"{stocked.p}/packages/packages-Contoso.Api.0.9.0").status_code == 404
    assert octo.delete(f"{stocked.p}/packages/packages-Contoso.Api.0.9.0").status_code == 404
    bulk = octo.delete(
        f"{stocked.p}/packages/bulk?ids=packages-Acme.Worker.3.0.0,packages-Acme.Worker.3.0.1-alpha"
    )
    assert bulk.status_code == 200
    assert ids(stocked.list(filter="Worker")) == []
    assert octo.delete(f"{stocked.p}/packages/bulk").status_code == 400
    assert stocked.list()["TotalResults"] == 4


# snapshot and files ----------------------------------------------------------------------------------------
def test_snapshot_lists_ids_versions_sizes_and_hashes_never_bytes(feed: Feed, octo: Octo) -> None:
    document = feed.push(spec(payload_bytes=50_000))
    assert octo.server.snapshot()["packages"] == {
        octo.space: [
            {
                "Id": document["Id"],
                "PackageId": "Acme.Web",
                "Version": "1.0.0",
                "FileExtension": ".zip",
                "PackageSizeBytes": document["PackageSizeBytes"],
                "Hash": document["Hash"],
            }
        ]
    }


def test_package_files_live_in_the_servers_own_folder_until_it_stops(
    sandbox_factory: Callable[..., Any],
) -> None:
    server = sandbox_factory("empty")
    octo = Octo(server)
    Feed(octo).push(spec())
    folder = server.store.packages.folder
    assert any(path.is_file() for path in folder.rglob("*"))
    octo.close()
    server.stop()
    assert not folder.exists()
    assert server.snapshot()["packages"] == {}


def test_add_package_puts_a_file_from_disk_into_the_feed(octo: Octo, feed: Feed, tmp_path: Any) -> None:
    from octodesk.sandbox.package_files import write_package

    written = write_package(spec("Acme.Big", "4.0.0", payload_bytes=2_000_000), tmp_path)
    document = octo.server.add_package("Default", written.path)
    assert (document["Hash"], document["PackageSizeBytes"]) == (written.sha1, written.size)
    assert feed.raw(document["Id"]).content == written.path.read_bytes()
    with pytest.raises(ValueError, match="already exists"):
        octo.server.add_package("Default", written.path)


# Octopus clients' multipart forms --------------------------------------------------------------------------
def _chunks(*pieces: bytes) -> Iterator[bytes]:
    yield from pieces


@pytest.mark.parametrize(
    "disposition",
    [
        # OctopusClients' synchronous client: unquoted parameters, sent chunked after a leading CRLF
        b"form-data; name=file; filename=Acme.Web.1.0.0.zip",
        # .NET MultipartFormDataContent adds filename*
        b"form-data; name=file; filename=Acme.Web.1.0.0.zip; filename*=utf-8''Acme.Web.1.0.0.zip",
        # the REST API Go example
        b'form-data; name="filedata"; filename="Acme.Web.1.0.0.zip"',
    ],
)
def test_the_multipart_forms_octopus_clients_send_are_accepted(
    feed: Feed, octo: Octo, disposition: bytes
) -> None:
    data = package_bytes(spec(payload_bytes=100_000))
    response = octo.session.post(
        f"{octo.server.url}{feed.p}/packages/raw",
        data=_chunks(
            b"\r\n--b0undary\r\nContent-Disposition: " + disposition,
            b"\r\nContent-Type: application/octet-stream\r\n\r\n",
            data[:5000],
            data[5000:],
            b"\r\n--b0undary--\r\n",
        ),
        headers={"Content-Type": "multipart/form-data; boundary=b0undary"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    assert response.json()["Hash"] == hashlib.sha1(data).hexdigest()

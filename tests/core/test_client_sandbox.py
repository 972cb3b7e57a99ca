"""The client against the sandbox over real HTTP: detection, paging, ids, faults, keys and roles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from octodesk.core.errors import (
    AuthenticationFailed,
    ConnectionFailed,
    PermissionDenied,
    ResourceNotFound,
    ServerFailure,
    ValidationFailed,
)
from octodesk.core.octopus.client import OctopusClient

SandboxFactory = Callable[..., Any]


def connect(server: Any, api_key: str | None = None, **options: Any) -> tuple[OctopusClient, list[float]]:
    client = OctopusClient(server.url, api_key or server.api_key, **options)
    waits: list[float] = []
    client.sleep = waits.append
    return client, waits


@pytest.mark.parametrize(("hosting", "expected"), [("self-hosted", "SelfHosted"), ("cloud", "OctopusCloud")])
def test_version_and_hosting_are_detected(
    sandbox_factory: SandboxFactory, hosting: str, expected: str
) -> None:
    server = sandbox_factory("empty", version="2023.1.9626", hosting=hosting)
    client, _ = connect(server)
    with client:
        info = client.server_info()
    assert (info.version, info.hosting, info.url) == ("2023.1.9626", expected, server.url)


def test_paging_a_collection_of_more_than_30_environments(sandbox_factory: SandboxFactory) -> None:
    server = sandbox_factory("empty")
    space = server.space_id("Default")
    client, _ = connect(server)
    with client:
        created = [client.post(f"/api/{space}/environments", {"Name": f"Env {n:02d}"}) for n in range(45)]
        server.reset_counters()
        client.page_size = 20  # a small take, so the client must follow pages
        paged = client.get_all(f"/api/{space}/environments")
        page_requests = server.request_count
        listed = client.get_all(f"/api/{space}/environments/all")
    assert {env["Id"] for env in created} <= {env["Id"] for env in paged}
    assert len(paged) == len(listed) >= 45
    assert page_requests == -(-len(paged) // 20)


def test_default_take_of_30_is_followed(sandbox_factory: SandboxFactory) -> None:
    server = sandbox_factory("empty")
    space = server.space_id("Default")
    client, _ = connect(server)
    with client:
        for n in range(35):
            client.post(f"/api/{space}/environments", {"Name": f"Env {n:02d}"})
        server.reset_counters()
        pages = [client.get(f"/api/{space}/environments")]
        everything = client.get_all(f"/api/{space}/environments")
    assert len(pages[0]["Items"]) == 30  # the sandbox, like Octopus, pages by 30 by default
    assert len(everything) == pages[0]["TotalResults"] >= 35


def test_get_by_ids_against_the_sandbox(sandbox_factory: SandboxFactory) -> None:
    server = sandbox_factory("large")
    client, _ = connect(server)
    with client:
        space = client.list_spaces()[0]["Id"]
        projects = client.get_all(f"/api/{space}/projects/all")
        ids = [project["Id"] for project in projects][:150]
        server.reset_counters()
        found = client.get_by_ids(f"/api/{space}/projects", [*ids, *ids[:10]])
    assert sorted(project["Id"] for project in found) == sorted(ids)
    assert server.request_count == 2  # 150 distinct ids: a batch of 100 and one of 50


def test_transient_faults_are_retried_for_reads(sandbox_factory: SandboxFactory) -> None:
    server = sandbox_factory("empty")
    client, waits = connect(server, max_retries=5)
    with client:
        server.fail_next(1, "503", method="GET")
        server.fail_next(1, "drop", method="GET")
        server.fail_next(1, "truncated", method="GET")
        server.fail_next(1, "html", method="GET")
        server.fail_next(1, "429", method="GET", retry_after=3)
        spaces = client.list_spaces()
    assert [space["Name"] for space in spaces] == ["Default"]
    assert len(waits) == 5 and 3.0 in waits


def test_a_write_is_not_repeated_after_a_failure(sandbox_factory: SandboxFactory) -> None:
    server = sandbox_factory("empty")
    space = server.space_id("Default")
    client, waits = connect(server)
    with client:
        server.fail_next(1, "drop", method="POST")
        with pytest.raises(ConnectionFailed):
            client.post(f"/api/{space}/environments", {"Name": "Production"})
        server.fail_next(1, "503", method="POST")
        with pytest.raises(ServerFailure):
            client.post(f"/api/{space}/environments", {"Name": "Production"})
    assert waits == []
    assert [entry for entry in server.request_log if entry[0] == "POST"] == [
        ("POST", f"/api/{space}/environments"),
        ("POST", f"/api/{space}/environments"),
    ]


def test_validation_error_from_the_sandbox_carries_its_errors(sandbox_factory: SandboxFactory) -> None:
    server = sandbox_factory("empty")
    space = server.space_id("Default")
    client, _ = connect(server)
    with client:
        client.post(f"/api/{space}/environments", {"Name": "Production"})
        with pytest.raises(ValidationFailed) as caught:
            client.post(f"/api/{space}/environments", {"Name": "Production"})
    assert str(caught.value).startswith(f"POST /api/{space}/environments was refused (400)")
    assert caught.value.errors


def test_wrong_key_and_read_only_key(sandbox_factory: SandboxFactory) -> None:
    server = sandbox_factory("empty")
    server.add_api_key("API-READONLYSANDBOXKEY0000000001", role="read-only")
    space = server.space_id("Default")
    wrong, _ = connect(server, "API-WRONGSANDBOXKEY000000000000")
    with wrong, pytest.raises(AuthenticationFailed) as caught:
        wrong.list_spaces()
    assert "API-WRONGSANDBOXKEY000000000000" not in str(caught.value)
    reader, _ = connect(server, "API-READONLYSANDBOXKEY0000000001")
    with reader:
        assert reader.get_all(f"/api/{space}/environments") is not None
        with pytest.raises(PermissionDenied):
            reader.post(f"/api/{space}/environments", {"Name": "Production"})


def test_resolve_space_by_exact_name_on_the_sandbox(sandbox_factory: SandboxFactory) -> None:
    server = sandbox_factory("empty")
    client, _ = connect(server)
    with client:
        managers = ["teams-administrators"]
        created = {
            name: client.post("/api/spaces", {"Name": name, "SpaceManagersTeams": managers})["Id"]
            for name in ("Production", "Pre-Prod", "Prod")
        }
        assert client.get_all("/api/spaces", {"partialName": "Prod"})  # contains-match: all three
        assert {name: client.resolve_space(name)["Id"] for name in created} == created
        with pytest.raises(ResourceNotFound, match="Did you mean"):
            client.resolve_space("Prd")


def test_an_access_token_is_sent_as_a_bearer_token_and_an_api_key_is_not(
    sandbox_factory: SandboxFactory,
) -> None:
    server = sandbox_factory("empty")
    server.add_access_token("eyJhbGciOi.octopus-access-token.sig")
    space = server.space_id("Default")
    with OctopusClient(server.url, "eyJhbGciOi.octopus-access-token.sig") as client:
        assert client.read_collection(f"/api/{space}/environments") == []
    with pytest.raises(AuthenticationFailed):
        OctopusClient(server.url, "eyJhbGciOi.not-registered.sig").get(f"/api/{space}/environments")


def test_read_collection_uses_all_and_pages_where_a_kind_has_no_all_route(
    sandbox_factory: SandboxFactory,
) -> None:
    server = sandbox_factory("demo", version="2023.1")
    space = server.space_id("Default")
    client, _ = connect(server)
    with client:
        server.reset_counters()
        environments = client.read_collection(f"/api/{space}/environments")
        assert [path.split("?")[0] for _, path in server.request_log] == [f"/api/{space}/environments/all"]
        server.reset_counters()
        client.read_collection(f"/api/{space}/git-credentials")  # no /all route: 404, then the pages
        assert [path.split("?")[0] for _, path in server.request_log] == [
            f"/api/{space}/git-credentials/all",
            f"/api/{space}/git-credentials",
        ]
    assert environments

"""Server version and hosting detection, spaces listed and resolved by exact name."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from stub_server import Script, StubResponse, Stubs, collection_handler, json_reply

from octodesk.core.errors import AuthenticationFailed, NotAnOctopusServer, ResourceNotFound
from octodesk.core.octopus.client import hosting_from_host

API_KEY = "API-SERVERTESTKEY0123456789ABCDEF"
ROOT = {"Application": "Octopus Deploy", "Version": "2023.1.9626", "ApiVersion": "3.0.0", "Links": {}}
LICENSE = "GET /api/licenses/licenses-current-status"
SPACES = [
    {"Id": "Spaces-1", "Name": "Default"},
    {"Id": "Spaces-2", "Name": "Production"},
    {"Id": "Spaces-3", "Name": "Pre-Prod"},
    {"Id": "Spaces-4", "Name": "Prod"},
]


@pytest.fixture
def stubs() -> Iterator[Stubs]:
    with Stubs(API_KEY) as started:
        yield started


@pytest.mark.parametrize("hosting", ["SelfHosted", "OctopusCloud"])
def test_server_info_reads_version_and_hosting_from_license_status(stubs: Stubs, hosting: str) -> None:
    script = Script().always("GET /api", json_reply(ROOT))
    script.always(LICENSE, json_reply({"HostingEnvironment": hosting, "IsCompliant": True}))
    server, client, _ = stubs.serve(script)
    info = client.server_info()
    assert (info.version, info.hosting, info.application) == ("2023.1.9626", hosting, "Octopus Deploy")
    assert info.url == server.url


@pytest.mark.parametrize("status", [403, 404])
def test_hosting_falls_back_to_host_name_without_license_status(stubs: Stubs, status: int) -> None:
    script = Script().always("GET /api", json_reply(ROOT))
    script.always(LICENSE, json_reply({"ErrorMessage": "no"}, status))
    _, client, _ = stubs.serve(script)
    assert client.server_info().hosting == "SelfHosted"


def test_invalid_api_key_on_license_status_is_not_hidden_by_the_fallback(stubs: Stubs) -> None:
    script = Script().always("GET /api", json_reply(ROOT))
    script.always(LICENSE, json_reply({"ErrorMessage": "Invalid API key"}, 401))
    _, client, _ = stubs.serve(script)
    with pytest.raises(AuthenticationFailed):
        client.server_info()


@pytest.mark.parametrize(
    ("host", "hosting"),
    [
        ("acme.octopus.app", "OctopusCloud"),
        ("ACME.Octopus.App.", "OctopusCloud"),
        ("octopus.app.example.com", "SelfHosted"),
        ("octopus.example.com", "SelfHosted"),
        ("127.0.0.1", "SelfHosted"),
    ],
)
def test_hosting_from_host_name(host: str, hosting: str) -> None:
    assert hosting_from_host(host) == hosting


def test_server_starting_up_is_retried_on_api_root(stubs: Stubs) -> None:
    script = Script().then("GET /api", StubResponse(503, "Octopus Server is starting")).always(
        "GET /api", json_reply(ROOT)
    )
    script.always(LICENSE, json_reply({"HostingEnvironment": "SelfHosted"}))
    _, client, waits = stubs.serve(script)
    assert client.server_info().version == "2023.1.9626"
    assert len(waits) == 1


@pytest.mark.parametrize(
    "answer",
    [
        json_reply({"status": "ok", "version": "1.2"}),  # some other JSON API
        json_reply({"ErrorMessage": "Not found"}, 404),
        json_reply(["not", "a", "document"]),
    ],
)
def test_something_else_at_api_is_not_an_octopus_server(stubs: Stubs, answer: StubResponse) -> None:
    _, client, _ = stubs.serve(Script().always("GET /api", answer))
    with pytest.raises(NotAnOctopusServer):
        client.server_info()


def test_list_spaces_uses_the_all_route(stubs: Stubs) -> None:
    server, client, _ = stubs.serve(Script().always("GET /api/spaces/all", json_reply(SPACES)))
    assert client.list_spaces() == SPACES
    assert server.request_count == 1


def test_list_spaces_falls_back_to_paging_without_an_all_route(stubs: Stubs) -> None:
    many = [{"Id": f"Spaces-{n}", "Name": f"Team {n}"} for n in range(1, 46)]
    script = Script().always("GET /api/spaces/all", json_reply({"ErrorMessage": "not found"}, 404))
    script.always("GET /api/spaces", collection_handler(many))
    _, client, _ = stubs.serve(script)
    assert client.list_spaces() == many


@pytest.mark.parametrize(
    ("name", "space_id"), [("Prod", "Spaces-4"), ("Production", "Spaces-2"), ("Pre-Prod", "Spaces-3")]
)
def test_resolve_space_picks_the_exact_name_among_similar(stubs: Stubs, name: str, space_id: str) -> None:
    _, client, _ = stubs.serve(Script().always("GET /api/spaces/all", json_reply(SPACES)))
    assert client.resolve_space(name)["Id"] == space_id


def test_resolve_space_accepts_a_unique_match_ignoring_case(stubs: Stubs) -> None:
    _, client, _ = stubs.serve(Script().always("GET /api/spaces/all", json_reply(SPACES)))
    assert client.resolve_space("production")["Id"] == "Spaces-2"


def test_unknown_space_names_the_close_matches(stubs: Stubs) -> None:
    server, client, _ = stubs.serve(Script().always("GET /api/spaces/all", json_reply(SPACES)))
    with pytest.raises(ResourceNotFound) as caught:
        client.resolve_space("Prodution")
    message = str(caught.value)
    assert message.startswith(f"No space named 'Prodution' on {server.url}. Did you mean ")
    assert "'Production'" in message
    assert "'Default'" not in message


def test_unknown_space_with_nothing_close_lists_the_spaces(stubs: Stubs) -> None:
    _, client, _ = stubs.serve(Script().always("GET /api/spaces/all", json_reply(SPACES)))
    with pytest.raises(ResourceNotFound, match="Available: 'Default', 'Pre-Prod', 'Prod', 'Production'"):
        client.resolve_space("Marketing")


def test_resolve_space_accepts_a_space_id(stubs: Stubs) -> None:
    _, client, _ = stubs.serve(Script().always("GET /api/spaces/all", json_reply(SPACES)))
    assert client.resolve_space("Spaces-3")["Name"] == "Pre-Prod"


def test_server_without_spaces_is_explained(stubs: Stubs) -> None:
    server, client, _ = stubs.serve(Script())  # every route 404, like a pre-2019 server
    with pytest.raises(ResourceNotFound, match=r"has no spaces API: OctoDesk needs Octopus Server 2019\.1"):
        client.list_spaces()
    assert server.paths() == ["GET /api/spaces/all", "GET /api/spaces"]


def test_server_version_hosting_and_space_are_read_at_once(stubs: Stubs) -> None:
    together = threading.Barrier(3, timeout=3)

    def answer_together(body: object) -> Callable[[object], StubResponse]:
        # each answers only once all three were asked: read one after another, the first waits in vain
        def handle(_request: object) -> StubResponse:
            try:
                together.wait()
            except threading.BrokenBarrierError:
                return json_reply({"ErrorMessage": "asked one after the other"}, 500)
            return json_reply(body)

        return handle

    script = Script().always("GET /api", answer_together(ROOT))
    script.always("GET /api/spaces/all", answer_together(SPACES))
    script.always(LICENSE, answer_together({"HostingEnvironment": "OctopusCloud"}))
    _, client, _ = stubs.serve(script)
    client.max_retries = 0
    info, space = client.server_info_and_space("Production")
    assert (info.version, info.hosting, space["Id"]) == ("2023.1.9626", "OctopusCloud", "Spaces-2")


def test_when_the_url_is_not_octopus_the_server_error_wins_over_the_missing_space(stubs: Stubs) -> None:
    nginx = StubResponse(200, "<html><body>Welcome to nginx!</body></html>", content_type="text/html")
    _, client, _ = stubs.serve(Script().always("GET /api", nginx))  # every other route: 404
    for _ in range(5):  # whichever answer comes first
        with pytest.raises(NotAnOctopusServer):
            client.server_info_and_space("Default")

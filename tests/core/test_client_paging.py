"""Whole collections: every page followed (the server caps take at 30), /all routes, ids in batches."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from stub_server import Script, StubRequest, StubResponse, Stubs, collection_handler, iter_ids, json_reply

from octodesk.core.errors import ServerFailure
from octodesk.core.octopus import paging

API_KEY = "API-PAGINGTESTKEY0123456789ABCDEF"
ENVS = "/api/Spaces-1/environments"


@pytest.fixture
def stubs() -> Iterator[Stubs]:
    with Stubs(API_KEY) as started:
        yield started


def test_follows_page_next_links_past_30_even_when_take_is_capped(stubs: Stubs) -> None:
    items = list(iter_ids("Environments", 75))
    server, client, _ = stubs.serve(collection_handler(items))
    assert client.get_all(ENVS) == items
    assert server.request_count == 3
    assert server.requests[0].query["take"] == str(client.page_size)  # asked for a big page anyway


def test_pages_by_skip_when_there_are_no_links(stubs: Stubs) -> None:
    items = list(iter_ids("Environments", 75))
    server, client, _ = stubs.serve(collection_handler(items, links=False))
    assert client.get_all(ENVS) == items
    assert [request.query["skip"] for request in server.requests] == ["0", "30", "60"]


def test_pages_by_items_per_page_when_there_is_no_total_either(stubs: Stubs) -> None:
    items = list(iter_ids("Environments", 75))
    server, client, _ = stubs.serve(collection_handler(items, links=False, totals=False))
    assert client.get_all(ENVS) == items
    assert server.request_count == 3


def test_default_take_of_30_is_not_mistaken_for_the_end(stubs: Stubs) -> None:
    items = list(iter_ids("Environments", 31))
    server, client, _ = stubs.serve(collection_handler(items, default_take=30, max_take=30))
    client.page_size = 30
    assert len(client.get_all(ENVS)) == 31
    assert server.request_count == 2


def test_filters_are_kept_on_every_page(stubs: Stubs) -> None:
    items = list(iter_ids("Environments", 70))

    def handle(request: StubRequest) -> StubResponse:
        assert request.query.get("partialName") == "Env"
        return collection_handler(items)(request)

    server, client, _ = stubs.serve(handle)
    assert len(client.get_all(ENVS, {"partialName": "Env"})) == 70
    assert server.request_count == 3


def test_query_in_the_path_counts_as_a_filter(stubs: Stubs) -> None:
    items = list(iter_ids("Environments", 40))
    server, client, _ = stubs.serve(collection_handler(items))
    assert len(client.get_all(f"{ENVS}?partialName=Env")) == 40
    assert all(request.query["partialName"] == "Env" for request in server.requests)


def test_all_route_is_one_request_for_a_plain_array(stubs: Stubs) -> None:
    items = list(iter_ids("Environments", 250))
    server, client, _ = stubs.serve(Script().always(f"GET {ENVS}/all", json_reply(items)))
    assert client.get_all(f"{ENVS}/all") == items
    assert server.paths() == [f"GET {ENVS}/all"]


def test_paging_that_does_not_advance_fails_instead_of_looping(stubs: Stubs) -> None:
    links = {"Page.Next": f"{ENVS}?skip=0"}
    stuck = {"Items": [{"Id": "Environments-1"}], "TotalResults": 50, "Links": links}
    server, client, _ = stubs.serve(Script().always(f"GET {ENVS}", json_reply(stuck)))
    with pytest.raises(ServerFailure, match="paging did not advance"):
        client.get_all(ENVS)
    assert server.request_count == 1


def test_a_server_that_ignores_skip_fails_instead_of_looping(stubs: Stubs) -> None:
    """No totals, no links, no ItemsPerPage: only the repeated items show the paging is ignored."""
    same_page = {"Items": [{"Id": f"Environments-{n}"} for n in range(30)]}
    server, client, _ = stubs.serve(Script().always(f"GET {ENVS}", json_reply(same_page)))
    with pytest.raises(ServerFailure, match="same items again"):
        client.get_all(ENVS)
    assert server.request_count == 2


def test_non_collection_answer_is_a_clear_failure(stubs: Stubs) -> None:
    _, client, _ = stubs.serve(Script().always(f"GET {ENVS}", json_reply({"Id": "not a collection"})))
    with pytest.raises(ServerFailure, match=f"GET {ENVS} did not return a collection"):
        client.get_all(ENVS)


def test_get_by_ids_batches_deduplicates_and_follows_pages(stubs: Stubs) -> None:
    items = list(iter_ids("Projects", 300))
    server, client, _ = stubs.serve(collection_handler(items))
    wanted = [item["Id"] for item in items[:250]]
    found = client.get_by_ids("/api/Spaces-1/projects", [*wanted, *wanted[:40], ""])
    assert [item["Id"] for item in found] == wanted
    first_pages = [request.query for request in server.requests if request.query["skip"] == "0"]
    assert sorted(len(query["ids"].split(",")) for query in first_pages) == [50, 100, 100]
    assert all(query["take"] == str(len(query["ids"].split(","))) for query in first_pages)
    # each batch of 100 comes back in pages of 30: 4 + 4 + 2 requests
    assert server.request_count == 10


def test_get_by_ids_with_nothing_to_fetch_sends_nothing(stubs: Stubs) -> None:
    server, client, _ = stubs.serve(collection_handler([]))
    assert client.get_by_ids("/api/Spaces-1/projects", []) == []
    assert server.request_count == 0


def test_post_file_sends_multipart_and_get_bytes_returns_content_type(stubs: Stubs) -> None:
    logo = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    path = "/api/Spaces-1/projects/Projects-1/logo"
    script = Script().always(f"POST {path}", StubResponse(200, None))
    script.always(f"GET {path}", StubResponse(200, logo, content_type="image/png"))
    server, client, _ = stubs.serve(script)
    assert client.post_file(path, "fileData", "logo.png", logo, "image/png") is None
    upload = server.requests[0]
    assert upload.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert b'name="fileData"; filename="logo.png"' in upload.body
    assert b"Content-Type: image/png" in upload.body and logo in upload.body
    assert client.get_bytes(path) == (logo, "image/png")


# A server that pages forever with new ids (before: MemoryError after ~27,000 requests and 2 GB).
def endless(request: StubRequest) -> StubResponse:
    skip = int(request.query.get("skip", 0))
    items = [{"Id": f"Environments-{skip + n}", "Name": f"env {skip + n}"} for n in range(30)]
    next_link = f"{ENVS}?skip={skip + 30}&take=30"
    return json_reply({"Items": items, "ItemsPerPage": 30, "Links": {"Page.Next": next_link}})


def test_endless_pages_stop_at_the_item_budget(stubs: Stubs, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paging, "MAX_COLLECTION_ITEMS", 200)
    server, client, _ = stubs.serve(endless)

    with pytest.raises(ServerFailure, match="still returning new items after 7 pages and 210 items"):
        client.get_all(ENVS)

    assert server.request_count == 7


def test_endless_pages_stop_at_the_page_budget(stubs: Stubs, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paging, "MAX_COLLECTION_PAGES", 5)
    server, client, _ = stubs.serve(endless)

    with pytest.raises(ServerFailure, match=r"limits 5 pages, 100000 items\): the server's paging looks"):
        client.get_all(ENVS)

    assert server.request_count == 6


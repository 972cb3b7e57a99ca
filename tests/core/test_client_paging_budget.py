"""A server that pages forever with new ids: the read stops at the collection budget with a clear failure
(before: MemoryError after ~27,000 requests and 2 GB)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from stub_server import StubRequest, StubResponse, Stubs, json_reply

from octodesk.core.errors import ServerFailure
from octodesk.core.octopus import paging

API_KEY = "API-PAGINGBUDGETKEY0123456789ABC"
THINGS = "/api/Spaces-1/environments"


@pytest.fixture
def stubs() -> Iterator[Stubs]:
    with Stubs(API_KEY) as started:
        yield started


def endless(request: StubRequest) -> StubResponse:
    skip = int(request.query.get("skip", 0))
    items = [{"Id": f"Environments-{skip + n}", "Name": f"env {skip + n}"} for n in range(30)]
    next_link = f"{THINGS}?skip={skip + 30}&take=30"
    return json_reply({"Items": items, "ItemsPerPage": 30, "Links": {"Page.Next": next_link}})


def test_endless_pages_stop_at_the_item_budget(stubs: Stubs, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paging, "MAX_COLLECTION_ITEMS", 200)
    server, client, _ = stubs.serve(endless)

    with pytest.raises(ServerFailure, match="still returning new items after 7 pages and 210 items"):
        client.get_all(THINGS)

    assert server.request_count == 7


def test_endless_pages_stop_at_the_page_budget(stubs: Stubs, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paging, "MAX_COLLECTION_PAGES", 5)
    server, client, _ = stubs.serve(endless)

    with pytest.raises(ServerFailure, match=r"limits 5 pages, 100000 items\): the server's paging looks"):
        client.get_all(THINGS)

    assert server.request_count == 6


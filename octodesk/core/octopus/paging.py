"""Octopus collection paging: where the next page starts, whatever the server's era.

Newer servers give ``Links["Page.Next"]``; older ones only ``TotalResults``; some only ``ItemsPerPage``. The
server may cap ``take`` below what was asked, so a short page is not proof of the end unless the server
says so.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

from octodesk.core.errors import ServerFailure

# A collection read stops here whatever the server says: a server answering page after page of new ids would
# otherwise be read until memory runs out. The largest collections OctoDesk reads (projects, variables,
# tenants of a big space) hold thousands of items; these leave a wide margin.
MAX_COLLECTION_ITEMS = 100_000
MAX_COLLECTION_PAGES = 5_000


def check_collection_budget(route: str, pages: int, items: int) -> None:
    """ServerFailure once a collection read passes MAX_COLLECTION_PAGES pages or MAX_COLLECTION_ITEMS."""
    if pages > MAX_COLLECTION_PAGES or items > MAX_COLLECTION_ITEMS:
        raise ServerFailure(
            f"GET {route} is still returning new items after {pages} pages and {items} items, more than any "
            f"collection OctoDesk reads (limits {MAX_COLLECTION_PAGES} pages, {MAX_COLLECTION_ITEMS} items): "
            "the server's paging looks broken; stopped."
        )


def as_items(body: Any, path: str) -> list[dict[str, Any]]:
    """The array of a /all route (or the Items of a collection, if a server answers that way)."""
    if isinstance(body, dict) and isinstance(body.get("Items"), list):
        body = body["Items"]
    if not isinstance(body, list):
        raise ServerFailure(f"GET {urlsplit(path).path} did not return a list.")
    return objects_only(body, path)


def objects_only(items: list[Any], path: str) -> list[dict[str, Any]]:
    """Every item of a list answer must be a resource (a JSON object); anything else is a broken server."""
    if not all(isinstance(item, dict) for item in items):
        raise ServerFailure(
            f"GET {urlsplit(path).path} returned a list holding something other than resources."
        )
    return list(items)


def next_page_query(
    page: dict[str, Any], query: dict[str, Any], page_count: int, collected: int
) -> dict[str, Any] | None:
    """The query for the next page, or None when ``page`` was the last one.

    ``query`` produced ``page`` (``page_count`` items); ``collected`` items have been read so far.
    """
    if page_count == 0:
        return None
    total = page.get("TotalResults")
    if isinstance(total, int) and collected >= total:
        return None
    skip = int(query.get("skip", 0))
    next_link = (page.get("Links") or {}).get("Page.Next")
    if isinstance(next_link, str) and next_link:
        # The link's paging, but the caller's filters kept even if the server left them out of the link.
        next_query = {**query, **dict(parse_qsl(urlsplit(next_link).query))}
    elif isinstance(total, int):
        next_query = {**query, "skip": skip + page_count}
    else:
        per_page = page.get("ItemsPerPage")
        if isinstance(per_page, int) and page_count < per_page:
            return None
        next_query = {**query, "skip": skip + page_count}
    try:
        advanced = int(next_query.get("skip", 0)) > skip
    except (TypeError, ValueError):
        advanced = False
    if not advanced:
        raise ServerFailure(f"The server's paging did not advance past item {skip} (next: {next_link}).")
    return next_query

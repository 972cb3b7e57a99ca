"""The real ResourceCollection shape: filters, skip/take (default 30) and paging links."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

from .errors import ApiError

DEFAULT_TAKE = 30
TAKE_ALL = 2147483647

Query = Mapping[str, str]


def query_int(query: Query, name: str, default: int) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as error:
        raise ApiError(400, f"The query parameter '{name}' must be a whole number, not '{raw}'.") from error
    if value < 0:
        raise ApiError(400, f"The query parameter '{name}' must not be negative.")
    return value


def id_filter(query: Query) -> set[str] | None:
    raw = query.get("ids")
    if raw is None or raw == "":
        return None
    return {part.strip() for part in raw.split(",") if part.strip()}


def filter_items(items: list[dict[str, Any]], query: Query) -> list[dict[str, Any]]:
    """ids= (comma separated), partialName= and the obsolete name= (both contains, case-insensitive)."""
    ids = id_filter(query)
    if ids is not None:
        items = [item for item in items if item.get("Id") in ids]
    for param in ("partialName", "name"):
        needle = query.get(param)
        if needle:
            lowered = needle.lower()
            items = [item for item in items if lowered in str(item.get("Name", "")).lower()]
    return items


def collection(
    items: list[dict[str, Any]],
    query: Query,
    *,
    item_type: str,
    base_path: str,
    template: str,
    render: Callable[[dict[str, Any]], dict[str, Any]],
) -> dict[str, Any]:
    skip = query_int(query, "skip", 0)
    take = query_int(query, "take", DEFAULT_TAKE)
    total = len(items)
    page = items[skip : skip + take] if take else []
    pages = max(1, math.ceil(total / take)) if take else 1
    extra = {k: v for k, v in query.items() if k not in ("skip", "take")}

    def link(page_skip: int, page_take: int) -> str:
        return f"{base_path}?{urlencode({**extra, 'skip': page_skip, 'take': page_take})}"

    links = {
        "Self": link(skip, take),
        "Template": template,
        "Page.All": link(0, TAKE_ALL),
        "Page.Current": link(skip, take),
        "Page.Last": link(max(0, (pages - 1) * take), take),
    }
    if take and skip + take < total:
        links["Page.Next"] = link(skip + take, take)
    return {
        "ItemType": item_type,
        "TotalResults": total,
        "ItemsPerPage": take,
        "NumberOfPages": pages,
        "LastPageNumber": pages - 1,
        "Items": [render(item) for item in page],
        "Links": links,
    }

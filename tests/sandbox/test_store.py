"""The sandbox store's index by project: the same answers as a scan of every document, kept by put and
delete."""

from __future__ import annotations

from typing import Any

from octodesk.sandbox.store import Store


def _scan(store: Store, route: str, project_id: str, space_id: str) -> list[dict[str, Any]]:
    return [d for d in store.in_space(route, space_id) if d.get("ProjectId") == project_id]


def test_a_projects_documents_are_those_a_scan_finds_in_stored_order_through_puts_and_deletes() -> None:
    store = Store()
    for number in range(6):
        project = f"Projects-{number % 3}"
        store.put("channels", {"Id": f"Channels-{number}", "ProjectId": project, "SpaceId": "Spaces-1"})
    store.put("channels", {"Id": "Channels-9", "ProjectId": "Projects-1", "SpaceId": "Spaces-2"})
    store.put("channels", {"Id": "Channels-1", "ProjectId": "Projects-1", "SpaceId": "Spaces-1", "Name": "x"})
    store.put("channels", {"Id": "Channels-3", "ProjectId": "Projects-2", "SpaceId": "Spaces-1"})  # moved
    store.delete("channels", "Channels-4")
    for project in ("Projects-0", "Projects-1", "Projects-2", "Projects-7"):
        for space in ("Spaces-1", "Spaces-2"):
            assert store.of_project("channels", project, space) == _scan(store, "channels", project, space)
    assert [d["Id"] for d in store.of_project("channels", "Projects-1", "Spaces-1")] == ["Channels-1"]
    assert store.of_project("channels", "Projects-1", "Spaces-1")[0]["Name"] == "x"  # the document now stored
    assert [d["Id"] for d in store.of_project("channels", "Projects-2", "Spaces-1")] == [
        "Channels-2",
        "Channels-3",  # stored order, as a scan finds it
        "Channels-5",
    ]
    assert store.of_project("runbooks", "Projects-1", "Spaces-1") == []

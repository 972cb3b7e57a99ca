"""The project and space lists the GUI and CLI show: few requests, group names, Git projects flagged."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from stub_server import Script, Stubs, collection_handler, json_reply

from octodesk.core.octopus.catalog import ProjectSummary, list_projects, list_spaces
from octodesk.core.octopus.client import OctopusClient

API_KEY = "API-CATALOGTESTKEY0123456789ABCD"
SPACE = "/api/Spaces-7"
GROUPS = [{"Id": "ProjectGroups-1", "Name": "Back Office"}, {"Id": "ProjectGroups-2", "Name": "apps"}]
PROJECTS = [
    {
        "Id": "Projects-1",
        "Name": "Web",
        "ProjectGroupId": "ProjectGroups-2",
        "Slug": "web",
        "Description": "UI",
    },
    {
        "Id": "Projects-2",
        "Name": "billing",
        "ProjectGroupId": "ProjectGroups-1",
        "IsVersionControlled": True,
        "Slug": "billing",
    },
    {
        "Id": "Projects-3",
        "Name": "Audit",
        "ProjectGroupId": "ProjectGroups-1",
        "PersistenceSettings": {"Type": "VersionControlled"},
    },
    {"Id": "Projects-4", "Name": "Orphan", "ProjectGroupId": "ProjectGroups-99", "IsDisabled": True},
]


@pytest.fixture
def stubs() -> Iterator[Stubs]:
    with Stubs(API_KEY) as started:
        yield started


def test_projects_with_group_names_in_two_requests(stubs: Stubs) -> None:
    script = Script().always(f"GET {SPACE}/projects/all", json_reply(PROJECTS))
    script.always(f"GET {SPACE}/projectgroups/all", json_reply(GROUPS))
    server, client, _ = stubs.serve(script)
    projects = list_projects(client, "Spaces-7")
    assert server.request_count == 2
    assert [(p.group, p.name) for p in projects] == [
        ("apps", "Web"),
        ("Back Office", "Audit"),
        ("Back Office", "billing"),
        ("ProjectGroups-99", "Orphan"),
    ]
    web = projects[0]
    assert web == ProjectSummary(
        id="Projects-1",
        name="Web",
        group="apps",
        is_version_controlled=False,
        description="UI",
        slug="web",
        group_id="ProjectGroups-2",
    )
    assert {p.name for p in projects if p.is_version_controlled} == {"billing", "Audit"}
    assert projects[3].is_disabled


def test_projects_fall_back_to_paging_without_all_routes(stubs: Stubs) -> None:
    group = "ProjectGroups-1"
    many = [{"Id": f"Projects-{n}", "Name": f"P{n:03d}", "ProjectGroupId": group} for n in range(64)]
    script = Script()  # no /all route: 404
    script.always(f"GET {SPACE}/projects", collection_handler(many))
    script.always(f"GET {SPACE}/projectgroups", collection_handler(GROUPS))
    _, client, _ = stubs.serve(script)
    projects = list_projects(client, "Spaces-7")
    assert len(projects) == 64
    assert {p.group for p in projects} == {"Back Office"}


def test_spaces_default_first_then_by_name(stubs: Stubs) -> None:
    spaces = [
        {"Id": "Spaces-3", "Name": "zeta", "Slug": "zeta"},
        {"Id": "Spaces-2", "Name": "Alpha", "Description": "first"},
        {"Id": "Spaces-1", "Name": "Default", "IsDefault": True},
    ]
    _, client, _ = stubs.serve(Script().always("GET /api/spaces/all", json_reply(spaces)))
    listed = list_spaces(client)
    assert [(s.id, s.name, s.is_default) for s in listed] == [
        ("Spaces-1", "Default", True),
        ("Spaces-2", "Alpha", False),
        ("Spaces-3", "zeta", False),
    ]
    assert listed[1].description == "first" and listed[2].slug == "zeta"


def test_demo_sandbox_catalogue(sandbox_factory: Callable[..., Any]) -> None:
    server = sandbox_factory("demo")
    with OctopusClient(server.url, server.api_key) as client:
        spaces = list_spaces(client)
        server.reset_counters()
        projects = list_projects(client, server.space_id("Default"))
    assert spaces[0].name == "Default" and spaces[0].is_default
    assert server.request_count == 2
    assert len(projects) >= 3
    assert all(project.group and not project.group.startswith("ProjectGroups-") for project in projects)
    assert any(project.is_version_controlled for project in projects)
    assert any(not project.is_version_controlled for project in projects)


def test_deployed_projects_names_what_deploy_a_release_steps_deploy(demo_server: Any) -> None:
    from octodesk.core.octopus.catalog import deployed_projects

    with OctopusClient(demo_server.url, demo_server.api_key) as client:
        space_id = client.resolve_space("Default")["Id"]
        projects = list_projects(client, space_id)
        before = client.request_count
        found = deployed_projects(client, space_id, projects, ["Release Orchestrator", "Web Portal"])
        assert client.request_count - before == 1, "one request for every chosen project's process"
    assert found == {"Release Orchestrator": ["Billing API", "Web Portal"]}


def test_probe_server_says_version_hosting_and_spaces(demo_server: Any) -> None:
    from octodesk.core.octopus.probe import probe_server

    probe = probe_server(demo_server.url + "/api/", demo_server.api_key)
    assert probe.url == demo_server.url and probe.version and probe.hosting == "SelfHosted"
    assert "Default" in probe.spaces

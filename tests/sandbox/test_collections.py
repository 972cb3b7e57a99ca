"""Collections: the real ResourceCollection shape, default page size 30, filters, /all, sorting."""

from __future__ import annotations

from sandbox_client import Octo


def test_paging_past_thirty_follows_page_next_to_every_item(octo: Octo) -> None:
    for index in range(65):
        octo.create("environments", {"Name": f"Env {index:02d}"})
    first = octo.ok(octo.get(f"{octo.p}/environments"))
    assert first["ItemType"] == "Environment"
    assert (first["TotalResults"], first["ItemsPerPage"], len(first["Items"])) == (65, 30, 30)
    assert (first["NumberOfPages"], first["LastPageNumber"]) == (3, 2)
    assert set(first["Links"]) >= {"Self", "Template", "Page.All", "Page.Current", "Page.Last", "Page.Next"}
    names = [item["Name"] for item in first["Items"]]
    page = first
    while "Page.Next" in page["Links"]:
        page = octo.ok(octo.session.get(octo.server.url + page["Links"]["Page.Next"], timeout=10))
        names += [item["Name"] for item in page["Items"]]
    assert names == [f"Env {index:02d}" for index in range(65)]
    last = octo.ok(octo.get(f"{octo.p}/environments", skip=60, take=30))
    assert len(last["Items"]) == 5 and "Page.Next" not in last["Links"]


def test_ids_and_partial_name_filters(octo: Octo) -> None:
    made = [
        octo.create("projectgroups", {"Name": name}) for name in ("Web", "Website", "Backend", "WEB tools")
    ]
    by_ids = octo.ok(octo.get(f"{octo.p}/projectgroups", ids=f"{made[0]['Id']},{made[2]['Id']}"))
    assert sorted(item["Name"] for item in by_ids["Items"]) == ["Backend", "Web"]
    partial = octo.ok(octo.get(f"{octo.p}/projectgroups", partialName="web"))
    assert [item["Name"] for item in partial["Items"]] == ["Web", "WEB tools", "Website"]
    everything = octo.ok(octo.get(f"{octo.p}/projectgroups/all"))
    assert isinstance(everything, list) and len(everything) == 4
    assert octo.ok(octo.get(f"{octo.p}/projectgroups/all", ids=made[1]["Id"]))[0]["Name"] == "Website"


def test_projects_are_sorted_by_name_and_found_by_slug(octo: Octo) -> None:
    for name in ("Zeta", "alpha", "Mid Tier"):
        octo.project(name)
    names = [item["Name"] for item in octo.ok(octo.get(f"{octo.p}/projects"))["Items"]]
    assert names == ["alpha", "Mid Tier", "Zeta"]
    assert octo.ok(octo.get(f"{octo.p}/projects/mid-tier"))["Name"] == "Mid Tier"


def test_spaces_collection_and_legacy_default_space_routes(octo: Octo) -> None:
    spaces = octo.ok(octo.get("/api/spaces", partialName="Def"))
    assert spaces["ItemType"] == "Space" and spaces["Items"][0]["Name"] == "Default"
    assert octo.ok(octo.get("/api/spaces/all"))[0]["IsDefault"] is True
    octo.create("environments", {"Name": "Legacy"})
    legacy = octo.ok(octo.get("/api/environments"))
    assert [item["Name"] for item in legacy["Items"]] == ["Legacy"]


def test_teams_are_global_filtered_by_space_and_system_flag(octo: Octo) -> None:
    other = octo.ok(octo.post("/api/spaces", {"Name": "Other"}))
    in_space = octo.ok(octo.get("/api/teams", spaces=octo.space))
    assert [team["Name"] for team in in_space["Items"]] == ["Space Managers"]
    with_system = octo.ok(octo.get("/api/teams", spaces=octo.space, includeSystem="true"))
    assert {team["Name"] for team in with_system["Items"]} == {
        "Space Managers",
        "Everyone",
        "Octopus Administrators",
    }
    assert other["SpaceManagersTeams"] == [f"teams-spacemanagers-{other['Id']}"]
    team = octo.ok(octo.post("/api/teams", {"Name": "Approvers", "SpaceId": octo.space}))
    assert team["SpaceId"] == octo.space
    assert octo.ok(octo.get(f"/api/teams/{team['Id']}"))["Name"] == "Approvers"


def test_machine_roles_are_collected_from_targets(octo: Octo) -> None:
    env = octo.create("environments", {"Name": "Dev"})
    for name, roles in (("web-1", ["web-server"]), ("db-1", ["db", "web-server"])):
        body = {
            "Name": name,
            "Roles": roles,
            "EnvironmentIds": [env["Id"]],
            "Endpoint": {"CommunicationStyle": "None"},
        }
        octo.create("machines", body)
    assert octo.ok(octo.get(f"{octo.p}/machineroles/all")) == ["db", "web-server"]
    found = octo.ok(octo.get(f"{octo.p}/machines", roles="db"))
    assert [m["Name"] for m in found["Items"]] == ["db-1"]


def test_project_group_lists_its_projects(octo: Octo) -> None:
    project = octo.project("Grouped")
    other_group = octo.create("projectgroups", {"Name": "Empty"})
    listed = octo.ok(octo.get(f"{octo.p}/projectgroups/{project['ProjectGroupId']}/projects"))
    assert [p["Name"] for p in listed["Items"]] == ["Grouped"]
    assert octo.ok(octo.get(f"{octo.p}/projectgroups/{other_group['Id']}/projects"))["TotalResults"] == 0

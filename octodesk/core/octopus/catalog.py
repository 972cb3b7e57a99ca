"""What the GUI and CLI show before any export: the spaces of a server and the projects of a space,
read with as few requests as the server allows (the /all routes, two requests for a whole space)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from octodesk.core.octopus.client import OctopusClient


@dataclass(frozen=True)
class ProjectSummary:
    id: str
    name: str
    group: str  # project group name
    is_version_controlled: bool
    description: str = ""
    slug: str = ""
    group_id: str = ""
    is_disabled: bool = False


@dataclass(frozen=True)
class SpaceSummary:
    id: str
    name: str
    description: str = ""
    is_default: bool = False
    slug: str = ""


def is_version_controlled(project: dict[str, Any]) -> bool:
    """Config-as-Code projects keep their process and variables in Git; OctoDesk refuses to move them."""
    if project.get("IsVersionControlled"):
        return True
    settings = project.get("PersistenceSettings")
    return isinstance(settings, dict) and settings.get("Type") == "VersionControlled"


def list_projects(client: OctopusClient, space_id: str) -> list[ProjectSummary]:
    """Every project of the space with its group name, sorted by group then name (case-insensitive)."""
    projects = client.read_collection(f"/api/{space_id}/projects")
    groups = client.read_collection(f"/api/{space_id}/projectgroups")
    group_names = {str(group.get("Id")): str(group.get("Name") or "") for group in groups}
    summaries = []
    for project in projects:
        group_id = str(project.get("ProjectGroupId") or "")
        summaries.append(
            ProjectSummary(
                id=str(project.get("Id") or ""),
                name=str(project.get("Name") or ""),
                # A group the key may not read still groups its projects, under its id.
                group=group_names.get(group_id, group_id),
                is_version_controlled=is_version_controlled(project),
                description=str(project.get("Description") or ""),
                slug=str(project.get("Slug") or ""),
                group_id=group_id,
                is_disabled=bool(project.get("IsDisabled")),
            )
        )
    return sorted(summaries, key=lambda item: (item.group.casefold(), item.name.casefold()))


def list_spaces(client: OctopusClient) -> list[SpaceSummary]:
    """The spaces the API key can see, the default space first, then by name."""
    spaces = [
        SpaceSummary(
            id=str(space.get("Id") or ""),
            name=str(space.get("Name") or ""),
            description=str(space.get("Description") or ""),
            is_default=bool(space.get("IsDefault")),
            slug=str(space.get("Slug") or ""),
        )
        for space in client.list_spaces()
    ]
    return sorted(spaces, key=lambda space: (not space.is_default, space.name.casefold()))

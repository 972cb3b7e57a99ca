"""The ``empty`` dataset: one space named "Default" (IsDefault true) and nothing else.

The server itself adds what every new space has: the built-in package feed, "Default Lifecycle",
"Default Worker Pool" and a "Space Managers" team.
"""

from __future__ import annotations

from .api import SandboxApi


def build(api: SandboxApi) -> None:
    api.post(
        "/api/spaces",
        {
            "Name": "Default",
            "Description": "The default space",
            "IsDefault": True,
            "TaskQueueStopped": False,
            "SpaceManagersTeams": [],
            "SpaceManagersTeamMembers": [],
        },
    )

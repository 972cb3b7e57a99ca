"""Talking to an Octopus Server: the client (auth, retries, typed errors, paging, the shared worker pool)
and the catalog of spaces and projects the faces show before any export."""

from octodesk.core.octopus.catalog import (
    ProjectSummary,
    SpaceSummary,
    deployed_projects,
    list_projects,
    list_spaces,
)
from octodesk.core.octopus.client import OctopusClient, ServerInfo, hosting_from_host
from octodesk.core.octopus.http import normalise_server_url
from octodesk.core.octopus.probe import ServerProbe, probe_server

__all__ = [
    "OctopusClient",
    "ProjectSummary",
    "ServerInfo",
    "ServerProbe",
    "SpaceSummary",
    "deployed_projects",
    "hosting_from_host",
    "list_projects",
    "list_spaces",
    "normalise_server_url",
    "probe_server",
]

"""Which engine moves the projects: OctoDesk's own (client) or Octopus's Export/Import Projects (server).

``auto`` picks the server engine when both servers have the import-export routes (their space root links,
or a probe), the target is the same version or newer, none of the chosen projects exists on the target, and
no update of existing projects is asked for; otherwise the client engine, saying why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from octodesk.core.errors import ServerEngineUnavailable
from octodesk.core.octopus.client import OctopusClient
from octodesk.core.plan.rules import version_tuple
from octodesk.core.resources.ids import match_by_name
from octodesk.core.server_engine import api
from octodesk.core.server_engine.bundle import ENGINE_CLIENT, ENGINE_SERVER

ENGINE_AUTO = "auto"
ENGINES = (ENGINE_AUTO, ENGINE_CLIENT, ENGINE_SERVER)


@dataclass(frozen=True)
class EngineFacts:
    """What the choice rests on, read from both servers."""

    source_version: str
    target_version: str
    source_support: api.Support
    target_support: api.Support
    existing_projects: list[str] = field(default_factory=list)  # chosen projects the target already has
    update_existing: bool = False
    same_instance: bool = False
    copy_packages: bool = False  # built-in feed packages asked for: the client engine copies them

    def server_obstacles(self) -> list[str]:
        """Why the server engine cannot move these projects (none: it can)."""
        obstacles = []
        if not self.source_support.available:
            obstacles.append(f"the source: {self.source_support.reason}")
        if not self.target_support.available:
            obstacles.append(f"the target: {self.target_support.reason}")
        if version_tuple(self.target_version) < version_tuple(self.source_version):
            obstacles.append(
                f"the target (Octopus {self.target_version}) is older than the source "
                f"({self.source_version}), and Octopus imports only into the same or a newer version"
            )
        if self.update_existing:
            obstacles.append("updating existing projects was asked for, which only the client engine does")
        if self.copy_packages:
            obstacles.append("copying built-in feed packages was asked for: only the client engine does that")
        if self.existing_projects:
            names = ", ".join(f"'{name}'" for name in self.existing_projects)
            obstacles.append(f"{names} already exist(s) on the target, and Octopus's import refuses that")
        return obstacles


@dataclass(frozen=True)
class EngineChoice:
    engine: str  # ENGINE_CLIENT | ENGINE_SERVER
    requested: str  # ENGINE_AUTO | ENGINE_CLIENT | ENGINE_SERVER
    reason: str


def read_facts(
    source: OctopusClient,
    source_space_id: str,
    target: OctopusClient,
    target_space_id: str,
    project_names: list[str],
    *,
    update_existing: bool = False,
    copy_packages: bool = False,
) -> EngineFacts:
    """Both servers' versions and import-export routes, and which chosen projects the target has."""
    target_projects = target.get_all(f"/api/{target_space_id}/projects/all")
    existing = []
    for name in project_names:
        match = match_by_name(name, target_projects).target
        if match is not None:
            existing.append(str(match.get("Name")))
    source_root, target_root = api.server_root(source), api.server_root(target)
    return EngineFacts(
        source_version=source_root.version,
        target_version=target_root.version,
        source_support=api.import_export_support(source, source_space_id),
        target_support=api.import_export_support(target, target_space_id),
        existing_projects=existing,
        update_existing=update_existing,
        copy_packages=copy_packages,
        same_instance=bool(source_root.installation_id)
        and source_root.installation_id == target_root.installation_id,
    )


def choose_engine(
    facts: EngineFacts, requested: str = ENGINE_AUTO, sensitive_values: int | None = None
) -> EngineChoice:
    """The engine and why. An explicit ``server`` the facts rule out is refused (ServerEngineUnavailable)."""
    obstacles = facts.server_obstacles()
    carries = f"all {sensitive_values} sensitive values" if sensitive_values else "every sensitive value"
    if requested == ENGINE_CLIENT:
        return EngineChoice(ENGINE_CLIENT, requested, "the client engine was asked for")
    if not obstacles:
        because = "asked for" if requested == ENGINE_SERVER else "chosen automatically"
        return EngineChoice(
            ENGINE_SERVER,
            requested,
            f"Octopus's own Export/Import Projects carries {carries} ({because}: both servers have it, the "
            "target is not older than the source and none of the projects exists there)",
        )
    if requested == ENGINE_SERVER:
        raise ServerEngineUnavailable(
            "Octopus's own Export/Import Projects cannot move these projects: " + "; ".join(obstacles) + ".",
            obstacles,
        )
    return EngineChoice(ENGINE_CLIENT, requested, "OctoDesk's client engine, because " + "; ".join(obstacles))


# What each engine carries, for the choice in the app and the README: (what, client engine, server engine).
CAPABILITIES: tuple[tuple[str, str, str], ...] = (
    (
        "Sensitive values",
        "only those you supply, and certificates the API key may export",
        "every one, encrypted by Octopus under your password",
    ),
    ("Triggers and logos", "yes", "yes: Octopus leaves them out, OctoDesk adds them"),
    ("Update of existing projects", "yes (update-existing)", "no: Octopus refuses an existing project"),
    ("Resume after a failure", "yes, write by write", "yes: the import task, then OctoDesk's additions"),
    ("Older servers", "any supported version", "Octopus 2021.1 or later, target not older than source"),
)


def choose_export_engine(
    source_support: api.Support, sensitive_values: int, typed_values: int
) -> EngineChoice:
    """For an export on its own (no target to judge): the server engine when the source has it and the
    client engine would leave ``typed_values`` of the ``sensitive_values`` for the user to type; otherwise
    the client engine, whose bundle can also update existing projects."""
    if not source_support.available:
        return EngineChoice(
            ENGINE_CLIENT, ENGINE_AUTO, f"OctoDesk's client engine, because {source_support.reason}"
        )
    if typed_values:
        return EngineChoice(
            ENGINE_SERVER,
            ENGINE_AUTO,
            f"Octopus's own Export Projects carries all {sensitive_values} sensitive values; the client "
            f"engine would leave {typed_values} for you to type",
        )
    return EngineChoice(
        ENGINE_CLIENT,
        ENGINE_AUTO,
        "OctoDesk's client engine carries every sensitive value these projects use, and its bundle can also "
        "update existing projects",
    )

"""The field map behind ``octodesk.core.resources.model``: for each kind, where its documents hold references.

A :class:`Visitor` is walked over a document; every reference found is reported to a callback that may return
a replacement value (remapping) or ``None`` (keep it). Shapes follow the Octopus REST API
(docs/octopus-api-facts.md "Reference fields"): plain id fields, id lists, CSV strings, dictionary keys,
embedded JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any, NamedTuple

# Referenced kinds that are not exported resources of kinds.py (ids still appear in documents).
MACHINE = "Machine"
DEPLOYMENT_ACTION = "DeploymentAction"  # action GUID (variable Action scope) or action name (by_name)
TARGET_ROLE = "TargetRole"  # role names, by_name
TENANT_TAG = "TenantTag"  # canonical "TagSet/Tag" names, by_name; carried through its TagSet
GIT_CREDENTIAL = "GitCredential"
RELEASE = "Release"
USER = "User"
PROJECT_TEMPLATE = "ProjectTemplate"  # GUID of a project's Templates[] entry (tenant variables)
LIBRARY_TEMPLATE = "LibraryVariableSetTemplate"  # GUID of a library variable set's Templates[] entry

# Id prefix -> kind, for values whose kind only shows in the id itself (ProcessOwner scopes, step
# template parameters of account/certificate/worker-pool type, step-package inputs, embedded JSON).
_ID_PREFIXES: dict[str, str] = {
    "environments": "Environment",
    "tagsets": "TagSet",
    "workerpools": "WorkerPool",
    "feeds": "Feed",
    "teams": "Team",
    "actiontemplates": "ActionTemplate",
    "accounts": "Account",
    "certificates": "Certificate",
    "lifecycles": "Lifecycle",
    "projectgroups": "ProjectGroup",
    "libraryvariablesets": "LibraryVariableSet",
    "projects": "Project",
    "channels": "Channel",
    "runbooks": "Runbook",
    "tenants": "Tenant",
    "machines": MACHINE,
    "gitcredentials": GIT_CREDENTIAL,
    "releases": RELEASE,
    "users": USER,
}
_ID_PATTERN = re.compile(r"^([A-Za-z]+)-(\d+|[a-z][A-Za-z0-9-]*)$")
# Built-in ids that are the same on every server (system teams); feeds-builtin is NOT among them:
# the built-in feed's id differs per space and is mapped by name/type like any feed.
FIXED_IDS = frozenset({"teams-administrators", "teams-managers", "teams-everyone", "users-system"})


def kind_of_id(value: object) -> str | None:
    """The kind an Octopus id names by its prefix (``Accounts-12`` -> ``Account``), else None."""
    if not isinstance(value, str):
        return None
    match = _ID_PATTERN.match(value)
    if not match:
        return None
    kind = _ID_PREFIXES.get(match.group(1).lower())
    if kind is None:
        return None
    suffix = match.group(2)
    if not suffix.isdigit() and kind not in ("Feed", "Team", "User"):
        return None
    return kind


def is_expression(value: object) -> bool:
    """A variable expression (``#{...}``) stands for a value chosen at deploy time: never remapped."""
    return isinstance(value, str) and "#{" in value


class Reference(NamedTuple):  # made for every reference walked: a third of a frozen dataclass's cost
    path: str  # where in the document, e.g. Steps[0].Actions[1].Properties["Octopus.Action.Template.Id"]
    kind: str  # the referenced kind: a kinds.py name or one of the constants above
    value: str  # the id, or the name when by_name
    by_name: bool = False
    optional: bool = False
    scope: bool = False


RUNBOOK_SNAPSHOT = "RunbookSnapshot"
COMMUNITY_ACTION_TEMPLATE = "CommunityActionTemplate"
PROJECT_TRIGGER = "ProjectTrigger"

# Action property keys (docs/octopus-api-facts.md "Action properties").
TARGET_ROLES = "Octopus.Action.TargetRoles"
TEMPLATE_ID = "Octopus.Action.Template.Id"
TEMPLATE_VERSION = "Octopus.Action.Template.Version"
DEPLOY_RELEASE_PROJECT = "Octopus.Action.DeployRelease.ProjectId"
DEPLOY_RELEASE_ACTION_TYPE = "Octopus.DeployRelease"
ID_PROPERTIES: dict[str, str] = {
    TEMPLATE_ID: "ActionTemplate",
    "Octopus.Action.Package.FeedId": "Feed",
    "Octopus.Action.Azure.AccountId": "Account",
    "Octopus.Action.AwsAccount.AccountId": "Account",
    "Octopus.Action.GoogleCloudAccount.AccountId": "Account",
}
TEAM_PROPERTIES = (
    "Octopus.Action.Manual.ResponsibleTeamIds",
    "Octopus.Action.Email.ToTeamIds",
    "Octopus.Action.Email.CCTeamIds",
    "Octopus.Action.Email.BccTeamIds",
)

# Variable Scope keys -> (kind, flags). Every scope entry restricts where the value applies.
SCOPE_KINDS: dict[str, tuple[str | None, dict[str, bool]]] = {
    "Environment": ("Environment", {}),
    "Machine": (MACHINE, {"optional": True}),
    "Action": (DEPLOYMENT_ACTION, {}),
    "Channel": ("Channel", {}),
    "Role": (TARGET_ROLE, {"by_name": True}),
    "TargetRole": (TARGET_ROLE, {"by_name": True}),
    "TenantTag": (TENANT_TAG, {"by_name": True}),
    "Tenant": ("Tenant", {}),
    "ProcessOwner": (None, {}),  # the project (deployment process) or a runbook: kind from the id
    "Project": ("Project", {}),
    "User": (USER, {"optional": True}),
    "Trigger": (PROJECT_TRIGGER, {}),
}
# Variable Type -> kind of the resource whose id is the Value (docs/octopus-api-facts.md "Variables").
REFERENCE_VARIABLE_TYPES: dict[str, str] = {
    "Certificate": "Certificate",
    "AmazonWebServicesAccount": "Account",
    "AzureAccount": "Account",
    "UsernamePasswordAccount": "Account",
    "GoogleCloudAccount": "Account",
    "GenericOidcAccount": "Account",
    "WorkerPool": "WorkerPool",
}

Callback = Callable[[Reference], "str | None"]
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@lru_cache(maxsize=1 << 16)  # documents share their shapes: the same paths are built again and again
def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _PLAIN_KEY.match(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key)}]"


def _usable(value: object) -> bool:
    return isinstance(value, str) and bool(value) and not is_expression(value)


class Visitor:
    """Reports references to ``callback`` and writes back any replacement it returns."""

    def __init__(self, callback: Callback) -> None:
        self._callback = callback

    def _emit(self, path: str, kind: str, value: str, flags: dict[str, bool]) -> str:
        new_value = self._callback(Reference(path, kind, value, **flags))
        return value if new_value is None else new_value

    def value(self, container: Any, key: str, kind: str, path: str, **flags: bool) -> None:
        """``container[key]`` holds one id (or name)."""
        if isinstance(container, dict) and _usable(container.get(key)):
            container[key] = self._emit(join(path, key), kind, container[key], flags)

    def typed(self, container: Any, key: str, path: str, **flags: bool) -> None:
        """``container[key]`` holds one id whose kind shows in its prefix (``Runbooks-3``)."""
        if isinstance(container, dict):
            kind = kind_of_id(container.get(key))
            if kind:
                container[key] = self._emit(join(path, key), kind, container[key], flags)

    def many(self, container: Any, key: str, kind: str | None, path: str, **flags: bool) -> None:
        """``container[key]`` is a list of ids; ``kind`` None: each id's kind from its prefix."""
        items = container.get(key) if isinstance(container, dict) else None
        if not isinstance(items, list):
            return
        for index, item in enumerate(items):
            item_kind = kind or kind_of_id(item)
            if item_kind and _usable(item):
                items[index] = self._emit(join(join(path, key), index), item_kind, item, flags)

    def csv(self, container: Any, key: str, kind: str, path: str, **flags: bool) -> None:
        """``container[key]`` is a comma-separated list of ids or names."""
        text = container.get(key) if isinstance(container, dict) else None
        if not isinstance(text, str) or not _usable(text):
            return
        parts = [part.strip() for part in text.split(",")]
        new_parts = [
            self._emit(join(path, key), kind, part, flags) if _usable(part) else part for part in parts
        ]
        if new_parts != parts:
            container[key] = ",".join(new_parts)

    def keys(self, container: Any, key: str, kind: str, path: str, **flags: bool) -> dict[str, Any]:
        """``container[key]`` is a dictionary keyed by ids; returns it (keys replaced, order kept)."""
        mapping = container.get(key) if isinstance(container, dict) else None
        if not isinstance(mapping, dict):
            return {}
        renamed = {
            (self._emit(join(join(path, key), name), kind, name, flags) if _usable(name) else name): value
            for name, value in mapping.items()
        }
        mapping.clear()
        mapping.update(renamed)
        return mapping

    def loose(self, container: Any, key: str | int, path: str) -> None:
        """A free-form value (property, parameter default, tenant variable): an id recognised by its
        prefix, or JSON text/objects holding such ids (package parameters, step-package inputs).
        Sensitive values (``{HasValue, NewValue}``) are skipped."""
        if isinstance(container, dict):
            if key not in container:
                return
        elif not (isinstance(container, list) and isinstance(key, int) and key < len(container)):
            return
        value = container[key]
        here = join(path, key)
        if isinstance(value, str):
            kind = kind_of_id(value)
            if kind:
                container[key] = self._emit(here, kind, value, {})
            elif value[:1] in ("{", "[") and any(prefix in value.lower() for prefix in _ID_PREFIXES):
                try:
                    parsed = json.loads(value)
                except ValueError:
                    return
                before = json.dumps(parsed, sort_keys=True)
                self._tree(parsed, here)
                if json.dumps(parsed, sort_keys=True) != before:
                    container[key] = json.dumps(parsed, separators=(",", ":"))
        elif isinstance(value, dict) and "HasValue" in value:
            return
        elif isinstance(value, dict | list):
            self._tree(value, here)

    def _tree(self, node: Any, path: str) -> None:
        if isinstance(node, dict):
            for name in list(node):
                self.loose(node, name, path)
        elif isinstance(node, list):
            for index in range(len(node)):
                self.loose(node, index, path)


def each_item(container: Any, key: str, path: str) -> list[tuple[dict[str, Any], str]]:
    items = container.get(key) if isinstance(container, dict) else None
    if not isinstance(items, list):
        return []
    return [(item, join(join(path, key), i)) for i, item in enumerate(items) if isinstance(item, dict)]


def sub_object(container: Any, key: str, path: str) -> tuple[dict[str, Any], str]:
    value = container.get(key) if isinstance(container, dict) else None
    return (value if isinstance(value, dict) else {}), join(path, key)

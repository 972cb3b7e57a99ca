"""A project's deployment settings (``projects/{id}/deploymentsettings``).

The settings every version also keeps on the project document (guided failure, versioning, release notes
and changes templates, connectivity, package re-download) travel with the project. Newer servers added
settings that exist only on the settings route (docs/api-evidence.md, Projects): those are read there and
carried as a ``DeploymentSettings`` resource holding just them.
"""

from __future__ import annotations

from typing import Any

SETTINGS_ONLY = ("FailTargetDiscovery", "CancelQueuedTasks", "CancelRunningTasks")


def settings_only(document: Any, project_id: str) -> dict[str, Any] | None:
    """The bundle document for a settings answer: its settings-only fields; None when it has none."""
    if not isinstance(document, dict):
        return None
    fields = {key: document[key] for key in SETTINGS_ONLY if key in document}
    if not fields:
        return None
    return {"Id": f"deploymentsettings-{project_id}", "ProjectId": project_id, **fields}

"""What a bundle holds once read: resources, blobs, secrets, and the summary ``inspect`` and the GUI show."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class BundleResource:
    kind: str  # a name from octodesk.core.resources.kinds, e.g. "Project"
    id: str  # the id on the source server
    name: str
    document: dict[str, Any]


@dataclass(frozen=True)
class SecretNotCarried:
    ref: str
    reason: str = ""


@dataclass(frozen=True)
class BundleSummary:
    """The manifest facts a person needs to decide whether this is the bundle they want."""

    format_version: int
    source_url: str
    source_version: str
    source_hosting: str
    source_space: str
    projects: list[str]
    counts: dict[str, int]
    secrets_carried: list[str]
    secrets_not_carried: list[SecretNotCarried]
    created_at: str = ""
    tool_version: str = ""
    follow_ups: list[Any] = field(default_factory=list)
    deploys_to: dict[str, Any] = field(default_factory=dict)

    @property
    def total_resources(self) -> int:
        return sum(self.counts.values())

    @classmethod
    def from_manifest(cls, manifest: dict[str, Any]) -> BundleSummary:
        """Tolerant of missing or odd fields: a summary is for display and never fails."""
        source = manifest.get("source")
        source = source if isinstance(source, dict) else {}
        raw_counts = manifest.get("counts")
        counts = (
            {str(kind): count for kind, count in raw_counts.items() if type(count) is int}
            if isinstance(raw_counts, dict)
            else {}
        )
        deploys_to = manifest.get("deploys_to")
        follow_ups = manifest.get("follow_ups")
        version = manifest.get("format_version")
        return cls(
            format_version=version if type(version) is int else 0,
            source_url=_text(source.get("url")),
            source_version=_text(source.get("version")),
            source_hosting=_text(source.get("hosting")),
            source_space=_text(source.get("space")),
            projects=_texts(manifest.get("projects")),
            counts=dict(sorted(counts.items())),
            secrets_carried=_texts(manifest.get("secrets_carried")),
            secrets_not_carried=_not_carried(manifest.get("secrets_not_carried")),
            created_at=_text(manifest.get("created_at")),
            tool_version=_text(manifest.get("tool_version")),
            follow_ups=list(follow_ups) if isinstance(follow_ups, list) else [],
            deploys_to=dict(deploys_to) if isinstance(deploys_to, dict) else {},
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "format_version": self.format_version,
            "source": {
                "url": self.source_url,
                "version": self.source_version,
                "hosting": self.source_hosting,
                "space": self.source_space,
            },
            "projects": list(self.projects),
            "counts": dict(self.counts),
            "total_resources": self.total_resources,
            "secrets_carried": list(self.secrets_carried),
            "secrets_not_carried": [
                {"ref": item.ref, "reason": item.reason} for item in self.secrets_not_carried
            ],
            "created_at": self.created_at,
            "tool_version": self.tool_version,
            "follow_ups": list(self.follow_ups),
            "deploys_to": dict(self.deploys_to),
        }


def _text(value: object) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _texts(value: object) -> list[str]:
    return [_text(item) for item in value] if isinstance(value, list) else []


def _not_carried(value: object) -> list[SecretNotCarried]:
    if not isinstance(value, list):
        return []
    items = []
    for item in value:
        if isinstance(item, dict):
            items.append(SecretNotCarried(_text(item.get("ref")), _text(item.get("reason"))))
        else:
            items.append(SecretNotCarried(_text(item)))
    return items


@dataclass
class Bundle:
    """A verified bundle: returned only after the password and every entry's hash were checked."""

    manifest: dict[str, Any]
    resources: list[BundleResource]
    secrets: dict[str, str] = field(repr=False)
    blobs: dict[str, bytes] = field(repr=False)
    _index: dict[tuple[str, str], BundleResource] = field(default_factory=dict, init=False, repr=False)
    _kinds: dict[str, list[BundleResource]] = field(default_factory=dict, init=False, repr=False)
    _owned: dict[tuple[str, str], list[BundleResource]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        # Indexed once: scanning every resource per project made an import quadratic in its size.
        for resource in self.resources:
            self._index[(resource.kind, resource.id)] = resource
            self._kinds.setdefault(resource.kind, []).append(resource)
            owner = resource.document.get("ProjectId")
            if isinstance(owner, str):
                self._owned.setdefault((resource.kind, owner), []).append(resource)

    def get(self, kind: str, source_id: str) -> BundleResource | None:
        return self._index.get((kind, source_id))

    def by_kind(self, kind: str) -> list[BundleResource]:
        return list(self._kinds.get(kind, ()))

    def owned_by(self, kind: str, project_id: str) -> list[BundleResource]:
        """The resources of ``kind`` whose ``ProjectId`` is ``project_id`` (channels, runbooks, ...)."""
        return list(self._owned.get((kind, project_id), ()))

    def summary(self) -> BundleSummary:
        return BundleSummary.from_manifest(self.manifest)

"""What a package copy will do, decided before anything is written: per version copy, skip (the target has
the same file) or conflict (the target has the version with other contents: reported, never overwritten),
and Octopus Cloud's limits checked against the versions to copy."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from octodesk.core.packages.versions import PackageVersion
from octodesk.core.text import human_bytes

# docs src/shared-content/octopus-cloud/octopus-cloud-storage-limits.include.md: "Maximum size for any single
# package is 5 GB" and "1 TB file storage" (for the whole instance, packages included).
CLOUD_MAX_PACKAGE_BYTES = 5 * 1024**3
CLOUD_STORAGE_BYTES = 1024**4

COPY = "copy"
SKIP = "skip"
CONFLICT = "conflict"

# Where the files come from: carried in the bundle, read live from the source server, or nowhere (the
# bundle lists versions but neither carries them nor came with a live source).
FROM_BUNDLE = "bundle"
FROM_SOURCE = "source"
FROM_NOWHERE = "none"


@dataclass
class PackageDecision:
    version: PackageVersion
    action: str  # COPY, SKIP or CONFLICT
    reason: str
    target: PackageVersion | None = None  # what the target holds under this version
    resumed: bool = False  # copied by an earlier, interrupted run of this import


@dataclass
class PackagePlan:
    choice: str  # "none", "latest" or a count
    referenced: list[str]  # package ids the projects use on the built-in feed
    decisions: list[PackageDecision] = field(default_factory=list)
    not_on_source: list[str] = field(default_factory=list)
    files_from: str = FROM_NOWHERE
    target_cloud: bool = False
    target_stored_bytes: int | None = None  # what the target space's feed already holds (Cloud targets)
    refusals: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def to_copy(self) -> list[PackageDecision]:
        return [item for item in self.decisions if item.action == COPY and not item.resumed]

    @property
    def conflicts(self) -> list[PackageDecision]:
        return [item for item in self.decisions if item.action == CONFLICT]

    @property
    def bytes_to_copy(self) -> int:
        return sum(item.version.size or 0 for item in self.to_copy)

    def storage_line(self) -> str:
        """The total against Octopus Cloud's storage limit (or just the total for a self-hosted target)."""
        count = len(self.to_copy)
        line = (
            f"{count} package version{'s' if count != 1 else ''} to copy, {human_bytes(self.bytes_to_copy)}"
        )
        if not self.target_cloud:
            return line + "."
        held = self.target_stored_bytes or 0
        after = held + self.bytes_to_copy
        share = 100 * after / CLOUD_STORAGE_BYTES
        return (
            f"{line}; the target space's built-in feed holds {human_bytes(held)}, "
            f"{human_bytes(after)} afterwards: {share:.1f}% of Octopus Cloud's "
            f"{human_bytes(CLOUD_STORAGE_BYTES)} file storage limit (other spaces, artifacts and task logs "
            "count too)."
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "choice": self.choice,
            "referenced": list(self.referenced),
            "not_on_source": list(self.not_on_source),
            "files_from": self.files_from,
            "target_cloud": self.target_cloud,
            "target_stored_bytes": self.target_stored_bytes,
            "bytes_to_copy": self.bytes_to_copy,
            "summary": self.storage_line(),
            "refusals": list(self.refusals),
            "versions": [
                {
                    **item.version.to_manifest(),
                    "action": item.action,
                    "reason": item.reason,
                    **({"resumed": True} if item.resumed else {}),
                }
                for item in self.decisions
            ],
        }


def decide_packages(
    plan: PackagePlan,
    versions: Iterable[PackageVersion],
    on_target: Iterable[PackageVersion],
    *,
    copied_earlier: Iterable[tuple[str, str]] = (),
) -> None:
    """Fill ``plan.decisions``, refusals and warnings. Pure: the target was read already."""
    held = {version.key: version for version in on_target}
    earlier = set(copied_earlier)
    for version in versions:
        plan.decisions.append(_decide(version, held.get(version.key), version.key in earlier))
    for item in plan.conflicts:
        plan.warnings.append(f"Package {item.version.label}: {item.reason}")
    if plan.target_cloud:
        _check_cloud_limits(plan)


def _decide(version: PackageVersion, target: PackageVersion | None, copied_earlier: bool) -> PackageDecision:
    size = human_bytes(version.size) if version.size is not None else "size unknown"
    if copied_earlier:
        reason = "copied by the earlier run of this import, which stopped before it finished"
        return PackageDecision(version, COPY, reason, target, resumed=True)
    if target is None:
        return PackageDecision(version, COPY, f"not on the target ({size})")
    same = _same_contents(version, target)
    if same is None:
        reason = (
            "the target has this version; its contents cannot be compared (a server gave no hash or size)"
        )
        return PackageDecision(version, SKIP, reason, target)
    if same:
        return PackageDecision(
            version, SKIP, "the target has this version with the same contents (SHA-1)", target
        )
    return PackageDecision(
        version,
        CONFLICT,
        f"the target has this version with other contents (SHA-1 {_short(target.sha1)}, "
        f"{human_bytes(target.size)}; the source's is {_short(version.sha1)}, {size}): it is left as it is; "
        "compare the two and replace one by hand if they should be the same",
        target,
    )


def _same_contents(source: PackageVersion, target: PackageVersion) -> bool | None:
    if source.sha1 and target.sha1:
        return source.sha1.lower() == target.sha1.lower()
    if source.size is not None and target.size is not None and source.size != target.size:
        return False
    return None


def _check_cloud_limits(plan: PackagePlan) -> None:
    for item in plan.to_copy:
        size = item.version.size
        if size is not None and size > CLOUD_MAX_PACKAGE_BYTES:
            limit = CLOUD_MAX_PACKAGE_BYTES
            plan.refusals.append(
                f"Package {item.version.label} is {human_bytes(size)} ({size:,} bytes): Octopus Cloud "
                f"refuses any package over {human_bytes(limit)} ({limit:,} bytes). Copy fewer versions or "
                "leave the package out, and deliver it another way."
            )
    total = (plan.target_stored_bytes or 0) + plan.bytes_to_copy
    if total > CLOUD_STORAGE_BYTES:
        plan.refusals.append(
            f"The packages to copy ({human_bytes(plan.bytes_to_copy)}) and the target space's feed "
            f"({human_bytes(plan.target_stored_bytes or 0)}) exceed Octopus Cloud's "
            f"{human_bytes(CLOUD_STORAGE_BYTES)} file storage limit."
        )


def _short(digest: str | None) -> str:
    return digest[:12] if digest else "unknown"

"""``octodesk inspect PATH``: verify a bundle's password and integrity, then print what it holds."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from octodesk.commands.common import CLI_REMEDIES, read_password
from octodesk.core.bundle import BundleSummary, read_bundle
from octodesk.core.packages.decide import human_bytes
from octodesk.core.packages.manifest import ManifestPackages
from octodesk.core.server_engine import extract_octopus_zip
from octodesk.core.text import safe_text
from octodesk.render import hosting_label, kind_label, not_carried_text

ENGINE_TEXT = {
    "client": "client (OctoDesk read the projects through the API)",
    "server": "server (Octopus's own Export/Import Projects zip, with OctoDesk's triggers, logos and "
    "follow-ups; --extract-octopus-zip writes the zip alone)",
}


def run(args: argparse.Namespace) -> int:
    password = read_password(args.password_env, new_bundle=False)
    if args.extract_octopus_zip:
        size = extract_octopus_zip(args.bundle, password, Path(args.extract_octopus_zip))
        print(
            f"Wrote Octopus's export zip ({size} bytes) to {args.extract_octopus_zip}: import it in Octopus "
            "(Projects > Import) with the bundle's password."
        )
        return 0
    bundle = read_bundle(args.bundle, password)
    summary = bundle.summary()
    packages = ManifestPackages.from_manifest(bundle.manifest, str(args.bundle))
    if args.json:
        document = {"bundle": str(args.bundle), "verified": True, **summary.to_dict()}
        document["packages"] = packages.to_manifest() if packages is not None else None
        print(json.dumps(document, indent=2))  # ASCII: escapes every control character and lone surrogate
    else:
        print("\n".join(summary_lines(summary, str(args.bundle)) + package_lines(packages)))
    return 0


def summary_lines(summary: BundleSummary, bundle: str) -> list[str]:
    """The summary as a person reads it; every value from the bundle is made safe for a terminal."""
    hosting = hosting_label(summary.source_hosting) if summary.source_hosting else "unknown hosting"
    version = f"Octopus {summary.source_version}" if summary.source_version else "unknown version"
    lines = [
        f"Bundle     {safe_text(bundle)} (password and integrity verified)",
        f"Source     {safe_text(summary.source_url) or 'unknown'} "
        f"({safe_text(version)}, {safe_text(hosting)})",
        f"Space      {safe_text(summary.source_space) or 'unknown'}",
        f"Projects   {', '.join(safe_text(name) for name in summary.projects) or 'none'}",
    ]
    lines.append(f"Engine     {ENGINE_TEXT.get(summary.engine, safe_text(summary.engine))}")
    if summary.created_at or summary.tool_version:
        tool = f" by OctoDesk {safe_text(summary.tool_version)}" if summary.tool_version else ""
        lines.append(f"Created    {safe_text(summary.created_at) or 'unknown'}{tool}")
    lines.append(f"Resources  {summary.total_resources}")
    width = max((len(kind_label(kind)) for kind in summary.counts), default=0)
    lines.extend(
        f"  {safe_text(kind_label(kind)).ljust(width)}  {count}" for kind, count in summary.counts.items()
    )
    lines.append(f"Sensitive values carried: {len(summary.secrets_carried)}")
    lines.extend(f"  {safe_text(ref)}" for ref in summary.secrets_carried)
    lines.append(f"Sensitive values not carried (set them on the target): {len(summary.secrets_not_carried)}")
    for item in summary.secrets_not_carried:
        reason = f" ({safe_text(not_carried_text(item.reason, CLI_REMEDIES))})" if item.reason else ""
        lines.append(f"  {safe_text(item.ref)}{reason}")
    lines.extend(_deploys_to_lines(summary.deploys_to))
    if summary.follow_ups:
        lines.append(f"Follow-ups recorded at export: {len(summary.follow_ups)}")
    return lines


def package_lines(packages: ManifestPackages | None) -> list[str]:
    """The built-in feed package versions the bundle carries (id, version, size, SHA-256 shortened) or lists
    for a live copy, with their total."""
    if packages is None or not packages.referenced:
        return []
    if not packages.versions:
        return [
            f"Packages used, not carried (--packages {packages.choice}): {', '.join(packages.referenced)}"
        ]
    total = human_bytes(sum(version.size or 0 for version in packages.versions))
    how = "carried in the bundle" if packages.carried else "listed for a live copy, not carried"
    lines = [f"Packages   {len(packages.versions)} version(s), {total}, {how} (--packages {packages.choice})"]
    width = max(len(version.label) for version in packages.versions)
    for version in packages.versions:
        line = f"  {safe_text(version.label).ljust(width)}  {human_bytes(version.size)}"
        if version.sha256:
            line = f"{line.ljust(width + 14)}  SHA-256 {version.sha256[:12]}"
        lines.append(line)
    if packages.not_on_source:
        lines.append(f"  not in the source's feed: {', '.join(packages.not_on_source)}")
    return lines


def _deploys_to_lines(deploys_to: dict[str, Any]) -> list[str]:
    """Targets are not exported: say which roles and environments the projects deploy to."""
    lines = []
    for key, label in (("roles", "target roles"), ("environments", "environments")):
        values = deploys_to.get(key)
        if isinstance(values, list) and values:
            lines.append(f"Deploys to {label}: {', '.join(safe_text(str(value)) for value in values)}")
    return lines

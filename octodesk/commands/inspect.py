"""``octodesk inspect PATH``: verify a bundle's password and integrity, then print what it holds."""

from __future__ import annotations

import argparse
import json
import unicodedata
from typing import Any

from octodesk.commands.common import read_secret_env
from octodesk.core.bundle import BundleSummary, read_bundle
from octodesk.core.packages.decide import human_bytes
from octodesk.core.packages.manifest import ManifestPackages

HOSTING_NAMES = {"SelfHosted": "self-hosted", "OctopusCloud": "Octopus Cloud"}


def run(args: argparse.Namespace) -> int:
    password = read_secret_env(args.password_env, "Bundle password")
    bundle = read_bundle(args.bundle, password)
    summary = bundle.summary()
    packages = ManifestPackages.from_manifest(bundle.manifest, str(args.bundle))
    if args.json:
        document = {"bundle": str(args.bundle), "verified": True, **summary.to_dict()}
        document["packages"] = packages.to_manifest() if packages is not None else None
        print(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        print("\n".join(summary_lines(summary, str(args.bundle)) + package_lines(packages)))
    return 0


def summary_lines(summary: BundleSummary, bundle: str) -> list[str]:
    """The summary as a person reads it; every value from the bundle is made safe for a terminal."""
    hosting = HOSTING_NAMES.get(summary.source_hosting, summary.source_hosting) or "unknown hosting"
    version = f"Octopus {summary.source_version}" if summary.source_version else "unknown version"
    lines = [
        f"Bundle     {_safe(bundle)} (password and integrity verified)",
        f"Source     {_safe(summary.source_url) or 'unknown'} ({_safe(version)}, {_safe(hosting)})",
        f"Space      {_safe(summary.source_space) or 'unknown'}",
        f"Projects   {', '.join(_safe(name) for name in summary.projects) or 'none'}",
    ]
    if summary.created_at or summary.tool_version:
        tool = f" by OctoDesk {_safe(summary.tool_version)}" if summary.tool_version else ""
        lines.append(f"Created    {_safe(summary.created_at) or 'unknown'}{tool}")
    lines.append(f"Resources  {summary.total_resources}")
    width = max((len(kind) for kind in summary.counts), default=0)
    lines.extend(f"  {_safe(kind).ljust(width)}  {count}" for kind, count in summary.counts.items())
    lines.append(f"Sensitive values carried: {len(summary.secrets_carried)}")
    lines.extend(f"  {_safe(ref)}" for ref in summary.secrets_carried)
    lines.append(f"Sensitive values not carried (set them on the target): {len(summary.secrets_not_carried)}")
    for item in summary.secrets_not_carried:
        reason = f" ({_safe(item.reason)})" if item.reason else ""
        lines.append(f"  {_safe(item.ref)}{reason}")
    lines.extend(_deploys_to_lines(summary.deploys_to))
    if summary.follow_ups:
        lines.append(f"Follow-ups recorded at export: {len(summary.follow_ups)}")
    return lines


def package_lines(packages: ManifestPackages | None) -> list[str]:
    """The built-in feed package versions the bundle carries (or lists for a live copy), with sizes."""
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
    lines += [
        f"  {_safe(version.label).ljust(width)}  {human_bytes(version.size)}" for version in packages.versions
    ]
    if packages.not_on_source:
        lines.append(f"  not in the source's feed: {', '.join(packages.not_on_source)}")
    return lines


def _deploys_to_lines(deploys_to: dict[str, Any]) -> list[str]:
    """Targets are not exported: say which roles and environments the projects deploy to."""
    lines = []
    for key, label in (("roles", "target roles"), ("environments", "environments")):
        values = deploys_to.get(key)
        if isinstance(values, list) and values:
            lines.append(f"Deploys to {label}: {', '.join(_safe(str(value)) for value in values)}")
    return lines


def _safe(text: str) -> str:
    """Control and format characters (terminal escapes, bidi overrides) from a bundle are shown escaped."""
    return "".join(char if unicodedata.category(char)[0] != "C" else repr(char)[1:-1] for char in text)

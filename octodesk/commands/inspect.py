"""``octodesk inspect PATH``: verify a bundle's password and integrity, then print what it holds."""

from __future__ import annotations

import argparse
import json
import unicodedata
from typing import Any

from octodesk.commands.common import CLI_REMEDIES, read_secret_env
from octodesk.core.bundle import BundleSummary, read_bundle
from octodesk.render import hosting_label, kind_label, not_carried_text


def run(args: argparse.Namespace) -> int:
    password = read_secret_env(args.password_env, "Bundle password")
    summary = read_bundle(args.bundle, password).summary()
    if args.json:
        document = {"bundle": str(args.bundle), "verified": True, **summary.to_dict()}
        print(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        print("\n".join(summary_lines(summary, str(args.bundle))))
    return 0


def summary_lines(summary: BundleSummary, bundle: str) -> list[str]:
    """The summary as a person reads it; every value from the bundle is made safe for a terminal."""
    hosting = hosting_label(summary.source_hosting) if summary.source_hosting else "unknown hosting"
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
    width = max((len(kind_label(kind)) for kind in summary.counts), default=0)
    lines.extend(
        f"  {_safe(kind_label(kind)).ljust(width)}  {count}" for kind, count in summary.counts.items()
    )
    lines.append(f"Sensitive values carried: {len(summary.secrets_carried)}")
    lines.extend(f"  {_safe(ref)}" for ref in summary.secrets_carried)
    lines.append(f"Sensitive values not carried (set them on the target): {len(summary.secrets_not_carried)}")
    for item in summary.secrets_not_carried:
        reason = f" ({_safe(not_carried_text(item.reason, CLI_REMEDIES))})" if item.reason else ""
        lines.append(f"  {_safe(item.ref)}{reason}")
    lines.extend(_deploys_to_lines(summary.deploys_to))
    if summary.follow_ups:
        lines.append(f"Follow-ups recorded at export: {len(summary.follow_ups)}")
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

"""``octodesk export``: projects and everything they reference into an encrypted bundle.

Progress goes to stderr, the summary to stdout, ``--report`` writes the JSON report; ``--list-secrets``
prints the references of every sensitive value the export needs (the keys of ``--secrets-file``) and exits.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from octodesk.commands.common import CLI_REMEDIES, ProgressPrinter, UsageError, make_client, read_password
from octodesk.commands.engines import server_export
from octodesk.core.errors import OctoDeskError
from octodesk.core.export import export_projects, list_secret_references
from octodesk.core.report import Report
from octodesk.core.resources.secret_refs import CARRIED_BY_SERVER, read_secrets_file
from octodesk.core.server_engine import ENGINE_SERVER
from octodesk.core.text import human_bytes, safe_text
from octodesk.core.vocabulary import FollowUpCategory
from octodesk.render import follow_up_text, kind_label, write_report

CARRIED_BY_TEXT = {
    CARRIED_BY_SERVER: "read from the server when the API key may export certificates",
}


def run(args: argparse.Namespace) -> int:
    if not args.project:
        raise UsageError("Name at least one project to export: --project NAME (repeat for several).")
    if args.list_secrets:
        return _list_secrets(args)
    if not args.output:
        raise UsageError("Say where to write the bundle: --output PATH.")
    password = read_password(args.password_env, new_bundle=True)
    if args.engine == ENGINE_SERVER and args.secrets_file:
        raise UsageError(
            "--secrets-file is for the client engine: Octopus's own export carries every sensitive value."
        )
    if args.engine == ENGINE_SERVER and args.packages.copies:
        raise UsageError(
            "--packages is for the client engine: the server engine's bundle holds Octopus's own export."
        )
    secrets = read_secrets_file(args.secrets_file) if args.secrets_file else None
    client = make_client(args)
    try:
        with client:
            if args.engine == ENGINE_SERVER:
                report = server_export(args, client, password)
            else:
                report = export_projects(
                    client,
                    args.space,
                    args.project,
                    Path(args.output),
                    password,
                    secrets=secrets,
                    progress=ProgressPrinter(),
                    packages=args.packages,
                    carry_packages=True,
                )
    except OctoDeskError as error:
        if args.report:
            failed = Report(operation="export", stopped_by=str(error), projects=list(args.project))
            write_report(failed, args.report, CLI_REMEDIES)
        raise
    if args.report:
        write_report(report, args.report, CLI_REMEDIES)
    print_summary(report, sys.stdout)
    return 0


def _list_secrets(args: argparse.Namespace) -> int:
    with make_client(args) as client:
        refs = list_secret_references(client, args.space, args.project, progress=ProgressPrinter())
    if not refs:
        print("The export of these projects needs no sensitive values.")
        return 0
    print(f"Sensitive values the export needs ({len(refs)}); supply them in --secrets-file by reference:")
    for item in refs:
        how = CARRIED_BY_TEXT.get(item.carried_by, "only you can supply it")
        print(f"{safe_text(item.ref)}\t{safe_text(item.description)}; {how}")
    return 0


def print_summary(report: Report, stream: TextIO) -> None:
    details = report.details
    projects = details.get("projects") or []
    space, destination = details.get("space"), details.get("destination")
    headline = f"Exported {len(projects)} project(s) from space '{space}' to {destination}"
    print(safe_text(headline), file=stream)
    print(safe_text(f"  projects: {', '.join(projects)}"), file=stream)
    for kind, actions in report.counts.items():
        print(f"  {kind_label(kind)}: {sum(actions.values())}", file=stream)
    not_carried = [f for f in report.follow_ups if f.category == FollowUpCategory.SENSITIVE_VALUE]
    if details.get("engine") == ENGINE_SERVER:
        task = details.get("server_task") or {}
        print(
            f"Engine: server — Octopus's export task {task.get('id')} carries all "
            f"{details.get('secrets_carried', 0)} sensitive values; OctoDesk carries the triggers, logos and "
            "follow-ups it leaves out",
            file=stream,
        )
    else:
        print(
            f"Sensitive values: {details.get('secrets_carried', 0)} carried, {len(not_carried)} not carried",
            file=stream,
        )
    for item in not_carried:
        print(safe_text(f"  - {follow_up_text(item, CLI_REMEDIES)}"), file=stream)
    packages = details.get("packages") or {}
    if packages.get("carried"):
        versions = packages.get("versions") or []
        total = human_bytes(sum(version.get("size") or 0 for version in versions))
        print(f"Packages carried in the bundle: {len(versions)} version(s), {total}", file=stream)
    for warning in report.warnings:
        print(safe_text(f"Warning: {warning}"), file=stream)
    other = [item for item in report.follow_ups if item.category != FollowUpCategory.SENSITIVE_VALUE]
    if other:
        print(f"Follow-ups ({len(other)}):", file=stream)
        for item in other:
            print(safe_text(f"  - {follow_up_text(item, CLI_REMEDIES)}"), file=stream)
    seconds = sum(report.phase_seconds.values())
    print(f"{report.http_requests} HTTP requests in {seconds:.1f} s", file=stream)

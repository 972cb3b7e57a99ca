"""``octodesk migrate``: export from one space and import into another in one run, with the engine that fits
(``--engine auto``: Octopus's own Export/Import Projects when it can, else OctoDesk's client engine, saying
why). The bundle is always kept on disk; running the same migration again after a failure resumes it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from octodesk.commands.common import CLI_REMEDIES, UsageError, make_client, read_password
from octodesk.commands.engines import TaskProgressPrinter, poll_settings, report_text
from octodesk.commands.export import print_summary
from octodesk.commands.import_ import ImportIncomplete
from octodesk.core.errors import ImportRefused, OctoDeskError
from octodesk.core.plan import ImportPlan
from octodesk.core.resources.secret_refs import read_secrets_file
from octodesk.core.server_engine import (
    ENGINE_SERVER,
    MigrateRequest,
    MigrateResult,
    Side,
    default_bundle_path,
    migrate,
)
from octodesk.render import headline, kind_label, plan_to_text, to_text, write_json
from octodesk.render.engines import choice_line, server_plan_to_text


def run(args: argparse.Namespace) -> int:
    if not args.project:
        raise UsageError("Name at least one project to migrate: --project NAME (repeat for several).")
    password = read_password(args.password_env, new_bundle=True)
    secrets = read_secrets_file(args.secrets_file) if args.secrets_file else None
    progress = TaskProgressPrinter()
    with (
        make_client(args, server=args.source_server, api_key_env=args.source_api_key_env) as source_client,
        make_client(args, server=args.target_server, api_key_env=args.target_api_key_env) as target_client,
    ):
        source = Side(source_client, args.source_space)
        target = Side(target_client, args.target_space)
        path = Path(args.output) if args.output else default_bundle_path(source, target, args.project)
        request = MigrateRequest(
            args.project,
            path,
            password,
            engine=args.engine,
            update_existing=args.update_existing,
            placeholder_secrets=args.placeholder_secrets,
            secrets=secrets,
            packages=args.packages,
        )
        try:
            result = migrate(
                source, target, request, dry_run=args.dry_run, poll=poll_settings(args), progress=progress
            )
        except OctoDeskError as error:
            write_json(args.report, {"operation": "migrate", "succeeded": False, "error": str(error)})
            print(f"The bundle is kept at {path}.", file=sys.stderr)
            raise
    write_json(args.report, {**result.to_dict(), "succeeded": not args.dry_run or not result.plan.refused})
    _print(result, args.dry_run)
    if args.dry_run and result.plan.refused:
        raise ImportRefused("The migration would be refused; nothing was written.", result.plan.refusals)
    report = result.import_report
    if report is not None and report.failures:
        names = ", ".join(f"{kind_label(item.kind)} '{item.name}'" for item in report.failures)
        kept = f"The bundle is kept at {result.bundle_path}."
        raise ImportIncomplete(f"{headline(report)[:-1]}: {names}. {kept}")
    return 0


def _print(result: MigrateResult, dry_run: bool) -> None:
    out = sys.stdout
    print(choice_line(result.choice), file=out)
    if result.export_report is not None:
        print_summary(result.export_report, out)
    else:
        print(f"Continuing with the bundle {result.bundle_path} of the interrupted run.", file=out)
    if dry_run:
        plan: Any = result.plan
        text = (
            plan_to_text(plan, CLI_REMEDIES)
            if isinstance(plan, ImportPlan)
            else server_plan_to_text(plan, CLI_REMEDIES)
        )
        out.write("\n" + text)
        print("Dry run: nothing was imported.", file=out)
    elif result.import_report is not None:
        report = result.import_report
        server = report.details.get("engine") == ENGINE_SERVER
        text = report_text(report) if server else to_text(report, CLI_REMEDIES)
        out.write("\n" + text)
    print(f"Bundle kept at {result.bundle_path}", file=out)

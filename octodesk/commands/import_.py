"""``octodesk import``: preview a bundle's import into a space, then (unless --dry-run) carry it out.

The plan goes to stdout with --dry-run; a refused plan exits 3 listing every refusal; the report (or plan,
with --dry-run) is written as JSON with --report; progress goes to stderr. An import that completes with
failures, or stops part way, still writes its report and exits non-zero.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from octodesk.commands.common import CLI_REMEDIES, ProgressPrinter, make_client, read_password
from octodesk.commands.engines import server_import
from octodesk.core.apply import apply_plan
from octodesk.core.bundle import read_manifest
from octodesk.core.errors import BundleError, OctoDeskError, nothing_written
from octodesk.core.plan import ImportOptions, plan_import
from octodesk.core.report import Report
from octodesk.core.server_engine import ENGINE_CLIENT, ENGINE_SERVER, bundle_engine
from octodesk.render import headline, kind_label, plan_to_text, to_text, write_json, write_report


class ImportIncomplete(OctoDeskError):
    """The import ran but not every item is done (failures, or stopped part way)."""


def run(args: argparse.Namespace) -> int:
    bundle = Path(args.bundle)
    if not bundle.is_file():
        raise OctoDeskError(f"No bundle at {bundle}: check the path.")
    password = read_password(args.password_env, new_bundle=False)
    if _engine_of(bundle) == ENGINE_SERVER:
        return server_import(args, bundle, password)
    options = ImportOptions(
        update_existing=bool(getattr(args, "update_existing", False)),
        placeholder_secrets=bool(getattr(args, "placeholder_secrets", False)),
    )
    progress = ProgressPrinter()
    with make_client(args) as client:
        plan = plan_import(bundle, password, client, args.space, options, progress)
        if args.dry_run:
            sys.stdout.write(plan_to_text(plan, CLI_REMEDIES))
            write_json(args.report, plan.to_dict())
            if plan.refused:
                raise nothing_written(plan.space_name, plan.refusals)
            print("Dry run: nothing was written.")
            return 0
        if plan.refused:
            write_json(args.report, plan.to_dict())
            raise nothing_written(plan.space_name, plan.refusals)
        report = Report(operation="import")
        try:
            apply_plan(plan, client, progress, report=report)
        except OctoDeskError as error:
            _finish(args, report)
            if not report.cancelled:
                error.message = f"{error.message} The import stopped part way: {CLI_REMEDIES.resume}."
            raise
    _finish(args, report)
    if report.failures:
        names = ", ".join(f"{kind_label(item.kind)} '{item.name}'" for item in report.failures)
        raise ImportIncomplete(f"{headline(report)[:-1]}: {names}.")
    return 0


def _finish(args: argparse.Namespace, report: Report) -> None:
    if args.report:
        write_report(report, args.report, CLI_REMEDIES)
    sys.stdout.write(to_text(report, CLI_REMEDIES))


def _engine_of(bundle: Path) -> str:
    """The engine that made the bundle; one that cannot be read goes the client engine's way, which says why
    in its usual order (connection settings first)."""
    try:
        return bundle_engine(read_manifest(bundle))
    except BundleError:
        return ENGINE_CLIENT

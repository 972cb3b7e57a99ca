"""``octodesk import``: preview a bundle's import into a space, then (unless --dry-run) carry it out.

The plan goes to stdout with --dry-run; a refused plan exits 3 listing every refusal; the report (or plan,
with --dry-run) is written as JSON with --report; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from octodesk.commands.common import ProgressPrinter, make_client, read_password, write_report
from octodesk.commands.engines import server_import
from octodesk.core.apply import apply_plan, refusal_message
from octodesk.core.bundle import read_manifest
from octodesk.core.errors import BundleError, ImportRefused, OctoDeskError
from octodesk.core.plan import ImportOptions, plan_import
from octodesk.core.server_engine import ENGINE_CLIENT, ENGINE_SERVER, bundle_engine
from octodesk.render import plan_to_text, to_text


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
            sys.stdout.write(plan_to_text(plan))
            write_report(args.report, plan.to_dict())
            if plan.refused:
                raise ImportRefused(refusal_message(plan), plan.refusals)
            print("Dry run: nothing was written.")
            return 0
        if plan.refused:
            write_report(args.report, plan.to_dict())
            raise ImportRefused(refusal_message(plan), plan.refusals)
        report = apply_plan(plan, client, progress)
    write_report(args.report, report.to_dict())
    sys.stdout.write(to_text(report))
    return 0


def _engine_of(bundle: Path) -> str:
    """The engine that made the bundle; one that cannot be read goes the client engine's way, which says why
    in its usual order (connection settings first)."""
    try:
        return bundle_engine(read_manifest(bundle))
    except BundleError:
        return ENGINE_CLIENT

"""``octodesk import``: preview a bundle's import into a space, then (unless --dry-run) carry it out.

The plan goes to stdout with --dry-run; a refused plan exits 3 listing every refusal; the report (or plan,
with --dry-run) is written as JSON with --report; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from octodesk.commands.common import ProgressPrinter, make_client, read_secret_env
from octodesk.core.apply import apply_plan, refusal_message
from octodesk.core.errors import ImportRefused, OctoDeskError
from octodesk.core.plan import ImportOptions, plan_import
from octodesk.render import plan_to_text, to_text


def run(args: argparse.Namespace) -> int:
    bundle = Path(args.bundle)
    if not bundle.is_file():
        raise OctoDeskError(f"No bundle at {bundle}: check the path.")
    password = read_secret_env(args.password_env, "Bundle password")
    options = ImportOptions(
        update_existing=bool(getattr(args, "update_existing", False)),
        placeholder_secrets=bool(getattr(args, "placeholder_secrets", False)),
    )
    progress = ProgressPrinter()
    with make_client(args) as client:
        plan = plan_import(bundle, password, client, args.space, options, progress)
        if args.dry_run:
            sys.stdout.write(plan_to_text(plan))
            _write_json(args.report, plan.to_dict())
            if plan.refused:
                raise ImportRefused(refusal_message(plan), plan.refusals)
            print("Dry run: nothing was written.")
            return 0
        if plan.refused:
            _write_json(args.report, plan.to_dict())
            raise ImportRefused(refusal_message(plan), plan.refusals)
        report = apply_plan(plan, client, progress)
    _write_json(args.report, report.to_dict())
    sys.stdout.write(to_text(report))
    return 0


def _write_json(path: str | None, data: dict[str, Any]) -> None:
    if not path:
        return
    try:
        Path(path).write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    except OSError as error:
        raise OctoDeskError(f"Cannot write the report to {path}: {error.strerror or error}.") from None

"""What the commands share for the server engine: poll settings, a progress printer that also shows the
server task's new log lines, and the server-engine export and import."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from octodesk.commands.common import CLI_REMEDIES, ProgressPrinter, UsageError, make_client
from octodesk.core.errors import ImportRefused
from octodesk.core.octopus.client import OctopusClient
from octodesk.core.progress import Progress
from octodesk.core.report import Report
from octodesk.core.server_engine import (
    PollSettings,
    TaskProgress,
    apply_server_import,
    export_with_server,
    plan_server_import,
)
from octodesk.core.text import safe_lines
from octodesk.render import to_text, write_json
from octodesk.render.engines import by_engine_lines, server_plan_to_text

FIRST_POLL_SECONDS = 1.0


def poll_settings(args: argparse.Namespace) -> PollSettings:
    """Polls start at 1 s (or the interval, when shorter) and back off to ``--poll-interval``."""
    interval = float(getattr(args, "poll_interval", PollSettings.maximum))
    if interval <= 0:
        raise UsageError("--poll-interval must be a positive number of seconds.")
    return PollSettings(first=min(FIRST_POLL_SECONDS, interval), maximum=interval)


class TaskProgressPrinter(ProgressPrinter):
    """Progress as usual, plus each new line of a server task's log, once."""

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(stream)
        self._shown: dict[str, tuple[str, ...]] = {}

    def __call__(self, p: Progress) -> None:
        super().__call__(p)
        if not isinstance(p, TaskProgress):
            return
        shown = self._shown.get(p.task_id, ())
        new = _new_lines(shown, p.log_lines)
        self._shown[p.task_id] = p.log_lines
        start = "\n" if self.is_tty and new else ""  # end the progress bar's line first
        for line in new:
            print(f"{start}  | {line}", file=self.stream, flush=True)
            start = ""


def _new_lines(shown: tuple[str, ...], lines: tuple[str, ...]) -> tuple[str, ...]:
    """The lines after the longest tail of ``shown`` that ``lines`` starts with (the log is a window)."""
    for start in range(len(shown)):
        overlap = shown[start:]
        if lines[: len(overlap)] == overlap:
            return lines[len(overlap) :]
    return lines


def server_export(args: argparse.Namespace, client: OctopusClient, password: str) -> Report:
    return export_with_server(
        client,
        args.space,
        args.project,
        Path(args.output),
        password,
        poll=poll_settings(args),
        progress=TaskProgressPrinter(),
    )


def server_import(args: argparse.Namespace, bundle: Path, password: str) -> int:
    """``octodesk import`` of a server-engine bundle: Octopus's preview (``--dry-run`` stops there), its
    import task, then OctoDesk's additions."""
    if getattr(args, "update_existing", False):
        raise UsageError(
            f"{bundle} was made by the server engine, and Octopus's import never updates an existing "
            "project: export with --engine client to import into existing projects."
        )
    progress = TaskProgressPrinter()
    with make_client(args) as client:
        plan = plan_server_import(bundle, password, client, args.space, progress=progress)
        if args.dry_run or plan.refused:
            sys.stdout.write(server_plan_to_text(plan, CLI_REMEDIES))
            write_json(args.report, plan.to_dict())
            if plan.refused:
                raise ImportRefused("The import was refused; nothing was written.", plan.refusals)
            print("Dry run: Octopus previewed the import; nothing was imported.")
            return 0
        report = apply_server_import(plan, client, poll=poll_settings(args), progress=progress)
    write_json(args.report, report.to_dict())
    sys.stdout.write(report_text(report))
    return 0


def report_text(report: Report) -> str:
    return to_text(report, CLI_REMEDIES).rstrip("\n") + "\n" + safe_lines(by_engine_lines(report)) + "\n"



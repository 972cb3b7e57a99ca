"""What every command shares: secrets from the environment, one-line errors, progress on stderr."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
import time
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from octodesk.core.errors import ImportRefused, OctoDeskError
from octodesk.core.hardening import no_core_dumps
from octodesk.core.passwords import estimate_strength, password_problem
from octodesk.core.progress import Progress
from octodesk.core.redact import RedactingFilter, redact, register_secret
from octodesk.core.text import safe_text
from octodesk.render import Remedies

if TYPE_CHECKING:
    from octodesk.core.octopus.client import OctopusClient

log = logging.getLogger("octodesk")


class UsageError(OctoDeskError):
    exit_code = 2


# How the command line tells the user to fix what the engine reports.
CLI_REMEDIES = Remedies(
    supply_secret="supply it in --secrets-file",
    supply_certificate_password="supply its password as certificate:<name>/Password in --secrets-file",
    update_existing="import with --update-existing",
    resume="run the same import again to continue where it stopped",
)


def read_secret_env(var: str, what: str) -> str:
    """A secret from the environment variable ``var``; never from the command line."""
    value = os.environ.get(var, "")
    if not value:
        raise UsageError(f"{what} not set: put it in the environment variable {var}.")
    register_secret(value)
    return value


def read_password(var: str, *, new_bundle: bool) -> str:
    """The bundle password: from the environment variable ``var`` or, when it is unset and stdin is a
    terminal, typed at a hidden prompt (twice for a new bundle). A new bundle's password must meet the
    policy; its strength estimate is shown on stderr."""
    password = os.environ.get(var, "")
    if not password:
        if not sys.stdin.isatty():
            raise UsageError(
                f"Bundle password not set: put it in the environment variable {var}, or run in a terminal "
                "to type it at a prompt."
            )
        password = getpass.getpass("Bundle password: ")
        register_secret(password)
        if new_bundle and getpass.getpass("Bundle password (again): ") != password:
            raise UsageError("The two passwords do not match: nothing was written.")
    register_secret(password)
    if new_bundle:
        problem = password_problem(password)
        if problem:
            raise UsageError(problem)
        print(f"Password strength: {estimate_strength(password).hint}", file=sys.stderr)
    elif not password:
        raise UsageError("Bundle password not given.")
    return password


def make_client(
    args: argparse.Namespace, *, server: str | None = None, api_key_env: str | None = None
) -> OctopusClient:
    """A client for ``--server`` with the key from ``--api-key-env`` (or, for a command that talks to two
    servers, the ``server`` and ``api_key_env`` given); TLS, timeout and concurrency from ``args``."""
    from octodesk.core.octopus.client import OctopusClient
    from octodesk.core.octopus.urls import plain_http_warning

    api_key = read_secret_env(api_key_env or args.api_key_env, "API key")
    verify: bool | str = True
    if args.insecure:
        verify = False
    elif args.ca_bundle:
        verify = args.ca_bundle
    client = OctopusClient(
        server or args.server,
        api_key,
        verify=verify,
        timeout=args.timeout,
        concurrency=max(1, args.concurrency),
    )
    warning = plain_http_warning(client.server_url)
    if warning:
        print(f"octodesk: warning: {safe_text(warning)}", file=sys.stderr)
    return client


def setup_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)


def error_lines(error: OctoDeskError) -> list[str]:
    """What a failure shows: one line; a refused import's refusals each on a line of their own under it
    (each made printable alone, so no name can start a line of its own)."""
    if isinstance(error, ImportRefused) and error.refusals:
        return [str(error).split("\n", 1)[0], *error.refusals]
    return [str(error)]


def run_command(action: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run a command: exit code from the action; one clean line on stderr for every failure."""
    setup_logging(getattr(args, "verbose", False))
    try:
        with no_core_dumps():  # passwords, API keys and secret values are in memory from here on
            return action(args)
    except OctoDeskError as error:
        headline, *details = error_lines(error)
        print(f"octodesk: error: {safe_text(redact(headline))}", file=sys.stderr)
        for line in details:
            print(f"  - {safe_text(redact(line))}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("octodesk: cancelled.", file=sys.stderr)
        return 130
    except Exception as error:  # a bug: still one line for the user, the traceback in the debug log
        log.debug("unexpected error\n%s", traceback.format_exc())
        message = safe_text(redact(str(error)))
        print(f"octodesk: internal error: {type(error).__name__}: {message}", file=sys.stderr)
        return 1


class ProgressPrinter:
    """Progress on stderr: a redrawn bar on a terminal, plain throttled lines otherwise."""

    def __init__(self, stream: TextIO | None = None, min_interval: float = 0.5) -> None:
        self.stream = stream or sys.stderr
        self.is_tty = self.stream.isatty()
        self.min_interval = min_interval
        self._last_line = 0.0
        self._last_phase = ""

    def __call__(self, p: Progress) -> None:
        text = safe_text(p.message or " ".join(part for part in (p.kind, p.name) if part), 200)
        if self.is_tty:
            if p.total:
                width = 30
                filled = int(width * min(p.done, p.total) / p.total)
                bar = "#" * filled + "-" * (width - filled)
                line = f"\r{p.phase:<8} [{bar}] {p.done}/{p.total} {text}"[:120]
            else:
                line = f"\r{p.phase:<8} {text}"[:120]
            self.stream.write(line.ljust(120))
            if p.total and p.done >= p.total:
                self.stream.write("\n")
            self.stream.flush()
            return
        now = time.monotonic()
        phase_changed = p.phase != self._last_phase
        finished = bool(p.total) and p.done >= p.total
        if phase_changed or finished or now - self._last_line >= self.min_interval:
            counter = f" {p.done}/{p.total}" if p.total else ""
            print(f"{p.phase}{counter} {text}".rstrip(), file=self.stream, flush=True)
            self._last_line = now
            self._last_phase = p.phase


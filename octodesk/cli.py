"""The command line: one parser, each command's work in ``octodesk.commands.<name>.run(args)``."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Any

from octodesk import __version__
from octodesk.core.octopus.client import DEFAULT_CONCURRENCY
from octodesk.core.packages.choice import NONE, PackageChoice

DEFAULT_API_KEY_ENV = "OCTOPUS_API_KEY"
DEFAULT_PASSWORD_ENV = "OCTODESK_PASSWORD"

EPILOG = (
    "Secrets never go on the command line: the API key is read from the environment variable named by "
    f"--api-key-env (default {DEFAULT_API_KEY_ENV}) and the bundle password from --password-env "
    f"(default {DEFAULT_PASSWORD_ENV}). Exit status: 0 success, 1 failure, 2 usage, 3 import refused, "
    "130 cancelled."
)


def _add_connection(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("Octopus Server")
    group.add_argument(
        "--server", required=True, metavar="URL", help="Octopus Server URL, e.g. https://octopus.example.com"
    )
    group.add_argument("--space", required=True, metavar="NAME", help="space name (exact match)")
    group.add_argument(
        "--api-key-env",
        default=DEFAULT_API_KEY_ENV,
        metavar="VAR",
        help=f"environment variable holding the API key (default {DEFAULT_API_KEY_ENV})",
    )
    group.add_argument("--ca-bundle", metavar="PATH", help="PEM file of CA certificates to trust for TLS")
    group.add_argument(
        "--insecure", action="store_true", help="do not verify the server's TLS certificate (not recommended)"
    )
    group.add_argument(
        "--concurrency",
        type=int,
        default=DEFAULT_CONCURRENCY,
        metavar="N",
        help=f"parallel requests (default {DEFAULT_CONCURRENCY})",
    )
    group.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="deadline of each request: connect, answer and body (default 60)",
    )


def _add_password(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password-env",
        default=DEFAULT_PASSWORD_ENV,
        metavar="VAR",
        help=f"environment variable holding the bundle password (default {DEFAULT_PASSWORD_ENV})",
    )


def _add_poll_interval(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--poll-interval",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="server engine: poll Octopus's task at most this often once it has run a while (default 5)",
    )


def _package_choice(text: str) -> PackageChoice:
    try:
        return PackageChoice.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _add_placeholder_secrets(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--placeholder-secrets",
        action="store_true",
        help="create accounts and Git credentials whose required secret the bundle lacks with a named "
        "placeholder (listed as a follow-up) instead of refusing the import",
    )


def _add_migrate(commands: Any) -> None:
    migrate = commands.add_parser(
        "migrate",
        help="export from one space and import into another in one run",
        description="Export projects from a source space and import them into a target space in one run, "
        "with Octopus's own Export/Import Projects when it fits (--engine auto) or OctoDesk's client engine. "
        "The bundle is kept on disk; running the same migration again after a failure resumes it.",
        epilog=EPILOG,
    )
    for side in ("source", "target"):
        group = migrate.add_argument_group(f"{side} server")
        group.add_argument(
            f"--{side}-server", required=True, metavar="URL", help=f"{side} Octopus Server URL"
        )
        group.add_argument(f"--{side}-space", required=True, metavar="NAME", help=f"{side} space name")
        group.add_argument(
            f"--{side}-api-key-env",
            default=DEFAULT_API_KEY_ENV,
            metavar="VAR",
            help=f"environment variable holding the {side} API key (default {DEFAULT_API_KEY_ENV})",
        )
    migrate.add_argument(
        "--project", action="append", default=[], metavar="NAME", help="project name (repeat for several)"
    )
    migrate.add_argument(
        "--engine",
        choices=["auto", "server", "client"],
        default="auto",
        help="auto (default): Octopus's own Export/Import Projects when both servers have it, the target is "
        "not older and no project exists there; otherwise OctoDesk's client engine, saying why",
    )
    migrate.add_argument(
        "--output", metavar="PATH", help="where to keep the bundle (default: the data folder)"
    )
    _add_password(migrate)
    migrate.add_argument(
        "--secrets-file", metavar="PATH", help="client engine: sensitive values to carry (see export)"
    )
    migrate.add_argument("--dry-run", action="store_true", help="export and preview; import nothing")
    migrate.add_argument(
        "--update-existing",
        action="store_true",
        help="import into projects that already exist on the target (the client engine only)",
    )
    migrate.add_argument(
        "--packages",
        type=_package_choice,
        default=NONE,
        metavar="none|latest|N",
        help="copy the built-in feed packages the projects use, straight from the source's feed to the "
        "target's, before the projects: none (default), the newest version of each, or the newest N of each "
        "(the client engine only)",
    )
    _add_placeholder_secrets(migrate)
    migrate.add_argument("--report", metavar="PATH", help="write the JSON migration report here")
    group = migrate.add_argument_group("connection")
    group.add_argument("--ca-bundle", metavar="PATH", help="PEM file of CA certificates to trust for TLS")
    group.add_argument(
        "--insecure", action="store_true", help="do not verify TLS certificates (not recommended)"
    )
    group.add_argument(
        "--concurrency", type=int, default=8, metavar="N", help="parallel requests (default 8)"
    )
    group.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS", help="per-request timeout")
    _add_poll_interval(migrate)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="octodesk",
        description="Move Octopus Deploy projects between spaces and Octopus Server instances. "
        "Without a command, starts the desktop app.",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"octodesk {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail to stderr")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    gui = commands.add_parser("gui", help="start the desktop app", description="Start the desktop app.")
    gui.add_argument(
        "--sandbox",
        action="store_true",
        help="start two embedded sandbox servers (a demo source and an empty target) and connect to them",
    )
    gui.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        metavar="N",
        help="with --sandbox: the embedded servers answer every request N ms late (to try cancel and resume)",
    )

    export = commands.add_parser(
        "export",
        help="export projects to an encrypted bundle",
        description="Export projects, with everything they reference, into a password-protected .octobundle.",
        epilog=EPILOG,
    )
    _add_connection(export)
    export.add_argument(
        "--project", action="append", default=[], metavar="NAME", help="project name (repeat for several)"
    )
    export.add_argument("--output", metavar="PATH", help="bundle file to write (.octobundle)")
    _add_password(export)
    export.add_argument(
        "--secrets-file",
        metavar="PATH",
        help="JSON file mapping sensitive-value references to values to carry in the bundle "
        "(see --list-secrets and the README)",
    )
    export.add_argument(
        "--list-secrets",
        action="store_true",
        help="print the references of every sensitive value the projects need, then exit",
    )
    export.add_argument(
        "--packages",
        type=_package_choice,
        default=NONE,
        metavar="none|latest|N",
        help="carry the built-in feed packages the projects use inside the bundle: none (default), the "
        "newest version of each, or the newest N versions of each (client engine)",
    )
    export.add_argument("--report", metavar="PATH", help="write the JSON export report here")
    export.add_argument(
        "--engine",
        choices=["client", "server"],
        default="client",
        help="client (default): OctoDesk reads the projects through the API; server: Octopus's own "
        "Export/Import Projects task (2021.1+), which carries every sensitive value",
    )
    _add_poll_interval(export)

    imp = commands.add_parser(
        "import",
        help="import a bundle into a space",
        description="Preview and import a bundle into a target space, matching shared resources by name.",
        epilog=EPILOG,
    )
    imp.add_argument("bundle", metavar="PATH", help="the .octobundle file")
    _add_connection(imp)
    _add_password(imp)
    imp.add_argument("--dry-run", action="store_true", help="print the plan and write nothing")
    imp.add_argument(
        "--update-existing",
        action="store_true",
        help="import into projects that already exist on the target (promotion) instead of refusing",
    )
    _add_placeholder_secrets(imp)
    imp.add_argument(
        "--report", metavar="PATH", help="write the JSON import report (or plan, with --dry-run)"
    )
    _add_poll_interval(imp)

    inspect = commands.add_parser(
        "inspect",
        help="verify a bundle and print its summary",
        description="Verify a bundle's password and integrity, then print its manifest summary.",
        epilog=EPILOG,
    )
    inspect.add_argument("bundle", metavar="PATH", help="the .octobundle file")
    _add_password(inspect)
    inspect.add_argument("--json", action="store_true", help="print the summary as JSON")
    inspect.add_argument(
        "--extract-octopus-zip",
        metavar="OUT.zip",
        help="write the Octopus export zip of a server-engine bundle alone (for Octopus's web portal)",
    )

    _add_migrate(commands)

    sandbox = commands.add_parser(
        "sandbox",
        help="run an Octopus-compatible sandbox server",
        description="Run an embedded Octopus-compatible HTTP server on loopback until interrupted.",
    )
    sandbox.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    sandbox.add_argument("--port", type=int, default=0, help="port (default 0: pick a free port)")
    sandbox.add_argument(
        "--data",
        default="demo",
        metavar="NAME|PATH",
        help="dataset: empty, demo, large, large:N (N projects), or a JSON file",
    )
    sandbox.add_argument(
        "--version",
        dest="server_version",
        default=None,
        metavar="V",
        help="server version to behave as: a profile (2021.2, 2023.1, 2025.2, 2026.3) or a full version "
        "such as 2023.1.9626, which gets the newest profile not newer than it",
    )
    sandbox.add_argument("--hosting", choices=["self-hosted", "cloud"], default="self-hosted")
    sandbox.add_argument(
        "--latency-ms", type=float, default=0.0, metavar="N", help="added latency per request"
    )
    sandbox.add_argument(
        "--rate-limit",
        metavar="PER_MINUTE[/BURST]",
        help="2026.3 and later: refuse a user's requests beyond this rate with 429 and Retry-After, as "
        "Octopus's rate limiter does (e.g. 200/200)",
    )
    sandbox.add_argument(
        "--fail-rate",
        type=float,
        default=0.0,
        metavar="F",
        help="fraction of requests failed (503s, dropped connections)",
    )
    sandbox.add_argument("--api-key", default=None, metavar="KEY", help="API key to accept (default: random)")
    return parser


COMMAND_MODULES = {
    "gui": "octodesk.commands.gui",
    "export": "octodesk.commands.export",
    "import": "octodesk.commands.import_",
    "inspect": "octodesk.commands.inspect",
    "migrate": "octodesk.commands.migrate",
    "sandbox": "octodesk.commands.sandbox",
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    command = args.command or "gui"
    if command == "gui" and not hasattr(args, "sandbox"):
        args.sandbox, args.latency_ms = False, 0.0
    if command == "gui" and args.latency_ms and not args.sandbox:
        parser.error("--latency-ms slows the embedded sandbox servers: give --sandbox too")
    from octodesk.commands.common import run_command

    module = importlib.import_module(COMMAND_MODULES[command])
    return run_command(module.run, args)


if __name__ == "__main__":
    sys.exit(main())

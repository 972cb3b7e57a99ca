"""`octodesk sandbox`: run an Octopus-compatible server on loopback until Ctrl+C."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType

from octodesk.core.errors import OctoDeskError
from octodesk.sandbox import SandboxServer
from octodesk.sandbox.datasets import DatasetError
from octodesk.sandbox.rate_limit import RatePolicy


class SandboxStartFailed(OctoDeskError):
    """The sandbox could not start: unknown dataset, bad option, or the port is taken."""


def run(args: argparse.Namespace, stop: threading.Event | None = None) -> int:
    """Serve until interrupted (or until ``stop`` is set, for tests); exit status 0 on a clean stop."""
    options = {
        "hosting": args.hosting,
        "latency_ms": args.latency_ms,
        "fail_rate": args.fail_rate,
        "api_key": args.api_key,
        "host": args.host,
        "port": args.port,
    }
    if args.server_version:
        options["version"] = args.server_version
    try:
        rate_limit = RatePolicy.parse(args.rate_limit) if args.rate_limit else None
        server = SandboxServer(dataset=args.data, **options)
        try:
            server.limit_rate(rate_limit)
        except ValueError:
            server.stop()  # removes the package folder it made
            raise
        server.start()
    except DatasetError as error:
        raise SandboxStartFailed(str(error)) from error
    except ValueError as error:
        raise SandboxStartFailed(f"Invalid sandbox option: {error}") from error
    except OSError as error:
        reason = error.strerror or error
        raise SandboxStartFailed(f"Cannot listen on {args.host}:{args.port}: {reason}") from error
    waiter = stop or threading.Event()
    restore = _terminate_like_ctrl_c()
    try:
        print(f"Octopus sandbox {server.version} ({args.hosting}) serving dataset '{args.data}'")
        print(f"URL:     {server.url}")
        print(f"API key: {server.api_key}")
        print("Press Ctrl+C to stop.", flush=True)
        while not waiter.wait(0.5):
            pass
    except KeyboardInterrupt:
        print("Stopping the sandbox.", file=sys.stderr)
    finally:
        server.stop()
        restore()
    return 0


def _terminate_like_ctrl_c() -> Callable[[], None]:
    """SIGTERM (``kill``, a session manager at logout, a test harness) stops the sandbox the way Ctrl+C does,
    so ``server.stop()`` runs and removes the package folder; Python's default would exit on the spot and
    leave the folder behind. Returns how to put the previous handler back. Signals can only be handled on
    the main thread: elsewhere (tests driving ``run`` with ``stop``) nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = signal.signal(signal.SIGTERM, _interrupt)

    def restore() -> None:
        signal.signal(signal.SIGTERM, previous)

    return restore


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt

"""``octodesk`` / ``octodesk gui [--sandbox [--latency-ms N]]``: start the desktop app."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    from octodesk.gui.app import run_app

    return run_app(
        sandbox=bool(getattr(args, "sandbox", False)),
        verbose=bool(getattr(args, "verbose", False)),
        sandbox_latency_ms=float(getattr(args, "latency_ms", 0.0)),
    )

"""``octodesk`` / ``octodesk gui [--sandbox]``: start the desktop app."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    from octodesk.gui.app import run_app

    return run_app(
        sandbox=bool(getattr(args, "sandbox", False)), verbose=bool(getattr(args, "verbose", False))
    )

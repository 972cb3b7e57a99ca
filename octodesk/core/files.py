"""Files OctoDesk writes about a user's servers (reports, logs, journals): readable by that user alone.

Files are created 0600 and tightened to 0600 when they already existed; the app's own folders are 0700. On
Windows, where POSIX modes mean little, the folders in the user's profile are already private.
"""

from __future__ import annotations

import logging.handlers
import os
import stat
from io import TextIOWrapper
from pathlib import Path
from typing import cast

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def private_opener(path: str, flags: int) -> int:
    """``open(..., opener=private_opener)``: a new file is 0600, an existing one is made 0600."""
    descriptor = os.open(path, flags, FILE_MODE)
    if hasattr(os, "fchmod"):
        os.fchmod(descriptor, FILE_MODE)
    return descriptor


def write_private_text(path: str | os.PathLike[str], text: str) -> None:
    with open(path, "w", encoding="utf-8", opener=private_opener) as handle:
        handle.write(text)


def private_folder(path: Path, *, ours: bool) -> Path:
    """Create ``path`` (0700) if missing. ``ours`` (the app's default folders, not one the user named):
    an existing folder that others may read is made 0700 too."""
    path.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    if ours and os.name == "posix":
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            path.chmod(mode & ~0o077)
    return path


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose every file (the current one and each new one after a rollover) is 0600."""

    def _open(self) -> TextIOWrapper:
        stream = open(  # noqa: SIM115 - the handler owns the stream and closes it
            self.baseFilename, self.mode, encoding=self.encoding, errors=self.errors, opener=private_opener
        )
        return cast(TextIOWrapper, stream)  # a text mode, like the base class's open

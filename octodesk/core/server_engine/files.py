"""Files written whole or not at all: a temporary file beside the destination, then one rename."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from octodesk.core.errors import OctoDeskError


def write_atomically(destination: Path, chunks: Iterable[bytes]) -> int:
    """Write ``chunks`` to ``destination``; returns the size. On any failure nothing is left behind."""
    folder = destination.parent if str(destination.parent) else Path(".")
    if not folder.is_dir():
        raise OctoDeskError(f"Cannot write {destination}: the folder {folder} does not exist.")
    try:
        handle, temp_name = tempfile.mkstemp(dir=folder, prefix=f".{destination.name}.", suffix=".partial")
    except OSError as error:
        raise OctoDeskError(f"Cannot write in {folder}: {error.strerror or error}.") from None
    size = 0
    try:
        with os.fdopen(handle, "wb") as stream:
            for chunk in chunks:
                stream.write(chunk)
                size += len(chunk)
        os.replace(temp_name, destination)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise OctoDeskError(f"Cannot write {destination}: {error.strerror or error}.") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    return size

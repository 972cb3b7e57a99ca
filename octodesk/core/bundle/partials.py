"""The temporary ``.partial`` file a bundle is written to, and the leftovers of exports that were killed.

A bundle is written to ``.<name>.<random>.partial`` beside its destination, then renamed. A killed export
leaves that file behind; the next export into the folder removes such leftovers: only names of this
pattern, only regular files of this user, only ones older than the new export, and only when no process
holds the lock every writer keeps on its file while it writes (so a concurrent export's file survives).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import stat
import tempfile
from pathlib import Path

from octodesk.core.locks import try_lock

log = logging.getLogger(__name__)

TEMP_SUFFIX = ".partial"
# tempfile.mkstemp's names: the prefix, 8 characters from [a-z0-9_], the suffix.
_PARTIAL_NAME = re.compile(r"\..+\.[a-z0-9_]{8}" + re.escape(TEMP_SUFFIX))


def create_partial(folder: Path, destination_name: str) -> tuple[int, Path]:
    """A new, locked temporary file in ``folder``: its descriptor (the lock lasts while it is open)."""
    descriptor, name = tempfile.mkstemp(dir=folder, prefix=f".{destination_name}.", suffix=TEMP_SUFFIX)
    try_lock(descriptor)
    return descriptor, Path(name)


def remove_stale_partials(folder: Path, older_than: float) -> int:
    """Remove the leftovers of killed exports in ``folder`` (see the module's rules); how many went."""
    removed = 0
    try:
        candidates = [entry for entry in folder.iterdir() if _PARTIAL_NAME.fullmatch(entry.name)]
    except OSError:
        return 0
    for path in candidates:
        with contextlib.suppress(OSError):
            if _is_stale(path, older_than):
                path.unlink()
                removed += 1
    if removed:
        log.info("Removed %d unfinished bundle file(s) of stopped exports from %s", removed, folder)
    return removed


def _is_stale(path: Path, older_than: float) -> bool:
    info = path.lstat()
    if not stat.S_ISREG(info.st_mode) or info.st_mtime >= older_than:
        return False
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return False
    descriptor = os.open(path, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0))
    try:
        return try_lock(descriptor)  # taken: no writer holds it any more
    finally:
        os.close(descriptor)

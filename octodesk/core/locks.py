"""Advisory file locks that die with their process: a crash or kill releases them, no stale lock to clear.

POSIX ``flock`` or Windows ``msvcrt.locking`` on one byte, both held by an open descriptor. Used for the
import lock (one import of a bundle into a target at a time) and to tell a bundle still being written from
the ``.partial`` leftover of a killed export.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from octodesk.core.errors import ImportRefused
from octodesk.core.files import private_opener

if sys.platform == "win32":
    import msvcrt

    def try_lock(descriptor: int) -> bool:
        """Take the lock on an open file without waiting; False when another process holds it."""
        os.lseek(descriptor, 0, os.SEEK_SET)
        try:
            msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

else:
    import fcntl

    def try_lock(descriptor: int) -> bool:
        """Take the lock on an open file without waiting; False when another process holds it."""
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


def is_locked(path: Path) -> bool:
    """True while another process holds the lock on ``path`` (a missing file is not locked)."""
    try:
        descriptor = os.open(path, os.O_RDWR)
    except OSError:
        return False
    try:
        return not try_lock(descriptor)
    finally:
        os.close(descriptor)  # closing releases a lock this call took


@contextmanager
def held(path: Path, *, remove: bool = False) -> Iterator[bool]:
    """Hold the lock on ``path`` (created 0600) for the block; yields False, holding nothing, when another
    process has it. ``remove``: the file goes when the block ends, however it ends (while still locked)."""
    descriptor = _locked_descriptor(path)
    try:
        yield descriptor is not None
    finally:
        if descriptor is not None:
            if remove:
                with suppress(OSError):
                    path.unlink()
            os.close(descriptor)


def _locked_descriptor(path: Path) -> int | None:
    """A descriptor holding the lock on the file now at ``path``, or None when another process holds it.
    A holder may remove the file as it lets go: a lock won on a file no longer at ``path`` is tried again."""
    for _ in range(_ATTEMPTS):
        descriptor = private_opener(str(path), os.O_RDWR | os.O_CREAT)
        if not try_lock(descriptor):
            os.close(descriptor)
            return None
        with suppress(OSError):
            if os.path.samestat(os.fstat(descriptor), os.stat(path)):
                return descriptor
        os.close(descriptor)
    return None


_ATTEMPTS = 3


def import_lock_path(journal_path: Path) -> Path:
    """Beside the journal, hidden: it is there only while an import runs (or after one was killed)."""
    return journal_path.with_name(f".{journal_path.stem}.lock")


def _another_import(space_name: str, server_url: str) -> ImportRefused:
    return ImportRefused(
        f"Another import of this bundle into space '{space_name}' on {server_url} is running; nothing was "
        "written. Wait until it has finished, then run this import again: it continues from there."
    )


def refuse_if_importing(journal_path: Path, space_name: str, server_url: str) -> None:
    """Refuse to plan while another process imports the same bundle into the same space: its writes would
    make the plan wrong before it is shown."""
    if is_locked(import_lock_path(journal_path)):
        raise _another_import(space_name, server_url)


@contextmanager
def import_lock(journal_path: Path, space_name: str, server_url: str) -> Iterator[None]:
    """One import of a bundle into a space at a time (beside its journal); released on exit or crash."""
    with held(import_lock_path(journal_path), remove=True) as acquired:
        if not acquired:
            raise _another_import(space_name, server_url)
        yield

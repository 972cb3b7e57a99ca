"""No core dumps while OctoDesk holds passwords, API keys and sensitive values in memory.

A crash would otherwise write them to a core file (or hand them to a crash reporter). On POSIX the soft
RLIMIT_CORE goes to 0; on Linux the process is also marked not dumpable (PR_SET_DUMPABLE), which covers
crash handlers that ignore the limit (systemd-coredump, apport) and stops other processes of the same user
from attaching a debugger. Both are restored afterwards. Elsewhere this is a no-op.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from collections.abc import Iterator
from contextlib import contextmanager

try:
    import resource
except ImportError:  # Windows
    resource = None  # type: ignore[assignment]

PR_GET_DUMPABLE = 3
PR_SET_DUMPABLE = 4


def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:
        return None


def dumpable() -> int | None:
    """The process's PR_GET_DUMPABLE value on Linux, else None."""
    libc = _libc()
    return None if libc is None else int(libc.prctl(PR_GET_DUMPABLE, 0, 0, 0, 0))


@contextmanager
def no_core_dumps() -> Iterator[None]:
    libc = _libc()
    limits = resource.getrlimit(resource.RLIMIT_CORE) if resource is not None else None
    was_dumpable = dumpable()
    if limits is not None:
        resource.setrlimit(resource.RLIMIT_CORE, (0, limits[1]))
    if libc is not None:
        libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    try:
        yield
    finally:
        if libc is not None and was_dumpable:
            libc.prctl(PR_SET_DUMPABLE, was_dumpable, 0, 0, 0)
        if limits is not None:
            resource.setrlimit(resource.RLIMIT_CORE, limits)

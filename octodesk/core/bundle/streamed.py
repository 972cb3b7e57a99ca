"""Bundle entries too large to hold in memory (built-in feed packages): written and read a chunk at a time.

The writer stores each one uncompressed (a package is already compressed, and a stored entry cannot expand
past its bytes in the file) with ZIP64 records from the start, hashing it on the way; it is budgeted by the
size it declares instead of the limits for documents.
"""

from __future__ import annotations

import hashlib
import stat
import zipfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass

from octodesk.core.cancel import CancelToken
from octodesk.core.errors import BundleError
from octodesk.core.hashing import OverlappedHash

ChunkOpener = Callable[[], AbstractContextManager[Iterator[bytes]]]
_ENTRY_MODE = (stat.S_IFREG | 0o600) << 16


@dataclass(frozen=True)
class StreamedEntry:
    name: str  # the entry's path in the bundle, e.g. "packages/Acme.Web.1.0.0.zip"
    size: int  # exactly this many bytes; anything else fails the write
    open: ChunkOpener  # the content, a chunk at a time
    label: str = ""  # how progress and errors name it ("Acme.Web 1.0.0")
    kind: str = ""  # what progress calls it ("Package")


def write_streamed(
    archive: zipfile.ZipFile,
    entry: StreamedEntry,
    date_time: tuple[int, int, int, int, int, int],
    on_bytes: Callable[[int], None],
    cancel: CancelToken | None = None,
) -> str:
    """Copy ``entry`` into ``archive`` as a stored ZIP64 entry; its SHA-256."""
    info = zipfile.ZipInfo(entry.name, date_time=date_time)
    info.external_attr = _ENTRY_MODE
    info.compress_type = zipfile.ZIP_STORED
    info.file_size = entry.size
    written = 0
    with (
        OverlappedHash(hashlib.sha256()) as digest,
        entry.open() as chunks,
        archive.open(info, "w", force_zip64=True) as sink,
    ):
        for chunk in chunks:
            if cancel is not None:
                cancel.raise_if_cancelled()
            written += len(chunk)
            if written > entry.size:
                break
            digest.update(chunk)
            sink.write(chunk)
            on_bytes(len(chunk))
        sha256 = digest.hexdigest()
    if written != entry.size:
        raise BundleError(
            f"Cannot write the bundle: {entry.label or entry.name} came to {written} bytes, not the "
            f"{entry.size} declared."
        )
    return sha256

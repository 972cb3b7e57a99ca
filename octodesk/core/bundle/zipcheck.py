"""The zip container checked as hostile input, from its end record and central directory alone.

``check_end_record`` runs before zipfile parses anything: zipfile reads the whole central directory the end
record points to and builds an object per entry, so two million empty records cost it ~20 s and ~1 GB.
``check_structure`` then judges every entry's name, type and sizes before a single entry is decompressed.
"""

from __future__ import annotations

import stat
import struct
import zipfile
from typing import BinaryIO

from octodesk.core.bundle.format import (
    BUNDLE_RATIO_FLOOR_BYTES,
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS_TOTAL_BYTES,
    MAX_BUNDLE_RATIO,
    MAX_CENTRAL_DIRECTORY_BYTES,
    MAX_COMPRESSION_RATIO,
    MAX_ENTRIES,
    MAX_ENTRY_BYTES,
    MAX_FILE_BYTES,
    MAX_TOTAL_BYTES,
    RATIO_CHECK_FLOOR_BYTES,
    foreign_entry_reason,
    is_attachment,
    unsafe_name_reason,
)
from octodesk.core.errors import BundleDamaged

# PKWARE APPNOTE 4.3.14-4.3.16: end of central directory record, zip64 locator and zip64 end record.
_END = struct.Struct("<4s4H2LH")
_END_SIGNATURE = b"PK\x05\x06"
_LOCATOR = struct.Struct("<4sLQL")
_LOCATOR_SIGNATURE = b"PK\x06\x07"
_END64 = struct.Struct("<4sQ2H2L4Q")
_END64_SIGNATURE = b"PK\x06\x06"
_MAX_COMMENT = 0xFFFF


def check_end_record(stream: BinaryIO, file_size: int, label: str) -> None:
    """Refuse a zip whose end record claims more entries or a larger central directory than a bundle has.

    A file without a readable end record is left to zipfile, which refuses it as not a zip.
    """
    tail_size = min(file_size, _END.size + _MAX_COMMENT)
    stream.seek(file_size - tail_size)
    tail = stream.read(tail_size)
    position = tail.rfind(_END_SIGNATURE)
    if position < 0 or position + _END.size > len(tail):
        return
    fields = _END.unpack_from(tail, position)
    entries, directory_size = fields[4], fields[5]
    if _LOCATOR.size <= position and (entries == 0xFFFF or directory_size == 0xFFFFFFFF):
        entries, directory_size = _zip64_counts(stream, tail, position, file_size)
    if entries > MAX_ENTRIES:
        raise BundleDamaged(f"{label} is unsafe: it has {entries} entries (limit {MAX_ENTRIES}).")
    if directory_size > min(MAX_CENTRAL_DIRECTORY_BYTES, file_size):
        raise BundleDamaged(
            f"{label} is unsafe: its central directory claims {directory_size} bytes (limit "
            f"{MAX_CENTRAL_DIRECTORY_BYTES}, file {file_size}); refused."
        )


def _zip64_counts(stream: BinaryIO, tail: bytes, position: int, file_size: int) -> tuple[int, int]:
    signature, _, end64_offset, _ = _LOCATOR.unpack_from(tail, position - _LOCATOR.size)
    if signature != _LOCATOR_SIGNATURE or end64_offset + _END64.size > file_size:
        return 0, 0
    stream.seek(end64_offset)
    record = stream.read(_END64.size)
    if len(record) < _END64.size or not record.startswith(_END64_SIGNATURE):
        return 0, 0
    fields = _END64.unpack(record)
    return fields[7], fields[8]


def check_structure(label: str, infos: list[zipfile.ZipInfo], file_size: int) -> None:
    """Refuse hostile archives from the central directory alone, before reading any entry."""
    if len(infos) > MAX_ENTRIES:
        raise BundleDamaged(f"{label} is unsafe: it has {len(infos)} entries (limit {MAX_ENTRIES}).")
    # Entries sharing compressed bytes (the "overlapping files" zip bomb) claim more data than the file has.
    if sum(info.compress_size for info in infos) > file_size:
        raise BundleDamaged(
            f"{label} is unsafe: its entries claim more compressed data than the file holds "
            "(overlapping entries, a zip bomb?); refused."
        )
    attached = _attachment_bytes(label, infos)
    if file_size - attached > MAX_FILE_BYTES:
        raise BundleDamaged(f"{label} is too large to be an OctoDesk bundle ({file_size} bytes).")
    file_size -= attached  # what the budgets below are judged against: everything but the attachments
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        shown = shown_name(name)
        reason = unsafe_name_reason(name) or foreign_entry_reason(name)
        if reason:
            raise BundleDamaged(f"{label} is unsafe: the entry {shown} {reason}; refused.")
        if name in seen:
            raise BundleDamaged(f"{label} is unsafe: the entry {shown} appears twice; refused.")
        seen.add(name)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise BundleDamaged(f"{label} is unsafe: the entry {shown} is a symbolic link; refused.")
        if info.flag_bits & 0x1:
            raise BundleDamaged(
                f"{label} is damaged: the entry {shown} uses zip encryption, which bundles never use."
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise BundleDamaged(
                f"{label} is damaged: the entry {shown} uses an unsupported compression method."
            )
        if is_attachment(name):
            continue  # stored as it is: checked by _attachment_bytes
        total += info.file_size
        if info.file_size > MAX_ENTRY_BYTES or total > MAX_TOTAL_BYTES:
            raise BundleDamaged(
                f"{label} is unsafe: the entry {shown} expands to {info.file_size} bytes, past the size "
                "limits (a zip bomb?); refused."
            )
        ratio_limit = MAX_COMPRESSION_RATIO * max(info.compress_size, 1)
        if info.file_size > RATIO_CHECK_FLOOR_BYTES and info.file_size > ratio_limit:
            raise BundleDamaged(
                f"{label} is unsafe: the entry {shown} has a compression ratio over "
                f"{MAX_COMPRESSION_RATIO}:1, like a zip bomb; refused."
            )
    # Many small entries, each under the per-entry floor, can still add up to a bomb.
    if total > max(MAX_BUNDLE_RATIO * file_size, BUNDLE_RATIO_FLOOR_BYTES):
        raise BundleDamaged(
            f"{label} is unsafe: its entries expand to {total} bytes, more than {MAX_BUNDLE_RATIO} times "
            f"the file's {file_size} (a zip bomb?); refused."
        )


def _attachment_bytes(label: str, infos: list[zipfile.ZipInfo]) -> int:
    """The bytes the attachments take in the file. Each must be stored (its size in the file is its size),
    so an attachment cannot be a zip bomb; their sizes are bounded one by one and together."""
    total = 0
    for info in infos:
        if not is_attachment(info.filename):
            continue
        shown = shown_name(info.filename)
        if info.compress_type != zipfile.ZIP_STORED or info.file_size != info.compress_size:
            raise BundleDamaged(
                f"{label} is damaged: the attachment {shown} is compressed; bundles store attachments as "
                "they are."
            )
        if info.file_size > MAX_ATTACHMENT_BYTES:
            raise BundleDamaged(
                f"{label} is unsafe: the attachment {shown} is {info.file_size} bytes; refused."
            )
        total += info.file_size
    if total > MAX_ATTACHMENTS_TOTAL_BYTES:
        raise BundleDamaged(f"{label} is unsafe: its attachments come to {total} bytes; refused.")
    return total


def shown_name(name: str) -> str:
    text = repr(name)
    return text if len(text) <= 80 else text[:77] + "..."

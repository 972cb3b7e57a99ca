"""The ``.octobundle`` layout shared by writer and reader: names, limits, canonical and guarded JSON."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from octodesk.core.errors import BundleDamaged
from octodesk.core.resources.kinds import KINDS_BY_NAME

FORMAT_NAME = "octodesk-bundle"
# 2: the resource index and entry hashes moved from manifest.json to index.json (so the manifest, read before
# the password, stays small) and secrets.enc records the KDF parameters and key check it was sealed with.
FORMAT_VERSION = 2
BUNDLE_SUFFIX = ".octobundle"
MANIFEST_NAME = "manifest.json"
INDEX_NAME = "index.json"
SECRETS_NAME = "secrets.enc"
RESOURCES_DIR = "resources"
LOGOS_DIR = "logos"
# Attachments: files carried as they are (Octopus's own export zip, built-in feed packages). Stored, never
# compressed, so one cannot expand past its bytes in the file; never held in memory whole by the reader.
ATTACHMENT_DIRS = frozenset({"octopus", "packages"})
RESERVED_NAMES = frozenset({MANIFEST_NAME, INDEX_NAME, SECRETS_NAME})
# Keys of the manifest that the writer computes; a caller may not supply them.
COMPUTED_MANIFEST_KEYS = frozenset(
    {
        "format",
        "format_version",
        "resources",
        "counts",
        "entries",
        "attachments",
        "kdf",
        "key_check",
        "index_sha256",
    }
)
# The caller's manifest keys kept in manifest.json (shown before the password); all others go to index.json.
SUMMARY_MANIFEST_KEYS = frozenset({"source", "projects", "tool_version", "created_at", "engine"})

# Hostile-input budgets: every one is checked before the data it guards is read or parsed. A large space
# (the sandbox's `large` dataset: 228 projects, 1,753 entries, 6.5 MB decoded from 1.8 MB, 460,000 JSON
# values) sits far inside each; a crafted file cannot make the reader use more than a few hundred MB or
# more than seconds. The writer enforces the same budgets, so every bundle it writes can be read.
MAX_FILE_BYTES = 1100 * 1024 * 1024
MAX_ENTRIES = 50_000
# The central directory is bounded (from the end record) before zipfile parses it: at most MAX_ENTRIES
# entries with 100-character names, or ~180,000 of the shortest possible records (~90 MB of ZipInfo).
MAX_CENTRAL_DIRECTORY_BYTES = 8 * 1024 * 1024
MAX_ENTRY_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
MAX_MANIFEST_BYTES = 1024 * 1024  # read before any password is asked
# Attachments are budgeted by their stored size only: one at most MAX_ATTACHMENT_BYTES (Octopus Cloud takes
# packages up to 5 GB), all of them at most MAX_ATTACHMENTS_TOTAL_BYTES; the rest of the file stays under
# MAX_FILE_BYTES. One read into memory (Octopus's export zip, for its upload) is at most
# MAX_LOADED_ATTACHMENT_BYTES.
MAX_ATTACHMENT_BYTES = 8 * 1024**3
MAX_ATTACHMENTS_TOTAL_BYTES = 1024**4
MAX_LOADED_ATTACHMENT_BYTES = 512 * 1024 * 1024
# Deflate tops out near 1032:1; real JSON compresses ~5-30:1 and a whole bundle ~3-10:1 (zip overhead,
# logos and certificates do not compress). One entry past the floor may reach MAX_COMPRESSION_RATIO; the
# whole bundle may decode to MAX_BUNDLE_RATIO times the file's size (or BUNDLE_RATIO_FLOOR_BYTES if more).
MAX_COMPRESSION_RATIO = 200
RATIO_CHECK_FLOOR_BYTES = 64 * 1024
MAX_BUNDLE_RATIO = 50
BUNDLE_RATIO_FLOOR_BYTES = 4 * 1024 * 1024
# JSON values (objects, arrays, keys, strings, numbers, literals) are counted before an entry is parsed:
# a parsed value costs 30-100 bytes of memory whatever its size in the file ('{},' is 3 bytes, 72 in memory).
MAX_JSON_VALUES_PER_ENTRY = 1_000_000
MAX_JSON_VALUES_TOTAL = 4_000_000
MAX_JSON_DEPTH = 100
MAX_NAME_LENGTH = 255

_SAFE_COMPONENT = re.compile(r"[A-Za-z0-9_%][A-Za-z0-9._~%-]*")
_KIND_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*")


def resource_path(kind: str, source_id: str) -> str:
    """``resources/<Kind>/<source id>.json``; an id with unusual characters is percent-encoded."""
    if not _KIND_NAME.fullmatch(kind):
        raise ValueError(f"resource kind {kind!r} is not a plain name")
    if not source_id:
        raise ValueError(f"a {kind} resource has an empty id")
    encoded = quote(source_id, safe="")
    if encoded.startswith("."):
        encoded = "%2E" + encoded[1:]
    return f"{RESOURCES_DIR}/{kind}/{encoded}.json"


def unsafe_name_reason(name: str) -> str | None:
    """Why an entry name may not be used, or None when it is a plain relative path inside the bundle."""
    if not name:
        return "has an empty name"
    if len(name) > MAX_NAME_LENGTH:
        return "has an over-long name"
    if "\\" in name:
        return "uses backslashes in its name"
    if name.startswith("/"):
        return "has an absolute path"
    if ":" in name:
        return "names a drive or stream (':')"
    if any(part == ".." for part in name.split("/")):
        return "points outside the bundle (path traversal '..')"
    if any(not _SAFE_COMPONENT.fullmatch(part) for part in name.split("/")):
        return "has a name with characters or parts a bundle never uses"
    return None


def foreign_entry_reason(name: str) -> str | None:
    """Why a (safe) entry name is not one a bundle holds, or None: the reserved entries,
    ``resources/<known kind>/<id>.json``, ``logos/<file>`` and attachments (``octopus/<file>``,
    ``packages/<file>``) only."""
    parts = name.split("/")
    if name in RESERVED_NAMES:
        return None
    if len(parts) == 3 and parts[0] == RESOURCES_DIR:
        if parts[1] not in KINDS_BY_NAME:
            return f"holds resources of a kind OctoDesk does not know ({parts[1][:40]!r})"
        if parts[2].endswith(".json") and len(parts[2]) > len(".json"):
            return None
    if len(parts) == 2 and parts[0] in (LOGOS_DIR, *ATTACHMENT_DIRS):
        return None
    return "is neither a resource, a logo nor an attachment"


def is_attachment(name: str) -> bool:
    parts = name.split("/")
    return len(parts) == 2 and parts[0] in ATTACHMENT_DIRS and bool(parts[1])


# One encoder for every canonical document (json.dumps builds one per call). Without the circular-reference
# check (a dict of every container's id, a sixth of the encoding time): a document that contains itself
# nests without end and fails as a RecursionError, as one nested too deep does.
_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False, check_circular=False
)


def canonical_json(document: Any) -> bytes:
    """Deterministic bytes for a document: sorted keys, no whitespace, ASCII only."""
    return _CANONICAL.encode(document).encode("ascii")


def manifest_json(manifest: dict[str, Any]) -> bytes:
    """The manifest: sorted, one entry of its lists and maps per line (still readable in a zip viewer, and
    without the indentation that made a sixth of its size; the reader caps the manifest's size)."""
    lines = []
    for key, value in sorted(manifest.items()):
        if isinstance(value, list) and value:
            items = ",\n  ".join(_compact(item) for item in value)
            lines.append(f"{json.dumps(key)}:[\n  {items}\n]")
        elif isinstance(value, dict) and value and key != "kdf":
            items = ",\n  ".join(f"{json.dumps(k)}:{_compact(v)}" for k, v in sorted(value.items()))
            lines.append(f"{json.dumps(key)}:{{\n  {items}\n}}")
        else:
            lines.append(f"{json.dumps(key)}:{_compact(value)}")
    return ("{\n" + ",\n".join(lines) + "\n}\n").encode("ascii")


def _compact(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def json_value_bound(data: bytes) -> int:
    """At least the number of JSON values in ``data`` (keys included), counted without parsing: every value
    but the first follows one of ``{ [ , :`` (string contents may add to the count, never take from it)."""
    return 1 + sum(data.count(byte) for byte in (b"{", b"[", b",", b":"))


class JsonBudget:
    """The JSON values a bundle may still hold: each entry is charged before it is parsed."""

    def __init__(self) -> None:
        self.left = MAX_JSON_VALUES_TOTAL

    def charge(self, data: bytes, bundle_name: str, entry: str) -> None:
        count = json_value_bound(data)
        if count > MAX_JSON_VALUES_PER_ENTRY:
            raise BundleDamaged(
                f"{bundle_name} is unsafe: {entry} holds about {count} JSON values, more than the "
                f"{MAX_JSON_VALUES_PER_ENTRY} one entry may hold; refused."
            )
        self.left -= count
        if self.left < 0:
            raise BundleDamaged(
                f"{bundle_name} is unsafe: its entries hold more than the {MAX_JSON_VALUES_TOTAL} JSON "
                f"values a bundle may hold (reached at {entry}); refused."
            )


def parse_json(data: bytes, bundle_name: str, entry: str, budget: JsonBudget | None = None) -> Any:
    """Parse an entry's JSON within the size, value-count and nesting-depth limits; every failure is a
    BundleDamaged. Without a ``budget`` only the per-entry count applies."""
    if len(data) > MAX_ENTRY_BYTES:
        raise BundleDamaged(f"{bundle_name} is damaged: {entry} is too large to be a bundle document.")
    (budget or JsonBudget()).charge(data, bundle_name, entry)
    try:
        text = data.decode("utf-8")
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise _too_deep(bundle_name, entry) from None
    except (UnicodeDecodeError, ValueError):
        raise BundleDamaged(f"{bundle_name} is damaged: {entry} is not valid JSON.") from None
    if json_depth(value) > MAX_JSON_DEPTH:
        raise _too_deep(bundle_name, entry)
    return value


def _too_deep(bundle_name: str, entry: str) -> BundleDamaged:
    return BundleDamaged(
        f"{bundle_name} is unsafe: {entry} nests JSON deeper than {MAX_JSON_DEPTH} levels; refused."
    )


def json_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> int:
    """Nesting depth of a parsed JSON value, counted level by level without recursion (the value may be
    hostile); stops counting once past ``limit``."""
    level = [value] if type(value) is dict or type(value) is list else []
    depth = 0
    while level and depth <= limit:
        depth += 1
        deeper = []
        for container in level:
            for child in container.values() if type(container) is dict else container:
                if type(child) is dict or type(child) is list:
                    deeper.append(child)
        level = deeper
    return depth

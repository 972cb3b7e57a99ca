"""The ``.octobundle`` layout shared by writer and reader: names, limits, canonical and guarded JSON."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from octodesk.core.errors import BundleDamaged

FORMAT_NAME = "octodesk-bundle"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
SECRETS_NAME = "secrets.enc"
RESOURCES_DIR = "resources"
RESERVED_NAMES = frozenset({MANIFEST_NAME, SECRETS_NAME})
# Keys of the manifest that the writer computes; a caller may not supply them.
COMPUTED_MANIFEST_KEYS = frozenset(
    {"format", "format_version", "resources", "counts", "entries", "kdf", "key_check"}
)

# Hostile-input limits. A large space exports a few thousand small documents; these leave wide room for that
# while keeping a crafted file from exhausting memory or time.
MAX_ENTRIES = 100_000
MAX_ENTRY_BYTES = 64 * 1024 * 1024
MAX_MANIFEST_BYTES = 32 * 1024 * 1024
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
MAX_FILE_BYTES = MAX_TOTAL_BYTES + 64 * 1024 * 1024
# Deflate tops out near 1032:1; real JSON compresses ~5-30:1. Only entries past the floor are judged.
MAX_COMPRESSION_RATIO = 200
RATIO_CHECK_FLOOR_BYTES = 64 * 1024
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


def canonical_json(document: Any) -> bytes:
    """Deterministic bytes for a document: sorted keys, no whitespace, ASCII only."""
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    ).encode("ascii")


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


def parse_json(data: bytes, bundle_name: str, entry: str) -> Any:
    """Parse an entry's JSON with size and nesting-depth limits; every failure is a BundleDamaged."""
    if len(data) > MAX_ENTRY_BYTES:
        raise BundleDamaged(f"{bundle_name} is damaged: {entry} is too large to be a bundle document.")
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

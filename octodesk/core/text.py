"""Text from a bundle or a server, made safe to print or show: one sanitiser for the CLI, reports and the GUI.

A name, URL or error text from outside may carry terminal escapes (ESC), carriage returns and newlines that
forge lines of a plan, bidi overrides that reorder what is shown, lone surrogates that cannot be encoded,
or megabytes of text. ``safe_text`` shows every such character as a visible escape (``\\x1b``, ``\\r``,
``\\u202e``, ``\\udc80``) and bounds the length. Escaping only adds characters a person can read, so a
clean text comes back unchanged and sanitising twice changes nothing.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

MAX_TEXT_CHARS = 2000  # a name, URL or one server message; longer text is cut, saying how much was left out
# Format characters that shape scripts and emoji (zero-width non-joiner / joiner): shown as they are.
_KEPT_FORMAT_CHARS = frozenset("\u200c\u200d")
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cs", "Cf", "Zl", "Zp"})


def _is_unsafe(char: str) -> bool:
    return unicodedata.category(char) in _UNSAFE_CATEGORIES and char not in _KEPT_FORMAT_CHARS


_SHORT_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(char: str) -> str:
    if char in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[char]
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def safe_text(value: object, limit: int = MAX_TEXT_CHARS) -> str:
    """``value`` as one printable line: control, format and separator characters and lone surrogates
    escaped, at most ``limit`` characters."""
    text = value if isinstance(value, str) else str(value)
    if not text.isprintable():  # every character escaped below is one Python deems unprintable
        text = "".join(_escape(char) if _is_unsafe(char) else char for char in text)
    if len(text) <= limit:
        return text
    keep = limit
    for _ in range(2):  # the marker's own length depends on the count it shows
        marker = f"… ({len(text) - keep} more characters)"
        keep = max(limit - len(marker), 0)
    return text[:keep] + f"… ({len(text) - keep} more characters)"


def safe_lines(lines: Iterable[str], limit: int = MAX_TEXT_CHARS) -> str:
    """Lines built by us (a plan, a report) as one text: a newline inside a line (from a name, say) is shown
    escaped, only ours end lines."""
    return "\n".join(safe_text(line, limit) for line in lines)


def human_bytes(size: int | None) -> str:
    """A size as a person reads it: "512 bytes", "1.5 MB", "5.0 GB"."""
    if size is None:
        return "unknown size"
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024:
            return f"{int(value)} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TB"

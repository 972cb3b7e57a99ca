"""The one report writer: JSON (what ``--report`` writes), HTML or plain text, chosen by the file name."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from octodesk.core.errors import OctoDeskError
from octodesk.core.report import Report
from octodesk.render.html import to_html
from octodesk.render.text import to_text
from octodesk.render.words import Remedies


def report_text(report: Report, path: Path, remedies: Remedies) -> str:
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        return to_html(report, remedies)
    if suffix == ".txt":
        return to_text(report, remedies)
    return report.to_json() + "\n"


def write_report(report: Report, path: str | os.PathLike[str], remedies: Remedies) -> Path:
    """Write ``report`` to ``path`` (format from its suffix; JSON otherwise); one clear error if it fails."""
    target = Path(path)
    write_text(target, report_text(report, target, remedies))
    return target


def write_json(path: str | os.PathLike[str] | None, data: dict[str, Any]) -> None:
    """A plan or other document as JSON (``--dry-run --report``); nothing when there is no path."""
    if path:
        write_text(Path(path), json.dumps(data, indent=2, sort_keys=True) + "\n")


def write_text(path: Path, text: str) -> None:
    """Written to a temporary file beside ``path`` (0600, as mkstemp makes it), then renamed: never half a
    report, and never one others can read."""
    try:
        fd, temp = tempfile.mkstemp(prefix=".report-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise OctoDeskError(f"Cannot write the report to {path}: {error.strerror or error}.") from None

"""The import journal: every write an import makes, so a stopped import can continue where it stopped.

One journal per (bundle content, target server, target space). Before a create is sent the journal records
the intent ("pending"); after the server answers it records the target id ("done"). Updates of child
documents (a process PUT, a variable set PUT, ...) are recorded as completed steps. The file is a log of
JSON lines, one appended per change: a crash at any point leaves every earlier line readable, and a torn
last line is ignored on reading.

The file stays open for the whole import (opening it per line was a tenth of an import's CPU). Each line is
handed to the operating system at once, so a crash of OctoDesk loses nothing; the lines reach the disk
(fsync) in batches, at most ``FSYNC_INTERVAL`` apart, and at :meth:`Journal.sync` and :meth:`Journal.close`,
so a power loss loses at most that last fraction of a second.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from octodesk.core.errors import JournalError
from octodesk.core.paths import journal_dir

JOURNAL_FORMAT = "octodesk-import-journal"
JOURNAL_VERSION = 1
FSYNC_INTERVAL = 0.2  # seconds between two fsyncs of the journal while lines are being appended


def bundle_fingerprint(bundle_path: str | os.PathLike[str]) -> str:
    """SHA-256 of the bundle file: the same bundle, byte for byte, resumes the same journal."""
    digest = hashlib.sha256()
    with open(bundle_path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def journal_key(bundle_hash: str, server_url: str, space_name: str) -> str:
    text = "\n".join((bundle_hash, server_url.rstrip("/").lower(), space_name))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class JournalEntry:
    kind: str
    source_id: str
    name: str
    target_id: str | None  # None while the create is pending (sent, answer not yet recorded)


class Journal:
    """Thread-safe record of an import's writes, persisted to one JSON file."""

    def __init__(
        self, path: Path, *, bundle_hash: str = "", server_url: str = "", space_name: str = ""
    ) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._entries: dict[str, dict[str, Any]] = {}
        self._steps: set[str] = set()
        self._torn = False
        self._meta = {"bundle_hash": bundle_hash, "server_url": server_url, "space": space_name}
        self._handle: Any = None  # the open file while lines are appended
        self._synced_at = 0.0
        if path.exists():
            self._load()

    @classmethod
    def for_import(cls, bundle_hash: str, server_url: str, space_name: str) -> Journal:
        path = journal_dir() / f"import-{journal_key(bundle_hash, server_url, space_name)}.jsonl"
        return cls(path, bundle_hash=bundle_hash, server_url=server_url, space_name=space_name)

    # --- reading ---------------------------------------------------------------------------------

    @property
    def exists(self) -> bool:
        """True when an earlier run of this import left writes behind (it did not finish)."""
        with self._lock:
            return bool(self._entries or self._steps)

    def target_id(self, kind: str, source_id: str) -> str | None:
        with self._lock:
            entry = self._entries.get(_entry_key(kind, source_id))
            return entry.get("target_id") if entry else None

    def entry(self, kind: str, source_id: str) -> JournalEntry | None:
        with self._lock:
            raw = self._entries.get(_entry_key(kind, source_id))
        if raw is None:
            return None
        return JournalEntry(kind, source_id, raw.get("name", ""), raw.get("target_id"))

    def entries(self, kind: str | None = None) -> list[JournalEntry]:
        with self._lock:
            items = list(self._entries.items())
        result = []
        for key, raw in items:
            entry_kind, source_id = key.split(":", 1)
            if kind is None or entry_kind == kind:
                result.append(JournalEntry(entry_kind, source_id, raw.get("name", ""), raw.get("target_id")))
        return result

    def is_done(self, step: str) -> bool:
        with self._lock:
            return step in self._steps

    # --- writing ---------------------------------------------------------------------------------

    def begin(self, kind: str, source_id: str, name: str) -> None:
        """Record the intent to create: a crash between the request and its answer is then recognisable."""
        with self._lock:
            key = _entry_key(kind, source_id)
            if self._entries.get(key, {}).get("target_id"):
                return
            self._entries[key] = {"name": name, "target_id": None}
            self._append({"entry": key, "value": self._entries[key]})

    def record(self, kind: str, source_id: str, target_id: str, name: str = "") -> None:
        with self._lock:
            key = _entry_key(kind, source_id)
            previous = self._entries.get(key, {})
            self._entries[key] = {"name": name or previous.get("name", ""), "target_id": target_id}
            self._append({"entry": key, "value": self._entries[key]})

    def mark_done(self, step: str) -> None:
        with self._lock:
            if step not in self._steps:
                self._steps.add(step)
                self._append({"step": step})

    def complete(self) -> None:
        """The import finished: nothing to resume, the file goes."""
        with self._lock:
            self._entries.clear()
            self._steps.clear()
            self._close()
            try:
                self.path.unlink()
            except FileNotFoundError:
                pass

    # --- file ------------------------------------------------------------------------------------

    def _load(self) -> None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError:
            return
        self._torn = bool(text) and not text.endswith("\n")
        lines = text.splitlines()
        for line in lines:
            try:
                event = json.loads(line)
            except ValueError:
                continue  # a line torn by a crash: everything before it still counts
            if not isinstance(event, dict):
                continue
            if event.get("format") not in (None, JOURNAL_FORMAT):
                return  # not our journal: trust none of it
            if "step" in event:
                self._steps.add(str(event["step"]))
            elif "entry" in event and isinstance(event.get("value"), dict):
                self._entries[str(event["entry"])] = dict(event["value"])

    def _append(self, event: dict[str, Any]) -> None:
        try:
            self._write(event)
        except OSError as error:
            # Without its journal an import could no longer resume: stop here, saying where and why.
            raise JournalError(
                f"Could not write the import journal {self.path} ({error.strerror or error}). "
                "Free disk space (or fix its permissions) and run the same import again: it continues "
                "where it stopped."
            ) from error

    def sync(self) -> None:
        """Every line appended so far is on disk (the end of a level, a stop)."""
        with self._lock:
            if self._handle is not None:
                self._fsync()

    def close(self) -> None:
        """Sync and close the file (an import that stopped: the journal stays for the next run)."""
        with self._lock:
            try:
                self._close()
            except OSError:
                pass  # every line already reached the OS; the error that stopped the import matters more

    def _close(self) -> None:
        if self._handle is not None:
            try:
                self._fsync()
            finally:
                self._handle.close()
                self._handle = None

    def _fsync(self) -> None:
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._synced_at = time.monotonic()

    def _open(self) -> Any:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        new_file = not self.path.exists()
        descriptor = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        handle = open(descriptor, "a", encoding="utf-8")  # noqa: SIM115 - open for the whole import
        if self._torn:  # end the torn line so the next event starts on a line of its own
            handle.write("\n")
            self._torn = False
        if new_file:
            handle.write(
                json.dumps({"format": JOURNAL_FORMAT, "version": JOURNAL_VERSION, **self._meta}) + "\n"
            )
        return handle

    def _write(self, event: dict[str, Any]) -> None:
        if self._handle is None:
            self._handle = self._open()
            self._synced_at = time.monotonic()
        self._handle.write(json.dumps(event, sort_keys=True) + "\n")
        self._handle.flush()  # to the operating system now: a crash of this process loses no line
        if time.monotonic() - self._synced_at >= FSYNC_INTERVAL:
            os.fsync(self._handle.fileno())
            self._synced_at = time.monotonic()


def _entry_key(kind: str, source_id: str) -> str:
    return f"{kind}:{source_id}"

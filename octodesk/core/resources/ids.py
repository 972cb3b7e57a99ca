"""Source id -> target id: the map an import builds, name matching, and the check that no source id leaks.

Which fields of a document hold ids, and replacing them, live in ``octodesk.core.resources.model``
(shared with export); this module keeps the map it is fed from and proves afterwards that nothing was missed.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from octodesk.core.errors import SourceIdLeaked


class IdMap:
    """Thread-safe map (kind, source id) -> target id, filled as the import matches and creates resources.

    The stale ids (source ids a target document must not hold) are kept up to date on every ``put``, in
    constant time: rebuilding them after each write made an import quadratic in its size.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._map: dict[tuple[str, str], str] = {}
        self._remapped: Counter[str] = Counter()  # source id -> mappings that send it somewhere else
        self._targets: Counter[str] = Counter()  # target id -> mappings that lead to it
        self._stale: set[str] = set()
        self._only_ascii_sources = True

    def put(self, kind: str, source_id: str, target_id: str) -> None:
        with self._lock:
            previous = self._map.get((kind, source_id))
            if previous == target_id:
                return
            if previous is not None:
                self._count(source_id, previous, -1)
            self._map[(kind, source_id)] = target_id
            self._count(source_id, target_id, 1)
            self._only_ascii_sources = self._only_ascii_sources and source_id.isascii()

    def _count(self, source_id: str, target_id: str, step: int) -> None:
        if source_id != target_id:
            self._remapped[source_id] += step
        self._targets[target_id] += step
        for token in (source_id, target_id):
            if self._remapped[token] > 0 and self._targets[token] <= 0:
                self._stale.add(token)
            else:
                self._stale.discard(token)

    def get(self, kind: str, source_id: str) -> str | None:
        with self._lock:
            return self._map.get((kind, source_id))

    def __contains__(self, key: tuple[str, str]) -> bool:
        with self._lock:
            return key in self._map

    def items(self) -> list[tuple[tuple[str, str], str]]:
        with self._lock:
            return list(self._map.items())

    def stale_source_ids(self) -> frozenset[str]:
        """Source ids that must not appear in a target document: mapped to something else, and not
        themselves a target id that some other source resource maps to."""
        with self._lock:
            return frozenset(self._stale)

    def stale_among(self, tokens: Iterable[str]) -> set[str]:
        """The stale source ids among ``tokens`` (without copying the whole stale set)."""
        with self._lock:
            return self._stale.intersection(tokens)

    @property
    def only_ascii_sources(self) -> bool:
        """Every source id is ASCII (Octopus ids are), so :func:`json_text_tokens` finds each of them."""
        with self._lock:
            return self._only_ascii_sources


# --- name matching -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NameMatch:
    target: dict[str, Any] | None
    ambiguous: tuple[str, ...] = ()  # names of the candidates when more than one fits

    @property
    def found(self) -> bool:
        return self.target is not None


def match_by_name(name: str, candidates: Sequence[dict[str, Any]], key: str = "Name") -> NameMatch:
    """Exact name first; otherwise a unique case-insensitive match. Two candidates that fit are ambiguous."""
    exact = [item for item in candidates if item.get(key) == name]
    if len(exact) == 1:
        return NameMatch(exact[0])
    folded = name.casefold()
    loose = [item for item in candidates if str(item.get(key, "")).casefold() == folded]
    if len(exact) > 1 or len(loose) > 1:
        return NameMatch(None, tuple(str(item.get(key)) for item in (exact or loose)))
    if len(loose) == 1:
        return NameMatch(loose[0])
    return NameMatch(None)


# --- the leak check ------------------------------------------------------------------------------


# Ids are made of word characters and dashes (Environments-12, teams-managers, GUIDs); anything else
# separates them (commas of CSV lists, quotes of embedded JSON, spaces, slashes).
_SEPARATORS = re.compile(r"[^\w-]+")


def _strings(node: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield (*path, f"<key {key}>"), str(key)
            yield from _strings(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings(value, (*path, index))


# The same tokens read off a document's JSON text, escapes (\n, \", \u00e9) counted as separators. Every
# ASCII token of a string in the document is a token of its JSON text (ASCII word characters are never
# escaped); the reverse does not hold (numbers, text around an escaped letter), so a hit is a candidate.
_JSON_ESCAPES = re.compile(r"\\(?:u[0-9a-fA-F]{4}|.)")
_TOKENS = re.compile(r"[\w-]+")


def json_text_tokens(text: str) -> set[str]:
    """Every candidate id token of a JSON text (a superset of :func:`id_tokens` of the decoded document)."""
    if "\\" in text:
        text = _JSON_ESCAPES.sub(" ", text)
    return set(_TOKENS.findall(text))


def id_tokens(document: Any) -> set[str]:
    """Every id-like token in a document (values and keys), for telling target ids from source ids."""
    return {token for _, text in _strings(document) for token in _SEPARATORS.split(text) if "-" in token}


def leaked_source_ids(document: Any, stale_ids: Iterable[str]) -> list[tuple[str, str]]:
    """(json path, id) for every stale source id anywhere in ``document``: values, map keys, CSV lists and
    ids embedded in JSON-in-a-string."""
    stale = stale_ids if isinstance(stale_ids, set | frozenset) else set(stale_ids)
    if not stale:
        return []
    found = []
    for path, text in _strings(document):
        for token in _SEPARATORS.split(text):
            if token in stale:
                found.append(("/".join(str(part) for part in path), token))
    return found


def check_no_source_ids(what: str, document: Any, stale_ids: Iterable[str]) -> None:
    """Fail loudly, before the write, when a source id survived remapping."""
    leaks = leaked_source_ids(document, stale_ids)
    if leaks:
        shown = ", ".join(f"{value} at {path}" for path, value in leaks[:5])
        more = f" (and {len(leaks) - 5} more)" if len(leaks) > 5 else ""
        raise SourceIdLeaked(
            f"Refusing to send {what}: it still refers to source ids that do not exist on the target: "
            f"{shown}{more}. Nothing was written for it."
        )

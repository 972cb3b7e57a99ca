"""Sandbox datasets: functions that fill a fresh sandbox through its own REST routes.

``load(name_or_path)`` returns a builder ``build(api) -> None``. The builder talks to the server only through
the :class:`SandboxApi` it receives (``post``/``put``/``get``/``upload`` on real Octopus routes such as
``/api/spaces`` or ``/api/Spaces-1/environments``), exactly as a real client would, and always uses the ids
the server returns. Built-in datasets:

- ``empty``  one space "Default" (see :mod:`.empty`)
- ``demo``   two realistic spaces (see :mod:`.demo` for everything it contains)
- ``large``  a seeded, generated space for benchmarks (see :mod:`.large`); ``large:N`` the same space
  with N projects (and tenants in proportion), for benchmarks at 1,000 or 2,000 projects

Anything else is treated as the path of a JSON dataset file (format in :mod:`.json_file`).
Datasets never import ``octodesk.core``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .api import DatasetError, SandboxApi

DatasetBuilder = Callable[[SandboxApi], None]

BUILT_IN_DATASETS = ("empty", "demo", "large", "large:N")

__all__ = ["BUILT_IN_DATASETS", "DatasetBuilder", "DatasetError", "SandboxApi", "load"]


def load(name_or_path: str) -> DatasetBuilder:
    """The builder for a built-in dataset name or a JSON dataset file; DatasetError when neither."""
    if name_or_path == "empty":
        from .empty import build as build_empty

        return build_empty
    if name_or_path == "demo":
        from .demo import build as build_demo

        return build_demo
    if name_or_path == "large":
        from .large import build as build_large

        return build_large
    if name_or_path.startswith("large:"):
        return _sized_large(name_or_path.removeprefix("large:"))
    path = Path(name_or_path).expanduser()
    if path.suffix.lower() == ".json" or path.exists():
        from .json_file import load_json_dataset

        return load_json_dataset(path)
    names = ", ".join(BUILT_IN_DATASETS)
    raise DatasetError(f"Unknown dataset '{name_or_path}': use one of {names} or the path of a JSON file.")


def _sized_large(count_text: str) -> DatasetBuilder:
    from .large import MAX_PROJECTS, build_sized

    count = int(count_text) if count_text.isdecimal() else 0
    if not 1 <= count <= MAX_PROJECTS:
        raise DatasetError(
            f"Dataset 'large:{count_text}': give the number of projects, from 1 to {MAX_PROJECTS:,} "
            "(e.g. large:1000)."
        )
    return lambda api: build_sized(api, count)

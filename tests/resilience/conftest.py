"""Fixtures of the resilience tests: one demo bundle and the target state of its clean import, per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from resilience_support import export_demo, import_demo, normalised_state

from octodesk.sandbox import SandboxServer


@pytest.fixture(scope="session")
def demo_bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("resilience-bundle") / "demo.octobundle"
    with SandboxServer("demo") as source:
        report, _ = export_demo(source, path)
    assert report.succeeded
    yield path


@pytest.fixture(scope="session")
def clean_import_state(demo_bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What the demo bundle becomes in a fresh empty sandbox when nothing goes wrong (ids ignored)."""
    with pytest.MonkeyPatch.context() as patch:  # session scope: the per-test folder isolation is not active
        patch.setenv("OCTODESK_JOURNAL_DIR", str(tmp_path_factory.mktemp("clean-journals")))
        with SandboxServer("empty") as target:
            report = import_demo(target, demo_bundle)
            assert report.succeeded
            return normalised_state(target)

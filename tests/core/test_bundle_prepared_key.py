"""A bundle key derived ahead (on its own thread while the export reads) writes the same bundles."""

from __future__ import annotations

from pathlib import Path

import pytest
from bundle_helpers import FAST_COST, PASSWORD, make_bundle

from octodesk.core.bundle import read_bundle
from octodesk.core.bundle.writer import PreparedKey


def test_a_key_derived_ahead_opens_the_bundle_and_must_be_for_its_password(tmp_path: Path) -> None:
    path = make_bundle(tmp_path / "b.octobundle", prepared_key=PreparedKey(PASSWORD, FAST_COST))
    assert read_bundle(path, PASSWORD).secrets
    with pytest.raises(ValueError, match="another password"):
        make_bundle(tmp_path / "c.octobundle", prepared_key=PreparedKey("another one", FAST_COST))
    assert not (tmp_path / "c.octobundle").exists()

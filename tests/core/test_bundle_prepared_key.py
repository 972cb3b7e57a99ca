"""A bundle key derived ahead (on its own thread while the export reads) writes the same bundles."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from bundle_helpers import FAST_COST, PASSWORD, make_bundle

from octodesk.core.bundle import read_bundle
from octodesk.core.bundle.writer import PreparedKey
from octodesk.core.cancel import CancelToken
from octodesk.core.errors import Cancelled


def test_a_key_derived_ahead_opens_the_bundle_and_must_be_for_its_password(tmp_path: Path) -> None:
    path = make_bundle(tmp_path / "b.octobundle", prepared_key=PreparedKey(PASSWORD, FAST_COST))
    assert read_bundle(path, PASSWORD).secrets
    with pytest.raises(ValueError, match="another password"):
        make_bundle(tmp_path / "c.octobundle", prepared_key=PreparedKey("another one", FAST_COST))
    assert not (tmp_path / "c.octobundle").exists()


def test_a_cancel_while_the_key_is_still_derived_writes_no_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started, derived = threading.Event(), threading.Event()
    derive = PreparedKey._derive

    def slowly(self: PreparedKey) -> None:
        started.set()
        time.sleep(1.5)
        derive(self)
        derived.set()

    monkeypatch.setattr(PreparedKey, "_derive", slowly)
    cancel = CancelToken()

    def cancel_once_only_the_key_is_left() -> None:  # the documents take milliseconds to write
        started.wait()
        time.sleep(0.5)
        cancel.cancel()

    threading.Thread(target=cancel_once_only_the_key_is_left, daemon=True).start()
    with pytest.raises(Cancelled):
        make_bundle(tmp_path / "b.octobundle", prepared_key=PreparedKey(PASSWORD, FAST_COST), cancel=cancel)
    assert list(tmp_path.iterdir()) == []
    # the abandoned derivation ends here, not during a later test that counts derivations
    assert derived.wait(10)

"""Hashing while bytes move: the overlapped hash gives the very digest hashlib gives, in order, and its
worker ends with it."""

from __future__ import annotations

import hashlib
import os
import threading

import pytest

from octodesk.core.hashing import OverlappedHash


def test_the_digest_is_hashlibs_for_the_same_chunks_in_order() -> None:
    chunks = [os.urandom(size) for size in (1, 4096, 1 << 20, 3, 700_000)]
    with OverlappedHash(hashlib.sha256()) as overlapped:
        for chunk in chunks:
            overlapped.update(chunk)
        assert overlapped.hexdigest() == hashlib.sha256(b"".join(chunks)).hexdigest()
    with OverlappedHash(hashlib.sha1()) as empty:
        assert empty.hexdigest() == hashlib.sha1().hexdigest()


def test_the_worker_ends_with_the_block_even_when_the_caller_fails() -> None:
    before = {thread.ident for thread in threading.enumerate()}
    with pytest.raises(RuntimeError), OverlappedHash(hashlib.sha256()) as overlapped:
        overlapped.update(b"x" * 100_000)
        raise RuntimeError("the transfer broke")
    assert not [
        thread
        for thread in threading.enumerate()
        if thread.ident not in before and thread.name.startswith("octodesk-hash")
    ]

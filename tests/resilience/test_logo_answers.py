"""A logo answered with the wrong content type is a malformed read: retried, never saved as something else."""

from __future__ import annotations

from pathlib import Path

from resilience_support import bundle_contents, export_demo

from octodesk.sandbox import SandboxServer


def test_a_logo_answered_as_html_is_retried_and_kept_as_an_image(tmp_path: Path) -> None:
    with SandboxServer("demo") as source:
        clean, _ = export_demo(source, tmp_path / "clean.octobundle")
        source.fail_next(1, "content-type", method="GET", path_contains="/logo")
        faulted, client = export_demo(source, tmp_path / "faulted.octobundle")
    assert clean.succeeded and faulted.succeeded
    assert client.waits, "the mislabelled logo should have been read again"
    logos = [
        name
        for name in bundle_contents(tmp_path / "faulted.octobundle")["blobs"]
        if name.startswith("logos/")
    ]
    assert logos and all(name.endswith(".png") for name in logos)
    assert bundle_contents(tmp_path / "faulted.octobundle") == bundle_contents(tmp_path / "clean.octobundle")

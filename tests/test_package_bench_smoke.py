"""The package copy benchmark (``python -m benchmarks.package_bench``) with tiny packages, so it cannot rot:
both copies run, the target gets the package, every target is judged. No timing is asserted."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.package_bench import main

pytestmark = pytest.mark.timeout(240)


def test_the_package_benchmark_copies_both_ways_and_judges_its_targets(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--size-mb", "3", "--small-mb", "1", "--latency-ms", "1"]) == 0
    out = capsys.readouterr().out
    for row in ("raw        |          3 |", "octodesk   |          3 |", "octodesk   |          1 |"):
        assert row in out
    assert "throughput >= 70% of a raw stream:" in out
    assert "peak memory independent of package size (within 32 MB):" in out


def test_the_package_benchmark_in_bundle_mode_exports_and_imports_and_judges_its_targets(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--mode", "bundle", "--size-mb", "3", "--small-mb", "1", "--latency-ms", "1"]) == 0
    out = capsys.readouterr().out
    for row in ("rawget     |          3 |", "rawpost    |          3 |", "export     |          3 |"):
        assert row in out
    assert "import     |          1 |" in out
    assert "export throughput >= 70% of a raw stream:" in out
    assert "import peak memory independent of package size (within 32 MB):" in out
    assert "s of it reading and verifying the bundle" in out

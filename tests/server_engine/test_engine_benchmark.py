"""The engine comparison benchmark (``python -m benchmarks.engines``) on one demo project, so it cannot rot:
the server engine's row shows every sensitive value on the target, the client engine's fewer."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # benchmarks/ is not an installed package

from benchmarks.engines import run_engine


def test_the_comparison_measures_what_each_engine_carries(tmp_path: Path) -> None:
    client = run_engine("demo", ["Web Portal"], "client", 0.0, tmp_path)
    server = run_engine("demo", ["Web Portal"], "server", 0.0, tmp_path)

    assert server["sensitive_needed"] == client["sensitive_needed"] >= 20
    assert server["sensitive_on_target"] == server["sensitive_needed"]
    assert client["sensitive_on_target"] < client["sensitive_needed"]
    for row in (client, server):
        assert row["created"]["projects"] == 1 and row["created"]["projecttriggers"] == 2
        assert row["created"]["logos"] == 1 and row["requests"] > 0 and row["seconds"] > 0

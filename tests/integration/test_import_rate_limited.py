"""An import into an Octopus 2026.3+ server whose rate limiter is on: the limiter's 429s are waited out,
the whole client pausing together, and the import completes in one run with nothing written twice."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from import_support import export_demo, import_into, names

from octodesk.sandbox.rate_limit import RatePolicy


def test_an_import_under_the_servers_rate_limit_completes(
    sandbox_factory: Callable[..., Any], tmp_path: Path
) -> None:
    source = sandbox_factory("demo", version="2026.3")
    bundle = export_demo(source, tmp_path / "demo.octobundle")
    target = sandbox_factory("empty", version="2026.3")
    target.limit_rate(RatePolicy(per_minute=1500, burst=15))  # 25 a second after the first 15
    target.reset_counters()
    report = import_into(target, bundle, concurrency=8)
    assert report.succeeded, report.warnings
    assert names(target, "projects") == sorted(
        ["Web Portal", "Billing API", "Database Migrations", "Release Orchestrator"]
    )
    assert target.rate_limited_requests > 0  # the limiter did refuse requests, and they were waited out
    for route in ("environments", "lifecycles", "projects", "libraryvariablesets", "tenants"):
        written = names(target, route)
        assert len(written) == len(set(written)), f"{route} written twice: {written}"

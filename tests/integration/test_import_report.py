"""The import report as the user reads it: terminal text and the HTML page the GUI saves."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from import_support import PASSWORD, client_for, export_demo, import_into

from octodesk.core.plan import plan_import
from octodesk.core.report import Report
from octodesk.render import plan_to_text, to_html, to_text
from octodesk.sandbox import SandboxServer


@pytest.fixture(scope="module")
def bundle_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with SandboxServer("demo") as source:
        yield export_demo(source, tmp_path_factory.mktemp("bundle") / "demo.octobundle", ["Web Portal"])


@pytest.fixture(scope="module")
def report(bundle_path: Path) -> Iterator[Report]:
    with SandboxServer("empty") as target:
        yield import_into(target, bundle_path)


def test_text_report_lists_counts_warnings_and_follow_ups(report: Report) -> None:
    text = to_text(report)
    assert text.startswith("Import finished into space 'Default'")
    assert "Project" in text and "1 create" in text
    assert "Feed" in text and "1 reuse" in text
    assert "sensitive-value" in text and "ConnectionStrings.Portal" in text
    assert "deployment-targets" in text and "web-server" in text
    assert f"HTTP requests: {report.http_requests}" in text


def test_html_report_is_a_page_with_every_follow_up_escaped(report: Report) -> None:
    page = to_html(report)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert page.count("<tr><td>") >= len(report.follow_ups) + len(report.counts)
    tricky = Report(operation="import", succeeded=True, warnings=["<script>alert(1)</script>"])
    assert "<script>" not in to_html(tricky) and "&lt;script&gt;" in to_html(tricky)


def test_plan_text_shows_each_action_and_its_reason(bundle_path: Path) -> None:
    with SandboxServer("empty") as target, client_for(target) as client:
        plan = plan_import(bundle_path, PASSWORD, client, "Default")
    text = plan_to_text(plan)
    assert "CREATE   Project            Web Portal — missing on the target" in text
    assert "REUSE    Lifecycle          Default Lifecycle" in text
    assert "Totals:" in text and "REFUSED" not in text
    assert any(f.category == "sensitive-value" for f in plan.follow_ups)  # shown before the import

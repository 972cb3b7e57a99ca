"""The import report as the user reads it: terminal text and the HTML page the GUI saves."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from bundle_repack import NOT_A_CERTIFICATE, repack
from import_support import PASSWORD, client_for, export_demo, import_into

from octodesk.commands.common import CLI_REMEDIES
from octodesk.core.apply import apply_plan
from octodesk.core.errors import ServerError
from octodesk.core.plan import plan_import
from octodesk.core.report import Report
from octodesk.core.vocabulary import Outcome, RunOutcome
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
    text = to_text(report, CLI_REMEDIES)
    assert text.startswith("The import succeeded.\nSource  space 'Default' on http://")
    assert "Target  space 'Default'" in text and f"Bundle  {report.bundle_path}" in text
    assert "Project" in text and "1 create" in text
    assert "Feed" in text and "1 reuse" in text
    assert "Sensitive values" in text and "ConnectionStrings.Portal" in text
    assert "Deployment targets" in text and "web-server" in text
    assert f"HTTP requests: {report.http_requests}" in text


def test_html_report_is_a_page_a_user_can_file(report: Report) -> None:
    report.follow_ups[0].done = True
    page = to_html(report, CLI_REMEDIES)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    for fact in (report.started_at, report.tool_version, report.bundle_path, report.bundle_sha256):
        assert fact and fact in page
    assert report.source["url"] in page and report.target["url"] in page and "Web Portal" in page
    assert page.count("<thead><tr><th>") == 3  # counts, items, follow-ups: each header row well formed
    assert page.count("<tr><td>") >= len(report.items) + len(report.follow_ups) + len(report.counts)
    assert f"Follow-ups (1 of {len(report.follow_ups)} done)" in page and "☑" in page
    tricky = Report(operation="import", finished=True, warnings=["<script>alert(1)</script>"])
    assert "<script>" not in to_html(tricky, CLI_REMEDIES)
    assert "&lt;script&gt;" in to_html(tricky, CLI_REMEDIES)


def test_every_item_ends_done_or_skipped_with_its_reason(report: Report) -> None:
    assert report.outcome == RunOutcome.SUCCEEDED
    assert report.items and {item.outcome for item in report.items} <= {Outcome.DONE, Outcome.SKIPPED}
    assert all(item.reason for item in report.items)
    assert not [item for item in report.items if "not reached" in item.reason]


@pytest.fixture(scope="module")
def refused_certificate_bundle(bundle_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("refused")
    return repack(
        bundle_path, folder / "refused.octobundle", PASSWORD, {"certificate:Portal TLS": NOT_A_CERTIFICATE}
    )


def test_a_refused_certificate_is_a_failure_everywhere(refused_certificate_bundle: Path) -> None:
    """Issue 11 fault 2: the 'Portal TLS' certificate the target refuses (400) is failed, not created."""
    with SandboxServer("empty") as target, client_for(target) as client:
        plan = plan_import(refused_certificate_bundle, PASSWORD, client, "Default")
        report = apply_plan(plan, client)
    certificate = next(item for item in report.items if item.kind == "Certificate")
    assert certificate.outcome == Outcome.FAILED and "could not be read" in certificate.reason
    assert report.counts["Certificate"] == {"failed": 1}, "one certificate: not created, not also skipped"
    assert report.outcome == RunOutcome.COMPLETED_WITH_FAILURES and not report.succeeded
    text = to_text(report, CLI_REMEDIES)
    assert text.startswith("The import completed with 1 failure.")
    assert "Certificate 'Portal TLS':" in text
    assert text.count("could not be read") == 2  # the failed item, then its follow-up: once each
    assert report.to_dict()["outcome"] == "completed-with-failures"


def test_the_command_line_exits_non_zero_when_an_item_failed(
    refused_certificate_bundle: Path, tmp_path: Path
) -> None:
    with SandboxServer("empty") as target:
        env = {"OCTOPUS_API_KEY": target.api_key, "OCTODESK_PASSWORD": PASSWORD, "PATH": ""}
        report_path = tmp_path / "report.json"
        command = [sys.executable, "-m", "octodesk", "import", str(refused_certificate_bundle)]
        command += ["--server", target.url, "--space", "Default", "--report", str(report_path)]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "The import completed with 1 failure" in done.stdout
    assert (
        done.stderr.strip()
        .splitlines()[-1]
        .startswith("octodesk: error: The import completed with 1 failure")
    )
    saved = json.loads(report_path.read_text())
    assert saved["outcome"] == "completed-with-failures" and saved["failure_count"] == 1
    assert {"kind": "Certificate", "outcome": "failed"}.items() <= next(
        item for item in saved["items"] if item["kind"] == "Certificate"
    ).items()


def test_a_stopped_import_still_reports_what_it_wrote(bundle_path: Path) -> None:
    with SandboxServer("empty") as target, client_for(target) as client:
        target.fail_next(1, "503", method="POST", path_contains="/projects")
        plan = plan_import(bundle_path, PASSWORD, client, "Default")
        report = Report(operation="import")
        with pytest.raises(ServerError):
            apply_plan(plan, client, report=report)
    assert report.outcome == RunOutcome.STOPPED and "503" in report.stopped_by
    assert {item.kind for item in report.written} >= {"Environment", "Lifecycle"}
    project = next(item for item in report.items if item.kind == "Project")
    assert project.outcome == Outcome.FAILED and "temporarily unavailable" in project.reason
    assert any(item.reason.startswith("not reached") for item in report.items)
    assert "Press Resume" not in to_text(report, CLI_REMEDIES)
    assert "Run the same import again to continue where it stopped." in to_text(report, CLI_REMEDIES)


def test_plan_text_shows_each_action_and_its_reason(bundle_path: Path) -> None:
    with SandboxServer("empty") as target, client_for(target) as client:
        plan = plan_import(bundle_path, PASSWORD, client, "Default")
    text = plan_to_text(plan, CLI_REMEDIES)
    assert "CREATE   Project              Web Portal — missing on the target" in text
    assert "REUSE    Lifecycle            Default Lifecycle" in text
    assert "Totals:" in text and "REFUSED" not in text
    assert any(f.category == "sensitive-value" for f in plan.follow_ups)  # shown before the import

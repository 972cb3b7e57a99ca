"""The server engine on the command line: ``export --engine server``, ``import`` choosing the engine from the
bundle, ``inspect`` (and ``--extract-octopus-zip``), ``migrate``; exit codes and what never leaks."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from engine_support import PASSWORD, names
from sandbox_client import Octo

from octodesk.cli import main
from octodesk.core.bundle import read_attachment, read_bundle
from octodesk.sandbox.datasets.demo_shared import CERTIFICATE_PASSWORD
from octodesk.sandbox.http_types import Response

FAST = ["--poll-interval", "0.05"]


@pytest.fixture
def keys(source: Any, target: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_KEY", source.api_key)
    monkeypatch.setenv("TARGET_KEY", target.api_key)
    monkeypatch.setenv("OCTODESK_PASSWORD", PASSWORD)


def _export(source: Any, bundle: Path, *extra: str) -> int:
    return main(
        [
            "export",
            "--server",
            source.url,
            "--space",
            "Default",
            "--api-key-env",
            "SOURCE_KEY",
            "--project",
            "Web Portal",
            "--output",
            str(bundle),
            *FAST,
            *extra,
        ]
    )


def _import(target: Any, bundle: Path, *extra: str) -> int:
    connection = ["--server", target.url, "--space", "Default", "--api-key-env", "TARGET_KEY"]
    return main(["import", str(bundle), *connection, *FAST, *extra])


def _migrate(source: Any, target: Any, *extra: str) -> int:
    sides = ["--source-server", source.url, "--source-space", "Default", "--source-api-key-env", "SOURCE_KEY"]
    sides += [
        "--target-server",
        target.url,
        "--target-space",
        "Default",
        "--target-api-key-env",
        "TARGET_KEY",
    ]
    # the client engine cannot read the demo accounts' secrets: named placeholders, as a user would allow
    return main(["migrate", *sides, "--project", "Web Portal", "--placeholder-secrets", *FAST, *extra])


def _error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("octodesk: error:")]


def test_export_with_the_server_engine_then_inspect_and_extract_its_zip(
    source: Any, keys: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = tmp_path / "portal.octobundle"
    assert _export(source, bundle, "--engine", "server") == 0
    out, err = capsys.readouterr()
    assert "Engine: server — Octopus's export task ServerTasks-" in out
    assert "  | Attaching the export: Attached the artifact Octopus-Export-" in err  # the task's log lines

    assert main(["inspect", str(bundle)]) == 0
    out, _ = capsys.readouterr()
    assert "Engine     server (Octopus's own Export/Import Projects zip" in out

    zip_path = tmp_path / "octopus.zip"
    assert main(["inspect", str(bundle), "--extract-octopus-zip", str(zip_path)]) == 0
    out, _ = capsys.readouterr()
    assert f"to {zip_path}" in out
    verified = read_bundle(bundle, PASSWORD)
    assert zip_path.read_bytes() == read_attachment(verified, "octopus/export.zip")
    assert zip_path.read_bytes() == zipfile.ZipFile(bundle).read("octopus/export.zip")  # stored as it came


def test_a_client_bundle_has_no_octopus_zip_to_extract(
    source: Any, keys: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = tmp_path / "client.octobundle"
    assert _export(source, bundle) == 0
    capsys.readouterr()
    assert main(["inspect", str(bundle)]) == 0
    assert "Engine     client" in capsys.readouterr().out
    assert main(["inspect", str(bundle), "--extract-octopus-zip", str(tmp_path / "x.zip")]) == 1
    assert (
        "made by OctoDesk's client engine: it holds no Octopus export zip"
        in _error_lines(capsys.readouterr().err)[0]
    )
    assert not (tmp_path / "x.zip").exists()


def test_the_secrets_file_is_for_the_client_engine(
    source: Any, keys: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secrets = tmp_path / "secrets.json"
    secrets.write_text("{}")
    code = _export(source, tmp_path / "x.octobundle", "--engine", "server", "--secrets-file", str(secrets))
    assert code == 2 and "carries every sensitive value" in capsys.readouterr().err
    assert not source.tasks.tasks


def test_import_picks_the_server_engine_from_the_bundle_and_dry_run_stops_after_the_preview(
    source: Any, target: Any, keys: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = tmp_path / "portal.octobundle"
    assert _export(source, bundle, "--engine", "server") == 0
    capsys.readouterr()
    report = tmp_path / "plan.json"

    assert _import(target, bundle, "--dry-run", "--report", str(report)) == 0

    out, _ = capsys.readouterr()
    assert "Octopus's import preview:" in out and "CREATE   Project      Web Portal" in out
    assert "OctoDesk adds after Octopus's import:" in out
    assert "Dry run: Octopus previewed the import; nothing was imported." in out
    assert json.loads(report.read_text())["engine"] == "server"
    assert names(target, "projects") == [] and not target.tasks.tasks

    assert _import(target, bundle, "--report", str(report)) == 0
    out, err = capsys.readouterr()
    assert "Who did what:" in out and "OctoDesk:" in out
    assert names(target, "projecttriggers") == ["Deploy to new web servers", "Nightly app pool recycle"]
    for text in (out, err, report.read_text()):
        assert PASSWORD not in text and source.api_key not in text and target.api_key not in text


def test_import_of_a_server_bundle_refuses_an_existing_project_with_exit_3(
    source: Any, target: Any, keys: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = tmp_path / "portal.octobundle"
    assert _export(source, bundle, "--engine", "server") == 0
    Octo(target).project("Web Portal")
    capsys.readouterr()

    assert _import(target, bundle) == 3
    out, err = capsys.readouterr()
    assert "REFUSED (1)" in out and len(_error_lines(err)) == 1
    assert _import(target, bundle, "--update-existing") == 2
    assert "never updates an existing project" in capsys.readouterr().err
    assert not target.tasks.tasks


def test_migrate_auto_says_which_engine_and_why_and_reports_both_engines(
    source: Any, target: Any, keys: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "migrate.json"
    bundle = tmp_path / "m.octobundle"
    assert _migrate(source, target, "--output", str(bundle), "--report", str(report)) == 0
    out, _ = capsys.readouterr()
    assert out.startswith("Engine: server — Octopus's own Export/Import Projects carries all ")
    assert f"Bundle kept at {bundle}" in out
    written = json.loads(report.read_text())
    assert written["engine"] == "server" and written["requested_engine"] == "auto"
    assert written["import"]["details"]["by_engine"]["OctoDesk"]["ProjectTrigger"] == {"create": 2}
    assert names(target, "projects") == ["Web Portal"]


def test_migrate_without_output_keeps_the_bundle_in_the_data_folder(
    source: Any, target: Any, keys: None, capsys: pytest.CaptureFixture[str], isolated_dirs: Path
) -> None:
    assert _migrate(source, target, "--engine", "client", "--dry-run") == 0
    out, _ = capsys.readouterr()
    assert out.startswith("Engine: client — the client engine was asked for.")
    kept = list((isolated_dirs / "data" / "migrations").glob("*.octobundle"))
    assert len(kept) == 1 and f"Bundle kept at {kept[0]}" in out


def test_migrate_with_the_server_engine_refused_exits_3(
    sandbox_factory: Callable[..., Any],
    keys: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    old = sandbox_factory("demo", version="2020.6.4671")
    new = sandbox_factory("empty")
    monkeypatch.setenv("SOURCE_KEY", old.api_key)
    monkeypatch.setenv("TARGET_KEY", new.api_key)
    code = _migrate(old, new, "--engine", "server", "--output", str(tmp_path / "m.octobundle"))
    assert code == 3
    (line,) = _error_lines(capsys.readouterr().err)
    assert "has no Export/Import Projects" in line
    assert not (tmp_path / "m.octobundle").exists()


def test_migrate_copies_the_packages_live_with_the_client_engine_and_says_why(
    source: Any, target: Any, keys: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = tmp_path / "m.octobundle"
    report = tmp_path / "migrate.json"
    code = _migrate(source, target, "--packages", "latest", "--output", str(bundle), "--report", str(report))
    assert code == 0
    out, _ = capsys.readouterr()
    assert out.startswith("Engine: client — OctoDesk's client engine, because copying built-in feed packages")
    written = json.loads(report.read_text())
    copied = [item for item in written["import"]["items"] if item["kind"] == "Package"]
    assert copied and all(item["outcome"] == "done" for item in copied)
    source_feed = {(p["PackageId"], p["Version"]): p["Hash"] for p in _feed(source)}
    target_feed = {(p["PackageId"], p["Version"]): p["Hash"] for p in _feed(target)}
    assert {item["name"] for item in copied} == {f"{pid} {version}" for pid, version in target_feed}
    assert all(source_feed[key] == digest for key, digest in target_feed.items())
    assert read_bundle(bundle, PASSWORD).manifest["packages"]["carried"] is False  # live: not in the bundle


def test_migrate_with_the_server_engine_and_packages_is_refused_before_anything(
    source: Any, target: Any, keys: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = str(tmp_path / "m.octobundle")
    code = _migrate(source, target, "--engine", "server", "--packages", "latest", "--output", output)
    assert code == 3
    (line,) = _error_lines(capsys.readouterr().err)
    assert "copying built-in feed packages was asked for" in line
    assert names(target, "projects") == [] and _feed(target) == []


def _feed(server: Any) -> list[dict[str, Any]]:
    return list(server.snapshot()["packages"].get(server.space_id("Default"), []))


def test_migrate_that_completes_with_a_failure_exits_1_naming_it(
    source: Any,
    target: Any,
    keys: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    real_respond = target.respond

    def refuse_certificates(method: str, path: str, headers: Any, raw: bytes, **kwargs: Any) -> Any:
        if method == "POST" and "/certificates" in path:
            return Response(400, {"ErrorMessage": "The certificate could not be read.", "Errors": []}), None
        return real_respond(method, path, headers, raw, **kwargs)

    monkeypatch.setattr(target, "respond", refuse_certificates)
    secrets = tmp_path / "secrets.json"
    secrets.write_text(json.dumps({"certificate:Portal TLS/Password": CERTIFICATE_PASSWORD}))
    bundle = str(tmp_path / "m.octobundle")
    code = _migrate(source, target, "--engine", "client", "--secrets-file", str(secrets), "--output", bundle)
    assert code == 1
    out, err = capsys.readouterr()
    assert "The import completed with 1 failure." in out
    (line,) = _error_lines(err)
    assert "completed with 1 failure: Certificate 'Portal TLS'" in line and line.endswith("m.octobundle.")
    assert names(target, "projects") == ["Web Portal"]

"""Writing and reading a bundle: round trip, secrecy of sensitive values, atomic writes and cancel."""

from __future__ import annotations

import base64
import hashlib
import json
import random
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from bundle_helpers import (
    BLOBS,
    CERT_SECRET,
    FAST_COST,
    MANIFEST,
    PASSWORD,
    RESOURCES,
    SECRET_VALUE,
    SECRETS,
    make_bundle,
    zip_entries,
)

from octodesk.core.bundle import BundleResource, read_bundle, read_manifest, write_bundle
from octodesk.core.bundle.crypto import DEFAULT_COST
from octodesk.core.cancel import CancelToken
from octodesk.core.errors import BundleError, Cancelled
from octodesk.core.progress import Progress


def test_round_trip_returns_every_resource_blob_and_secret(tmp_path: Path) -> None:
    path = make_bundle(tmp_path / "out.octobundle")

    bundle = read_bundle(path, PASSWORD)

    assert [(r.kind, r.id, r.name, r.document) for r in bundle.resources] == [
        (r.kind, r.id, r.name, r.document) for r in RESOURCES
    ]
    assert bundle.get("Project", "Projects-1") is not None
    assert bundle.get("Project", "Projects-1").document["Description"] == "caf\u00e9 \u2603 portal"  # type: ignore[union-attr]
    assert bundle.get("Project", "Projects-404") is None
    assert [r.name for r in bundle.by_kind("Environment")] == ["Production", "Staging"]
    assert bundle.blobs == BLOBS
    assert bundle.secrets == SECRETS
    assert bundle.manifest["source"] == MANIFEST["source"]
    assert bundle.manifest["deploys_to"] == MANIFEST["deploys_to"]


def test_layout_matches_the_documented_format(tmp_path: Path) -> None:
    path = make_bundle(tmp_path / "out.octobundle")

    entries = zip_entries(path)
    manifest = json.loads(entries["manifest.json"])
    index = json.loads(entries["index.json"])

    assert set(entries) == {
        "manifest.json",
        "index.json",
        "secrets.enc",
        "logos/Projects-1.png",
        "resources/Project/Projects-1.json",
        "resources/Environment/Environments-1.json",
        "resources/Environment/Environments-2.json",
        "resources/VariableSet/variableset-Projects-1.json",
    }
    assert manifest["format"] == "octodesk-bundle"
    assert manifest["format_version"] == 2
    assert manifest["counts"] == {"Environment": 2, "Project": 1, "VariableSet": 1}
    assert manifest["index_sha256"] == hashlib.sha256(entries["index.json"]).hexdigest()
    # before the password only the small manifest is read: the index and the caller's lists are in index.json
    assert set(manifest) == {
        "format", "format_version", "source", "projects", "tool_version", "created_at", "counts", "kdf",
        "key_check", "index_sha256",
    }  # fmt: skip
    assert index["deploys_to"] == MANIFEST["deploys_to"]
    assert set(index["entries"]) == set(entries) - {"manifest.json", "index.json", "secrets.enc"}
    assert {
        "kind": "Environment",
        "id": "Environments-2",
        "name": "Staging",
        "path": "resources/Environment/Environments-2.json",
    } in index["resources"]
    assert manifest["kdf"]["algorithm"] == "scrypt"
    assert manifest["kdf"]["params"] == {"n": FAST_COST.n, "r": FAST_COST.r, "p": FAST_COST.p, "length": 32}
    assert len(base64.b64decode(manifest["kdf"]["salt"])) == 16
    assert manifest["key_check"]
    # canonical JSON: sorted keys, no whitespace
    assert (
        entries["resources/Environment/Environments-1.json"] == b'{"Id":"Environments-1","Name":"Production"}'
    )


def test_default_cost_is_the_measured_scrypt_setting(tmp_path: Path) -> None:
    path = make_bundle(tmp_path / "out.octobundle", kdf_cost=DEFAULT_COST)

    params = read_manifest(path)["kdf"]["params"]

    assert (params["n"], params["r"], params["p"]) == (2**17, 8, 1)
    assert read_bundle(path, PASSWORD).secrets == SECRETS


def test_secrets_never_appear_in_plain_text_in_the_file(tmp_path: Path) -> None:
    path = make_bundle(tmp_path / "out.octobundle")

    raw = path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        stored = b"".join(archive.read(name) for name in archive.namelist())

    for secret in (SECRET_VALUE, CERT_SECRET, PASSWORD):
        for haystack in (raw, stored):
            assert secret.encode() not in haystack
            assert base64.b64encode(secret.encode()) not in haystack
            assert secret.encode("utf-16-le") not in haystack


def test_secrets_enc_is_present_even_without_secrets(tmp_path: Path) -> None:
    path = make_bundle(tmp_path / "out.octobundle", secrets={})

    assert "secrets.enc" in zip_entries(path)
    assert read_bundle(path, PASSWORD).secrets == {}


def test_two_writes_of_the_same_content_use_fresh_salt_and_nonce(tmp_path: Path) -> None:
    first = zip_entries(make_bundle(tmp_path / "a.octobundle"))
    second = zip_entries(make_bundle(tmp_path / "b.octobundle"))

    assert (
        json.loads(first["manifest.json"])["kdf"]["salt"]
        != json.loads(second["manifest.json"])["kdf"]["salt"]
    )
    assert first["secrets.enc"] != second["secrets.enc"]
    assert first["resources/Project/Projects-1.json"] == second["resources/Project/Projects-1.json"]


def test_summary_reports_source_projects_counts_and_secrets(tmp_path: Path) -> None:
    path = make_bundle(tmp_path / "out.octobundle")

    written = write_bundle(
        tmp_path / "again.octobundle",
        manifest=dict(MANIFEST),
        resources=RESOURCES,
        secrets=SECRETS,
        blobs=BLOBS,
        password=PASSWORD,
        kdf_cost=FAST_COST,
    )
    summary = read_bundle(path, PASSWORD).summary()

    assert summary == written
    assert summary.source_url == "https://octopus.example.com"
    assert summary.source_version == "2021.2.4488"
    assert summary.source_hosting == "SelfHosted"
    assert summary.source_space == "Default"
    assert summary.projects == ["Web Portal"]
    assert summary.counts == {"Environment": 2, "Project": 1, "VariableSet": 1}
    assert summary.total_resources == 4
    assert summary.secrets_carried == ["variable:Project/Web Portal/DbPassword", "certificate:Portal TLS"]
    assert [(s.ref, s.reason) for s in summary.secrets_not_carried] == [
        ("account:Azure Prod/Password", "not supplied")
    ]
    assert summary.to_dict()["source"]["space"] == "Default"


def test_bundle_repr_does_not_show_secrets(tmp_path: Path) -> None:
    bundle = read_bundle(make_bundle(tmp_path / "out.octobundle"), PASSWORD)

    assert SECRET_VALUE not in repr(bundle)


def test_resources_may_arrive_as_a_generator(tmp_path: Path) -> None:
    def produce() -> Iterator[BundleResource]:
        team = {"Id": "teams-everyone", "Name": "Everyone"}
        yield BundleResource("Team", "teams-everyone", "Everyone", team)
        feed = {"Id": "feeds-builtin", "Name": "Built-in", "FeedType": "BuiltIn"}
        yield BundleResource("Feed", "feeds-builtin", "Built-in", feed)

    path = make_bundle(tmp_path / "out.octobundle", resources=produce(), blobs={})

    bundle = read_bundle(path, PASSWORD)
    assert [(r.kind, r.name) for r in bundle.resources] == [("Team", "Everyone"), ("Feed", "Built-in")]


def test_writer_refuses_a_document_the_reader_would_refuse(tmp_path: Path) -> None:
    odd = {"Id": "Feeds/1 ../x", "Name": "Odd", "FeedType": "X"}
    odd_id = BundleResource("Feed", "Feeds/1 ../x", "Odd", odd)
    evil = {"Id": "Environments-1", "Name": "Evil"}
    renamed = BundleResource("Environment", "Environments-1", "Staging", evil)

    with pytest.raises(BundleError, match="which is not a Feed id"):
        make_bundle(tmp_path / "out.octobundle", resources=[odd_id])
    with pytest.raises(BundleError, match="is named 'Evil' in its document, not 'Staging'"):
        make_bundle(tmp_path / "out.octobundle", resources=[renamed])
    assert list(tmp_path.iterdir()) == []


def test_progress_is_reported_per_entry(tmp_path: Path) -> None:
    seen: list[Progress] = []

    make_bundle(tmp_path / "out.octobundle", progress=seen.append)

    assert [p.name for p in seen] == [r.name for r in RESOURCES] + ["logos/Projects-1.png"]
    assert all(p.phase == "write" and p.total == 5 for p in seen)
    assert seen[-1].done == 5


def test_cancel_mid_write_leaves_no_file_and_no_temp_file(tmp_path: Path) -> None:
    token = CancelToken()

    def cancel_after_two(progress: Progress) -> None:
        if progress.done == 2:
            token.cancel()

    with pytest.raises(Cancelled):
        make_bundle(tmp_path / "out.octobundle", progress=cancel_after_two, cancel=token)

    assert list(tmp_path.iterdir()) == []


def test_failure_mid_write_keeps_an_existing_bundle_untouched(tmp_path: Path) -> None:
    path = make_bundle(tmp_path / "out.octobundle")
    before = path.read_bytes()

    def failing() -> Iterator[BundleResource]:
        yield RESOURCES[0]
        raise RuntimeError("source server went away")

    with pytest.raises(RuntimeError):
        make_bundle(path, resources=failing())

    assert path.read_bytes() == before
    assert list(tmp_path.iterdir()) == [path]


def test_missing_folder_and_empty_password_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="does not exist"):
        make_bundle(tmp_path / "nowhere" / "out.octobundle")
    with pytest.raises(BundleError, match="password is required"):
        make_bundle(tmp_path / "out.octobundle", password="")
    with pytest.raises(BundleError, match="is a folder"):
        make_bundle(tmp_path)


def test_writer_refuses_names_the_reader_would_refuse(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot be used"):
        make_bundle(tmp_path / "out.octobundle", blobs={"../evil.png": b"x"})
    with pytest.raises(ValueError, match="computed by the bundle writer"):
        make_bundle(tmp_path / "out.octobundle", manifest={**MANIFEST, "entries": {}})
    assert list(tmp_path.iterdir()) == []


def test_highly_compressible_entry_is_stored_so_the_reader_accepts_it(tmp_path: Path) -> None:
    script = "Write-Host 'hello'\n" * 200_000  # ~3.6 MB that deflates far past the zip-bomb ratio
    document = {"Id": "ActionTemplates-1", "Name": "Big", "ActionType": "Octopus.Script", "Script": script}
    resource = BundleResource("ActionTemplate", "ActionTemplates-1", "Big", document)

    path = make_bundle(tmp_path / "out.octobundle", resources=[resource], blobs={})

    assert read_bundle(path, PASSWORD).get("ActionTemplate", "ActionTemplates-1").document["Script"] == script  # type: ignore[union-attr]


def test_reading_reports_verify_progress_and_can_be_cancelled(tmp_path: Path) -> None:
    path = make_bundle(tmp_path / "out.octobundle")
    seen: list[Progress] = []
    token = CancelToken()

    read_bundle(path, PASSWORD, progress=seen.append)

    assert {p.phase for p in seen} == {"verify"}
    assert seen[-1].done == seen[-1].total == 5

    def cancel_at_first_entry(progress: Progress) -> None:
        if progress.done == 1:
            token.cancel()

    with pytest.raises(Cancelled):
        read_bundle(path, PASSWORD, progress=cancel_at_first_entry, cancel=token)


def test_list_bundles_newest_first_with_their_projects(tmp_path: Path) -> None:
    import os

    from octodesk.core.bundle import list_bundles

    older = make_bundle(tmp_path / "older.octobundle")
    newer = make_bundle(tmp_path / "newer.octobundle")
    broken = tmp_path / "broken.octobundle"
    broken.write_bytes(b"not a zip")
    (tmp_path / "notes.txt").write_text("ignored")
    os.utime(older, (1_000_000, 1_000_000))
    os.utime(broken, (2_000_000, 2_000_000))
    listed = list_bundles(tmp_path)
    assert [item.path for item in listed] == [newer, broken, older]
    assert listed[0].projects == MANIFEST["projects"] and listed[0].size == newer.stat().st_size
    assert listed[1].summary is None and listed[1].problem
    assert list_bundles(tmp_path / "missing") == []


def test_a_bundle_written_a_piece_at_a_time_lists_its_resources_in_the_order_asked(tmp_path: Path) -> None:
    from octodesk.core.bundle.writer import BundleWriter

    late, early = RESOURCES[:2], RESOURCES[2:]
    path = tmp_path / "pieces.octobundle"
    seen: list[Progress] = []
    with BundleWriter(
        path, PASSWORD, progress=seen.append, kdf_cost=FAST_COST, index_order=lambda kind, _id: kind
    ) as writer:
        writer.add(early)  # quietly: written ahead
        assert seen == [] and not path.exists()
        assert writer.written(early[0].kind, early[0].id) and not writer.written(late[0].kind, late[0].id)
        writer.add(late, total=len(RESOURCES) + len(BLOBS))
        writer.finish(manifest=dict(MANIFEST), secrets=dict(SECRETS), blobs=dict(BLOBS))

    bundle = read_bundle(path, PASSWORD)
    assert sorted((r.kind, r.id) for r in bundle.resources) == sorted((r.kind, r.id) for r in RESOURCES)
    assert [r.kind for r in bundle.resources] == sorted(r.kind for r in RESOURCES)
    assert [p.done for p in seen if p.phase == "write"][:2] == [len(early) + 1, len(early) + 2]


def test_a_bundle_left_unfinished_leaves_nothing_behind(tmp_path: Path) -> None:
    from octodesk.core.bundle.writer import BundleWriter

    with pytest.raises(RuntimeError, match="the read failed"), BundleWriter(
        tmp_path / "never.octobundle", PASSWORD, kdf_cost=FAST_COST
    ) as writer:
        writer.add(RESOURCES)
        raise RuntimeError("the read failed")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(BundleError, match="does not exist"):
        BundleWriter(tmp_path / "missing" / "b.octobundle", PASSWORD)  # refused before anything is read


def test_entries_are_the_bytes_zipfile_itself_writes(tmp_path: Path) -> None:
    """The writer appends entries whose sizes it knows in one pass, without ``ZipFile.writestr``'s seek
    back: the file must be what zipfile would have written (also with a stored, very compressible entry,
    and an attachment)."""
    rng = random.Random(14)
    parts = ["Deploy", "Octopus", "Web", "Db", "-", "1.0", "Projects-", "\n"]
    words = "".join(rng.choice(parts) for _ in range(30_000))  # deflates, and the level shows in the bytes
    templates = [
        BundleResource(
            "ActionTemplate", f"ActionTemplates-{n}", name, {"Id": f"ActionTemplates-{n}", "Name": name,
            "ActionType": "Octopus.Script", "Script": script}
        )
        for n, name, script in ((8, "Words", words), (9, "Padded", "a" * 200_000))
    ]
    attachment = {"octopus/Octopus-Export.zip": b"PK\x05\x06" + bytes(18)}  # stored as it is
    blobs = {**BLOBS, **attachment}
    path = make_bundle(tmp_path / "b.octobundle", resources=[*RESOURCES, *templates], blobs=blobs)
    again = tmp_path / "again.zip"
    with zipfile.ZipFile(path) as written, zipfile.ZipFile(again, "w") as rewritten:
        for info in written.infolist():
            copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            copy.external_attr = info.external_attr
            copy.compress_type = info.compress_type
            rewritten.writestr(copy, written.read(info), compresslevel=6)
        methods = {info.compress_type for info in written.infolist()}

    assert methods == {zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED}
    assert zip_entries(path)["octopus/Octopus-Export.zip"] == attachment["octopus/Octopus-Export.zip"]
    assert again.read_bytes() == path.read_bytes()

"""Per version: copy, skip (same file on the target) or conflict (other contents, never overwritten);
Octopus Cloud's limits; the manifest section read back as hostile input; the streamed upload body."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest

from octodesk.core.errors import BundleDamaged, ServerFailure
from octodesk.core.packages.decide import (
    CLOUD_MAX_PACKAGE_BYTES,
    CLOUD_STORAGE_BYTES,
    CONFLICT,
    COPY,
    SKIP,
    PackagePlan,
    decide_packages,
    human_bytes,
)
from octodesk.core.packages.manifest import ManifestPackages, entry_name
from octodesk.core.packages.transfer import MultipartUpload
from octodesk.core.packages.versions import PackageVersion
from octodesk.sandbox.multipart import read_file_part

SHA_A, SHA_B = "a" * 40, "b" * 40


def version(number: str = "1.0.0", size: int | None = 1000, sha1: str | None = SHA_A) -> PackageVersion:
    return PackageVersion("Acme.Web", number, ".zip", size, sha1)


def decided(versions: list[PackageVersion], on_target: list[PackageVersion], **plan: Any) -> PackagePlan:
    result = PackagePlan(choice="latest", referenced=["Acme.Web"], **plan)
    decide_packages(result, versions, on_target)
    return result


def test_missing_versions_are_copied_same_ones_skipped_and_different_ones_conflict() -> None:
    plan = decided(
        [version("1.0.0"), version("1.1.0"), version("1.2.0"), version("1.3.0", sha1=None)],
        [
            version("1.1.0"),
            version("1.2.0", sha1=SHA_B),
            PackageVersion("ACME.WEB", "1.3.0", ".zip", 1000, SHA_B),
        ],
    )
    assert [item.action for item in plan.decisions] == [COPY, SKIP, CONFLICT, SKIP]
    assert "cannot be compared" in plan.decisions[3].reason
    assert plan.conflicts[0].reason.startswith(
        "the target has this version with other contents (SHA-1 bbbbbbbbbbbb"
    )
    assert plan.warnings == [f"Package Acme.Web 1.2.0: {plan.decisions[2].reason}"]
    assert plan.bytes_to_copy == 1000 and not plan.refusals


def test_different_sizes_conflict_when_a_server_gives_no_hash() -> None:
    plan = decided([version(sha1=None)], [version(size=999, sha1=None)])
    assert plan.decisions[0].action == CONFLICT


def test_cloud_refuses_a_package_over_5_gb_naming_it_and_shows_the_total_against_1_tb() -> None:
    big = version("2.0.0", size=CLOUD_MAX_PACKAGE_BYTES + 1)
    at_limit = version("1.0.0", size=CLOUD_MAX_PACKAGE_BYTES)
    plan = decided([big, at_limit], [], target_cloud=True, target_stored_bytes=10 * 1024**3)
    assert len(plan.refusals) == 1
    assert plan.refusals[0].startswith(  # a package just over the limit: the bytes say why
        "Package Acme.Web 2.0.0 is 5.0 GB (5,368,709,121 bytes): Octopus Cloud refuses any package over "
        "5.0 GB (5,368,709,120 bytes)."
    )
    line = plan.storage_line()
    assert line.startswith(
        "2 package versions to copy, 10.0 GB; the target space's built-in feed holds 10.0 GB"
    )
    assert "20.0 GB afterwards: 2.0% of Octopus Cloud's 1.0 TB file storage limit" in line


def test_cloud_refuses_copies_that_cannot_fit_in_1_tb_and_self_hosted_has_no_limits() -> None:
    full = decided(
        [version(size=2 * 1024**3)], [], target_cloud=True, target_stored_bytes=CLOUD_STORAGE_BYTES - 1
    )
    assert "exceed Octopus Cloud's 1.0 TB file storage limit" in full.refusals[0]
    self_hosted = decided([version(size=CLOUD_MAX_PACKAGE_BYTES * 2)], [])
    assert not self_hosted.refusals
    assert self_hosted.storage_line() == "1 package version to copy, 10.0 GB."


def test_human_sizes() -> None:
    assert [human_bytes(n) for n in (0, 1023, 1024, 5 * 1024**3, 3 * 1024**4, None)] == [
        "0 bytes",
        "1023 bytes",
        "1.0 KB",
        "5.0 GB",
        "3.0 TB",
        "unknown size",
    ]


# --- the manifest section ------------------------------------------------------------------------


def section(**fields: Any) -> dict[str, Any]:
    carried = version()
    carried_fields = {**carried.to_manifest(), "entry": entry_name(carried), "sha256": "c" * 64}
    return {
        "packages": {
            "choice": "latest",
            "referenced": ["Acme.Web"],
            "not_on_source": [],
            "carried": True,
            "versions": [carried_fields],
            **fields,
        }
    }


def test_the_manifest_section_round_trips() -> None:
    read = ManifestPackages.from_manifest(section(), "b.octobundle")
    assert read is not None and read.carried
    assert read.versions[0].entry == "packages/Acme.Web.1.0.0.zip" and read.versions[0].sha256 == "c" * 64
    assert (
        ManifestPackages.from_manifest(read.to_manifest() and {"packages": read.to_manifest()}, "b") == read
    )
    assert ManifestPackages.from_manifest({}, "old.octobundle") is None


@pytest.mark.parametrize(
    "broken",
    [
        {"versions": [{**version().to_manifest(), "entry": "../../evil.zip", "sha256": "c" * 64}]},
        {"versions": [{**version().to_manifest(), "package_id": "../Acme"}]},
        {"versions": [{**version().to_manifest(), "extension": ".zip/../x"}]},
        {"versions": [{**version().to_manifest(), "size": -1}], "carried": False},
        {"versions": [{**version().to_manifest(), "sha1": "not-a-hash"}], "carried": False},
        {"versions": [version().to_manifest(), version().to_manifest()], "carried": False},
        {"referenced": "Acme.Web"},
        {"carried": "yes"},
    ],
)
def test_a_malformed_section_is_a_damaged_bundle(broken: dict[str, Any]) -> None:
    with pytest.raises(BundleDamaged, match="package list is malformed"):
        ManifestPackages.from_manifest(section(**broken), "b.octobundle")


# --- the streamed upload body -------------------------------------------------------------------


def body_of(data: bytes, described: PackageVersion, chunks: list[bytes]) -> tuple[MultipartUpload, list[int]]:
    counted: list[int] = []
    body = MultipartUpload(described, len(data), iter(chunks), on_bytes=counted.append)
    return body, counted


def test_the_upload_body_is_multipart_with_the_file_and_a_length_known_up_front() -> None:
    data = bytes(range(256)) * 5000
    described = version(size=len(data), sha1=hashlib.sha1(data).hexdigest())
    body, counted = body_of(data, described, [data[:100_000], data[100_000:]])
    sent = b"".join(iter(lambda: body.read(16_384), b""))
    assert len(sent) == len(body)
    part = read_file_part(io.BytesIO(sent).read, body.content_type, lambda name: io.BytesIO())
    assert part is not None and part.file_name == "Acme.Web.1.0.0.zip"
    assert (part.size, part.sha1) == (len(data), described.sha1)  # the sandbox's reader got the file whole
    assert sum(counted) == len(data) and body.sha1 == described.sha1


@pytest.mark.parametrize(
    ("chunks", "why"),
    [
        ([b"x" * 500], "ended after 500 bytes of 1000 bytes"),
        ([b"y" * 1000], "SHA-1"),
        ([b"x" * 1000, b"x"], "sent more than"),
    ],
)
def test_the_body_never_ends_when_the_bytes_are_not_the_package_described(
    chunks: list[bytes], why: str
) -> None:
    described = version(size=1000, sha1=hashlib.sha1(b"x" * 1000).hexdigest())
    body = MultipartUpload(described, 1000, iter(chunks), on_bytes=lambda n: None)
    sent = b""
    with pytest.raises(Exception) as raised:
        while piece := body.read(300):
            sent += piece
    assert why in str(raised.value)
    assert b"--\r\n" not in sent[-10:]  # the closing boundary never went out


@pytest.mark.parametrize(
    "fields",
    [
        {"PackageId": 'Acme"; name="x'},
        {"PackageId": "Acme\r\nX-Header: 1"},
        {"Version": "../1.0"},
        {"FileExtension": "zip"},
        {"FileExtension": None},
    ],
)
def test_a_server_package_with_an_impossible_id_version_or_extension_is_refused(
    fields: dict[str, Any],
) -> None:
    document = {"PackageId": "Acme.Web", "Version": "1.0.0", "FileExtension": ".zip", **fields}
    with pytest.raises(ServerFailure, match="not one a package can have"):
        PackageVersion.from_document(document, "/api/Spaces-1/packages")


def test_a_server_package_document_reads_size_and_hash() -> None:
    document = {"PackageId": "Acme.Web", "Version": "1.0.0-beta.1+build.7", "FileExtension": ".tar.gz"}
    read = PackageVersion.from_document({**document, "PackageSizeBytes": 12, "Hash": SHA_A.upper()}, "/api")
    assert (read.size, read.sha1, read.file_name) == (12, SHA_A, "Acme.Web.1.0.0-beta.1+build.7.tar.gz")
    unknown = PackageVersion.from_document({**document, "PackageSizeBytes": -3, "Hash": ""}, "/api")
    assert (unknown.size, unknown.sha1) == (None, None)


def test_a_body_from_a_source_that_checks_its_own_bytes_is_not_hashed_again_but_still_sized() -> None:
    described = version(size=1000, sha1=hashlib.sha1(b"x" * 1000).hexdigest())
    body = MultipartUpload(described, 1000, iter([b"y" * 1000]), on_bytes=lambda n: None, hashed=False)
    sent = b"".join(iter(lambda: body.read(300), b""))
    assert sent.endswith(b"--\r\n") and body.sha1 == described.sha1  # other bytes: the source's to refuse
    short = MultipartUpload(described, 1000, iter([b"x" * 10]), on_bytes=lambda n: None, hashed=False)
    with pytest.raises(Exception, match="ended after 10 bytes of 1000 bytes"):
        while short.read(300):
            pass

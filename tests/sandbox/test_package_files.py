"""Generated package files, and package names and versions read the way Octopus reads them."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

from octodesk.sandbox.package_files import PackageSpec, main, package_bytes, parse_size, write_package
from octodesk.sandbox.package_identity import SemVer, parse_file_name


# generated files -------------------------------------------------------------------------------------------
def test_a_generated_nupkg_is_a_zip_with_its_nuspec() -> None:
    data = package_bytes(PackageSpec("Acme.Web", "2.1.0-rc.1", "nupkg", payload_bytes=10_000, title="Web"))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert {"[Content_Types].xml", "_rels/.rels", "Acme.Web.nuspec", "payload.bin"} <= set(
            archive.namelist()
        )
        assert archive.getinfo("payload.bin").file_size == 10_000
        metadata = ElementTree.fromstring(archive.read("Acme.Web.nuspec"))[0]
    fields = {element.tag.rsplit("}", 1)[-1]: element.text for element in metadata}
    assert (fields["id"], fields["version"], fields["title"]) == ("Acme.Web", "2.1.0-rc.1", "Web")


def test_the_same_spec_gives_the_same_bytes_and_another_seed_other_bytes() -> None:
    spec = PackageSpec("Acme.Web", "1.0.0", payload_bytes=3 * 1024 * 1024 + 5, seed=4)
    assert package_bytes(spec) == package_bytes(spec)
    assert package_bytes(spec) != package_bytes(
        PackageSpec("Acme.Web", "1.0.0", payload_bytes=spec.payload_bytes)
    )


def test_payload_chunks_differ_so_a_repeated_chunk_changes_the_hash() -> None:
    with zipfile.ZipFile(io.BytesIO(package_bytes(PackageSpec("A", "1.0.0", payload_bytes=3 << 20)))) as z:
        payload = z.read("payload.bin")
    chunks = {payload[i : i + (1 << 20)] for i in range(0, len(payload), 1 << 20)}
    assert len(chunks) == 3


def test_write_package_streams_a_large_file_to_disk(tmp_path: Path) -> None:
    written = write_package(PackageSpec("Acme.Big", "1.0.0", payload_bytes=40 << 20), tmp_path)
    assert written.path == tmp_path / "Acme.Big.1.0.0.zip"
    assert written.size == written.path.stat().st_size > 40 << 20
    assert written.sha1 == hashlib.sha1(written.path.read_bytes()).hexdigest()
    with zipfile.ZipFile(written.path) as archive:
        assert archive.getinfo("payload.bin").file_size == 40 << 20


def test_the_command_line_writes_a_package_and_prints_path_size_and_hash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main([str(tmp_path), "--id", "Acme.Cli", "--version", "3.0.0", "--size", "2MB", "--format", "nupkg"])
        == 0
    )
    path, size, sha1 = capsys.readouterr().out.split()
    assert Path(path) == tmp_path / "Acme.Cli.3.0.0.nupkg"
    assert int(size) == Path(path).stat().st_size
    assert sha1 == hashlib.sha1(Path(path).read_bytes()).hexdigest()
    assert main([str(tmp_path), "--id", "Bad Id", "--version", "1.0.0"]) == 2
    assert "not a valid package id" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "size"), [("512", 512), ("64KB", 65536), ("50MB", 50 << 20), ("1GB", 1 << 30)]
)
def test_sizes_read_like_people_write_them(text: str, size: int) -> None:
    assert parse_size(text) == size


def test_a_spec_refuses_what_no_server_would_take() -> None:
    with pytest.raises(ValueError):
        PackageSpec("Acme Web", "1.0.0")
    with pytest.raises(ValueError):
        PackageSpec("Acme.Web", "one")
    with pytest.raises(ValueError):
        PackageSpec("Acme.Web", "1.0.0", "exe")


# names and versions ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("file_name", "expected"),
    [
        ("Acme.Web.1.2.0.zip", ("Acme.Web", "1.2.0", ".zip")),
        ("hello-world.1.0.0.zip", ("hello-world", "1.0.0", ".zip")),
        ("Acme.Web.1.2.0-beta.1+sha.5.tar.gz", ("Acme.Web", "1.2.0-beta.1+sha.5", ".tar.gz")),
        ("Acme_Api.2.0.0.0.nupkg", ("Acme_Api", "2.0.0.0", ".nupkg")),
        ("Acme.Web.3.TGZ", ("Acme.Web", "3", ".TGZ")),
        ("MyPackage123.zip", None),
        ("Acme.Web.1.0.0.exe", None),
        ("Acme.Web.zip", None),
        ("Acme Web.1.0.0.zip", None),
    ],
)
def test_file_names_are_read_the_way_octopus_reads_them(
    file_name: str, expected: tuple[str, str, str] | None
) -> None:
    parsed = parse_file_name(file_name)
    assert (parsed and (parsed.package_id, parsed.version, parsed.extension)) == expected


def test_versions_sort_like_nuget() -> None:
    versions = ["1.10.0", "1.0.0", "1.0.0-beta", "1.0.0-alpha.10", "1.2.0", "1.0.0-alpha.2", "1.0.0.1", "1.0"]
    assert sorted(versions, key=SemVer) == [
        "1.0.0-alpha.2",
        "1.0.0-alpha.10",
        "1.0.0-beta",
        "1.0.0",
        "1.0",
        "1.0.0.1",
        "1.2.0",
        "1.10.0",
    ]
    assert SemVer("1.0.0+build.1") == SemVer("1.0.0")

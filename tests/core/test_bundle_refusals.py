"""The reader refuses every kind of bad bundle before returning anything, each with its own clear reason."""

from __future__ import annotations

import base64
import json
import stat
import warnings
import zipfile
from pathlib import Path
from typing import Any

import pytest
from bundle_helpers import (
    FAST_COST,
    PASSWORD,
    RESOURCES,
    entry_data_span,
    flip_byte,
    make_bundle,
    rewrite_zip,
    zip_entries,
)

from octodesk.core.bundle import BundleResource, crypto, read_bundle, read_manifest, zipcheck
from octodesk.core.errors import BundleDamaged, BundleError, UnsupportedBundle, WrongPassword

RESOURCE_ENTRY = "resources/Project/Projects-1.json"


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    return make_bundle(tmp_path / "good.octobundle")


def with_manifest(source: Path, destination: Path, **changes: Any) -> Path:
    entries = zip_entries(source)
    manifest = json.loads(entries["manifest.json"])
    manifest.update(changes)
    entries["manifest.json"] = json.dumps(manifest).encode()
    return rewrite_zip(source, destination, entries)


def refusal(path: Path, password: str = PASSWORD) -> BundleError:
    with pytest.raises(BundleError) as caught:
        read_bundle(path, password)
    return caught.value


def test_wrong_password_is_told_apart(bundle: Path) -> None:
    error = refusal(bundle, "not the password")

    assert isinstance(error, WrongPassword)
    assert str(error) == f"Wrong password for the bundle {bundle}."


@pytest.mark.parametrize("entry", [RESOURCE_ENTRY, "logos/Projects-1.png", "manifest.json", "secrets.enc"])
def test_one_flipped_byte_in_any_entry_names_that_entry(bundle: Path, tmp_path: Path, entry: str) -> None:
    offset, length = entry_data_span(bundle, entry)
    damaged = tmp_path / "damaged.octobundle"
    damaged.write_bytes(flip_byte(bundle.read_bytes(), offset + length // 2))

    error = refusal(damaged)

    assert isinstance(error, BundleDamaged)
    assert f"{entry} has been modified" in str(error)


def test_resource_changed_with_a_valid_zip_checksum_is_caught_by_its_hash(
    bundle: Path, tmp_path: Path
) -> None:
    entries = zip_entries(bundle)
    entries[RESOURCE_ENTRY] = entries[RESOURCE_ENTRY].replace(b"Lifecycles-1", b"Lifecycles-2")

    error = refusal(rewrite_zip(bundle, tmp_path / "edited.octobundle", entries))

    assert str(error).endswith(f"is damaged: {RESOURCE_ENTRY} has been modified.")


def test_manifest_changed_with_a_valid_zip_checksum_is_caught_by_the_seal(
    bundle: Path, tmp_path: Path
) -> None:
    edited = with_manifest(bundle, tmp_path / "edited.octobundle", projects=["Someone Else"])

    assert "manifest.json has been modified" in str(refusal(edited))


def test_secrets_changed_with_a_valid_zip_checksum_is_caught_by_gcm(bundle: Path, tmp_path: Path) -> None:
    entries = zip_entries(bundle)
    entries["secrets.enc"] = flip_byte(entries["secrets.enc"], len(entries["secrets.enc"]) - 20)

    error = refusal(rewrite_zip(bundle, tmp_path / "edited.octobundle", entries))

    assert "secrets.enc has been modified" in str(error)


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9, 0.999])
def test_truncated_file_is_not_a_complete_bundle(bundle: Path, tmp_path: Path, keep: float) -> None:
    raw = bundle.read_bytes()
    cut = tmp_path / "cut.octobundle"
    cut.write_bytes(raw[: int(len(raw) * keep)])

    error = refusal(cut)

    assert isinstance(error, BundleDamaged)
    assert "is not a complete OctoDesk bundle (truncated or not a zip)" in str(error)


def test_not_a_zip_and_no_file(tmp_path: Path) -> None:
    text = tmp_path / "notes.octobundle"
    text.write_text("hello")

    assert "truncated or not a zip" in str(refusal(text))
    assert "There is no bundle at" in str(refusal(tmp_path / "missing.octobundle"))
    assert "is not a file" in str(refusal(tmp_path))


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../evil.sh", "path traversal"),
        ("resources/../../evil.sh", "path traversal"),
        ("/etc/cron.d/evil", "absolute path"),
        ("..\\evil.bat", "backslashes"),
        ("C:/Windows/evil.dll", "drive"),
        ("resources/./x.json", "characters or parts"),
    ],
)
def test_unsafe_entry_names_are_refused_by_name(bundle: Path, tmp_path: Path, name: str, reason: str) -> None:
    hostile = rewrite_zip(bundle, tmp_path / "hostile.octobundle", extra=[(name, b"payload")])

    error = refusal(hostile)

    assert isinstance(error, BundleDamaged)
    assert reason in str(error)
    assert repr(name) in str(error)
    assert list(tmp_path.glob("**/evil*")) == []


def test_symlink_entry_is_refused(bundle: Path, tmp_path: Path) -> None:
    link = zipfile.ZipInfo("logos/link.png")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16

    error = refusal(rewrite_zip(bundle, tmp_path / "link.octobundle", extra=[(link, b"/etc/passwd")]))

    assert "'logos/link.png' is a symbolic link" in str(error)


def test_duplicate_entry_is_refused(bundle: Path, tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate we are deliberately writing
        hostile = rewrite_zip(bundle, tmp_path / "dup.octobundle", extra=[(RESOURCE_ENTRY, b"{}")])

    assert f"{RESOURCE_ENTRY!r} appears twice" in str(refusal(hostile))


def test_zip_bomb_by_ratio_is_refused(bundle: Path, tmp_path: Path) -> None:
    bomb = rewrite_zip(
        bundle, tmp_path / "bomb.octobundle", extra=[("logos/bomb.png", bytes(8 * 1024 * 1024))]
    )

    error = refusal(bomb)

    assert "compression ratio" in str(error)
    assert "zip bomb" in str(error)


def test_zip_bomb_by_declared_size_is_refused(bundle: Path, tmp_path: Path) -> None:
    raw = bytearray(bundle.read_bytes())
    central = raw.index(b"PK\x01\x02" + b"\x14")  # first central-directory record
    raw[central + 24 : central + 28] = (3 * 1024**3 // 2).to_bytes(4, "little")  # claims 1.5 GiB
    (tmp_path / "big.octobundle").write_bytes(bytes(raw))

    error = refusal(tmp_path / "big.octobundle")

    assert "past the size limits (a zip bomb?)" in str(error)


def test_entries_claiming_more_data_than_the_file_holds_are_refused(bundle: Path, tmp_path: Path) -> None:
    raw = bytearray(bundle.read_bytes())
    central = raw.index(b"PK\x01\x02" + b"\x14")
    raw[central + 20 : central + 24] = (2 * len(raw)).to_bytes(4, "little")  # compressed size past the file
    (tmp_path / "overlap.octobundle").write_bytes(bytes(raw))

    error = refusal(tmp_path / "overlap.octobundle")

    assert "claim more compressed data than the file holds" in str(error)


def test_too_many_entries_is_refused(bundle: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zipcheck, "MAX_ENTRIES", 5)

    assert "entries (limit 5)" in str(refusal(bundle))


def test_unsupported_compression_and_zip_encryption_are_refused(bundle: Path, tmp_path: Path) -> None:
    odd = zipfile.ZipInfo("logos/odd.png")
    odd.compress_type = zipfile.ZIP_BZIP2

    error = refusal(rewrite_zip(bundle, tmp_path / "bz.octobundle", extra=[(odd, b"x" * 100)]))

    assert "unsupported compression method" in str(error)


@pytest.mark.parametrize(
    ("version", "shown"), [(3, "3"), (1, "1 (written by an older OctoDesk"), ("1", "'1'"), (None, "'None'")]
)
def test_unknown_format_version_is_unsupported_naming_it(
    bundle: Path, tmp_path: Path, version: object, shown: str
) -> None:
    error = refusal(with_manifest(bundle, tmp_path / "v.octobundle", format_version=version))

    assert isinstance(error, UnsupportedBundle)
    assert f"format version {shown}" in str(error)


def test_unknown_format_name_is_unsupported(bundle: Path, tmp_path: Path) -> None:
    error = refusal(with_manifest(bundle, tmp_path / "f.octobundle", format="something-else"))

    assert isinstance(error, UnsupportedBundle)
    assert "is not an OctoDesk bundle" in str(error)


@pytest.mark.parametrize(
    "params",
    [
        {"n": 2**40, "r": 8, "p": 1, "length": 32},
        {"n": 2**17, "r": 8, "p": 10_000, "length": 32},
        {"n": 2**20, "r": 32, "p": 1, "length": 32},
        {"n": 100_000, "r": 8, "p": 1, "length": 32},
        {"n": 2**17, "r": 0, "p": 1, "length": 32},
        {"n": 2**17, "r": 8, "p": 1, "length": 4096},
    ],
)
def test_absurd_kdf_parameters_are_refused_before_deriving(
    bundle: Path, tmp_path: Path, params: dict[str, int]
) -> None:
    kdf = {**read_manifest(bundle)["kdf"], "params": params}

    error = refusal(with_manifest(bundle, tmp_path / "kdf.octobundle", kdf=kdf))

    assert isinstance(error, BundleDamaged)
    assert "outside safe bounds" in str(error)


@pytest.mark.parametrize(
    "change",
    [{"params": {"n": 2**13, "r": 8, "p": 1, "length": 32}}, {"salt": base64.b64encode(b"s" * 16).decode()}],
)
def test_a_changed_kdf_parameter_is_named_not_called_a_wrong_password(
    bundle: Path, tmp_path: Path, change: dict[str, Any]
) -> None:
    # Before: "Wrong password for the bundle ..."
    kdf = {**read_manifest(bundle)["kdf"], **change}

    error = refusal(with_manifest(bundle, tmp_path / "kdf.octobundle", kdf=kdf))

    assert type(error) is BundleDamaged
    assert "key-derivation parameters in manifest.json are not the ones the bundle was sealed with" in str(
        error
    )


def reseal_secrets(bundle: Path, destination: Path, password: str) -> Path:
    """secrets.enc replaced by one sealed for the same manifest under another password (and salt)."""
    entries = zip_entries(bundle)
    other = crypto.KdfSpec.new(FAST_COST)
    key = crypto.derive_key(password, other)
    entries["secrets.enc"] = crypto.seal(key, b'{"x": "attacker"}', entries["manifest.json"], other)
    return rewrite_zip(bundle, destination, entries)


def test_secrets_encrypted_under_another_password_blame_secrets_not_the_manifest(
    bundle: Path, tmp_path: Path
) -> None:
    # Before: "manifest.json has been modified."
    resealed = reseal_secrets(bundle, tmp_path / "resealed.octobundle", "the attacker's password")

    error = refusal(resealed)

    assert str(error).endswith(
        "is damaged: secrets.enc was encrypted with another password than the rest of the bundle "
        "(replaced after export)."
    )
    neither = refusal(resealed, "a guess that opens nothing")
    assert (
        "sealed with different passwords (one was replaced after export), and this password opens neither"
        in str(neither)
    )


def test_a_changed_key_check_names_the_manifest(bundle: Path, tmp_path: Path) -> None:
    forged = base64.b64encode(bytes(32)).decode()

    error = refusal(with_manifest(bundle, tmp_path / "check.octobundle", key_check=forged))

    assert str(error).endswith("is damaged: manifest.json has been modified (its key check).")


def test_other_kdf_algorithm_is_unsupported(bundle: Path, tmp_path: Path) -> None:
    kdf = {**read_manifest(bundle)["kdf"], "algorithm": "argon2id"}

    error = refusal(with_manifest(bundle, tmp_path / "kdf.octobundle", kdf=kdf))

    assert isinstance(error, UnsupportedBundle)
    assert "'argon2id'" in str(error)


@pytest.mark.parametrize("depth", [150, 200_000])
def test_deeply_nested_manifest_is_refused_without_crashing(bundle: Path, tmp_path: Path, depth: int) -> None:
    entries = zip_entries(bundle)
    del entries["manifest.json"]
    stored = zipfile.ZipInfo("manifest.json")  # stored, so the zip-bomb ratio check does not answer first
    deep = b"[" * depth + b"]" * depth

    error = refusal(rewrite_zip(bundle, tmp_path / "deep.octobundle", entries, extra=[(stored, deep)]))

    assert "manifest.json nests JSON deeper than 100 levels" in str(error)


def test_deeply_nested_resource_in_a_sealed_bundle_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from octodesk.core.bundle import writer as bundle_writer

    nested: dict[str, Any] = {}
    for _ in range(150):
        nested = {"x": nested}
    monkeypatch.setattr(
        bundle_writer, "MAX_JSON_DEPTH", 1000
    )  # let the writer produce what only an attacker would
    project = {**RESOURCES[0].document, "Nested": nested}
    path = make_bundle(
        tmp_path / "deep.octobundle",
        resources=[BundleResource("Project", "Projects-1", "Web Portal", project)],
    )

    assert "resources/Project/Projects-1.json nests JSON deeper" in str(refusal(path))


def test_invalid_json_manifest_is_damaged(bundle: Path, tmp_path: Path) -> None:
    entries = zip_entries(bundle)
    entries["manifest.json"] = b'{"format": "octodesk-bundle", NaN'

    assert "manifest.json is not valid JSON" in str(
        refusal(rewrite_zip(bundle, tmp_path / "j.octobundle", entries))
    )


def test_entry_present_but_not_listed_is_refused(bundle: Path, tmp_path: Path) -> None:
    extra = rewrite_zip(
        bundle, tmp_path / "extra.octobundle", extra=[("resources/Project/Projects-9.json", b"{}")]
    )

    assert "resources/Project/Projects-9.json is in the bundle but not in its index" in str(refusal(extra))


def test_entry_listed_but_missing_is_refused(bundle: Path, tmp_path: Path) -> None:
    entries = zip_entries(bundle)
    del entries["logos/Projects-1.png"]

    error = refusal(rewrite_zip(bundle, tmp_path / "missing.octobundle", entries))

    assert "logos/Projects-1.png is listed in its index but missing" in str(error)


@pytest.mark.parametrize(
    ("missing", "message"),
    [("manifest.json", "has no manifest.json"), ("secrets.enc", "secrets.enc is missing")],
)
def test_missing_manifest_or_secrets_is_refused(
    bundle: Path, tmp_path: Path, missing: str, message: str
) -> None:
    entries = zip_entries(bundle)
    del entries[missing]

    assert message in str(refusal(rewrite_zip(bundle, tmp_path / "m.octobundle", entries)))


def test_wrong_password_flip_truncation_and_traversal_have_distinct_messages(
    bundle: Path, tmp_path: Path
) -> None:
    offset, length = entry_data_span(bundle, RESOURCE_ENTRY)
    flipped = tmp_path / "flipped.octobundle"
    flipped.write_bytes(flip_byte(bundle.read_bytes(), offset + length // 2))
    truncated = tmp_path / "truncated.octobundle"
    truncated.write_bytes(bundle.read_bytes()[:-100])
    traversal = rewrite_zip(bundle, tmp_path / "traversal.octobundle", extra=[("../x", b"")])

    messages = [
        str(refusal(bundle, "Wr0ng-Bundle-Passw0rd!")),
        str(refusal(flipped)).replace(str(flipped), "B"),
        str(refusal(truncated)).replace(str(truncated), "B"),
        str(refusal(traversal)).replace(str(traversal), "B"),
    ]

    assert len(set(messages)) == 4
    assert all("\n" not in message for message in messages)


def test_every_password_guess_costs_one_full_key_derivation(
    bundle: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key check is an HMAC under the scrypt output: no guess is judged without a derivation at the
    bundle's own cost (the default: 128 MiB, ~0.4 s), so it allows no cheaper offline guessing than
    secrets.enc itself."""
    manifest = read_manifest(bundle)
    spec = crypto.KdfSpec.from_manifest(manifest["kdf"], "b")
    derivations: list[crypto.ScryptCost] = []
    real_derive = crypto.derive_key

    def counting(password: str, kdf: crypto.KdfSpec) -> bytes:
        derivations.append(kdf.cost)
        return real_derive(password, kdf)

    monkeypatch.setattr(crypto, "derive_key", counting)
    for guess in ("guess one", "guess two", "guess three"):
        assert isinstance(refusal(bundle, guess), WrongPassword)

    assert derivations == [spec.cost] * 3
    assert manifest["key_check"] == crypto.key_check(real_derive(PASSWORD, spec))

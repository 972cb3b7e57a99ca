"""Password-based key derivation and the sealed secrets: right key opens, anything changed is named."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from octodesk.core.bundle import crypto
from octodesk.core.errors import BundleDamaged, UnsupportedBundle

CHEAP = crypto.ScryptCost(n=2**10, r=8, p=1)
MANIFEST = b'{"format": "octodesk-bundle", "projects": ["Web Portal"]}'
PLAINTEXT = b'{"variable:Project/Web Portal/DbPassword":"hunter2-but-longer"}'


def spec(salt: bytes = b"s" * 16) -> crypto.KdfSpec:
    return crypto.KdfSpec(salt=salt, cost=CHEAP)


def test_key_depends_on_password_and_salt() -> None:
    key = crypto.derive_key("pässword", spec())

    assert len(key) == 32
    assert crypto.derive_key("pässword", spec()) == key
    assert crypto.derive_key("password", spec()) != key
    assert crypto.derive_key("pässword", spec(b"t" * 16)) != key


def test_password_forms_that_look_the_same_give_the_same_key() -> None:
    composed = "caf\u00e9"
    decomposed = "cafe\u0301"

    assert crypto.derive_key(composed, spec()) == crypto.derive_key(decomposed, spec())


def test_password_with_undecodable_bytes_from_the_environment_still_derives() -> None:
    from_environment = b"pass\xffword".decode("utf-8", "surrogateescape")

    key = crypto.derive_key(from_environment, spec())

    assert key == crypto.derive_key(from_environment, spec())
    assert key != crypto.derive_key("password", spec())


def test_key_check_tells_the_right_key_from_a_wrong_one() -> None:
    right = crypto.derive_key("right", spec())
    wrong = crypto.derive_key("wrong", spec())

    check = crypto.key_check(right)

    assert crypto.key_matches(right, check)
    assert not crypto.key_matches(wrong, check)
    assert not crypto.key_matches(right, None)
    assert not crypto.key_matches(right, 12)
    assert not crypto.key_matches(right, "\u20ac" + check[1:])


def test_seal_round_trip_and_ciphertext_hides_the_plaintext() -> None:
    key = crypto.derive_key("right", spec())

    sealed = crypto.seal(key, PLAINTEXT, MANIFEST, spec())

    assert crypto.unseal(key, sealed, MANIFEST) == PLAINTEXT
    assert b"hunter2" not in sealed
    assert crypto.seal(key, PLAINTEXT, MANIFEST, spec()) != sealed  # fresh nonce every time


def test_changed_manifest_is_named_as_the_manifest() -> None:
    key = crypto.derive_key("right", spec())
    sealed = crypto.seal(key, PLAINTEXT, MANIFEST, spec())

    with pytest.raises(crypto.SealBroken) as broken:
        crypto.unseal(key, sealed, MANIFEST.replace(b"Web Portal", b"Web Portai"))

    assert broken.value.entry == "manifest.json"


@pytest.mark.parametrize("where", ["magic", "nonce", "mac", "ciphertext", "tag", "truncated"])
def test_changed_secrets_are_named_as_secrets(where: str) -> None:
    key = crypto.derive_key("right", spec())
    sealed = bytearray(crypto.seal(key, PLAINTEXT, MANIFEST, spec()))
    nonce = len(crypto.SEALED_MAGIC) + 2 * crypto.FINGERPRINT_BYTES
    ciphertext = crypto.SEALED_HEADER_BYTES + 3
    offsets = {"magic": 0, "nonce": nonce, "mac": nonce + 20, "ciphertext": ciphertext, "tag": -1}
    if where == "truncated":
        sealed = sealed[: crypto.SEALED_HEADER_BYTES + 10]
    else:
        sealed[offsets[where]] ^= 0x40

    with pytest.raises(crypto.SealBroken) as broken:
        crypto.unseal(key, bytes(sealed), MANIFEST)

    assert broken.value.entry == "secrets.enc"


def test_kdf_spec_survives_the_manifest_round_trip() -> None:
    original = crypto.KdfSpec.new(crypto.DEFAULT_COST)

    parsed = crypto.KdfSpec.from_manifest(original.to_manifest(), "b.octobundle")

    assert parsed == original
    assert len(original.salt) == 16
    assert crypto.KdfSpec.new().salt != original.salt


def test_default_cost_is_inside_the_bounds_the_reader_accepts() -> None:
    assert crypto.DEFAULT_COST.memory_bytes == 128 * 1024 * 1024
    assert crypto.KdfSpec.from_manifest(crypto.KdfSpec.new().to_manifest(), "b").cost == crypto.DEFAULT_COST


def manifest_kdf(**changes: Any) -> dict[str, Any]:
    raw = crypto.KdfSpec(salt=b"s" * 16, cost=crypto.DEFAULT_COST).to_manifest()
    params = {**raw["params"], **changes.pop("params", {})}
    return {**raw, "params": params, **changes}


@pytest.mark.parametrize(
    "raw",
    [
        manifest_kdf(params={"n": 2**31}),
        manifest_kdf(params={"n": 2**18, "r": 16}),  # 512 MiB
        manifest_kdf(params={"p": 16}),  # 16x the default work
        manifest_kdf(params={"n": 3}),
        manifest_kdf(params={"n": 2**9}),
        manifest_kdf(params={"r": True}),
        manifest_kdf(params={"p": "1"}),
        manifest_kdf(params={"length": 16}),
        manifest_kdf(salt=base64.b64encode(b"short").decode()),
        manifest_kdf(salt="not base64!"),
        {**manifest_kdf(), "params": None},
        "scrypt",
    ],
)
def test_absurd_or_malformed_kdf_parameters_are_refused(raw: Any) -> None:
    with pytest.raises(BundleDamaged):
        crypto.KdfSpec.from_manifest(raw, "b.octobundle")


def test_unknown_algorithm_is_unsupported() -> None:
    with pytest.raises(UnsupportedBundle, match="'pbkdf2'"):
        crypto.KdfSpec.from_manifest(manifest_kdf(algorithm="pbkdf2"), "b.octobundle")

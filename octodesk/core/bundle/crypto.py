"""Password-based encryption of a bundle's sensitive values.

Key: scrypt over the bundle password with a random salt. scrypt rather than Argon2id because every
``cryptography`` release OctoDesk supports has it (Argon2id needs cryptography 44+ on OpenSSL 3.2+), so
a bundle written by one install can be opened by any other. Cipher: AES-256-GCM with a random 96-bit nonce.

Measured on the reference machine (2 cores, cryptography 50): scrypt n=2**16 r=8 costs ~0.22 s, n=2**17 r=8
~0.41 s. The default is n=2**17, r=8, p=1 (128 MiB), so one derivation costs at least 0.25 s there.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import unicodedata
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from octodesk.core.errors import BundleDamaged, UnsupportedBundle

KEY_BYTES = 32
NONCE_BYTES = 12
SALT_BYTES = 16
MAC_BYTES = 32
KEY_CHECK_LABEL = b"octodesk key check"
MANIFEST_MAC_LABEL = b"octodesk manifest mac\x00"

# secrets.enc = MAGIC | SHA-256 of the KDF spec | key check | nonce | HMAC(key, manifest bytes) | AES-GCM
# ciphertext and tag. The fingerprint, key check and manifest MAC are diagnostics only: they tell a changed
# KDF parameter, a secrets.enc sealed under another password and a changed manifest from a wrong password.
# GCM (with the manifest's hash as associated data) is what protects both entries.
SEALED_MAGIC = b"ODSEC\x00v2"
FINGERPRINT_BYTES = 32
SEALED_HEADER_BYTES = len(SEALED_MAGIC) + FINGERPRINT_BYTES + MAC_BYTES + NONCE_BYTES + MAC_BYTES
GCM_TAG_BYTES = 16

SCRYPT = "scrypt"


@dataclass(frozen=True)
class ScryptCost:
    n: int
    r: int
    p: int

    @property
    def memory_bytes(self) -> int:
        return 128 * self.n * self.r

    @property
    def work(self) -> int:
        return self.n * self.r * self.p


DEFAULT_COST = ScryptCost(n=2**17, r=8, p=1)
# A bundle is hostile input: its KDF parameters are bounded so it cannot make us allocate gigabytes or spin
# for minutes. The ceiling allows up to 2x the default's memory and 8x its work; the floor refuses nonsense.
MIN_COST = ScryptCost(n=2**10, r=1, p=1)
MAX_MEMORY_BYTES = 2 * DEFAULT_COST.memory_bytes
MAX_WORK = 8 * DEFAULT_COST.work
MAX_R = 32
MAX_P = 16
MIN_SALT_BYTES = 16
MAX_SALT_BYTES = 64


@dataclass(frozen=True)
class KdfSpec:
    """The key-derivation recipe recorded in a bundle's manifest."""

    salt: bytes
    cost: ScryptCost
    algorithm: str = SCRYPT

    @classmethod
    def new(cls, cost: ScryptCost = DEFAULT_COST) -> KdfSpec:
        return cls(salt=os.urandom(SALT_BYTES), cost=cost)

    def fingerprint(self) -> bytes:
        """SHA-256 of the recipe: recorded in secrets.enc, so a changed parameter is named as such."""
        recipe = (self.algorithm, self.salt.hex(), self.cost.n, self.cost.r, self.cost.p, KEY_BYTES)
        return hashlib.sha256(repr(recipe).encode("ascii")).digest()

    def to_manifest(self) -> dict[str, Any]:
        return {
            "algorithm": self.algorithm,
            "salt": base64.b64encode(self.salt).decode("ascii"),
            "params": {"n": self.cost.n, "r": self.cost.r, "p": self.cost.p, "length": KEY_BYTES},
        }

    @classmethod
    def from_manifest(cls, raw: object, bundle_name: str) -> KdfSpec:
        """Parse and bound-check the manifest's ``kdf``; absurd values are refused as damaged or hostile."""
        if not isinstance(raw, dict):
            raise BundleDamaged(f"{bundle_name} is damaged: its manifest has no key-derivation parameters.")
        algorithm = raw.get("algorithm")
        if algorithm != SCRYPT:
            raise UnsupportedBundle(
                f"{bundle_name} uses the key derivation {_printable(algorithm)}, which this OctoDesk "
                f"does not support (it reads {SCRYPT} bundles)."
            )
        try:
            salt = base64.b64decode(str(raw.get("salt", "")), validate=True)
        except (binascii.Error, ValueError):
            salt = b""
        params = raw.get("params")
        if not isinstance(params, dict):
            params = {}
        n, r, p, length = (params.get(name) for name in ("n", "r", "p", "length"))
        if not all(type(value) is int for value in (n, r, p, length)):
            raise BundleDamaged(f"{bundle_name} is damaged: its key-derivation parameters are not numbers.")
        assert isinstance(n, int) and isinstance(r, int) and isinstance(p, int)
        cost = ScryptCost(n=n, r=r, p=p)
        if (
            not _cost_is_sane(cost)
            or length != KEY_BYTES
            or not MIN_SALT_BYTES <= len(salt) <= MAX_SALT_BYTES
        ):
            raise BundleDamaged(
                f"{bundle_name} asks for key-derivation parameters outside safe bounds "
                f"(scrypt n={n}, r={r}, p={p}, key length {length}, salt {len(salt)} bytes); "
                "refused as damaged or hostile."
            )
        return cls(salt=salt, cost=cost)


def _cost_is_sane(cost: ScryptCost) -> bool:
    power_of_two = cost.n > 1 and cost.n & (cost.n - 1) == 0
    return (
        power_of_two
        and MIN_COST.n <= cost.n
        and MIN_COST.r <= cost.r <= MAX_R
        and MIN_COST.p <= cost.p <= MAX_P
        and cost.memory_bytes <= MAX_MEMORY_BYTES
        and cost.work <= MAX_WORK
    )


def _printable(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def password_bytes(password: str) -> bytes:
    """NFC, so the same typed password matches across platforms' input methods; surrogatepass, so a password
    read from an environment variable holding invalid UTF-8 (decoded with surrogateescape) still encodes."""
    return unicodedata.normalize("NFC", password).encode("utf-8", "surrogatepass")


def derive_key(password: str, spec: KdfSpec) -> bytes:
    kdf = Scrypt(salt=spec.salt, length=KEY_BYTES, n=spec.cost.n, r=spec.cost.r, p=spec.cost.p)
    return kdf.derive(password_bytes(password))


def key_check(key: bytes) -> str:
    """Derived from the key and stored in the manifest: tells a wrong password apart from tampering.

    It is an HMAC under the scrypt output, so testing a guessed password against it costs one full key
    derivation at the bundle's cost, exactly like trying the guess on secrets.enc: it reveals nothing more.
    """
    return base64.b64encode(_key_check_bytes(key)).decode("ascii")


def _key_check_bytes(key: bytes) -> bytes:
    return hmac.new(key, KEY_CHECK_LABEL, hashlib.sha256).digest()


def key_matches(key: bytes, expected: object) -> bool:
    if not isinstance(expected, str) or not expected.isascii():  # compare_digest refuses non-ASCII text
        return False
    return hmac.compare_digest(key_check(key), expected)


@dataclass(frozen=True)
class SealHeader:
    """What secrets.enc says about how it was sealed, readable without the password."""

    kdf_fingerprint: bytes
    key_check: str

    @classmethod
    def parse(cls, sealed: bytes) -> SealHeader:
        if len(sealed) < SEALED_HEADER_BYTES + GCM_TAG_BYTES or not sealed.startswith(SEALED_MAGIC):
            raise SealBroken("secrets.enc")
        offset = len(SEALED_MAGIC)
        fingerprint = sealed[offset : offset + FINGERPRINT_BYTES]
        check = sealed[offset + FINGERPRINT_BYTES : offset + FINGERPRINT_BYTES + MAC_BYTES]
        return cls(fingerprint, base64.b64encode(check).decode("ascii"))


def _manifest_mac(key: bytes, manifest_bytes: bytes) -> bytes:
    return hmac.new(key, MANIFEST_MAC_LABEL + manifest_bytes, hashlib.sha256).digest()


def seal(key: bytes, plaintext: bytes, manifest_bytes: bytes, kdf: KdfSpec) -> bytes:
    """Encrypt ``plaintext`` bound to the exact manifest bytes (their SHA-256 is the associated data);
    ``kdf`` is the recipe ``key`` was derived with."""
    nonce = os.urandom(NONCE_BYTES)
    associated = hashlib.sha256(manifest_bytes).digest()
    ciphertext = AESGCM(key).encrypt(nonce, plaintext, associated)
    header = SEALED_MAGIC + kdf.fingerprint() + _key_check_bytes(key)
    return header + nonce + _manifest_mac(key, manifest_bytes) + ciphertext


class SealBroken(Exception):
    """Raised by :func:`unseal`; ``entry`` names what was changed ("manifest.json" or "secrets.enc")."""

    def __init__(self, entry: str) -> None:
        super().__init__(entry)
        self.entry = entry


def unseal(key: bytes, sealed: bytes, manifest_bytes: bytes) -> bytes:
    """Decrypt with the right key; raises :class:`SealBroken` naming the changed entry on any mismatch."""
    SealHeader.parse(sealed)
    offset = len(SEALED_MAGIC) + FINGERPRINT_BYTES + MAC_BYTES
    nonce = sealed[offset : offset + NONCE_BYTES]
    stored_mac = sealed[offset + NONCE_BYTES : SEALED_HEADER_BYTES]
    ciphertext = sealed[SEALED_HEADER_BYTES:]
    manifest_intact = hmac.compare_digest(stored_mac, _manifest_mac(key, manifest_bytes))
    try:
        plaintext = AESGCM(key).decrypt(nonce, ciphertext, hashlib.sha256(manifest_bytes).digest())
    except InvalidTag:
        raise SealBroken("secrets.enc" if manifest_intact else "manifest.json") from None
    if not manifest_intact:  # the ciphertext and manifest are authentic, so the stored MAC bytes were changed
        raise SealBroken("secrets.enc")
    return plaintext

"""Binary assets the demo needs, generated at build time: a project logo (PNG) and a certificate (PFX)."""

from __future__ import annotations

import base64
import datetime
import struct
import zlib

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def logo_png(size: int = 32, colour: tuple[int, int, int] = (0x1F, 0x6F, 0xB5)) -> bytes:
    """A real RGB PNG: a coloured tile with a lighter diagonal band, as a project logo."""
    red, green, blue = colour
    light = bytes((min(red + 90, 255), min(green + 90, 255), min(blue + 90, 255)))
    dark = bytes((red, green, blue))
    rows = bytearray()
    for y in range(size):
        rows.append(0)  # filter type "None" for this scanline
        for x in range(size):
            rows += light if abs(x - y) < size // 6 else dark
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + _png_chunk(b"IEND", b"")
    )


def self_signed_pfx(common_name: str, password: str, *, days: int = 730) -> str:
    """A self-signed certificate with its private key, as a password-protected PFX, base64-encoded."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "GB"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Acme Retail Ltd"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(common_name)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    pfx = pkcs12.serialize_key_and_certificates(
        common_name.encode(),
        key,
        certificate,
        None,
        serialization.BestAvailableEncryption(password.encode()),
    )
    return base64.b64encode(pfx).decode("ascii")

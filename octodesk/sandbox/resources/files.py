"""Binary payloads: multipart logo uploads, default logos, certificate files (parsed with cryptography)."""

from __future__ import annotations

import base64
import binascii
import email.parser
import email.policy
import hashlib
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from ..errors import ApiError, bad_request
from ..http_types import Request, Response
from ..store import Store

# A 1x1 transparent PNG: what a project without an uploaded logo serves.
DEFAULT_LOGO = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def multipart_field(request: Request, field: str) -> tuple[str, bytes]:
    """(content type, bytes) of the form-data part named ``field``; 400 when the body has no such part."""
    _filename, content_type, data = multipart_file(request, field)
    return content_type, data


def multipart_file(request: Request, field: str) -> tuple[str, str, bytes]:
    """(file name, content type, bytes) of the form-data part named ``field``; 400 when there is none."""
    if not request.content_type.lower().startswith("multipart/form-data"):
        raise ApiError(400, f"The request must be multipart/form-data with the file in the '{field}' part.")
    header = f"Content-Type: {request.content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(header + request.raw)
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == field:
            payload = part.get_payload(decode=True)
            filename = part.get_filename() or ""
            return filename, part.get_content_type(), payload if isinstance(payload, bytes) else b""
    raise ApiError(400, f"No file was uploaded: the multipart body has no '{field}' part.")


def store_logo(store: Store, owner_id: str, request: Request) -> None:
    content_type, data = multipart_field(request, "fileData")
    if not data:
        raise ApiError(400, "The uploaded logo is empty.")
    with store.lock:
        store.logos[owner_id] = (content_type, data)


def logo_response(store: Store, owner_id: str) -> Response:
    content_type, data = store.logos.get(owner_id, ("image/png", DEFAULT_LOGO))
    return Response(200, data, content_type=content_type)


def _decode_certificate_data(value: Any) -> bytes:
    if isinstance(value, dict):
        value = value.get("NewValue")
    if not isinstance(value, str) or not value:
        raise bad_request(["The CertificateData field is required (base64 of a PFX, or PEM text)."])
    if "-----BEGIN" in value:
        return value.encode()
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as error:
        raise bad_request(["CertificateData is neither PEM nor valid base64."]) from error


def read_certificate(data_value: Any, password_value: Any) -> tuple[dict[str, Any], str, bytes, bytes]:
    """The read-only fields Octopus derives from a certificate file, its format, the raw file bytes and the
    public certificate chain as PEM."""
    raw = _decode_certificate_data(data_value)
    password = password_value.get("NewValue") if isinstance(password_value, dict) else password_value
    secret = password.encode() if isinstance(password, str) and password else None
    has_key = False
    chain: list[x509.Certificate] = []
    if raw.lstrip().startswith(b"-----BEGIN"):
        fmt = "Pem"
        try:
            certs = x509.load_pem_x509_certificates(raw)
        except ValueError as error:
            raise bad_request(["The PEM certificate could not be read."]) from error
        cert, chain = certs[0], certs[1:]
        has_key = b"PRIVATE KEY-----" in raw
    else:
        try:
            key, loaded, extra = pkcs12.load_key_and_certificates(raw, secret)
            fmt = "Pkcs12"
        except ValueError:
            try:
                loaded, key, extra, fmt = x509.load_der_x509_certificate(raw), None, [], "Der"
            except ValueError as error:
                raise bad_request(
                    [
                        "The certificate file could not be read: wrong password or not a "
                        "PFX/PEM/DER certificate."
                    ]
                ) from error
        if loaded is None:
            raise bad_request(["The PFX file contains no certificate."])
        cert, chain, has_key = loaded, list(extra), key is not None
    der = cert.public_bytes(serialization.Encoding.DER)
    not_after = cert.not_valid_after_utc
    fields = {
        "CertificateDataFormat": fmt,
        "Thumbprint": hashlib.sha1(der).hexdigest().upper(),
        "SubjectDistinguishedName": cert.subject.rfc4514_string(),
        "SubjectCommonName": _common_name(cert.subject),
        "IssuerDistinguishedName": cert.issuer.rfc4514_string(),
        "IssuerCommonName": _common_name(cert.issuer),
        "SelfSigned": cert.subject == cert.issuer,
        "NotBefore": cert.not_valid_before_utc.isoformat(),
        "NotAfter": not_after.isoformat(),
        "IsExpired": not_after < datetime.now(UTC),
        "HasPrivateKey": has_key,
        "SerialNumber": format(cert.serial_number, "X"),
        "SignatureAlgorithmName": getattr(cert.signature_algorithm_oid, "_name", "unknown"),
        "SubjectAlternativeNames": [],
        "CertificateChain": [
            {
                "Thumbprint": hashlib.sha1(c.public_bytes(serialization.Encoding.DER)).hexdigest().upper(),
                "SubjectDistinguishedName": c.subject.rfc4514_string(),
            }
            for c in chain
        ],
    }
    public_pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in [cert, *chain])
    return fields, fmt, raw, public_pem


def _common_name(name: x509.Name) -> str | None:
    values = name.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(values[0].value) if values else None


def export_certificate(fmt: str, raw: bytes, public_pem: bytes, include_private_key: bool) -> Response:
    """The stored file with its key when asked for; otherwise the public certificate chain as PEM."""
    if include_private_key:
        content_type = {"Pkcs12": "application/x-pkcs12", "Pem": "application/x-pem-file"}.get(
            fmt, "application/pkix-cert"
        )
        return Response(200, raw, content_type=content_type)
    return Response(200, public_pem, content_type="application/x-pem-file")

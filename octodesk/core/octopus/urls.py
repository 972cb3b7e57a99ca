"""Server URLs as OctoDesk stores and shows them: never with credentials, and plain http:// called out.

An address typed as ``https://user:secret@host`` would carry ``secret`` into the bundle's manifest, reports,
the import journal, settings and messages. OctoDesk authenticates with an API key only, so the user-info
part is dropped wherever a URL enters (its password is registered as a secret, so logs mask it too).
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import unquote, urlsplit

from octodesk.core.redact import register_secret

# scheme://user-info@ — matched on the raw text, so a URL too broken to parse is cleaned as well.
_USER_INFO = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<info>[^/?#]*)@")


def strip_credentials(url: str) -> str:
    """``url`` without a ``user:password@`` part; anything else unchanged."""
    match = _USER_INFO.match(url)
    if match is None:
        return url
    _, _, password = match.group("info").partition(":")
    register_secret(unquote(password))
    register_secret(password)
    return match.group("scheme") + url[match.end() :]


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def plain_http_warning(url: str) -> str | None:
    """A warning when an API key sent to ``url`` would cross the network unencrypted, else None."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme.lower() != "http" or is_loopback(host):
        return None
    return (
        f"{url} is plain http://: the API key and everything read or written travel unencrypted to {host}. "
        "Use https:// unless this network is trusted."
    )

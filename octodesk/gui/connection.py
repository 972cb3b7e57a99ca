"""A connection to one Octopus Server space, as the GUI holds it, and the background server check."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from octodesk.core.cancel import CancelToken
from octodesk.core.errors import InvalidServerUrl
from octodesk.core.octopus.urls import plain_http_warning
from octodesk.core.redact import register_secret

if TYPE_CHECKING:
    from octodesk.core.octopus.client import OctopusClient

log = logging.getLogger(__name__)


def validate_server_url(text: str) -> str:
    """The URL without trailing slash, or InvalidServerUrl saying what is wrong with it."""
    url = text.strip().rstrip("/")
    if not url:
        raise InvalidServerUrl("Enter the server URL, e.g. https://octopus.example.com")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise InvalidServerUrl("The URL must start with https:// (or http://).")
    if not parts.hostname:
        raise InvalidServerUrl("The URL has no host name.")
    try:
        parts.port  # noqa: B018 - raises ValueError for a non-numeric or out-of-range port
    except ValueError:
        raise InvalidServerUrl("The URL's port is not a number between 1 and 65535.") from None
    if parts.query or parts.fragment:
        raise InvalidServerUrl("The URL must not contain ? or #.")
    return url


@dataclass
class ServerProbe:
    """What the server said during "Test connection"."""

    url: str
    version: str
    hosting: str
    spaces: list[str] = field(default_factory=list)


def hosting_label(hosting: str) -> str:
    return {"OctopusCloud": "Octopus Cloud", "SelfHosted": "Self-hosted"}.get(hosting, hosting or "unknown")


def verify_option(verify_tls: bool, ca_file: str) -> bool | str:
    if not verify_tls:
        return False
    return ca_file or True


def probe_server(
    url: str, api_key: str, verify: bool | str, cancel: CancelToken | None = None
) -> ServerProbe:
    """Blocking: server info and the spaces the key can see. Raises the core's typed errors."""
    from octodesk.core.octopus.client import OctopusClient

    register_secret(api_key)
    with OctopusClient(url, api_key, verify=verify, timeout=30.0, max_retries=1, cancel=cancel) as client:
        warning = plain_http_warning(client.server_url)
        if warning:
            log.warning("%s", warning)
        info = client.server_info()
        spaces = sorted(str(space["Name"]) for space in client.list_spaces())
    return ServerProbe(client.server_url, info.version, info.hosting, spaces)


@dataclass
class Connection:
    """A tested connection: server, key, TLS choice, chosen space."""

    url: str
    api_key: str = field(repr=False)
    space: str
    version: str = ""
    hosting: str = ""
    verify_tls: bool = True
    ca_file: str = ""

    @property
    def verify(self) -> bool | str:
        return verify_option(self.verify_tls, self.ca_file)

    @property
    def hosting_label(self) -> str:
        return hosting_label(self.hosting)

    def open_client(self, cancel: CancelToken | None = None, **options: Any) -> OctopusClient:
        from octodesk.core.octopus.client import OctopusClient

        return OctopusClient(self.url, self.api_key, verify=self.verify, cancel=cancel, **options)

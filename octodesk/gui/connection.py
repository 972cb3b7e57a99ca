"""A connection to one Octopus Server space, as the app holds it after "Test connection" succeeded."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from octodesk.core.cancel import CancelToken
from octodesk.core.octopus.probe import ServerProbe, probe_server
from octodesk.render import hosting_label

if TYPE_CHECKING:
    from octodesk.core.octopus.client import OctopusClient

log = logging.getLogger(__name__)


def verify_option(verify_tls: bool, ca_file: str) -> bool | str:
    if not verify_tls:
        return False
    return ca_file or True


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

    @classmethod
    def from_probe(cls, probe: ServerProbe, api_key: str, space: str, **tls: Any) -> Connection:
        return cls(probe.url, api_key, space, probe.version, str(probe.hosting), **tls)

    @property
    def verify(self) -> bool | str:
        return verify_option(self.verify_tls, self.ca_file)

    @property
    def hosting_label(self) -> str:
        return hosting_label(self.hosting)

    def same_space(self, other: Connection | None) -> bool:
        return other is not None and (self.url.lower(), self.space) == (other.url.lower(), other.space)

    def open_client(self, cancel: CancelToken | None = None, **options: Any) -> OctopusClient:
        from octodesk.core.octopus.client import OctopusClient

        return OctopusClient(self.url, self.api_key, verify=self.verify, cancel=cancel, **options)


def connect_to(url: str, api_key: str, space: str | None = None) -> Connection:
    """Blocking: a tested connection (the space named, else "Default", else the first the key sees)."""
    probe = probe_server(url, api_key)
    chosen = space or ("Default" if "Default" in probe.spaces else probe.spaces[0])
    return Connection.from_probe(probe, api_key, chosen)

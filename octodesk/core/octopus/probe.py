""" "Test connection": what a server says about itself and the spaces an API key can see, in few requests."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from octodesk.core.cancel import CancelToken
from octodesk.core.octopus.client import OctopusClient
from octodesk.core.octopus.urls import plain_http_warning
from octodesk.core.redact import register_secret
from octodesk.core.vocabulary import Hosting


@dataclass(frozen=True)
class ServerProbe:
    url: str  # normalised
    version: str
    hosting: Hosting
    spaces: list[str] = field(default_factory=list)  # sorted by name
    warning: str = ""  # e.g. the API key would cross the network unencrypted (plain http:// to another host)


log = logging.getLogger(__name__)


def probe_server(
    url: str, api_key: str, verify: bool | str = True, cancel: CancelToken | None = None
) -> ServerProbe:
    """Blocking: server info and the spaces the key can see. Raises the core's typed errors.

    One attempt per request and a short timeout: the user is waiting on a "Test connection" button.
    """
    register_secret(api_key)
    with OctopusClient(url, api_key, verify=verify, timeout=30.0, max_retries=1, cancel=cancel) as client:
        warning = plain_http_warning(client.server_url) or ""
        if warning:
            log.warning("%s", warning)
        info = client.server_info()
        spaces = sorted(str(space["Name"]) for space in client.list_spaces())
    return ServerProbe(client.server_url, info.version, info.hosting, spaces, warning)

"""``octodesk gui --sandbox``: two embedded sandbox servers (a demo source, an empty target), connected."""

from __future__ import annotations

import logging
from typing import Any

from octodesk.gui.connection import Connection, connect_to

log = logging.getLogger(__name__)


class SandboxSession:
    """Owns the two servers: ``start()`` on a worker thread, ``stop()`` on exit."""

    def __init__(self, source_dataset: str = "demo", target_dataset: str = "empty", **options: Any) -> None:
        self.source_dataset = source_dataset
        self.target_dataset = target_dataset
        self.options = options
        self.servers: list[Any] = []

    def start(self) -> tuple[Connection, Connection]:
        from octodesk.sandbox import SandboxServer

        try:
            for dataset in (self.source_dataset, self.target_dataset):
                server = SandboxServer(dataset=dataset, **self.options)
                server.start()
                self.servers.append(server)
                log.info("Sandbox (%s) listening on %s", dataset, server.url)
            return self._connection(self.servers[0]), self._connection(self.servers[1])
        except BaseException:
            self.stop()
            raise

    @staticmethod
    def _connection(server: Any) -> Connection:
        return connect_to(server.url, server.api_key)

    def stop(self) -> None:
        while self.servers:
            server = self.servers.pop()
            try:
                server.stop()
            except Exception as error:  # stopping must never prevent the app from exiting
                log.warning("Could not stop a sandbox server: %s", error)

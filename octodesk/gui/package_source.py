"""The source server's built-in feed as the app's import reads it. The plan and the import are separate jobs
on the worker thread, each with its own cancel token, so the source client cannot be opened once for both:
each job gets its own ``LivePackageSource``, which opens the client when the first package is read (a plan,
or an import that copies nothing, sends the source no request) and is closed when its job ends."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from octodesk.core.cancel import CancelToken
from octodesk.core.packages.transfer import ChunkStream, ServerSource
from octodesk.core.packages.versions import PackageVersion
from octodesk.gui.connection import Connection

if TYPE_CHECKING:
    from octodesk.core.octopus.client import OctopusClient


class LivePackageSource:
    """A ``PackageSource`` over a connection; safe to open from the copier's parallel threads."""

    def __init__(self, connection: Connection, cancel: CancelToken | None = None) -> None:
        self.connection = connection
        self.cancel = cancel
        self.description = f"the source server {connection.url}"
        self.verifies_contents = False  # a server's file: the upload checks its SHA-1 as it goes
        self._lock = threading.Lock()
        self._client: OctopusClient | None = None
        self._feed: ServerSource | None = None

    @property
    def opened(self) -> bool:
        return self._client is not None

    def _server_source(self) -> ServerSource:
        with self._lock:
            if self._feed is None:
                client = self.connection.open_client(cancel=self.cancel)
                try:
                    space_id = str(client.resolve_space(self.connection.space)["Id"])
                except BaseException:
                    client.close()
                    raise
                self._client, self._feed = client, ServerSource(client, space_id)
            return self._feed

    @contextmanager
    def open(self, version: PackageVersion) -> Iterator[ChunkStream]:
        with self._server_source().open(version) as stream:
            yield stream

    def close(self) -> None:
        with self._lock:
            client, self._client, self._feed = self._client, None, None
        if client is not None:
            client.close()

"""An Octopus-compatible HTTP server for loopback: the stand-in for Octopus Server in tests and demos.

Never imports ``octodesk.core``: it is a second, independent reading of the Octopus REST API.
"""

from __future__ import annotations

from .server import SandboxServer

__all__ = ["SandboxServer"]

"""The app's settings as one typed object: a JSON file in the config folder, written atomically.

API keys never go here; they live in the OS keyring (see ``keystore``).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from octodesk.core import paths
from octodesk.core.errors import InvalidServerUrl
from octodesk.core.octopus.http import normalise_server_url
from octodesk.core.octopus.urls import strip_credentials

log = logging.getLogger(__name__)

SETTINGS_FILE = "settings.json"
MAX_RECENT_SERVERS = 8


def same_server(first: str, second: str) -> bool:
    """The same server however typed (``https://Host/api/`` is ``https://host``), by the engine's rules."""

    def key(url: str) -> str:
        try:
            return normalise_server_url(url).lower()
        except InvalidServerUrl:
            return url.strip().rstrip("/").lower()

    return key(first) == key(second)


@dataclass
class RecentServer:
    url: str
    space: str = ""
    verify_tls: bool = True
    ca_file: str = ""
    remember_key: bool = False


@dataclass
class Settings:
    recent_servers: list[RecentServer] = field(default_factory=list)
    window_geometry: str = ""  # base64 of QWidget.saveGeometry()
    window_state: str = ""  # base64 of QMainWindow.saveState()
    last_bundle_dir: str = ""
    bundles_dir: str = ""  # where migrations keep their bundles; "" for the app's data folder
    hint_used: bool = False  # the first-run hint stays until an operation was started

    @classmethod
    def location(cls) -> Path:
        return paths.config_dir() / SETTINGS_FILE

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        """The saved settings; defaults when the file is missing or unreadable (logged, never fatal)."""
        path = path or cls.location()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as error:
            log.warning("Ignoring unreadable settings file %s: %s", path, error)
            return cls()
        if not isinstance(raw, dict):
            return cls()
        recent = []
        for entry in raw.get("recent_servers", []):
            if isinstance(entry, dict) and isinstance(entry.get("url"), str):
                known = {k: v for k, v in entry.items() if k in RecentServer.__dataclass_fields__}
                known["url"] = strip_credentials(entry["url"])  # older versions kept what was typed
                recent.append(RecentServer(**known))
        return cls(
            recent_servers=recent[:MAX_RECENT_SERVERS],
            window_geometry=str(raw.get("window_geometry", "")),
            window_state=str(raw.get("window_state", "")),
            last_bundle_dir=str(raw.get("last_bundle_dir", "")),
            bundles_dir=str(raw.get("bundles_dir", "")),
            hint_used=raw.get("hint_used") is True,
        )

    def bundle_folder(self) -> Path:
        """The folder migrations write their bundles to (created when missing)."""
        if self.bundles_dir:
            folder = Path(self.bundles_dir)
            folder.mkdir(parents=True, exist_ok=True)
            return folder
        return paths.bundles_dir()

    def save(self, path: Path | None = None) -> None:
        """Write to a temporary file in the same folder, then rename over the old one."""
        path = path or self.location()
        path.parent.mkdir(parents=True, exist_ok=True)
        data: dict[str, Any] = asdict(self)
        fd, temp_name = tempfile.mkstemp(prefix=".settings-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=2)
            os.replace(temp_name, path)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise

    def remember_server(self, server: RecentServer) -> None:
        """Put ``server`` first in the recent list, replacing an older entry for the same URL."""
        others = [s for s in self.recent_servers if not same_server(s.url, server.url)]
        self.recent_servers = [server, *others][:MAX_RECENT_SERVERS]

    def find_server(self, url: str) -> RecentServer | None:
        for server in self.recent_servers:
            if same_server(server.url, url):
                return server
        return None

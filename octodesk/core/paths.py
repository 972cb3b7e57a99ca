"""Where OctoDesk keeps its files. Tests (and users) can move them with environment variables.

Every folder is created 0700; the default ones are made 0700 if an older version left them open.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from octodesk.core.files import private_folder

APP_NAME = "octodesk"


def _dir(env_var: str, default: str) -> Path:
    chosen = os.environ.get(env_var)
    return private_folder(Path(chosen or default), ours=not chosen)


def config_dir() -> Path:
    return _dir("OCTODESK_CONFIG_DIR", platformdirs.user_config_dir(APP_NAME))


def data_dir() -> Path:
    return _dir("OCTODESK_DATA_DIR", platformdirs.user_data_dir(APP_NAME))


def log_dir() -> Path:
    return _dir("OCTODESK_LOG_DIR", platformdirs.user_log_dir(APP_NAME))


def journal_dir() -> Path:
    return _dir("OCTODESK_JOURNAL_DIR", str(data_dir() / "journals"))


def bundles_dir() -> Path:
    """Where the app keeps the bundles a migration writes on the way (the user may choose another)."""
    return _dir("OCTODESK_BUNDLES_DIR", str(data_dir() / "bundles"))

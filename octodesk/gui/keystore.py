"""API keys in the OS keyring, behind a small interface with a visible fallback: never in settings files."""

from __future__ import annotations

import logging

import keyring
import keyring.errors
from keyring.backends import fail

from octodesk.core.errors import OctoDeskError
from octodesk.core.redact import register_secret

log = logging.getLogger(__name__)

SERVICE = "octodesk"


class KeyringUnavailable(OctoDeskError):
    """No usable OS keyring: the key can still be used for this session, but it is not remembered."""


NO_BACKEND_MESSAGE = (
    "No system keyring is available, so the API key cannot be remembered. "
    "It is used for this session only; enter it again next time."
)


def _username(server_url: str) -> str:
    return server_url.rstrip("/").lower()


def keyring_available() -> bool:
    backend = keyring.get_keyring()
    return not isinstance(backend, fail.Keyring) and getattr(backend, "priority", 1) > 0


def save_api_key(server_url: str, api_key: str) -> None:
    if not keyring_available():
        raise KeyringUnavailable(NO_BACKEND_MESSAGE)
    try:
        keyring.set_password(SERVICE, _username(server_url), api_key)
    except keyring.errors.KeyringError as error:
        raise KeyringUnavailable(f"The system keyring refused to store the API key: {error}") from None


def load_api_key(server_url: str) -> str | None:
    if not keyring_available():
        return None
    try:
        key = keyring.get_password(SERVICE, _username(server_url))
    except keyring.errors.KeyringError as error:
        log.warning("Could not read the API key from the system keyring: %s", error)
        return None
    register_secret(key)
    return key


def forget_api_key(server_url: str) -> None:
    if not keyring_available():
        return
    try:
        keyring.delete_password(SERVICE, _username(server_url))
    except keyring.errors.PasswordDeleteError:
        pass
    except keyring.errors.KeyringError as error:
        log.warning("Could not remove the API key from the system keyring: %s", error)

"""API keys in the OS keyring, behind a small interface with a visible fallback: never in settings files.

Only the operating system's own credential stores count as a keyring: macOS Keychain, Windows Credential
Locker, the Secret Service (GNOME Keyring, KeePassXC, ...) and KWallet. Other ``keyring`` backends, such as
keyrings.alt's PlaintextKeyring (common on Linux, it writes keys base64-encoded to a file), file-based or
null ones, are refused with a message saying why: the key is then used for the session only.
"""

from __future__ import annotations

import logging

import keyring
import keyring.errors
from keyring.backend import KeyringBackend
from keyring.backends import chainer

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
# The backends that keep secrets in the operating system's credential store (keyring 24-25 module paths).
OS_KEYRINGS = frozenset(
    {
        "keyring.backends.macOS.Keyring",
        "keyring.backends.Windows.WinVaultKeyring",
        "keyring.backends.SecretService.Keyring",
        "keyring.backends.libsecret.Keyring",
        "keyring.backends.kwallet.DBusKeyring",
        "keyring.backends.kwallet.DBusKeyringKWallet4",
    }
)


def _username(server_url: str) -> str:
    return server_url.rstrip("/").lower()


def _name(backend: KeyringBackend) -> str:
    return f"{type(backend).__module__}.{type(backend).__qualname__}"


def keyring_problem() -> str | None:
    """Why API keys cannot be remembered here, or None when the keyring is the system's own."""
    backend = keyring.get_keyring()
    # The chainer writes to the first of its backends that accepts: every one of them must be safe.
    members = list(backend.backends) if isinstance(backend, chainer.ChainerBackend) else [backend]
    usable = [member for member in members if getattr(member, "priority", 1) > 0]
    if not usable:
        return NO_BACKEND_MESSAGE
    for member in usable:
        if _name(member) not in OS_KEYRINGS:
            return (
                f"The keyring backend {_name(member)} is not the system's credential store (it would keep "
                "the API key in a plain file or nowhere), so the key is not remembered: it is used for this "
                "session only. Install a system keyring (Secret Service, KWallet) to remember it."
            )
    return None


def keyring_available() -> bool:
    return keyring_problem() is None


def save_api_key(server_url: str, api_key: str) -> None:
    problem = keyring_problem()
    if problem:
        raise KeyringUnavailable(problem)
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

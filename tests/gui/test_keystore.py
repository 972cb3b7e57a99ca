"""API keys go to the operating system's credential store or nowhere: plaintext and file keyrings are
refused with a message saying why (before: with keyrings.alt installed, keys were stored base64 in a file)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null

from octodesk.gui import keystore

KEY = "API-KEYSTORETEST0123456789"
URL = "https://octo.example.com"


class FakeSecretService(KeyringBackend):
    """In memory, but named like the Secret Service backend: what keystore checks is the backend's kind."""

    priority = 5
    stored: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.stored.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.stored[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.stored.pop((service, username), None)


FakeSecretService.__module__ = "keyring.backends.SecretService"
FakeSecretService.__qualname__ = "Keyring"


UseBackend = Callable[[KeyringBackend], KeyringBackend]


@pytest.fixture
def use_backend() -> Iterator[UseBackend]:
    previous = keyring.get_keyring()

    def use(backend: KeyringBackend) -> KeyringBackend:
        keyring.set_keyring(backend)
        return backend

    yield use
    keyring.set_keyring(previous)


def test_keyrings_alt_plaintext_file_is_refused_and_nothing_is_written(
    use_backend: UseBackend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file_module = pytest.importorskip("keyrings.alt.file", reason="keyrings.alt is a dev dependency")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    backend = use_backend(file_module.PlaintextKeyring())

    with pytest.raises(keystore.KeyringUnavailable) as refused:
        keystore.save_api_key(URL, KEY)

    assert "keyrings.alt.file.PlaintextKeyring is not the system's credential store" in str(refused.value)
    assert "used for this session only" in str(refused.value)
    assert Path(backend.file_path).is_relative_to(tmp_path) and not Path(backend.file_path).exists()
    assert keystore.load_api_key(URL) is None


def test_a_chain_with_a_plaintext_fallback_is_refused(use_backend: UseBackend, tmp_path: Path) -> None:
    file_module = pytest.importorskip("keyrings.alt.file", reason="keyrings.alt is a dev dependency")

    class Chain(chainer.ChainerBackend):
        backends = (FakeSecretService(), file_module.PlaintextKeyring())  # type: ignore[assignment]

    use_backend(Chain())

    assert "PlaintextKeyring is not the system's credential store" in (keystore.keyring_problem() or "")


@pytest.mark.parametrize(
    ("backend", "said"),
    [(null.Keyring(), "No system keyring"), (fail.Keyring(), "No system keyring")],
)
def test_null_and_failing_backends_are_refused(
    use_backend: UseBackend, backend: KeyringBackend, said: str
) -> None:
    use_backend(backend)

    assert not keystore.keyring_available()
    with pytest.raises(keystore.KeyringUnavailable, match=said):
        keystore.save_api_key(URL, KEY)


def test_the_system_credential_store_is_used(use_backend: UseBackend) -> None:
    use_backend(FakeSecretService())

    keystore.save_api_key(URL + "/", KEY)

    assert keystore.keyring_problem() is None
    assert FakeSecretService.stored[("octodesk", URL)] == KEY
    assert keystore.load_api_key(URL) == KEY
    keystore.forget_api_key(URL)
    assert keystore.load_api_key(URL) is None

"""Server URLs: credentials never stored or shown; plain http:// to another host is called out."""

from __future__ import annotations

import argparse
import json

import pytest

from octodesk.commands.common import make_client
from octodesk.core.errors import InvalidServerUrl
from octodesk.core.octopus.http import normalise_server_url
from octodesk.core.octopus.urls import plain_http_warning, strip_credentials
from octodesk.core.redact import redact
from octodesk.gui.settings import Settings


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("https://alice:s3cret-pw@octo.example.com/api/", "https://octo.example.com"),
        ("https://alice@octo.example.com:8443", "https://octo.example.com:8443"),
        ("http://a%40b:p%3Aw-xyz@127.0.0.1:8065/octopus", "http://127.0.0.1:8065/octopus"),
        ("https://octo.example.com/path@not-credentials", "https://octo.example.com/path@not-credentials"),
    ],
)
def test_credentials_are_dropped_from_every_server_url(typed: str, kept: str) -> None:
    assert normalise_server_url(typed) == kept


def test_a_broken_url_is_refused_without_repeating_its_credentials() -> None:
    with pytest.raises(InvalidServerUrl) as caught:
        normalise_server_url("http://carol:Pw-msg-9@[::1")

    assert "Pw-msg-9" not in str(caught.value) and "carol" not in str(caught.value)


def test_a_dropped_password_is_masked_in_logs_too() -> None:
    strip_credentials("https://dave:Hunter2-in-url@octo.example.com")

    assert (
        redact("retrying https://dave:Hunter2-in-url@octo.example.com")
        == "retrying https://dave:********@octo.example.com"
    )


def test_settings_written_by_an_older_version_lose_their_credentials(
    tmp_path: pytest.TempPathFactory,
) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"recent_servers": [{"url": "https://erin:Old-pw-77@octo.example.com"}]}))

    assert Settings.load(path).recent_servers[0].url == "https://octo.example.com"


@pytest.mark.parametrize(
    ("url", "warned"),
    [
        ("http://octo.example.com", True),
        ("http://10.1.2.3:8080", True),
        ("https://octo.example.com", False),
        ("http://127.0.0.1:8065", False),
        ("http://localhost:8065", False),
        ("http://[::1]:8065", False),
    ],
)
def test_plain_http_to_another_host_is_warned_about(url: str, warned: bool) -> None:
    warning = plain_http_warning(url)

    assert (warning is not None) == warned
    if warning:
        assert "the API key and everything read or written travel unencrypted" in warning


def test_the_command_line_warns_before_sending_the_key_over_plain_http(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KEY", "API-ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    args = argparse.Namespace(
        server="http://user:pw-in-url@octo.example.com", api_key_env="KEY", insecure=False, ca_bundle=None,
        timeout=5.0, concurrency=1,
    )  # fmt: skip

    with make_client(args) as client:  # no request is sent until the command uses the client
        assert client.request_count == 0

    err = capsys.readouterr().err
    assert err.startswith("octodesk: warning: http://octo.example.com is plain http://")
    assert "pw-in-url" not in err

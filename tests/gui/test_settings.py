from __future__ import annotations

import json
from pathlib import Path

import pytest

from octodesk.gui import keystore
from octodesk.gui.settings import MAX_RECENT_SERVERS, RecentServer, Settings


def test_settings_round_trip_in_config_dir(isolated_dirs: Path) -> None:
    settings = Settings()
    settings.remember_server(RecentServer("https://a.example.com", space="Default", verify_tls=False))
    settings.window_geometry = "AAAA"
    settings.save()

    assert Settings.location().parent == isolated_dirs / "config"
    loaded = Settings.load()
    assert loaded.recent_servers == [RecentServer("https://a.example.com", "Default", False, "", False)]
    assert loaded.window_geometry == "AAAA"
    assert not list(Settings.location().parent.glob(".settings-*")), "temporary file left behind"


def test_recent_servers_most_recent_first_without_duplicates() -> None:
    settings = Settings()
    for n in range(MAX_RECENT_SERVERS + 3):
        settings.remember_server(RecentServer(f"https://s{n}.example.com"))
    settings.remember_server(RecentServer("https://s5.example.com/", space="Ops"))
    urls = [s.url for s in settings.recent_servers]
    assert len(urls) == MAX_RECENT_SERVERS
    assert urls[0] == "https://s5.example.com/"
    assert sum("s5." in u for u in urls) == 1
    assert settings.find_server("https://s5.example.com").space == "Ops"  # type: ignore[union-attr]


def test_damaged_settings_file_gives_defaults() -> None:
    Settings.location().write_text("{not json")
    assert Settings.load() == Settings()


def test_api_key_is_never_written_to_settings() -> None:
    settings = Settings()
    settings.remember_server(RecentServer("https://a.example.com", remember_key=True))
    settings.save()
    assert "api_key" not in json.loads(Settings.location().read_text())["recent_servers"][0]


def test_no_keyring_backend_gives_a_clear_message() -> None:
    # tests/conftest.py selects keyring's "fail" backend
    assert not keystore.keyring_available()
    with pytest.raises(keystore.KeyringUnavailable, match="No system keyring"):
        keystore.save_api_key("https://a.example.com", "API-SECRET0000")
    assert keystore.load_api_key("https://a.example.com") is None


def test_a_recent_server_is_the_same_however_its_url_is_typed() -> None:
    from octodesk.gui.settings import RecentServer

    settings = Settings()
    settings.remember_server(RecentServer("https://octopus.example.com", "Default"))
    settings.remember_server(RecentServer("https://Octopus.Example.com/api/", "Platform"))
    assert [s.space for s in settings.recent_servers] == ["Platform"]
    assert settings.find_server("https://octopus.example.com/") is settings.recent_servers[0]

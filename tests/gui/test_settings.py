"""Settings: JSON in the config directory, atomic writes, corrupt files set aside."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gui.settings import Settings, SettingsStore, config_dir, from_json


def test_defaults_when_nothing_is_saved(tmp_path: Path) -> None:
    settings = SettingsStore(tmp_path).load()
    assert settings.language == "" and settings.scrollback == 10_000
    assert settings.tabs["tcp_server"].host == "0.0.0.0" and settings.tabs["tcp_client"].host == "127.0.0.1"


def test_round_trip_and_no_temp_files_left(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path / "deep" / "dir")
    settings = Settings(language="zh", width=900)
    settings.tabs["udp"].port = 5555
    settings.tabs["tcp_client"].encoding = "gbk"
    settings.remember_client_host("10.0.0.5")
    settings.quick[0].text = "ping"
    store.save(settings)
    loaded = store.load()
    assert loaded == settings
    assert [p.name for p in store.directory.iterdir()] == ["settings.json"]


def test_corrupt_file_is_set_aside(tmp_path: Path) -> None:
    (tmp_path / "settings.json").write_text("[1, 2", encoding="utf-8")
    store = SettingsStore(tmp_path)
    assert store.load() == Settings()
    assert store.set_aside is not None and store.set_aside.read_text(encoding="utf-8") == "[1, 2"
    assert not (tmp_path / "settings.json").exists()


@pytest.mark.parametrize("content", [b"\xff\xfe{\"language\": \"zh\"}", b"[" * 100_000 + b"]" * 100_000,
                                     b'"a string"'], ids=["not UTF-8", "nested too deep", "not an object"])
def test_an_unreadable_file_is_set_aside_and_the_window_starts_with_defaults(tmp_path: Path, content: bytes) -> None:
    """Found by the attack on the toolkit: these raised (UnicodeDecodeError, RecursionError): no window."""
    (tmp_path / "settings.json").write_bytes(content)
    store = SettingsStore(tmp_path)
    assert store.load() == Settings()
    assert store.set_aside is not None and store.set_aside.read_bytes() == content
    assert not (tmp_path / "settings.json").exists()


def test_wrong_types_fall_back_field_by_field() -> None:
    data = {"language": 5, "width": "wide", "height": 500, "scrollback": 7,
            "tabs": {"tcp_server": {"port": "9000", "host": "127.0.0.1", "timestamps": 1}},
            "quick": [{"text": 3}, "nonsense"], "client_hosts": ["a", 2, "b"]}
    settings = from_json(json.loads(json.dumps(data)))
    assert settings.language == "" and settings.width == Settings().width and settings.height == 500
    assert settings.scrollback == 100  # clamped
    assert settings.tabs["tcp_server"].port == 9000 and settings.tabs["tcp_server"].host == "127.0.0.1"
    assert settings.tabs["tcp_server"].timestamps is True
    assert len(settings.quick) == 4 and settings.quick[0].text == ""
    assert settings.client_hosts == ["a", "b"]


def test_environment_overrides_the_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCKETLAB_CONFIG_DIR", str(tmp_path))
    assert config_dir() == tmp_path and SettingsStore().path == tmp_path / "settings.json"
    monkeypatch.delenv("SOCKETLAB_CONFIG_DIR")
    assert "SocketLab" in str(config_dir()) or "socketlab" in str(config_dir()).lower()


def test_client_host_history_is_most_recent_first_and_bounded() -> None:
    settings = Settings()
    for index in range(15):
        settings.remember_client_host(f"10.0.0.{index}")
    settings.remember_client_host("10.0.0.3")
    assert settings.client_hosts[0] == "10.0.0.3" and len(settings.client_hosts) == 10

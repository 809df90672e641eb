"""Settings that survive a restart: JSON in the per-user config directory.

Per tab kind: last host and port, display mode, encoding, line ending, timestamps.
For the window: language, size, theme, scrollback, client host history and the
quick-send slots. Written atomically (temp file, fsync, rename); a file that cannot
be read is renamed aside (``settings.json.corrupt-…``) and defaults are used.
``SOCKETLAB_CONFIG_DIR`` overrides the directory (tests use it). No Tk here.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import platformdirs

from netcore.storage import read_json, set_aside

TAB_KINDS = ("tcp_server", "tcp_client", "udp", "relay")
STARTUP_KINDS = TAB_KINDS[:3]
"""The tabs a first start opens (a relay is opened from File → New tab)."""
FILE_NAME = "settings.json"
QUICK_SLOTS = 4
MAX_HOST_HISTORY = 10

_DEFAULT_HOSTS = {"tcp_server": "0.0.0.0", "tcp_client": "127.0.0.1", "udp": "0.0.0.0", "relay": "0.0.0.0"}
_DEFAULT_PORTS = {"tcp_server": 9000, "tcp_client": 9000, "udp": 9001, "relay": 9100}
_DEFAULT_TARGETS = {"relay": "127.0.0.1:9000"}


@dataclass
class TabSettings:
    """What one kind of tab remembers."""

    host: str = "0.0.0.0"
    port: int = 9000
    display: str = "text"  # "text" | "hex"
    encoding: str = "utf-8"
    send_mode: str = "text"  # "text" | "hex" | "escapes"
    line_ending: str = "none"
    timestamps: bool = True
    target: str = "127.0.0.1:9001"  # UDP and relay only
    protocol: str = "tcp"  # relay only: "tcp" | "udp"
    timeout: float = 5.0  # TCP client only
    reply: str = "none"
    reply_template: str = "[{time}] {message}"
    tls: bool = False  # TCP server and client
    tls_cert: str = ""  # TCP server: empty with tls_key for the machine's self-signed certificate
    tls_key: str = ""
    tls_ca: str = ""  # TCP client: empty for the system's store
    tls_sni: str = ""
    checksum: str = "none"
    """The checksum the send bar appends (and framing checks), see :mod:`netcore.checksums`."""
    frame: str = "raw"
    """How received bytes are cut into log rows (``raw``, ``lines``, ``len:2be`` …)."""


@dataclass
class QuickSlot:
    """A saved quick-send message."""

    text: str = ""
    mode: str = "text"


@dataclass
class Settings:
    """Everything persisted, with defaults for a first start."""

    language: str = ""  # "" = follow the system
    theme: str = "light"
    width: int = 0  # 0: not saved yet, the window picks a size for the screen's scaling
    height: int = 0
    scrollback: int = 10_000
    show_calls: bool = True
    show_data_calls: bool = False
    tabs: dict[str, TabSettings] = field(default_factory=dict)
    client_hosts: list[str] = field(default_factory=list)
    quick: list[QuickSlot] = field(default_factory=list)
    lessons: dict[str, list[str]] = field(default_factory=dict)
    """Done goal ids per lesson."""

    def __post_init__(self) -> None:
        for kind in TAB_KINDS:
            self.tabs.setdefault(kind, TabSettings(host=_DEFAULT_HOSTS[kind], port=_DEFAULT_PORTS[kind],
                                                   target=_DEFAULT_TARGETS.get(kind, TabSettings.target)))
        while len(self.quick) < QUICK_SLOTS:
            self.quick.append(QuickSlot())
        del self.quick[QUICK_SLOTS:]

    def remember_client_host(self, host: str) -> None:
        """Put ``host`` first in the client's host history."""
        if host in self.client_hosts:
            self.client_hosts.remove(host)
        self.client_hosts.insert(0, host)
        del self.client_hosts[MAX_HOST_HISTORY:]


def config_dir() -> Path:
    """``$SOCKETLAB_CONFIG_DIR`` if set, else the platform's per-user config directory."""
    override = os.environ.get("SOCKETLAB_CONFIG_DIR")
    if override:
        return Path(override)
    return Path(platformdirs.user_config_dir("SocketLab", appauthor=False))


def _typed(cls: type[Any], data: object) -> Any:
    """An instance of dataclass ``cls`` from ``data``, keeping only well-typed fields."""
    instance = cls()
    if not isinstance(data, dict):
        return instance
    for item in fields(cls):
        value = data.get(item.name)
        default = getattr(instance, item.name)
        if isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, float):
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
            value = float(value) if isinstance(value, (int, float)) else value
        else:
            ok = type(value) is type(default)
        if ok and not isinstance(default, (dict, list)):
            setattr(instance, item.name, value)
    return instance


def from_json(data: object) -> Settings:
    """Settings from parsed JSON; wrong or missing values fall back to defaults."""
    settings: Settings = _typed(Settings, data)
    if not isinstance(data, dict):
        return settings
    tabs = data.get("tabs")
    if isinstance(tabs, dict):
        for kind in TAB_KINDS:
            if isinstance(tabs.get(kind), dict):
                settings.tabs[kind] = _typed(TabSettings, tabs[kind])
    hosts = data.get("client_hosts")
    if isinstance(hosts, list):
        settings.client_hosts = [h for h in hosts if isinstance(h, str)][:MAX_HOST_HISTORY]
    quick = data.get("quick")
    if isinstance(quick, list):
        settings.quick = [_typed(QuickSlot, slot) for slot in quick[:QUICK_SLOTS]]
        settings.__post_init__()
    lessons = data.get("lessons")
    if isinstance(lessons, dict):
        settings.lessons = {str(k): [g for g in v if isinstance(g, str)] for k, v in lessons.items()
                            if isinstance(v, list)}
    settings.scrollback = min(max(settings.scrollback, 100), 1_000_000)
    return settings


class SettingsStore:
    """Loads and saves :class:`Settings` in ``directory / settings.json``."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = config_dir() if directory is None else directory
        self.path = self.directory / FILE_NAME
        self.set_aside: Path | None = None
        """Where a corrupt file was moved by the last :meth:`load`, if anywhere."""

    def load(self) -> Settings:
        """The saved settings, or defaults if there are none or they are unreadable (a corrupt file set aside)."""
        data, self.set_aside = read_json(self.path)
        if data is None:
            return Settings()
        if not isinstance(data, dict):
            self.set_aside = set_aside(self.path)
            return Settings()
        return from_json(data)

    def save(self, settings: Settings) -> None:
        """Write atomically: a crash leaves the old file or the new one, never half."""
        self.directory.mkdir(parents=True, exist_ok=True)
        text = json.dumps(asdict(settings), indent=2, ensure_ascii=False)
        handle, temp_name = tempfile.mkstemp(prefix=".settings-", suffix=".tmp", dir=self.directory)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temp_name, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
            raise

"""The TCP Client tab: connect to host:port, see the local address the OS chose.

The host box offers the hosts used before; the connect timeout is a field of the
connection row. Once connected, the side panel shows both ends of the connection.
"""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk
from typing import ClassVar

from gui.i18n import later
from gui.tabs.base import EndpointTab, TabHost
from gui.widgets.tls_panel import ClientTlsPanel
from netcore import TcpClient, TcpClientConfig
from netcore.events import Event, State, StateChanged, format_address
from netcore.validation import check_timeout
from netcore.worker import Endpoint

DEFAULT_HOSTS = ("127.0.0.1", "::1", "localhost")


class TcpClientTab(EndpointTab):
    """One outgoing connection."""

    kind: ClassVar[str] = "tcp_client"
    host_key: ClassVar[str] = "conn.server"
    toggle_keys: ClassVar[tuple[str, str]] = ("conn.connect", "conn.disconnect")
    listens: ClassVar[bool] = False
    again_key: ClassVar[str] = "conn.reconnect"
    endpoint: TcpClient | None

    def __init__(self, parent: tk.Misc, host: TabHost) -> None:
        super().__init__(parent, host)
        self._load_hosts()
        self.timeout.insert(0, f"{self.prefs.timeout:g}")

    def _load_hosts(self) -> None:
        hosts = list(self.host.settings.client_hosts)
        hosts += [h for h in DEFAULT_HOSTS if h not in hosts]
        self.row.host.configure(values=hosts)

    def build_fields(self, frame: ttk.Frame) -> None:
        self.texts.bind(ttk.Label(frame), "conn.timeout").pack(side="left")
        self.timeout = ttk.Entry(frame, width=4)
        self.timeout.pack(side="left", padx=(4, 2))
        self.texts.bind(ttk.Label(frame), "conn.seconds").pack(side="left")
        self.tls_bar = ttk.Frame(frame)
        """The TLS switch sits here, in the connection row; its fields are in the side panel."""
        self.tls_bar.pack(side="left")

    def extra_fields(self) -> tuple[ttk.Entry, ...]:
        return (self.timeout, self.tls.ca, self.tls.sni)

    def field_widget(self, field: str) -> ttk.Entry:
        if field in ("ca", "sni"):
            return self.tls.ca if field == "ca" else self.tls.sni
        return self.timeout if field == "timeout" else super().field_widget(field)

    def build_side(self, frame: ttk.Frame) -> None:
        self.texts.bind(ttk.Label(frame), "client.local").pack(anchor="w")
        self.local_label = ttk.Label(frame, text="-", font="TkFixedFont")
        self.local_label.pack(anchor="w", pady=(0, 8))
        self.texts.bind(ttk.Label(frame), "client.remote").pack(anchor="w")
        self.remote_label = ttk.Label(frame, text="-", font="TkFixedFont")
        self.remote_label.pack(anchor="w", pady=(0, 8))
        self.fin_button = ttk.Button(frame, command=self.half_close)
        self.texts.bind(self.fin_button, "client.half_close").pack(anchor="w")
        note = ttk.Label(frame, justify="left", wraplength=220)
        self.texts.bind(note, "client.half_close_note").pack(anchor="w", pady=(4, 0))
        self.tls = ClientTlsPanel(frame, self.texts, self.prefs, self.tls_bar)
        self.tls.pack(anchor="w", fill="x", pady=(8, 0))

    def make_endpoint(self, name: str) -> Endpoint:
        timeout = check_timeout(self.timeout.get())
        config = TcpClientConfig(host=self.row.host.get(), port=self.row.port.get(), timeout=timeout,
                                 framing=self.frame_settings(), tls=self.tls.settings(self.row.host.get()))
        return TcpClient(config, self.host.events, name)

    def start(self) -> bool:
        started = super().start()
        self.tls.lock(started)
        if started:
            self.host.settings.remember_client_host(self.row.host.get().strip())
            self.prefs.timeout = float(self.timeout.get())
            self._load_hosts()
        return started

    def send_bytes(self, data: bytes) -> bool:
        if self.endpoint is None or self.row.current is not State.CONNECTED:
            self.send_bar.show_error(later("send.not_connected"))
            return False
        self.endpoint.send(data)
        return True

    def half_close(self) -> None:
        """Send FIN (shutdown SHUT_WR) and keep reading."""
        if self.endpoint is not None:
            self.endpoint.shutdown_write()

    def state_detail(self, event: StateChanged) -> str:
        """Nothing: the side panel names both ends, and the row has no room for an address."""
        return ""

    def on_event(self, event: Event) -> None:
        super().on_event(event)
        if not isinstance(event, StateChanged) or event.endpoint != self.endpoint_name:
            return
        if event.state is State.CONNECTING:
            self.remote_label.configure(text=format_address(event.remote))
        elif event.state is State.CONNECTED:
            self.local_label.configure(text=format_address(event.local))
            self.remote_label.configure(text=format_address(event.remote))
        elif event.state in (State.STOPPED, State.ERROR):
            self.tls.lock(False)
            self.local_label.configure(text="-")
            self.remote_label.configure(text="-")

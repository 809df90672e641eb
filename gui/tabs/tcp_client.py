"""The TCP Client tab: connect to host:port, see the local address the OS chose.

The host box offers the hosts used before; the connect timeout is a field of the
connection row. Once connected, the side panel shows both ends of the connection.
Diagnose ("why does nothing arrive?") and Find on network are in the side panel;
after a failed connect, a Diagnose button appears beside the error itself.
"""

from __future__ import annotations

import tkinter as tk
from functools import partial
from tkinter import ttk
from typing import ClassVar

from gui.i18n import later
from gui.lan.diagnose_window import DiagnoseWindow
from gui.tabs.base import TabHost
from gui.tabs.lan_tab import LanTab
from gui.widgets.send_bar import input_message
from gui.widgets.tls_panel import ClientTlsPanel
from netcore import InputError, TcpClient, TcpClientConfig
from netcore.events import ErrorEvent, Event, State, StateChanged, format_address
from netcore.lan.discovery import Found
from netcore.validation import check_host, check_port, check_timeout
from netcore.worker import Endpoint

DEFAULT_HOSTS = ("127.0.0.1", "::1", "localhost")
DIAGNOSE_TIMEOUT = (3.0, 5.0)
"""Diagnose waits the connect timeout, but at least 3 s and at most 5 s, for each probe."""


class TcpClientTab(LanTab):
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
        self.offer = ttk.Button(self.row, command=self.diagnose)
        """Beside the error line after a failed connect: "Diagnose…"."""
        self.row.beside_info(self.texts.bind(self.offer, "lan.diagnose_offer"))
        self.offer.grid_remove()

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
        self.local_label.pack(anchor="w", pady=(0, 2))
        self.texts.bind(ttk.Label(frame), "client.remote").pack(anchor="w")
        self.remote_label = ttk.Label(frame, text="-", font="TkFixedFont")
        self.remote_label.pack(anchor="w", pady=(0, 2))
        self.fin_button = ttk.Button(frame, command=self.half_close)
        self.texts.bind(self.fin_button, "client.half_close").pack(anchor="w")
        note = ttk.Label(frame, justify="left", wraplength=320)
        self.texts.bind(note, "client.half_close_note").pack(anchor="w", pady=(2, 0))
        self.tls = ClientTlsPanel(frame, self.texts, self.prefs, self.tls_bar)
        self.tls.pack(anchor="w", fill="x", pady=(2, 0))
        tools = ttk.Frame(frame)
        tools.pack(anchor="w", pady=(4, 0))
        self.diagnose_button = ttk.Button(tools, command=self.diagnose)
        self.texts.bind(self.diagnose_button, "lan.diagnose").pack(side="left")
        self.find_button = ttk.Button(tools, command=self.open_find)
        self.texts.bind(self.find_button, "lan.find").pack(side="left", padx=(6, 0))

    def make_endpoint(self, name: str) -> Endpoint:
        timeout = check_timeout(self.timeout.get())
        config = TcpClientConfig(host=self.row.host.get(), port=self.row.port.get(), timeout=timeout,
                                 framing=self.frame_settings(), tls=self.tls.settings(self.row.host.get()))
        return TcpClient(config, self.host.events, name)

    def start(self) -> bool:
        self.offer.grid_remove()
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

    def diagnose(self) -> DiagnoseWindow | None:
        """Diagnose the host and port in the fields (flagged, and None, if they are not valid)."""
        try:
            host = check_host(self.row.host.get())
            port = check_port(self.row.port.get())
        except InputError as error:
            self.row.flag(self.field_widget(error.field), partial(input_message, error))
            return None
        try:
            timeout = check_timeout(self.timeout.get())
        except InputError:
            timeout = DIAGNOSE_TIMEOUT[0]
        low, high = DIAGNOSE_TIMEOUT
        return self.open_diagnose(host, port, udp=False, timeout=min(max(timeout, low), high))

    def fill_target(self, found: Found) -> None:
        """A server found on the network: its address and port in the fields (not while connected)."""
        if self.running:
            return
        self.row.host.set(found.address)
        self.row.port.delete(0, "end")
        self.row.port.insert(0, str(found.announcement.port))
        self.row.clear_flags()

    def on_event(self, event: Event) -> None:
        super().on_event(event)
        if isinstance(event, ErrorEvent) and event.fatal and event.endpoint == self.endpoint_name and not (
                self._was_up):
            self.offer.grid()  # the connect failed: offer to find out why
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

"""The TCP Server tab: listen, see who connects, send to some or all, auto-reply.

The client table is kept from events (PeerConnected / DataReceived / DataSent /
PeerClosed). When the server listens on all interfaces, the line under the
connection row names the addresses other machines can use; "Can others reach
me?" lists them per interface and checks each, and "Visible on the network"
makes the server answer discovery requests.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import ttk
from typing import ClassVar, cast

from gui.i18n import later, tr
from gui.lan.reach_window import ReachWindow
from gui.tabs.base import TabHost
from gui.tabs.lan_tab import LanTab, MenuButton
from gui.widgets.auto_reply import AutoReply
from gui.widgets.peer_table import PeerTable
from gui.widgets.tls_panel import ServerTlsPanel
from netcore import TcpServer, TcpServerConfig
from netcore.events import (
    DataReceived,
    DataSent,
    Event,
    Notice,
    PeerClosed,
    PeerConnected,
    State,
    StateChanged,
    format_address,
)
from netcore.interfaces import bind_choices, reachable_addresses
from netcore.replies import ReplyRule
from netcore.worker import Endpoint

MAX_LISTED = 3


class TcpServerTab(LanTab):
    """Listen on host:port; a table of clients; send to the selected ones or all."""

    kind: ClassVar[str] = "tcp_server"
    host_key: ClassVar[str] = "conn.listen_on"
    toggle_keys: ClassVar[tuple[str, str]] = ("conn.listen", "conn.stop")
    endpoint: TcpServer | None

    def __init__(self, parent: tk.Misc, host: TabHost) -> None:
        self._reach: tuple[Callable[[], str], str] = (str, "info")
        super().__init__(parent, host)
        self.row.host.configure(values=bind_choices(self.host.addresses()))
        self.row.beside_info(self._build_lan(self.row))

    def build_fields(self, frame: ttk.Frame) -> None:
        self.tls = ServerTlsPanel(frame, self.texts, self.prefs)
        self.tls.pack(side="left")

    def build_side(self, frame: ttk.Frame) -> None:
        """Clients (title and actions on one row), the table, send-to and auto-reply.

        Packed from the bottom up, so the table takes every pixel that is left.
        """
        self.side = frame
        header = ttk.Frame(frame)
        header.pack(side="top", fill="x")
        self.clients_label = ttk.Label(header)
        self.clients_label.pack(side="left")
        self.texts.bind(ttk.Button(header, command=lambda: self.peers.select(self.peers.peers())),
                        "peers.select_all").pack(side="right", padx=(4, 0))
        self.texts.bind(ttk.Button(header, command=self.disconnect_selected), "peers.disconnect").pack(side="right")
        self.reply = AutoReply(frame, self)
        self.reply.pack(side="bottom", fill="x")
        self.send_to = tk.StringVar(self, "all")
        target = ttk.Frame(frame)
        target.pack(side="bottom", fill="x", pady=(2, 6))
        self.texts.bind(ttk.Label(target), "peers.send_to").pack(side="left")
        for value, key in (("all", "peers.all"), ("selected", "peers.selected")):
            button = ttk.Radiobutton(target, variable=self.send_to, value=value)
            self.texts.bind(button, key).pack(side="left", padx=(6, 0))
        self.peers = PeerTable(frame, self.texts)
        self.peers.pack(side="top", fill="both", expand=True, pady=(4, 4))
        self.texts.call(self._count_clients)

    def _build_lan(self, parent: tk.Misc) -> MenuButton:
        """Beside the line that names the addresses others can use: "Can others reach me?", a menu with
        the addresses and their self-check, the "Visible on the network" switch and the name to be visible as."""
        self.lan_menu = MenuButton(parent, self.texts, "lan.reach", self._fill_lan_menu)
        return self.lan_menu

    def _fill_lan_menu(self, menu: tk.Menu) -> None:
        menu.add_command(label=tr("lan.reach_addresses"), command=self.open_reach)
        menu.add_separator()
        self.visible_entries(menu)

    def open_reach(self) -> ReachWindow:
        """The addresses others must use for this server, per interface, with a self-check."""
        if self.local_address is not None and self.row.current is State.LISTENING:
            host, port = self.local_address[0], self.local_address[1]
            listening: int | None = port
        else:
            host, listening = self.row.host.get().strip() or "0.0.0.0", None
        window = self.helper("reach", lambda: ReachWindow(self, host, listening, self.host.addresses(),
                                                          self.build_visible))
        assert isinstance(window, ReachWindow)
        return window

    def _count_clients(self) -> None:
        self.clients_label.configure(text=tr("peers.title", n=len(self.peers.rows)))

    def make_endpoint(self, name: str) -> Endpoint:
        config = TcpServerConfig(host=self.row.host.get(), port=self.row.port.get(), reply=self.reply.rule(),
                                 framing=self.frame_settings(), tls=self.tls.settings())
        return TcpServer(config, self.host.events, name)

    def field_widget(self, field: str) -> ttk.Entry:
        if field in ("cert", "key"):  # the button that opens the certificate's fields: it turns red
            return cast(ttk.Entry, self.tls.button)
        return self.reply.template if field == "reply_template" else super().field_widget(field)

    def extra_fields(self) -> tuple[ttk.Entry, ...]:
        return (cast(ttk.Entry, self.tls.button),)

    def start(self) -> bool:
        started = super().start()
        self.tls.lock(started)
        return started

    def send_bytes(self, data: bytes) -> bool:
        if self.endpoint is None or self.row.current is not State.LISTENING:
            self.send_bar.show_error(later("send.not_listening"))
            return False
        if self.send_to.get() == "selected":
            chosen = self.peers.selected()
            if not chosen:
                self.send_bar.show_error(later("send.select_client"))
                return False
            self.endpoint.send(data, chosen)
        else:
            self.endpoint.send(data)
        return True

    def disconnect_selected(self) -> None:
        """Close the connections of the selected clients."""
        if self.endpoint is not None:
            for peer in self.peers.selected():
                self.endpoint.disconnect(peer)

    def on_event(self, event: Event) -> None:
        super().on_event(event)
        if isinstance(event, PeerConnected):
            self.peers.add(event.peer, event.time, event.connection)
        elif isinstance(event, PeerClosed):
            self.peers.remove(event.peer, event.connection)
        elif isinstance(event, StateChanged) and event.state in (State.STOPPED, State.ERROR):
            self.peers.clear()
            if event.endpoint == self.endpoint_name:
                self.tls.lock(False)
        elif isinstance(event, Notice) and event.code in ("tls_server_cert", "tls_self_signed_cert"):
            self.tls.fingerprint = event.params.get("fingerprint", "")
            self._show_reach()
            return
        else:
            return
        self._count_clients()

    def state_detail(self, event: StateChanged) -> str:
        """The address listened on; with TLS just "TLS" (the host and port fields show the address)."""
        return "TLS" if self.tls.enabled.get() else super().state_detail(event)

    def on_state(self, event: StateChanged) -> None:
        super().on_state(event)
        if event.state is State.LISTENING and event.local is not None:
            self._say_reachable(event.local)

    def _say_reachable(self, local: tuple[str, int]) -> None:
        host, port = local
        self.tls.fingerprint = ""
        reachable = reachable_addresses(host, self.host.addresses())
        if not reachable:
            self._reach = (later("conn.loopback_only", address=format_address(local)), "info")
        else:
            shown = ", ".join(format_address((ip, port)) for ip in reachable[:MAX_LISTED])
            more = len(reachable) - MAX_LISTED
            self._reach = (later("conn.reachable", addresses=shown + (f" (+{more})" if more > 0 else "")), "ok")
        self._show_reach()

    def _show_reach(self) -> None:
        """Who can connect, and with TLS the certificate's fingerprint to check, on the line under the row."""
        reach, kind = self._reach
        fingerprint = self.tls.fingerprint
        if not fingerprint:
            self.row.set_info_from(reach, kind)
            return
        self.row.set_info_from(lambda: f"{reach()}\n{tr('tls.fingerprint', fingerprint=fingerprint)}", kind)

    def on_data(self, event: DataReceived | DataSent) -> None:
        if isinstance(event, DataReceived):
            self.peers.count(event.peer, received=len(event.data))
        else:
            self.peers.count(event.peer, sent=len(event.data))

    def chosen_peer(self) -> tuple[str, int] | None:
        table: PeerTable | None = getattr(self, "peers", None)  # the views ask while the tab is being built
        chosen = table.selected() if table is not None else []
        return chosen[0] if chosen else None

    def chosen_connection(self) -> int | None:
        peer = self.chosen_peer()
        row = self.peers.rows.get(peer) if peer is not None else None
        return row.connection if row is not None else None

    def draw_stats(self) -> None:
        super().draw_stats()
        self.peers.refresh()

    def set_reply(self, rule: ReplyRule | None) -> None:
        """Change the running server's auto-reply."""
        if self.endpoint is not None:
            self.endpoint.set_reply(rule)

"""The Relay tab: sit between a device and its server and watch both directions.

The connection row says where clients connect (listen address and port); the side
panel names the target, TCP or UDP, the address the device must use, the totals of
each direction, and the clients being relayed. The log shows each piece the relay
read, once, named by its client and its direction (``client → server`` with →,
``server → client`` with ←); the deliveries are counted, not repeated. The send
bar is hidden: a relay only forwards.
"""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk
from typing import ClassVar

from gui.i18n import tr
from gui.relayrows import LANES, RelayRows, add_relay_rows, is_relayed
from gui.tabs.base import EndpointTab, TabHost
from gui.theme import scale_factor
from gui.widgets.peer_table import PeerTable
from netcore.events import (
    DOWNSTREAM,
    UPSTREAM,
    Address,
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
from netcore.relay_config import RelayBase, RelayConfig, make_relay
from netcore.validation import parse_host_port
from netcore.worker import Endpoint

UDP_GONE = frozenset({"relay_udp_idle", "relay_udp_evicted"})


class RelayTab(EndpointTab):
    """A TCP or UDP relay from the listen address to a target."""

    kind: ClassVar[str] = "relay"
    host_key: ClassVar[str] = "conn.listen_on"
    toggle_keys: ClassVar[tuple[str, str]] = ("conn.start", "conn.stop")
    endpoint: RelayBase | None

    def __init__(self, parent: tk.Misc, host: TabHost) -> None:
        self.totals = {UPSTREAM: [0, 0], DOWNSTREAM: [0, 0]}
        """Per direction: bytes read, bytes delivered (exact)."""
        self.rows = RelayRows()
        self._where: tuple[Address, Address | None] | None = None
        """Where clients connect and where they are forwarded, while running."""
        super().__init__(parent, host)
        self.send_bar.pack_forget()
        self.row.host.configure(values=bind_choices(self.host.addresses()))
        self.target.insert(0, self.prefs.target)
        self.protocol.set("udp" if self.prefs.protocol == "udp" else "tcp")

    # ---- layout ----

    def build_side(self, frame: ttk.Frame) -> None:
        self.texts.bind(ttk.Label(frame), "relay.target").grid(row=0, column=0, sticky="w", padx=(0, 6))
        self.target = ttk.Entry(frame, width=22)
        self.target.grid(row=0, column=1, sticky="ew")
        self.target.bind("<KeyRelease>", lambda _e: self.target.state(["!invalid"]), add="+")
        self.target.bind("<Return>", lambda _e: self.toggle())
        self.protocol = tk.StringVar(self, "tcp")
        choice = ttk.Frame(frame)
        choice.grid(row=1, column=0, columnspan=2, sticky="w", pady=(4, 0))
        self.protocol_buttons: list[ttk.Radiobutton] = []
        for value, text in (("tcp", "TCP"), ("udp", "UDP")):
            button = ttk.Radiobutton(choice, text=text, value=value, variable=self.protocol)
            button.pack(side="left", padx=(0, 10))
            self.protocol_buttons.append(button)
        wrap = round(300 * scale_factor(self))
        self.point_at = ttk.Label(frame, justify="left", wraplength=wrap)
        self.point_at.grid(row=2, column=0, columnspan=2, sticky="w", pady=(6, 0))
        self.lane_labels: dict[str, ttk.Label] = {}
        for row, direction in ((3, UPSTREAM), (4, DOWNSTREAM)):
            label = ttk.Label(frame, justify="left", wraplength=wrap)
            label.grid(row=row, column=0, columnspan=2, sticky="w", pady=(4 if row == 3 else 0, 0))
            self.lane_labels[direction] = label
        self.clients_label = ttk.Label(frame)
        self.clients_label.grid(row=5, column=0, columnspan=2, sticky="w", pady=(8, 0))
        self.peers = PeerTable(frame, self.texts)
        self.peers.grid(row=6, column=0, columnspan=2, sticky="nsew", pady=(4, 0))
        frame.columnconfigure(1, weight=1)
        frame.rowconfigure(6, weight=1)
        self.texts.call(self._draw_side)

    def _draw_side(self) -> None:
        """The labels that carry numbers (also after a language switch)."""
        for direction, label in self.lane_labels.items():
            read, delivered = self.totals[direction]
            label.configure(text=tr("relay.totals", lane=tr(LANES[direction][0]), read=f"{read:,}",
                                    delivered=f"{delivered:,}"))
        self.clients_label.configure(text=tr("relay.clients", n=len(self.peers.rows)))
        if self._where is None:
            self.point_at.configure(text=tr("relay.idle_note"))
        else:
            self._say_where(*self._where)

    def extra_fields(self) -> tuple[ttk.Entry, ...]:
        return (self.target,)

    def field_widget(self, field: str) -> ttk.Entry:
        if field.startswith("target"):
            return self.target
        return self.row.port if "port" in field else self.row.host

    # ---- start, stop, settings ----

    def make_endpoint(self, name: str) -> Endpoint:
        host, port = parse_host_port(self.target.get(), "target")
        config = RelayConfig(self.row.host.get(), self.row.port.get(), host, port, udp=self.protocol.get() == "udp")
        return make_relay(config, self.host.events, name)

    def start(self) -> bool:
        started = super().start()
        if started:
            self.totals = {UPSTREAM: [0, 0], DOWNSTREAM: [0, 0]}
            self.peers.clear()
            for button in self.protocol_buttons:
                button.state(["disabled"])
            self.target.state(["disabled"])
        return started

    def remember(self) -> None:
        super().remember()
        self.prefs.target = self.target.get().strip() or self.prefs.target
        self.prefs.protocol = self.protocol.get()

    def send_bytes(self, data: bytes) -> bool:
        return False  # no send bar: a relay only forwards

    # ---- events ----

    def handle(self, event: Event) -> None:
        """Relay data: a row per piece read, counted per direction; the rest as every tab does."""
        if isinstance(event, (DataReceived, DataSent)) and is_relayed(event):
            self._relayed(event)
            return
        super().handle(event)

    def handle_run(self, run: list[DataReceived]) -> None:
        """A run of relayed pieces: each its own row, counted by direction (no shortcut for a relay)."""
        for event in run:
            self.handle(event)

    def _relayed(self, event: DataReceived | DataSent) -> None:
        self.views.feed(event)
        self.session.add(event)
        self._stale = True
        if self.rows.note(event) is not None:  # UDP: a client's first datagram
            self.peers.add(event.peer, event.time, event.pair)
            self._count_clients()
        client = self.rows.client_of(event, event.pair) or event.peer
        add_relay_rows(self.log, self.rows, event, self.host.settings.show_data_calls)
        nbytes = len(event.data)
        if isinstance(event, DataSent):
            self.counters.sent(nbytes)
            self.totals[event.direction][1] += nbytes
            if event.direction == DOWNSTREAM:
                self.peers.count(client, sent=nbytes)
            return
        self.counters.received(nbytes)
        self.spool.write(event.data)
        self.totals[event.direction][0] += nbytes
        if event.direction == UPSTREAM:
            self.peers.count(client, received=nbytes)

    def on_event(self, event: Event) -> None:
        super().on_event(event)
        if isinstance(event, PeerConnected) and self.rows.note(event) is not None:
            self.peers.add(event.peer, event.time, event.connection)
        elif isinstance(event, PeerClosed) and self.rows.client_of(event, event.connection) == event.peer:
            self.peers.remove(event.peer, event.connection)
        elif isinstance(event, Notice) and event.code in UDP_GONE:
            self._forget_udp_client(event.params.get("client", ""))
        elif isinstance(event, StateChanged) and event.state in (State.STOPPED, State.ERROR):
            self.peers.clear()
            for button in self.protocol_buttons:
                button.state(["!disabled"])
            self.target.state(["!disabled"])
        else:
            return
        self._count_clients()

    def _forget_udp_client(self, shown: str) -> None:
        for peer, row in list(self.peers.rows.items()):
            if format_address(peer) == shown:
                self.peers.remove(peer, row.connection)

    def _count_clients(self) -> None:
        self.clients_label.configure(text=tr("relay.clients", n=len(self.peers.rows)))

    def on_state(self, event: StateChanged) -> None:
        super().on_state(event)
        if event.state in (State.LISTENING, State.BOUND) and event.local is not None:
            self._where = (event.local, event.remote)
            self._say_where(event.local, event.remote)
        elif event.state in (State.STOPPED, State.ERROR):
            self._where = None
            self.point_at.configure(text=tr("relay.idle_note"))

    def _say_where(self, local: Address, target: Address | None) -> None:
        host, port = local
        here = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
        others = reachable_addresses(host, self.host.addresses())[:2]
        text = tr("relay.point_at", address=format_address((here, port)), target=format_address(target))
        if others:
            text += "\n" + tr("relay.point_at_lan", addresses=", ".join(format_address((ip, port)) for ip in others))
        self.point_at.configure(text=text)

    def state_detail(self, event: StateChanged) -> str:
        return f"{format_address(event.local)} → {format_address(event.remote)}"

    def draw_stats(self) -> None:
        super().draw_stats()
        self.peers.refresh()
        self._draw_side()

    def retranslate(self) -> None:
        super().retranslate()
        self._draw_side()

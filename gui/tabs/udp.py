"""The UDP tab: bind, send datagrams to a target or back to the last sender.

Also the socket options a LAN test needs: broadcast on/off, joining and leaving
multicast groups (IPv4 and IPv6, the joined ones listed in the group box), and the
"Network ▾" choices (interface, TTL, loopback), plus the same auto-replies as the
TCP server. The target box offers each interface's broadcast address. Diagnose,
Find on network and "Visible on the network" are the LAN helpers. Sending while the
socket is closed opens it first (the log says so) and sends once it is bound.
"""

from __future__ import annotations

import time
import tkinter as tk
from functools import partial
from tkinter import ttk
from typing import ClassVar

from gui.i18n import tr
from gui.lan.diagnose_window import DiagnoseWindow
from gui.lan.udp_options import NetworkMenu, broadcast_targets, is_broadcast_target
from gui.logmodel import EVENT, LogRecord
from gui.tabs.base import EndpointTab, TabHost
from gui.tabs.lan_tab import LanTab
from gui.widgets.auto_reply import AutoReply
from gui.widgets.reserve import reserve_row
from gui.widgets.send_bar import input_message
from netcore import InputError, UdpConfig, UdpEndpoint
from netcore.events import Address, DataReceived, DataSent, Event, Notice, State, StateChanged, format_address
from netcore.interfaces import bind_choices
from netcore.lan.discovery import Found
from netcore.library import SavedMessage
from netcore.replies import ReplyRule
from netcore.validation import parse_host_port
from netcore.worker import Endpoint


class UdpTab(LanTab):
    """One bound UDP socket."""

    kind: ClassVar[str] = "udp"
    host_key: ClassVar[str] = "conn.bind_to"
    toggle_keys: ClassVar[tuple[str, str]] = ("conn.open", "conn.close")
    file_chunk: ClassVar[int] = 1024
    endpoint: UdpEndpoint | None

    def __init__(self, parent: tk.Misc, host: TabHost) -> None:
        self._last: Address | None = None
        self._shown_last: Address | None = None
        self._waiting: list[tuple[bytes, Address | None]] = []
        """Datagrams typed before the socket was bound (None: to the last sender)."""
        self.joined: list[str] = []
        """Groups the socket is a member of now (from the engine's notices)."""
        super().__init__(parent, host)
        self.row.host.configure(values=bind_choices(self.host.addresses()))
        self.target.insert(0, self.prefs.target)

    def build_side(self, frame: ttk.Frame) -> None:
        """Labels left, fields right, one row each, so it fits a 700 px high screen."""
        self.texts.bind(ttk.Label(frame), "udp.target").grid(row=0, column=0, sticky="w", padx=(0, 6))
        self.target = ttk.Combobox(frame, width=22, postcommand=self._offer_targets)
        """host:port; the list offers each interface's subnet broadcast and 255.255.255.255."""
        self.target.grid(row=0, column=1, sticky="ew")
        self.target.bind("<KeyRelease>", lambda _e: self.target.state(["!invalid"]), add="+")
        self.target.bind("<<ComboboxSelected>>", lambda _e: self._target_chosen(), add="+")
        self.reply_last = tk.BooleanVar(self, False)
        check = ttk.Checkbutton(frame, variable=self.reply_last)
        self.texts.bind(check, "udp.reply_last").grid(row=1, column=0, columnspan=2, sticky="w", pady=(4, 0))
        self.diagnose_button = ttk.Button(frame, command=self.diagnose)
        self.texts.bind(self.diagnose_button, "lan.diagnose").grid(row=1, column=0, columnspan=2, sticky="e",
                                                                  pady=(4, 0))
        self.last_sender = ttk.Label(frame, text="", font="TkFixedFont")
        """Who sent the last datagram (empty until someone has; its line is kept free)."""
        self.last_sender.grid(row=2, column=0, columnspan=2, sticky="w")
        reserve_row(self.last_sender, 2, 1)
        self.broadcast = tk.BooleanVar(self, False)
        check = ttk.Checkbutton(frame, variable=self.broadcast, command=self._set_broadcast)
        self.texts.bind(check, "udp.broadcast").grid(row=3, column=0, columnspan=2, sticky="w", pady=(0, 6))
        self.network = NetworkMenu(frame, self.texts, self.host.addresses, self._menu_extras)
        """``Network ▾``: interface, TTL, loopback; find on network; visible on the network."""
        self.network.grid(row=3, column=0, columnspan=2, sticky="e", pady=(0, 6))
        self._build_multicast(frame)
        self.reply = AutoReply(frame, self)
        self.reply.grid(row=5, column=0, columnspan=2, sticky="ew", pady=(10, 0))
        frame.columnconfigure(1, weight=1)

    def _build_multicast(self, frame: ttk.Frame) -> None:
        self.texts.bind(ttk.Label(frame), "udp.group").grid(row=4, column=0, sticky="w", padx=(0, 6))
        row = ttk.Frame(frame)
        row.grid(row=4, column=1, sticky="ew")
        self.group = ttk.Combobox(row, width=8)
        """The group to join or leave; its list: the groups joined now."""
        self.group.insert(0, "239.1.2.3")
        self.group.pack(side="left", fill="x", expand=True)
        for key, join in (("udp.join", True), ("udp.leave", False)):
            button = ttk.Button(row, command=partial(self.membership, join))
            self.texts.bind(button, key).pack(side="left", padx=(4, 0))

    def _menu_extras(self, menu: tk.Menu) -> None:
        """The Network menu's last entries: find others, and be found."""
        menu.add_separator()
        menu.add_command(label=tr("lan.find"), command=self.open_find)
        self.visible_entries(menu)

    def _target_port(self) -> int:
        try:
            return parse_host_port(self.target.get(), "target")[1]
        except InputError:
            return self.port_number() or 9000

    def _offer_targets(self) -> None:
        """The list under the target: the broadcast addresses, with the port typed (or this tab's)."""
        self.target.configure(values=broadcast_targets(self.host.addresses(), self._target_port()))

    def _target_chosen(self) -> None:
        """A broadcast address picked from the list: broadcast must be allowed, so allow it."""
        self.target.state(["!invalid"])
        try:
            host, _port = parse_host_port(self.target.get(), "target")
        except InputError:
            return
        if is_broadcast_target(host, self.host.addresses()) and not self.broadcast.get():
            self.broadcast.set(True)
            self._set_broadcast()

    def diagnose(self) -> DiagnoseWindow | None:
        """Diagnose the target (UDP): an ICMP refusal against silence."""
        try:
            host, port = parse_host_port(self.target.get(), "target")
        except InputError as error:
            self.target.state(["invalid"])
            self.send_bar.show_error(partial(input_message, error))
            return None
        return self.open_diagnose(host, port, udp=True)

    def fill_target(self, found: Found) -> None:
        """An endpoint found on the network becomes the target."""
        self.target.delete(0, "end")
        self.target.insert(0, format_address((found.address, found.announcement.port)))
        self.target.state(["!invalid"])
        self.reply_last.set(False)

    def avoid_ports(self, others: list[EndpointTab]) -> None:
        """A port of its own, and a target that is not itself: another UDP tab, else the next port."""
        super().avoid_ports(others)
        own = self.port_number()
        try:
            host, port = parse_host_port(self.target.get(), "target")
        except InputError:
            host, port = "127.0.0.1", own or 0
        if own and port == own:
            other = next((p for p in (tab.port_number() for tab in others) if p and p != own), None)
            target = other or (own + 1 if own < 65535 else own - 1)
            self.target.delete(0, "end")
            self.target.insert(0, format_address((host, target)))

    def make_endpoint(self, name: str) -> Endpoint:
        options = self.network.options()
        config = UdpConfig(host=self.row.host.get(), port=self.row.port.get(), broadcast=self.broadcast.get(),
                           reply=self.reply.rule(), framing=self.frame_settings(), interface=options.interface,
                           ttl=options.ttl, multicast_loop=options.multicast_loop)
        return UdpEndpoint(config, self.host.events, name)

    def saved_target(self) -> tuple[str, str]:
        """A saved message's ``{host}``/``{port}``: the target it goes to."""
        host, _, port = self.target.get().strip().rpartition(":")
        return host.strip("[]"), port

    def field_widget(self, field: str) -> ttk.Entry:
        if field == "reply_template":
            return self.reply.template
        return self.target if field == "target" else super().field_widget(field)

    def send_bytes(self, data: bytes) -> bool:
        address: Address | None = None
        if not self.reply_last.get():
            try:
                address = parse_host_port(self.target.get(), "target")
            except InputError as error:
                self.target.state(["invalid"])
                self.send_bar.show_error(partial(input_message, error))
                return False
            self.prefs.target = self.target.get().strip()
        return self._deliver(data, address)

    def send_saved(self, message: SavedMessage) -> bool:
        """A saved message with a target of its own goes there (``{host}``/``{port}`` from it); else as typed."""
        if not message.target.strip():
            return super().send_saved(message)
        try:
            address = parse_host_port(message.target, "target")
            data = message.payload(address[0], address[1])
        except InputError as error:
            self.send_bar.show_error(partial(input_message, error))
            return False
        self.send_bar.show_error(None)
        return self._deliver(data, address)

    def _deliver(self, data: bytes, address: Address | None) -> bool:
        """Send now, or open the socket first and send once it is bound."""
        if self.endpoint is None:
            opened_at = time.time()  # before the engine's own rows
            if not self.start():
                return False
            self.log.add(LogRecord(EVENT, opened_at, key="udp.opened_to_send"))
        if self.row.current is not State.BOUND or self._waiting:
            self._waiting.append((data, address))
            return True
        self._send(data, address)
        return True

    def _send(self, data: bytes, address: Address | None) -> None:
        assert self.endpoint is not None
        if address is None:
            self.endpoint.reply(data)
        else:
            self.endpoint.send_to(data, address)

    def on_state(self, event: StateChanged) -> None:
        """Bound: send what was typed before; ended: forget it (the error says why)."""
        super().on_state(event)
        self.network.lock(event.state not in (State.STOPPED, State.ERROR))
        if event.state is State.BOUND:
            waiting, self._waiting = self._waiting, []
            for data, address in waiting:
                self._send(data, address)
        elif event.state in (State.STOPPED, State.ERROR):
            self._waiting = []
            self._set_joined([])

    def on_event(self, event: Event) -> None:
        super().on_event(event)
        if isinstance(event, Notice) and event.endpoint == self.endpoint_name:
            group = event.params.get("group", "")
            if event.code == "joined_group" and group not in self.joined:
                self._set_joined([*self.joined, group])
            elif event.code == "left_group":
                self._set_joined([g for g in self.joined if g != group])

    def _set_joined(self, groups: list[str]) -> None:
        self.joined = groups
        self.group.configure(values=groups)

    def _backlog(self) -> int:
        return super()._backlog() + sum(len(data) for data, _ in self._waiting)

    def _set_broadcast(self) -> None:
        if self.endpoint is not None:
            self.endpoint.set_broadcast(self.broadcast.get())

    def membership(self, join: bool) -> None:
        """Join or leave the multicast group typed in the field."""
        if self.endpoint is None:
            self.row.set_info("send.not_open", "error")
            return
        group = self.group.get().strip()
        interface = self.network.interface.get()
        if join:
            self.endpoint.join_group(group, interface)
        else:
            self.endpoint.leave_group(group, interface)

    def set_reply(self, rule: ReplyRule | None) -> None:
        """Change the running endpoint's auto-reply."""
        if self.endpoint is not None:
            self.endpoint.set_reply(rule)

    def on_data(self, event: DataReceived | DataSent) -> None:
        if isinstance(event, DataReceived):
            self._last = event.peer

    def on_data_run(self, run: list[DataReceived]) -> None:
        self._last = run[-1].peer

    def draw_stats(self) -> None:
        super().draw_stats()
        if self._last is not None and self._last != self._shown_last:
            self._shown_last = self._last
            self._label_last_sender()

    def _label_last_sender(self) -> None:
        if self._shown_last is not None:
            self.last_sender.configure(text=tr("udp.last_sender", address=format_address(self._shown_last)))

    def retranslate(self) -> None:
        super().retranslate()
        self._label_last_sender()

"""The UDP tab's network options: which interface multicast uses, TTL, loopback; broadcast targets.

:class:`NetworkMenu` is one compact "Network" menu button whose menu holds the choices
(rebuilt each time it opens, from this machine's interfaces, IPv6 link-local ones
with their scope), so the tab stays uncrowded. They apply when the socket opens
(``UdpConfig.interface``, ``ttl``, ``multicast_loop``), so they are locked while it
is open. :func:`broadcast_targets` is what the target field offers.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from dataclasses import dataclass
from tkinter import ttk
from typing import Literal

from gui.i18n import tr
from gui.i18n_tk import Texts, label_menubutton
from netcore.events import format_address
from netcore.interfaces import LocalAddress, broadcast_interfaces
from netcore.lan.outgoing import LIMITED_BROADCAST


@dataclass(frozen=True)
class Options:
    """``UdpConfig.interface``, ``ttl`` and ``multicast_loop`` as chosen."""

    interface: str | None
    ttl: int | None
    multicast_loop: bool | None


LABEL_NAME = 12
"""Characters of the chosen interface's name the button shows."""
TTLS = (0, 1, 2, 4, 8, 16, 32, 64, 128, 255)
"""0 keeps multicast on this machine; 1 (the default) on the local network."""


def broadcast_targets(addresses: list[LocalAddress], port: int) -> list[str]:
    """Each interface's subnet-directed broadcast address, then 255.255.255.255, all with ``port``."""
    found: list[str] = []
    for address in broadcast_interfaces(addresses):
        if address.broadcast is not None and address.broadcast not in found:
            found.append(address.broadcast)
    return [format_address((host, port)) for host in [*found, LIMITED_BROADCAST]]


def is_broadcast_target(host: str, addresses: list[LocalAddress]) -> bool:
    """Is ``host`` 255.255.255.255 or one of this machine's subnet broadcast addresses?"""
    return host == LIMITED_BROADCAST or any(a.broadcast == host for a in addresses)


def interface_label(address: LocalAddress) -> str:
    """``eth0 — 192.168.1.23`` (``fe80::1%eth0`` keeps its scope)."""
    return f"{address.interface} — {address.ip}"


class NetworkMenu(ttk.Menubutton):
    """``Network ▾``: interface (automatic or one address), multicast TTL, multicast loopback."""

    def __init__(self, parent: tk.Misc, texts: Texts, addresses: Callable[[], list[LocalAddress]],
                 extras: Callable[[tk.Menu], None] = lambda _menu: None) -> None:
        super().__init__(parent)
        self.addresses = addresses
        self.extras = extras
        """Adds the tab's own last entries each time the menu is built."""
        self.interface = tk.StringVar(self, "")
        """The chosen interface's address ("" : automatic, every suitable interface)."""
        self.ttl = tk.StringVar(self, "")
        """Multicast TTL ("" : the system's default, 1)."""
        self.loop = tk.BooleanVar(self, True)
        self.locked = False
        self.menu = tk.Menu(self, tearoff=False, postcommand=self.build)
        self.configure(menu=self.menu)
        texts.call(self._label)
        self.interface.trace_add("write", lambda *_args: self._label())
        texts.call(self.build)  # and again after a language switch

    def _label(self) -> None:
        """``Network`` or, once one is chosen, ``Network: eth0`` (ttk draws the arrow)."""
        chosen = self.interface.get()
        name = next((a.interface for a in self.addresses() if a.ip == chosen), chosen)
        short = name if len(name) <= LABEL_NAME else name[:LABEL_NAME - 1] + "…"
        label_menubutton(self, tr("udp.network_on", interface=short) if chosen else tr("udp.network"))

    def build(self) -> None:
        """(Re)build the menu from the interfaces there are now, in the current language."""
        menu = self.menu
        menu.delete(0, "end")
        for child in menu.winfo_children():
            child.destroy()
        state: Literal["normal", "disabled"] = "disabled" if self.locked else "normal"
        if self.locked:
            menu.add_command(label=tr("udp.locked"), state="disabled")
            menu.add_separator()
        menu.add_command(label=tr("udp.interface_title"), state="disabled")
        menu.add_radiobutton(label=tr("udp.interface_auto"), variable=self.interface, value="", state=state)
        for address in self.addresses():
            if not address.is_loopback or address.version == 4:
                menu.add_radiobutton(label=interface_label(address), variable=self.interface, value=address.ip,
                                     state=state)
        menu.add_separator()
        ttl = tk.Menu(menu, tearoff=False)
        ttl.add_radiobutton(label=tr("udp.ttl_default"), variable=self.ttl, value="", state=state)
        for value in TTLS:
            label = tr("udp.ttl_zero") if value == 0 else str(value)
            ttl.add_radiobutton(label=label, variable=self.ttl, value=str(value), state=state)
        menu.add_cascade(label=tr("udp.ttl", ttl=self.ttl.get() or tr("udp.ttl_default")), menu=ttl)
        menu.add_checkbutton(label=tr("udp.loop"), variable=self.loop, state=state)
        self.extras(menu)

    def lock(self, locked: bool) -> None:
        """Locked while the socket is open (the options apply when it opens)."""
        self.locked = locked
        self.build()

    def options(self) -> Options:
        """The choices as ``UdpConfig`` takes them (None: the system's default)."""
        return Options(self.interface.get() or None, int(self.ttl.get()) if self.ttl.get() else None,
                       None if self.loop.get() else False)

"""The TCP server's client list: address, connected since, bytes in and out.

Kept by the tab from PeerConnected / DataReceived / DataSent / PeerClosed events;
byte columns are redrawn at most once per :meth:`PeerTable.refresh`, and widen
(taking the room from the address column) when a number outgrows them, so
2,010,152 never shows as "2,010". Several rows can be selected to send to them
or disconnect them.
"""

from __future__ import annotations

import time
import tkinter as tk
from dataclasses import dataclass
from tkinter import font as tkfont
from tkinter import ttk

from gui.i18n_tk import Texts
from gui.theme import scale_factor
from netcore.events import Address, format_address

COLUMNS = ("address", "since", "in", "out")
CELL_PAD = 14
"""Pixels a cell needs beside its text (the theme's padding)."""
MIN_ADDRESS = 90


@dataclass
class PeerRow:
    """Totals for one connected client."""

    iid: str
    since: float
    connection: int = 0
    """The engine's serial of the connection shown (a peer may reconnect from the same address)."""
    bytes_in: int = 0
    bytes_out: int = 0
    dirty: bool = False


class PeerTable(ttk.Frame):
    """A Treeview of connected clients with multi-selection."""

    def __init__(self, parent: tk.Misc, texts: Texts) -> None:
        super().__init__(parent)
        self.rows: dict[Address, PeerRow] = {}
        self._by_iid: dict[str, Address] = {}
        self._next = 0
        self.tree = ttk.Treeview(self, columns=COLUMNS, show="headings", selectmode="extended", height=3)
        factor = scale_factor(self)
        for column, key, width in (("address", "peers.address", 130), ("since", "peers.since", 74),
                                   ("in", "peers.in", 46), ("out", "peers.out", 46)):
            texts.heading(self.tree, column, key)
            self.tree.column(column, width=round(width * factor), minwidth=36, stretch=column == "address")
            self.tree.column(column, anchor="w" if column in ("address", "since") else "e")
        name = str(ttk.Style(self).lookup("Treeview", "font")) or "TkDefaultFont"
        self.font = tkfont.nametofont(name, root=self)
        scroll = ttk.Scrollbar(self, orient="vertical", command=self.tree.yview)
        self.tree.configure(yscrollcommand=scroll.set)
        self.tree.grid(row=0, column=0, sticky="nsew")
        scroll.grid(row=0, column=1, sticky="ns")
        self.rowconfigure(0, weight=1)
        self.columnconfigure(0, weight=1)

    def add(self, peer: Address, since: float | None = None, connection: int = 0) -> None:
        """A client connected (from the address of an older connection: that row now shows the new one)."""
        if peer in self.rows:
            self.remove(peer)
        self._next += 1
        iid = f"peer{self._next}"
        when = time.time() if since is None else since
        self.rows[peer] = PeerRow(iid, when, connection)
        self._by_iid[iid] = peer
        since_text = time.strftime("%H:%M:%S", time.localtime(when))
        self.tree.insert("", "end", iid=iid, values=(format_address(peer), since_text, "0", "0"))

    def remove(self, peer: Address, connection: int | None = None) -> None:
        """A client went away; with ``connection``, only if the row still shows that connection."""
        row = self.rows.get(peer)
        if row is not None and (connection is None or row.connection == connection):
            del self.rows[peer]
            self._by_iid.pop(row.iid, None)
            self.tree.delete(row.iid)

    def clear(self) -> None:
        """Forget every client (the server stopped)."""
        for peer in list(self.rows):
            self.remove(peer)

    def count(self, peer: Address, received: int = 0, sent: int = 0) -> None:
        """Add bytes to a client's totals (drawn on the next refresh)."""
        row = self.rows.get(peer)
        if row is not None:
            row.bytes_in += received
            row.bytes_out += sent
            row.dirty = True

    def refresh(self) -> None:
        """Redraw the byte columns of rows that changed."""
        for row in self.rows.values():
            if row.dirty:
                row.dirty = False
                for column, value in (("in", row.bytes_in), ("out", row.bytes_out)):
                    text = f"{value:,}"
                    self.tree.set(row.iid, column, text)
                    self._fit(column, text)

    def _fit(self, column: str, text: str) -> None:
        """Widen ``column`` to show ``text`` whole, narrowing the address column by as much."""
        need = self.font.measure(text) + round(CELL_PAD * scale_factor(self))
        width = int(self.tree.column(column, "width"))
        if need <= width:
            return
        address = int(self.tree.column("address", "width"))
        self.tree.column(column, width=need)
        self.tree.column("address", width=max(MIN_ADDRESS, address - (need - width)))

    def selected(self) -> list[Address]:
        """The selected clients, in table order."""
        return [self._by_iid[iid] for iid in self.tree.selection() if iid in self._by_iid]

    def select(self, peers: list[Address]) -> None:
        """Select exactly ``peers`` (tests and "select all")."""
        self.tree.selection_set([self.rows[p].iid for p in peers if p in self.rows])

    def peers(self) -> list[Address]:
        """Every connected client."""
        return list(self.rows)

""""Find on network": ask the LAN which SocketLab endpoints are visible, list them, fill the target on a click.

The search is :func:`netcore.lan.announce.find` (one request out of every
interface, then the answers until the timeout) on a worker; the list is address,
port, kind and the name its user gave. Selecting a row calls ``fill(found)``.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

from gui.i18n import tr
from gui.lan import visibility
from gui.lan.job import Job
from gui.lan.window import HelperWindow, dialog_title
from netcore.lan.announce import find
from netcore.lan.discovery import Found

COLUMNS = ("address", "port", "kind", "name")


def search(put: Callable[[object], None]) -> None:
    """The worker's work: one search, its answers as one list (never touches Tk)."""
    where = visibility.DISCOVERY
    found, _asked = find(where.timeout, where.port, where.via)
    put(found)


class FindWindow(HelperWindow):
    """The endpoints that answered; a click on one fills the tab's target."""

    def __init__(self, parent: tk.Misc, fill: Callable[[Found], None]) -> None:
        super().__init__(parent, dialog_title("find.title"), size=(560, 300))
        self.fill = fill
        self.found: list[Found] = []
        self.searching = False
        self.status = ttk.Label(self.body, anchor="w", justify="left", wraplength=520)
        self.status.pack(side="top", fill="x", pady=(0, 6))
        self.tree = ttk.Treeview(self.body, columns=COLUMNS, show="headings", height=6, selectmode="browse")
        for column, width in zip(COLUMNS, (150, 70, 100, 200), strict=True):
            self.texts.heading(self.tree, column, f"find.{column}")
            self.tree.column(column, width=width, stretch=column == "name")
        self.tree.pack(fill="both", expand=True)
        self.tree.bind("<<TreeviewSelect>>", self._chosen, add="+")
        self.again = self.button("find.again", self.start)
        self.start()

    def start(self) -> None:
        """Search (again)."""
        self.searching = True
        self.again.state(["disabled"])
        self._draw()
        self.run(Job(self, search, self._take, self._finished))

    def _take(self, item: object) -> None:
        assert isinstance(item, list)
        self.found = item

    def _finished(self) -> None:
        self.searching = False
        self.again.state(["!disabled"])
        self._draw()

    def _draw(self) -> None:
        self.tree.delete(*self.tree.get_children())
        for index, found in enumerate(self.found):
            item = found.announcement
            kind = tr(f"find.kind_{item.kind.replace('-', '_')}")
            self.tree.insert("", "end", iid=str(index), values=(found.address, item.port, kind, item.name))
        if self.searching:
            self.status.configure(text=tr("find.searching"))
        elif self.job is not None and self.job.error is not None:
            self.status.configure(text=tr("find.failed", detail=str(self.job.error)))
        elif self.found:
            self.status.configure(text=tr("find.found", n=len(self.found)))
        else:
            self.status.configure(text=tr("find.none"))

    def _chosen(self, _event: object) -> None:
        chosen = self.tree.selection()
        if chosen:
            self.choose(int(chosen[0]))

    def choose(self, index: int) -> None:
        """Fill the tab's target with the ``index``-th endpoint found."""
        if 0 <= index < len(self.found):
            self.fill(self.found[index])

    def retranslate(self) -> None:
        super().retranslate()
        self._draw()

"""The status bar: this machine's addresses (every interface, IPv4 and IPv6), copyable.

The other machine needs to know which address to type; the list comes from
:func:`netcore.interfaces.local_addresses`, most useful first, and Copy puts the
chosen one on the clipboard. Refresh re-reads the interfaces (Wi-Fi changed).
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

from gui.i18n import later, tr
from gui.i18n_tk import Texts
from netcore.interfaces import LocalAddress, local_addresses


class StatusBar(ttk.Frame):
    """``This machine: [192.168.1.23 (eth0) ▾] [Copy] [Refresh]  message``."""

    def __init__(self, parent: tk.Misc) -> None:
        super().__init__(parent, padding=(8, 3))
        self.texts = Texts()
        self.addresses: list[LocalAddress] = []
        self.texts.bind(ttk.Label(self), "status.addresses").pack(side="left")
        self.picker = ttk.Combobox(self, state="readonly", width=34, takefocus=True)
        self.picker.pack(side="left", padx=4)
        self.texts.bind(ttk.Button(self, command=self.copy, takefocus=False), "status.copy").pack(side="left")
        self.texts.bind(ttk.Button(self, command=self.refresh, takefocus=False), "status.refresh").pack(
            side="left", padx=4)
        self.message = ttk.Label(self, anchor="e")
        self._message: Callable[[], str] = str
        self.message.pack(side="right", fill="x", expand=True)
        self.refresh()

    def refresh(self) -> None:
        """Re-read the interfaces."""
        self.addresses = local_addresses()
        labels = [a.label for a in self.addresses]
        self.picker.configure(values=labels)
        if labels:
            self.picker.current(0)
        else:
            self.picker.set(tr("status.none"))

    def selected_ip(self) -> str:
        """The address picked (the first by default), or ""."""
        index = self.picker.current()
        return self.addresses[index].ip if 0 <= index < len(self.addresses) else ""

    def copy(self) -> None:
        """Put the picked address on the clipboard and say so."""
        ip = self.selected_ip()
        if ip:
            self.clipboard_clear()
            self.clipboard_append(ip)
            self.say(later("status.copied", address=ip))

    def say(self, text: Callable[[], str]) -> None:
        """A short message at the right of the bar: ``text()``, asked again after a language switch."""
        self._message = text
        self.message.configure(text=text())

    def retranslate(self) -> None:
        """Relabel after a language switch."""
        self.texts.apply()
        self.message.configure(text=self._message())
        if not self.addresses:
            self.picker.set(tr("status.none"))

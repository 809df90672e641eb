"""The small yellow window both tips show their text in (a log row's whole text, a hover tip)."""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk


class TipWindow:
    """A borderless window made on first use beside ``owner``; shown at a screen point, then withdrawn."""

    def __init__(self, owner: tk.Misc, wrap: int, font: str | None = None) -> None:
        self.owner, self.wrap, self.font = owner, wrap, font
        self.window: tk.Toplevel | None = None
        self.label: ttk.Label | None = None

    def show(self, content: str, x: int, y: int) -> None:
        """Show ``content`` with its top left corner at screen point (``x``, ``y``)."""
        if self.window is None:
            self.window = tk.Toplevel(self.owner)
            self.window.wm_overrideredirect(True)
            self.label = ttk.Label(self.window, wraplength=self.wrap, justify="left", padding=(8, 4),
                                   relief="solid", borderwidth=1, background="#ffffe8", foreground="#202124")
            if self.font:
                self.label.configure(font=self.font)
            self.label.pack()
        assert self.label is not None
        self.label.configure(text=content)
        self.window.wm_geometry(f"+{x}+{y}")
        self.window.deiconify()
        self.window.lift()

    @property
    def shown(self) -> str:
        """The text on screen, or ""."""
        if self.window is None or self.label is None or self.window.state() == "withdrawn":
            return ""
        return str(self.label.cget("text"))

    def withdraw(self) -> None:
        """Take it off the screen (it is made again if its owner is gone)."""
        if self.window is not None:
            try:
                self.window.withdraw()
            except tk.TclError:  # gone with its owner
                self.window = None

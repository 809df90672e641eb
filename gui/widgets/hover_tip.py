"""A small tip under the pointer while it rests on a widget: what a field takes, a name cut short.

The text is asked for each time the tip shows (``text()``), so it is in the current
language and names what the widget holds now; an empty text shows no tip.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

HOVER_MS = 600
WRAP = 420


class HoverTip:
    """Shows ``text()`` near ``widget`` after the pointer has rested on it for :data:`HOVER_MS`."""

    def __init__(self, widget: tk.Misc, text: Callable[[], str]) -> None:
        self.widget = widget
        self.text = text
        self.window: tk.Toplevel | None = None
        self.label: ttk.Label | None = None
        self._job: str | None = None
        widget.bind("<Enter>", lambda _e: self._wait(), add="+")
        for sequence in ("<Leave>", "<ButtonPress>", "<Destroy>"):
            widget.bind(sequence, lambda _e: self.hide(), add="+")

    def _wait(self) -> None:
        self.hide()
        self._job = self.widget.after(HOVER_MS, self.show)

    def show(self) -> None:
        """Show the tip under the widget now (nothing if ``text()`` is empty)."""
        self._job = None
        content = self.text()
        if not content or not self.widget.winfo_exists():
            return
        if self.window is None:
            self.window = tk.Toplevel(self.widget)
            self.window.wm_overrideredirect(True)
            self.label = ttk.Label(self.window, wraplength=WRAP, justify="left", padding=(8, 4), relief="solid",
                                   borderwidth=1, background="#ffffe8", foreground="#202124")
            self.label.pack()
        assert self.label is not None
        self.label.configure(text=content)
        x = self.widget.winfo_rootx()
        y = self.widget.winfo_rooty() + self.widget.winfo_height() + 4
        self.window.wm_geometry(f"+{x}+{y}")
        self.window.deiconify()
        self.window.lift()

    @property
    def shown(self) -> str:
        """The tip's text while it is on screen, else ""."""
        if self.window is None or self.label is None or self.window.state() == "withdrawn":
            return ""
        return str(self.label.cget("text"))

    def hide(self) -> None:
        """Take the tip away (and forget a pending one)."""
        if self._job is not None:
            self.widget.after_cancel(self._job)
            self._job = None
        if self.window is not None:
            try:
                self.window.withdraw()
            except tk.TclError:  # gone with its widget
                self.window = None

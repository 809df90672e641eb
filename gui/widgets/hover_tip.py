"""A small tip under the pointer while it rests on a widget: what a field takes, a name cut short.

The text is asked for each time the tip shows (``text()``), so it is in the current
language and names what the widget holds now; an empty text shows no tip.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable

from gui.widgets.tip_window import TipWindow

HOVER_MS = 600
WRAP = 420


class HoverTip:
    """Shows ``text()`` near ``widget`` after the pointer has rested on it for :data:`HOVER_MS`."""

    def __init__(self, widget: tk.Misc, text: Callable[[], str]) -> None:
        self.widget = widget
        self.text = text
        self.tip = TipWindow(widget, WRAP)
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
        self.tip.show(content, self.widget.winfo_rootx(),
                      self.widget.winfo_rooty() + self.widget.winfo_height() + 4)

    @property
    def shown(self) -> str:
        """The tip's text while it is on screen, else ""."""
        return self.tip.shown

    def hide(self) -> None:
        """Take the tip away (and forget a pending one)."""
        if self._job is not None:
            self.widget.after_cancel(self._job)
            self._job = None
        self.tip.withdraw()

"""A row's full text in a tip: hover over a log row whose end is out of view, or click it.

The log does not wrap data rows (a long payload would make the Text slow), so a row
can end past the right edge; its whole text then shows in a small window under the
pointer, wrapped. Event rows wrap by themselves and need no tip.
"""

from __future__ import annotations

import tkinter as tk

from gui.widgets.tip_window import TipWindow

HOVER_MS = 600
WRAP = 640


class RowTip:
    """Tips for the rows of ``text`` (a read-only Text, one row a line)."""

    def __init__(self, text: tk.Text) -> None:
        self.text = text
        self.tip = TipWindow(text, WRAP, font="TkFixedFont")
        self._job: str | None = None
        self._line = ""
        text.bind("<Motion>", self._moved, add="+")
        text.bind("<Leave>", lambda _e: self.hide(), add="+")
        text.bind("<ButtonRelease-1>", self._clicked, add="+")
        text.bind("<Destroy>", lambda _e: self.hide(), add="+")

    def row_at(self, x: int, y: int) -> str:
        """The index of the line under (x, y), e.g. ``"12"``, or "" past the last row."""
        index = self.text.index(f"@{x},{y}")
        line = index.split(".")[0]
        bbox = self.text.bbox(f"{line}.0")
        if bbox is None or y > self.text.winfo_height() or not self.text.get(f"{line}.0", f"{line}.end"):
            return ""
        return line

    def clipped(self, line: str) -> bool:
        """True if the row ends (or starts) outside the visible part of the log."""
        info = self.text.dlineinfo(f"{line}.0")  # (x, y, width, …) of the whole display line
        return info is None or info[0] < 0 or info[0] + info[2] > self.text.winfo_width() - 4

    def _moved(self, event: tk.Event[tk.Text]) -> None:
        line = self.row_at(event.x, event.y)
        if line == self._line:
            return
        self.hide()
        self._line = line
        if line and self.clipped(line):
            self._job = self.text.after(HOVER_MS, lambda: self.show(line))

    def _clicked(self, event: tk.Event[tk.Text]) -> None:
        if self.text.tag_ranges("sel"):
            return  # selecting text to copy: no tip in the way
        line = self.row_at(event.x, event.y)
        if line:
            self.hide()
            self._line = line
            self.show(line)

    def show(self, line: str) -> None:
        """Show row ``line``'s whole text under the pointer."""
        self._job = None
        content = self.text.get(f"{line}.0", f"{line}.end").replace("\t", "  ")
        self.tip.show(content, self.text.winfo_pointerx() + 12, self.text.winfo_pointery() + 16)

    @property
    def shown(self) -> str:
        """The text of the tip on screen, or ""."""
        return self.tip.shown

    def hide(self) -> None:
        """Take the tip away (and forget a pending one)."""
        if self._job is not None:
            self.text.after_cancel(self._job)
            self._job = None
        self._line = ""
        self.tip.withdraw()

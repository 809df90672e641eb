"""The traffic log: one row per event, rendered in batches, bounded scrollback.

Rows are added with :meth:`TrafficLog.add` (cheap, no Tk call) and drawn by
:meth:`TrafficLog.flush`, which the pump calls once per tick: one ``Text.insert``
for the whole batch, one ``delete`` to trim the oldest rows past the scrollback,
and a scroll to the end while the log is *following*: it follows until the user
scrolls away (wheel, scrollbar, keys, dragging a selection) and again once they
scroll back to the end, whatever else changes the log's height. Under a flood,
data rows from the same peer merge into one row with the summed byte count (the
counters and the spooled bytes stay exact). Switching text/hex, timestamps,
encoding or language re-renders the rows kept. Event, call and error rows wrap;
data rows do not (long lines make a Text slow), and hovering over one that ends
out of view, or clicking any row, shows its full text in a tip.
"""

from __future__ import annotations

import tkinter as tk
from collections import deque
from tkinter import font as tkfont
from tkinter import ttk

from gui.i18n_tk import tab_moves_focus
from gui.logmodel import CALL, ERROR, EVENT, MERGED_PREVIEW, RECEIVED, SENT, LogRecord, data_record, format_row
from gui.widgets.row_tip import RowTip
from gui.widgets.scrolled import add_scrollbars
from netcore.events import Address, format_address

COALESCE_AFTER = 24
"""Rows per batch drawn one by one; past this, data rows from one peer merge."""
MERGE_LOOKBACK = 6

COLORS = {
    False: {SENT: "#1558b0", RECEIVED: "#1e7b34", EVENT: "#5f6368", CALL: "#7a4fb5", ERROR: "#c5221f"},
    True: {SENT: "#8ab4f8", RECEIVED: "#81c995", EVENT: "#bdc1c6", CALL: "#c58af9", ERROR: "#f28b82"},
}


class TrafficLog(ttk.Frame):
    """A read-only Text with scrollbars showing :class:`LogRecord` rows."""

    def __init__(self, parent: tk.Misc, scrollback: int = 10_000) -> None:
        super().__init__(parent)
        self.records: deque[LogRecord] = deque(maxlen=scrollback)
        self.hex_mode = False
        self.timestamps = True
        self.encoding = "utf-8"
        self._pending: list[LogRecord] = []
        self._lines = 0
        self._peer_chars = len("127.0.0.1:65535")
        """Characters the peer column has room for; it widens when a longer address shows up."""
        self.following = True
        """Scroll to each new row (False while the user has scrolled away from the end)."""
        self.font = tkfont.nametofont("TkFixedFont")
        self.text = tk.Text(self, wrap="none", state="disabled", font=self.font, height=10, width=60,
                            undo=False, borderwidth=0, highlightthickness=1, padx=6, pady=4)
        self.scrollbar = add_scrollbars(self, self.text)
        tab_moves_focus(self.text)
        self._watch_user_scrolling()
        self.tip = RowTip(self.text)
        """A row's full text on hover (when it ends out of view) or on click."""
        self.set_colors(dark=False)
        self._set_tabs()

    def _watch_user_scrolling(self) -> None:
        """Whatever the user does to scroll, decide afterwards whether the log still follows."""

        def scrolled(*args: str) -> None:
            self.text.yview(*args)
            self.user_scrolled()

        self.scrollbar.configure(command=scrolled)
        for sequence in ("<MouseWheel>", "<Button-4>", "<Button-5>", "<KeyRelease>", "<B1-Motion>",
                         "<ButtonRelease-1>"):
            self.text.bind(sequence, lambda _e: self.after_idle(self.user_scrolled), add="+")
        self.text.bind("<Configure>", lambda _e: self._keep_following(), add="+")

    def user_scrolled(self) -> None:
        """The user moved the view: follow again only if it is at the end now."""
        self.following = self.at_bottom()

    def _keep_following(self) -> None:
        """The log changed height (a banner came or went): keep the newest row in view."""
        if self.following:
            self.text.yview_moveto(1.0)

    @property
    def scrollback(self) -> int:
        """How many rows are kept."""
        return self.records.maxlen or 0

    def set_scrollback(self, rows: int) -> None:
        """Keep at most ``rows`` rows (at least 100) and redraw."""
        self.records = deque(self.records, maxlen=max(100, rows))
        self.rerender()

    def set_colors(self, dark: bool) -> None:
        """Row colours for a light or dark theme."""
        for kind, colour in COLORS[dark].items():
            self.text.tag_configure(kind, foreground=colour)
        self.text.configure(background="#1c1c1c" if dark else "#ffffff",
                            foreground="#e8eaed" if dark else "#202124",
                            insertbackground="#e8eaed" if dark else "#202124",
                            highlightbackground="#3a3a3a" if dark else "#d0d0d0",
                            highlightcolor="#57a0ff" if dark else "#0067c0")

    def _set_tabs(self) -> None:
        measure = self.font.measure
        widths = [measure("→ "), measure("0" * self._peer_chars + "  "), measure("65,535 B ×99 ")]
        if self.timestamps:
            widths.insert(0, measure("00:00:00.000 "))
        stops: list[int] = []
        for width in widths:
            stops.append((stops[-1] if stops else 0) + width)
        self.text.configure(tabs=tuple(stops))
        indent = stops[-4]  # after the arrow: a message's next lines get the whole width but the time
        for kind in (EVENT, ERROR, CALL):
            self.text.tag_configure(kind, wrap="word", lmargin2=indent)

    def add(self, record: LogRecord) -> None:
        """Queue a row for the next :meth:`flush` (merging data rows under a flood)."""
        pending = self._pending
        if len(pending) >= COALESCE_AFTER and record.kind in (SENT, RECEIVED):
            for earlier in reversed(pending[-MERGE_LOOKBACK:]):
                if earlier.can_merge(record):
                    earlier.merge(record)
                    return
        pending.append(record)
        self.records.append(record)

    def add_data(self, kind: str, when: float, peer: Address, data: bytes) -> None:
        """A sent/received row; under a flood merged into a queued row of the same peer."""
        pending = self._pending
        if len(pending) >= COALESCE_AFTER:
            for earlier in reversed(pending[-MERGE_LOOKBACK:]):
                if earlier.kind == kind and earlier.peer == peer:
                    earlier.nbytes += len(data)
                    earlier.count += 1
                    if len(earlier.data) < MERGED_PREVIEW:
                        earlier.data += data[:MERGED_PREVIEW - len(earlier.data)]
                    return
        self.add(data_record(kind, when, peer, data))

    @property
    def pending(self) -> int:
        """Rows waiting for :meth:`flush`."""
        return len(self._pending)

    def at_bottom(self) -> bool:
        """True if the last row is in view (so new rows should scroll into view)."""
        return self.text.yview()[1] >= 0.999

    def flush(self) -> None:
        """Draw the queued rows in one insert, trim past the scrollback, follow the end."""
        if not self._pending:
            return
        batch = self._pending[-self.scrollback:]
        self._pending = []
        self._fit_peers(batch)
        chunks: list[str] = []
        for record in batch:
            chunks.append(format_row(record, self.hex_mode, self.encoding, self.timestamps) + "\n")
            chunks.append(record.kind)
        self.text.configure(state="normal")
        self.text.insert("end-1c", *chunks)
        self._lines += len(batch)
        excess = self._lines - self.scrollback
        if excess > 0:
            self.text.delete("1.0", f"{excess + 1}.0")
            self._lines -= excess
        self.text.configure(state="disabled")
        if self.following:
            self.text.yview_moveto(1.0)

    def _fit_peers(self, batch: list[LogRecord]) -> None:
        """Widen the peer column for a longer address (an IPv6 peer); rows drawn before follow."""
        longest = max((len(format_address(r.peer)) for r in batch if r.peer), default=0)
        if longest > self._peer_chars:
            self._peer_chars = longest
            self._set_tabs()

    def rerender(self) -> None:
        """Redraw every kept row (after a display, encoding or language change)."""
        self._pending = []
        self.text.configure(state="normal")
        self.text.delete("1.0", "end")
        self._lines = 0
        self.text.configure(state="disabled")
        self._set_tabs()
        self._pending = list(self.records)
        self.following = True
        self.flush()
        self.text.yview_moveto(1.0)

    def set_display(self, *, hex_mode: bool | None = None, timestamps: bool | None = None,
                    encoding: str | None = None) -> None:
        """Change how rows read and redraw them if anything changed."""
        new = (self.hex_mode if hex_mode is None else hex_mode,
               self.timestamps if timestamps is None else timestamps,
               self.encoding if encoding is None else encoding)
        if new != (self.hex_mode, self.timestamps, self.encoding):
            self.hex_mode, self.timestamps, self.encoding = new
            self.rerender()

    def clear(self) -> None:
        """Forget every row (counters and spooled data are kept elsewhere)."""
        self.records.clear()
        self.rerender()

    def shown_text(self) -> str:
        """What the widget shows now (tests and the self-test read it)."""
        return self.text.get("1.0", "end-1c")

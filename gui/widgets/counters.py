"""The counters line under each tab: bytes and messages in and out, rates, reset.

While a rate is not zero, a timer redraws the line every :data:`RATE_TICK_MS`,
so the rate falls to zero when traffic stops even though no event arrives.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

from gui.i18n import tr
from gui.i18n_tk import Texts
from gui.traffic import Counters, human_rate

RATE_TICK_MS = 250


class CountersBar(ttk.Frame):
    """Shows a :class:`Counters`; :meth:`refresh` redraws, Reset zeroes it."""

    def __init__(self, parent: tk.Misc, counters: Counters, on_reset: Callable[[], None] | None = None) -> None:
        super().__init__(parent)
        self.counters = counters
        self.texts = Texts()
        self._on_reset = on_reset
        reset = self.texts.bind(ttk.Button(self, command=self.reset, takefocus=False), "counters.reset")
        reset.pack(side="right")  # packed first: big numbers squeeze the rate, never the button
        self.received = ttk.Label(self)
        self.sent = ttk.Label(self)
        self.rate = ttk.Label(self)
        self.received.pack(side="left", padx=(0, 16))
        self.sent.pack(side="left", padx=(0, 16))
        self.rate.pack(side="left")
        self._shown: tuple[object, ...] = ()
        self._job: str | None = None
        self.texts.call(self._redraw)
        self.bind("<Destroy>", self._destroyed, add="+")

    def reset(self) -> None:
        """Zero the counters (the log and the spooled data are kept)."""
        self.counters.reset()
        if self._on_reset is not None:
            self._on_reset()
        self.refresh()

    def refresh(self) -> None:
        """Redraw if anything changed since the last call."""
        c = self.counters
        c.sample()
        state = (c.bytes_in, c.msgs_in, c.bytes_out, c.msgs_out, round(c.rate_in), round(c.rate_out))
        if state != self._shown:
            self._redraw()
        if not c.idle and self._job is None:
            self._job = self.after(RATE_TICK_MS, self._tick)

    def _tick(self) -> None:
        self._job = None
        self.refresh()

    def _destroyed(self, event: tk.Event[tk.Misc]) -> None:
        if event.widget is self and self._job is not None:
            self.after_cancel(self._job)
            self._job = None

    def _redraw(self) -> None:
        c = self.counters
        self._shown = (c.bytes_in, c.msgs_in, c.bytes_out, c.msgs_out, round(c.rate_in), round(c.rate_out))
        in_key, out_key = ("counters.in_one" if c.msgs_in == 1 else "counters.in",
                           "counters.out_one" if c.msgs_out == 1 else "counters.out")
        self.received.configure(text=tr(in_key, bytes=f"{c.bytes_in:,}", msgs=f"{c.msgs_in:,}"))
        self.sent.configure(text=tr(out_key, bytes=f"{c.bytes_out:,}", msgs=f"{c.msgs_out:,}"))
        self.rate.configure(text=tr("counters.rate", rx=human_rate(c.rate_in), tx=human_rate(c.rate_out)))

    def retranslate(self) -> None:
        """Relabel after a language switch."""
        self.texts.apply()

"""The rate graph on a Tk Canvas: bytes per second in and out over the last minute.

Draws a :class:`~netcore.session.rates.RateHistory` (the tab's, or the selected
client's on a server). Redrawn at most once a second and whenever the size changes;
the scale follows the largest second shown.
"""

from __future__ import annotations

import time
import tkinter as tk
from collections.abc import Callable
from tkinter import font as tkfont
from tkinter import ttk

from gui.i18n import language, tr
from gui.theme import scale_factor
from netcore.session.chart_text import size_text
from netcore.session.rates import RateHistory

PALETTE = {
    False: {"bg": "#ffffff", "grid": "#e0e4e8", "text": "#5f6368", "in": "#1e7b34", "out": "#1558b0"},
    True: {"bg": "#1f1f1f", "grid": "#3c4043", "text": "#9aa0a6", "in": "#81c995", "out": "#8ab4f8"},
}


class RateView(ttk.Frame):
    """A minute of bytes per second, both directions."""

    def __init__(self, parent: tk.Misc, history: Callable[[], RateHistory],
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__(parent)
        self.history = history
        self.clock = clock
        self.dark = False
        self._drawn: tuple[object, ...] = ()
        self.shown_rates = ("", "")
        """The in and out labels as drawn last."""
        self._scale = scale_factor(self)
        self.font = tkfont.nametofont("TkDefaultFont")
        self.canvas = tk.Canvas(self, highlightthickness=0, borderwidth=0, height=180)
        self.canvas.pack(fill="both", expand=True)
        self.canvas.bind("<Configure>", lambda _e: self.redraw())
        self.set_colors(False)

    def set_colors(self, dark: bool) -> None:
        """Light or dark theme."""
        self.dark = dark
        self.canvas.configure(background=PALETTE[dark]["bg"])
        self.redraw()

    def refresh(self) -> None:
        """Redraw when a new second began (or the language changed)."""
        state = (int(self.clock()), language(), id(self.history()))
        if state != self._drawn:
            self.redraw()

    def redraw(self) -> None:
        """Draw the grid, both lines and the current rates."""
        canvas, colours = self.canvas, PALETTE[self.dark]
        canvas.delete("all")
        now = self.clock()
        series = self.history().series(now - 1)  # the last full second is the newest point
        width, height = max(canvas.winfo_width(), 200), max(canvas.winfo_height(), 120)
        left, top, right, bottom = 70 * self._scale, 28 * self._scale, width - 12, height - 22 * self._scale
        peak = max([1, *(max(i, o) for _s, i, o in series)])
        for fraction in (0.0, 0.5, 1.0):
            y = bottom - (bottom - top) * fraction
            canvas.create_line(left, y, right, y, fill=colours["grid"])
            canvas.create_text(left - 6, y, anchor="e", text=size_text(round(peak * fraction), language()) + "/s",
                               fill=colours["text"], font=self.font)
        step = (right - left) / max(len(series) - 1, 1)
        for column, colour in ((1, colours["in"]), (2, colours["out"])):
            points: list[float] = []
            for index, sample in enumerate(series):
                points += [left + index * step, bottom - (bottom - top) * sample[column] / peak]
            canvas.create_line(*points, fill=colour, width=2)
        _second, last_in, last_out = series[-1]
        self.shown_rates = (tr("rate.in", rate=size_text(last_in, language())),
                            tr("rate.out", rate=size_text(last_out, language())))
        canvas.create_text(left, 8 * self._scale, anchor="nw", fill=colours["in"], font=self.font,
                           text=self.shown_rates[0])
        canvas.create_text(left + 200 * self._scale, 8 * self._scale, anchor="nw", fill=colours["out"],
                           font=self.font, text=self.shown_rates[1])
        canvas.create_text(right, 8 * self._scale, anchor="ne", fill=colours["text"], font=self.font,
                           text=tr("rate.title"))
        self._drawn = (int(now), language(), id(self.history()))


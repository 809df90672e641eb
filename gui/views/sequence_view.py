"""The live sequence chart on a Tk Canvas: lanes across, the conversation running down.

Draws a :class:`~netcore.session.sequence.SequenceModel` (the same model the SVG
export draws). Only the rows in view are drawn, so a long session costs no more than
a short one; it follows the newest item unless the user scrolled away; clicking an
item shows its bytes as text and hex below the chart. Redraws happen when the pump
asks (:meth:`SequenceView.refresh`) and the model changed.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable
from tkinter import font as tkfont
from tkinter import ttk

from gui.i18n import language, tr
from gui.theme import scale_factor
from netcore.payload import decode_for_display, format_hex, printable
from netcore.session.chart_text import clock_text, item_label, lane_label
from netcore.session.sequence import Item, SequenceModel

ROW = 30
LANE_MIN = 170
LEFT = 92
HEAD = 34
PALETTE = {
    False: {"bg": "#ffffff", "lane": "#9aa5b1", "head": "#eef3f8", "text": "#202124", "time": "#5f6368",
            "message": "#1558b0", "datagram": "#7a3fb0", "handshake": "#1e7b34", "fin": "#b06000",
            "close": "#b06000", "shutdown": "#b06000", "rst": "#c5221f", "error": "#c5221f", "band": "#1558b0",
            "overflow": "#c5221f", "stream": "#7a3fb0", "datagrams": "#7a3fb0", "selected": "#fff3c4"},
    True: {"bg": "#1f1f1f", "lane": "#5f6368", "head": "#2d333b", "text": "#e8eaed", "time": "#9aa0a6",
           "message": "#8ab4f8", "datagram": "#c58af9", "handshake": "#81c995", "fin": "#fdd663",
           "close": "#fdd663", "shutdown": "#fdd663", "rst": "#f28b82", "error": "#f28b82", "band": "#8ab4f8",
           "overflow": "#f28b82", "stream": "#c58af9", "datagrams": "#c58af9", "selected": "#3c3a2a"},
}
DASHED = frozenset({"fin", "close", "shutdown", "rst"})


class SequenceView(ttk.Frame):
    """The chart, its scrollbar and a detail line for the clicked item."""

    def __init__(self, parent: tk.Misc, model: SequenceModel,
                 explain: Callable[[Item], str] | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.explain = explain
        self.dark = False
        self.selected: int | None = None
        self.following = True
        self._drawn = (-1, -1, -1, "")
        self._scale = scale_factor(self)
        self.font = tkfont.nametofont("TkDefaultFont")
        self.canvas = tk.Canvas(self, highlightthickness=0, borderwidth=0, height=200)
        self.bar = ttk.Scrollbar(self, orient="vertical", command=self._scroll)
        self.xbar = ttk.Scrollbar(self, orient="horizontal", command=self.canvas.xview)
        self.canvas.configure(xscrollcommand=self.xbar.set)
        self.detail = tk.Text(self, height=3, wrap="word", state="disabled", borderwidth=0, highlightthickness=1,
                              font=tkfont.nametofont("TkFixedFont"), padx=6, pady=3)
        self.canvas.grid(row=0, column=0, sticky="nsew")
        self.bar.grid(row=0, column=1, sticky="ns")
        self.xbar.grid(row=1, column=0, sticky="ew")
        self.detail.grid(row=2, column=0, columnspan=2, sticky="ew", pady=(4, 0))
        self.rowconfigure(0, weight=1)
        self.columnconfigure(0, weight=1)
        self._top = 0
        self.canvas.bind("<Configure>", lambda _e: self.redraw())
        self.canvas.bind("<Button-1>", self._clicked)
        for sequence in ("<MouseWheel>", "<Button-4>", "<Button-5>"):
            self.canvas.bind(sequence, self._wheel)
        self.set_colors(False)

    # ---- geometry ----

    def _px(self, value: float) -> int:
        return round(value * self._scale)

    def _rows_visible(self) -> int:
        return max(1, (self.canvas.winfo_height() - self._px(HEAD)) // self._px(ROW))

    def _lane_x(self, lane: int) -> int:
        """Lanes spread over the width (at least :data:`LANE_MIN` apart; past that, scroll sideways)."""
        width = max(self.canvas.winfo_width(), 300)
        first = self._px(LEFT) + self._px(LANE_MIN) // 2 + self._px(8)
        spaces = max(len(self.model.lanes) - 1, 1)
        gap = max(self._px(LANE_MIN), (width - first - self._px(LANE_MIN) // 2 - self._px(8)) // spaces)
        return first + lane * gap

    # ---- scrolling ----

    def _max_top(self) -> int:
        return max(0, len(self.model.items) - self._rows_visible())

    def _scroll(self, *args: str) -> None:
        rows = len(self.model.items) or 1
        if args[0] == "moveto":
            self._top = round(float(args[1]) * rows)
        elif args[0] == "scroll":
            step = int(args[1]) * (self._rows_visible() if args[2] == "pages" else 1)
            self._top += step
        self._top = min(max(0, self._top), self._max_top())
        self.following = self._top >= self._max_top()
        self.redraw()

    def _wheel(self, event: tk.Event[tk.Misc]) -> None:
        delta = -1 if getattr(event, "num", 0) == 4 or getattr(event, "delta", 0) > 0 else 1
        self._scroll("scroll", str(delta * 3), "units")

    # ---- drawing ----

    def refresh(self) -> None:
        """Redraw if the model changed since the last drawing (cheap when it did not)."""
        if self.following:
            self._top = self._max_top()
        state = (self.model.version, self._top, self.selected or 0, language())
        if state != self._drawn:
            self.redraw()

    def set_colors(self, dark: bool) -> None:
        """Light or dark theme."""
        self.dark = dark
        colours = PALETTE[dark]
        self.canvas.configure(background=colours["bg"])
        self.detail.configure(background=colours["bg"], foreground=colours["text"])
        self._drawn = (-1, -1, -1, "")
        self.redraw()

    def redraw(self) -> None:
        """Draw the lanes and the rows in view."""
        canvas, colours = self.canvas, PALETTE[self.dark]
        canvas.delete("all")
        items = self.model.items
        first = items[0].serial if items else 0
        self._top = min(self._top, self._max_top())
        shown = [items[i] for i in range(self._top, min(len(items), self._top + self._rows_visible() + 1))]
        height = max(canvas.winfo_height(), 100)
        for index, lane in enumerate(self.model.lanes):
            self._draw_lane(index, lane_label(self.model, lane, language()), height, colours)
        for row, item in enumerate(shown):
            self._draw_item(item, self._px(HEAD) + self._px(ROW) * row + self._px(ROW) // 2 + 6, colours)
        right = self._lane_x(len(self.model.lanes) - 1) + self._px(200)
        canvas.configure(scrollregion=(0, 0, right, height))
        total = max(len(items), 1)
        self.bar.set(self._top / total, min(1.0, (self._top + self._rows_visible()) / total))
        self._drawn = (self.model.version, self._top, self.selected or 0, language())
        self._first_serial = first

    def _draw_lane(self, index: int, label: str, height: int, colours: dict[str, str]) -> None:
        x = self._lane_x(index)
        half = self.font.measure(label) // 2 + self._px(8)
        self.canvas.create_rectangle(x - half, 4, x + half, self._px(HEAD) - 6, fill=colours["head"],
                                     outline=colours["lane"])
        self.canvas.create_text(x, (self._px(HEAD) - 2) // 2, text=label, fill=colours["text"], font=self.font)
        self.canvas.create_line(x, self._px(HEAD) - 6, x, height, fill=colours["lane"])

    def _draw_item(self, item: Item, y: int, colours: dict[str, str]) -> None:
        canvas, colour = self.canvas, colours.get(item.kind, colours["text"])
        tags = ("item", f"serial{item.serial}")
        if item.serial == self.selected:
            canvas.create_rectangle(0, y - self._px(ROW) // 2 - 4, 10_000, y + self._px(ROW) // 2 - 4,
                                    fill=colours["selected"], outline="", tags=tags)
        canvas.create_text(6, y - 4, text=clock_text(item.time), anchor="w", fill=colours["time"], font=self.font,
                           tags=tags)
        label = item_label(item, language())
        x1, x2 = self._lane_x(item.source), self._lane_x(item.target)
        if item.kind == "band":
            left, right = sorted((x1, x2))
            canvas.create_rectangle(left, y - 13, max(right, left + 40), y + 5, fill=colours["selected"],
                                    outline=colour, tags=tags)
            canvas.create_text((left + right) // 2, y - 4, text=label, fill=colour, font=self.font, tags=tags)
        elif item.arrow and x1 != x2:
            dash = (6, 4) if item.kind in DASHED else ()
            canvas.create_line(x1, y, x2, y, fill=colour, width=2, arrow="last", dash=dash, tags=tags)
            canvas.create_text((x1 + x2) // 2, y - 11, text=label, fill=colour, font=self.font, tags=tags)
        else:
            canvas.create_oval(x1 - 5, y - 9, x1 + 5, y + 1, fill=colour, outline="", tags=tags)
            room = max(self.canvas.winfo_width(), 300) - self.font.measure(label) - 6
            canvas.create_text(max(self._px(LEFT), min(x1 + 10, room)), y - 4, text=label, anchor="w", fill=colour,
                               font=self.font, tags=tags)

    # ---- selection ----

    def _clicked(self, event: tk.Event[tk.Misc]) -> None:
        row = (event.y - self._px(HEAD)) // self._px(ROW)
        index = self._top + row
        if row >= 0 and 0 <= index < len(self.model.items):
            self.select(self.model.items[index].serial)

    def select(self, serial: int) -> None:
        """Select the item ``serial`` and show its detail."""
        item = self.model.find(serial)
        self.selected = serial if item is not None else None
        self._show_detail(item)
        self.redraw()

    def _show_detail(self, item: Item | None) -> None:
        lines: list[str] = []
        if item is not None:
            lines.append(f"{clock_text(item.time)}  {item_label(item, language())}")
            if item.data:
                shown = f" ({tr('chart.first_bytes', n=f'{len(item.data):,}')})" if len(item.data) < item.nbytes else ""
                lines.append(tr("chart.text") + shown + ": " + printable(decode_for_display(item.data, "utf-8")))
                lines.append(tr("chart.hex") + ": " + format_hex(item.data))
            if self.explain is not None:
                lines.append(self.explain(item))
        self.detail.configure(state="normal")
        self.detail.delete("1.0", "end")
        self.detail.insert("1.0", "\n".join(line for line in lines if line))
        self.detail.configure(state="disabled")

    def detail_text(self) -> str:
        """What the detail pane shows (tests)."""
        return self.detail.get("1.0", "end-1c")

"""The socket's life on a Tk Canvas: the lesson's steps as boxes, lit as the real calls happen.

Draws a :class:`~netcore.session.lifecycle.LifecycleModel`: each box shows its step,
how many times it ran and the last real call with its result; a failed call turns
the box red (its error and hint are below); the step where the program now waits is
marked. On a server the chosen connection has a small life of its own, with its
four-tuple. "Real calls" shows the raw trace under every box. Clicking a box explains
the call.
"""

from __future__ import annotations

import time
import tkinter as tk
from collections.abc import Callable
from tkinter import font as tkfont
from tkinter import ttk

from gui.i18n import language, tr
from gui.i18n_tk import Texts
from gui.theme import scale_factor
from gui.views.explain import explain_call
from netcore.events import format_address
from netcore.session.lifecycle import LOOPS, Life, LifecycleModel, Step

BOX_W, BOX_H, GAP = 150, 44, 18
BOX_MIN = 84
TOP = 24
CALL_LINE = 13
LIT_SECONDS = 1.2
PALETTE = {
    False: {"bg": "#ffffff", "box": "#eef3f8", "edge": "#8aa4c0", "text": "#202124", "dim": "#5f6368",
            "lit": "#c8e6c9", "error": "#fde0dc", "error_edge": "#c5221f", "wait": "#1558b0", "arrow": "#9aa5b1",
            "next": "#e37400"},
    True: {"bg": "#1f1f1f", "box": "#2d333b", "edge": "#5f6f80", "text": "#e8eaed", "dim": "#9aa0a6",
           "lit": "#2e4f33", "error": "#4a2523", "error_edge": "#f28b82", "wait": "#8ab4f8", "arrow": "#5f6368",
           "next": "#fcad70"},
}


def step_title(step: Step) -> str:
    """``accept() ⟲`` for a loop step, ``bind()`` otherwise."""
    calls = "/".join(f"{part}()" for part in step.name.split("/"))
    return calls + (" ⟲" if step.name in LOOPS else "")


class LifecycleView(ttk.Frame):
    """The diagram, a "Real calls" switch and a detail text for the clicked or failed step."""

    def __init__(self, parent: tk.Misc, model: LifecycleModel, texts: Texts,
                 chosen_connection: Callable[[], int | None] | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.chosen_connection = chosen_connection
        self.dark = False
        self._scale = scale_factor(self)
        self._drawn: tuple[object, ...] = ()
        self._boxes: list[tuple[int, int, int, int, Step]] = []
        self._explained = False
        self.font = tkfont.nametofont("TkDefaultFont")
        self.small = tkfont.nametofont("TkFixedFont")
        bar = ttk.Frame(self)
        bar.pack(fill="x")
        self.raw = tk.BooleanVar(self, False)
        check = ttk.Checkbutton(bar, variable=self.raw, command=self.redraw)
        texts.bind(check, "view.raw_trace").pack(side="left")
        body = ttk.Frame(self)
        body.pack(fill="both", expand=True, pady=(4, 0))
        self.canvas = tk.Canvas(body, highlightthickness=0, borderwidth=0, height=260)
        scroll = ttk.Scrollbar(body, orient="vertical", command=self.canvas.yview)
        self.canvas.configure(yscrollcommand=scroll.set)
        self.canvas.pack(side="left", fill="both", expand=True)
        scroll.pack(side="right", fill="y")
        self.detail = tk.Text(self, height=3, wrap="word", state="disabled", borderwidth=0, highlightthickness=1,
                              padx=6, pady=3)
        self.detail.pack(fill="x", pady=(4, 0))
        self.canvas.bind("<Configure>", lambda _e: self.redraw())
        self.canvas.bind("<Button-1>", self._clicked)
        self.set_colors(False)

    def _px(self, value: float) -> int:
        return round(value * self._scale)

    def set_colors(self, dark: bool) -> None:
        """Light or dark theme."""
        self.dark = dark
        colours = PALETTE[dark]
        self.canvas.configure(background=colours["bg"])
        self.detail.configure(background=colours["bg"], foreground=colours["text"])
        self.redraw()

    def refresh(self) -> None:
        """Redraw when the model changed or a lit box should fade."""
        now = time.time()
        lit = any(now - s.time < LIT_SECONDS for s in self.model.life.steps.values())
        state = (self.model.version, self.raw.get(), language(), self._chosen_serial(), lit)
        if state != self._drawn or lit:
            self.redraw()

    def _chosen_serial(self) -> int | None:
        chosen = self.chosen_connection() if self.chosen_connection is not None else None
        if chosen in self.model.connections:
            return chosen
        return next(reversed(self.model.connections), None) if self.model.connections else None

    # ---- drawing ----

    def redraw(self) -> None:
        """Draw the endpoint's steps, then the chosen connection's life (server)."""
        self.canvas.delete("all")
        self._boxes = []
        held = self.model.next_step()
        y = self._draw_life(self.model.life, 0, waiting=held or self.model.waiting)
        serial = self._chosen_serial()
        if self.model.kind == "tcp-server":
            self._draw_connection(serial, y + self._px(16))
        self._drawn = (self.model.version, self.raw.get(), language(), serial, False)
        region = self.canvas.bbox("all")
        if region is not None:
            self.canvas.configure(scrollregion=(0, 0, region[2], region[3] + self._px(8)))
        failed = next((s for s in self.model.life.steps.values() if not s.ok), None)
        if failed is not None:
            self.show_detail(failed)
        elif not self._explained:
            self._set_detail(tr("life.truth"))

    def _layout(self, count: int) -> tuple[int, int]:
        """Boxes per row and the box width: one row when the boxes fit at :data:`BOX_MIN` or wider."""
        width = max(self.canvas.winfo_width(), self._px(400)) - self._px(16)
        per_row = max(2, min(count, width // self._px(BOX_MIN + GAP)))
        box = min(self._px(BOX_W), width // per_row - self._px(GAP))
        return per_row, box

    def _draw_life(self, life: Life, top: int, waiting: str | None) -> int:
        """Draw ``life``'s boxes in rows from ``top``; return the y below them."""
        steps = list(life.steps.values())
        per_row, box = self._layout(len(steps))
        lines = 4 if self.raw.get() else 1
        bottom = top
        for first in range(0, len(steps), per_row):
            y = bottom + self._px(TOP)
            bottom = y + self._px(BOX_H)
            for column, step in enumerate(steps[first:first + per_row]):
                x = self._px(8) + column * (box + self._px(GAP))
                self._draw_box(step, x, y, box, waiting == step.name)
                if column + 1 < per_row and first + column + 1 < len(steps):
                    mid = y + self._px(BOX_H) // 2
                    self.canvas.create_line(x + box, mid, x + box + self._px(GAP), mid, arrow="last",
                                            fill=PALETTE[self.dark]["arrow"], width=2)
                text = self._draw_calls(step, x, y + self._px(BOX_H) + self._px(4), box + self._px(GAP) - 4, lines)
                bottom = max(bottom, self.canvas.bbox(text)[3] if self.canvas.bbox(text) else bottom)
        return bottom + self._px(8)

    def _draw_box(self, step: Step, x: int, y: int, box: int, waiting: bool) -> None:
        colours, canvas = PALETTE[self.dark], self.canvas
        fill, edge = colours["box"], colours["edge"]
        if not step.ok:
            fill, edge = colours["error"], colours["error_edge"]
        elif step.count and time.time() - step.time < LIT_SECONDS:
            fill = colours["lit"]
        held = waiting and self.model.next_step() == step.name
        width = 3 if waiting else 1
        outline = colours["next"] if held else colours["wait"] if waiting else edge
        canvas.create_rectangle(x, y, x + box, y + self._px(BOX_H), fill=fill, outline=outline, width=width)
        title = step_title(step)
        if self.font.measure(title) > box - 6:  # a narrow box: recv/send ⟲ instead of recv()/send() ⟲
            title = step.name + (" ⟲" if step.name in LOOPS else "")
        canvas.create_text(x + box // 2, y + self._px(13), text=title, font=self.font, fill=colours["text"])
        count = tr("life.count", n=f"{step.count:,}") if step.count else "—"
        canvas.create_text(x + box // 2, y + self._px(31), text=count, font=self.font,
                           fill=colours["dim"])
        self._boxes.append((x, y, x + box, y + self._px(BOX_H), step))
        if waiting:
            key = f"life.waiting.{step.name}"
            label = tr("life.next", call=_next_text(self.model)) if held else tr(key)
            half = self.font.measure(label) // 2
            right = max(self.canvas.winfo_width(), 2 * half + 8) - half - 4
            canvas.create_text(min(max(x + box // 2, half + 4), right), y - self._px(3), anchor="s", text=label,
                               fill=outline, font=self.font)

    def _draw_calls(self, step: Step, x: int, y: int, width: int, lines: int) -> int:
        """The step's own last call (or, with "Real calls", the last few of any kind), wrapped to fit."""
        calls = step.calls[-lines:] if lines > 1 else [step.own_call]
        colour = PALETTE[self.dark]["error_edge"] if not step.ok else PALETTE[self.dark]["dim"]
        return self.canvas.create_text(x, y, anchor="nw", text="\n".join(_without_peer(c) for c in calls if c),
                                       font=self.small, fill=colour, width=width)

    def _draw_connection(self, serial: int | None, top: int) -> None:
        colours = PALETTE[self.dark]
        life = self.model.connections.get(serial) if serial is not None else None
        if life is None:
            self.canvas.create_text(self._px(8), top, anchor="nw", text=tr("life.none"), fill=colours["dim"],
                                    font=self.font)
            return
        title = tr("life.connection", local=format_address(life.local), remote=format_address(life.peer))
        if life.ended:
            title += "  " + tr("life.ended", reason=tr(f"life.reason.{life.ended.lower()}"))
        others = len(self.model.connections) - 1
        if others > 0:
            title += "  " + tr("life.connection_more", n=f"{others:,}")
        self.canvas.create_text(self._px(8), top, anchor="nw", text=title, fill=colours["text"], font=self.font)
        tuple_line = self.canvas.create_text(self._px(8), top + self._px(20), anchor="nw", text=tr("life.tuple"),
                                             fill=colours["dim"], font=self.font,
                                             width=max(200, self.canvas.winfo_width() - self._px(16)))
        below = self.canvas.bbox(tuple_line)[3]
        alongside = [other for key, other in self.model.connections.items() if key != serial and not other.ended][-3:]
        for other in alongside:  # two clients of one machine: the same addresses, only the ports differ
            text = tr("life.also", local=format_address(other.local), remote=format_address(other.peer))
            item = self.canvas.create_text(self._px(8), below + self._px(2), anchor="nw", text=text, font=self.small,
                                           fill=colours["dim"])
            below = self.canvas.bbox(item)[3]
        self._draw_life(life, below, waiting=None if life.ended else "recv/send")

    # ---- detail ----

    def _clicked(self, event: tk.Event[tk.Misc]) -> None:
        for x1, y1, x2, y2, step in self._boxes:
            if x1 <= event.x <= x2 and y1 <= event.y <= y2:
                self.show_detail(step)
                return

    def show_detail(self, step: Step) -> None:
        """Explain ``step``'s call; with its error and hint when it failed."""
        parts = [step_title(step)]
        if not step.ok:
            parts.append(f"{step.error} {step.hint}".strip())
        parts.extend(step.calls[-2:])
        parts.extend(explain_call(name) for name in step.name.split("/"))
        self._explained = True
        self._set_detail("\n".join(part for part in parts if part))

    def _set_detail(self, text: str) -> None:
        self.detail.configure(state="normal")
        self.detail.delete("1.0", "end")
        self.detail.insert("1.0", text)
        self.detail.configure(state="disabled")

    def detail_text(self) -> str:
        """What the detail pane shows (tests)."""
        return self.detail.get("1.0", "end-1c")


def _without_peer(line: str) -> str:
    """``accept() -> …`` from ``[127.0.0.1:5000] accept() -> …``: the connection's title names the peer."""
    return line.split("] ", 1)[1] if line.startswith("[") and "] " in line else line


def _next_text(model: LifecycleModel) -> str:
    """``bind(('0.0.0.0', 9000))``: the call step mode holds back, as it will run."""
    pending = model.next_call
    return f"{pending.call}({pending.args})" if pending is not None else ""

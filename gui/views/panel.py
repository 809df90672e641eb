"""The switch between a tab's views: Log | Sequence | Socket's life | Rate.

Owns the pure models (:mod:`netcore.session`) the views draw and feeds every event of
the tab to them (cheap: a few dict look-ups), so switching to a view shows the whole
story so far. Only the view on screen redraws, at most every :data:`REDRAW_INTERVAL`.
"""

from __future__ import annotations

import time
import tkinter as tk
from collections.abc import Callable
from tkinter import ttk

from gui.i18n import has, tr
from gui.i18n_tk import Texts
from gui.views.explain import explain_item, first_sentence
from gui.views.lifecycle_view import LifecycleView
from gui.views.rate_view import RateView
from gui.views.sequence_view import SequenceView
from netcore.events import Address, DataReceived, Event, StepPending
from netcore.session.lifecycle import LifecycleModel
from netcore.session.rates import RateHistory, RateModel
from netcore.session.sequence import SequenceModel
from netcore.session.streammap import StreamNote
from netcore.worker import Endpoint

VIEWS = ("log", "sequence", "calls", "rate")
REDRAW_INTERVAL = 0.1
TIMER_MS = 250
"""Redraws without events too: a lit box fades, the rate graph moves on each second."""


class ViewPanel(ttk.Frame):
    """The switch row and the stacked views; :attr:`log_frame` is where the tab puts its log."""

    def __init__(self, parent: tk.Misc, kind: str, texts: Texts,
                 chosen_peer: Callable[[], Address | None] | None = None,
                 chosen_connection: Callable[[], int | None] | None = None,
                 endpoint: Callable[[], Endpoint | None] | None = None) -> None:
        super().__init__(parent)
        self.endpoint = endpoint or (lambda: None)
        self.stepping = tk.BooleanVar(self, False)
        self.kind = kind
        self.chosen_peer = chosen_peer
        self.sequence = SequenceModel(kind)
        self.lifecycle = LifecycleModel(kind)
        self.rates = RateModel()
        self.current = tk.StringVar(self, "log")
        self._held_shown = False
        self._drawn_at = 0.0
        switch = ttk.Frame(self)
        switch.pack(fill="x", pady=(0, 4))
        self.switch = switch
        """The row of view choices (a tab adds its Frames choice at its right)."""
        for view in VIEWS:
            button = ttk.Radiobutton(switch, variable=self.current, value=view, command=self.show, takefocus=False)
            texts.bind(button, f"view.{view}").pack(side="left", padx=(0, 6))
        if endpoint is not None:
            self._build_step_bar(switch, texts)
        self.body = ttk.Frame(self)
        self.body.pack(fill="both", expand=True)
        self.log_frame = ttk.Frame(self.body)
        self.sequence_view = SequenceView(self.body, self.sequence, explain_item)
        self.calls_view = LifecycleView(self.body, self.lifecycle, texts, chosen_connection)
        self.rate_view = RateView(self.body, self._history)
        self._frames: dict[str, ttk.Frame] = {"log": self.log_frame, "sequence": self.sequence_view,
                                              "calls": self.calls_view, "rate": self.rate_view}
        self.show()
        self._job: str | None = self.after(TIMER_MS, self._tick)
        self.bind("<Destroy>", self._destroyed, add="+")

    def _tick(self) -> None:
        self._job = None
        if self.winfo_ismapped():
            self.refresh()
        self._job = self.after(TIMER_MS, self._tick)

    def _destroyed(self, event: tk.Event[tk.Misc]) -> None:
        if event.widget is self and self._job is not None:
            self.after_cancel(self._job)
            self._job = None

    # ---- step mode ----

    def _build_step_bar(self, bar: ttk.Frame, texts: Texts) -> None:
        """``[✓] Step`` at the right of the switch row; while stepping, a row with Next, Continue and the held call."""
        check = ttk.Checkbutton(bar, variable=self.stepping, command=self._step_toggled, takefocus=False)
        texts.bind(check, "step.mode").pack(side="right")
        self.step_bar = ttk.Frame(self)
        self.next_button = texts.bind(ttk.Button(self.step_bar, command=self.step_next, state="disabled",
                                                 takefocus=False), "step.next")
        self.next_button.pack(side="left")
        self.continue_button = texts.bind(ttk.Button(self.step_bar, command=self.step_continue, takefocus=False),
                                          "step.continue")
        self.continue_button.pack(side="left", padx=(4, 8))
        self.step_line = ttk.Label(self.step_bar, foreground="#e37400")
        self.step_line.pack(side="left", fill="x", expand=True)
        self.step_line.bind("<Configure>", lambda e: self.step_line.configure(wraplength=max(160, e.width - 4)))

    def _step_toggled(self) -> None:
        endpoint = self.endpoint()
        if endpoint is not None:
            endpoint.set_step_mode(self.stepping.get())
        self._show_step()

    def step_next(self) -> None:
        """Next: run exactly the call shown."""
        endpoint = self.endpoint()
        if endpoint is not None:
            endpoint.step_next()

    def step_continue(self) -> None:
        """Continue: step mode off, run freely."""
        self.stepping.set(False)
        self._step_toggled()

    def _show_step(self) -> None:
        """The held call, what it does, and what only real sockets show at that moment."""
        if not hasattr(self, "step_bar"):
            return
        if not self.stepping.get():
            self.step_bar.pack_forget()
            return
        self.step_bar.pack(fill="x", before=self.body, pady=(0, 4))
        pending = self.lifecycle.next_call
        self.next_button.configure(state="normal" if pending is not None else "disabled")
        text = tr("step.off") if pending is None else tr("step.held", call=f"{pending.call}({pending.args})",
                                                           what=first_sentence(pending.call))
        if pending is not None and has(f"step.note.{pending.call}"):
            text += " " + tr(f"step.note.{pending.call}")
        self.step_line.configure(text=text)

    def _history(self) -> RateHistory:
        peer = self.chosen_peer() if self.chosen_peer is not None else None
        history = self.rates.peer(peer) if peer is not None else None
        return history or self.rates.total

    def show(self, view: str | None = None) -> None:
        """Bring ``view`` (or the chosen one) to the front."""
        if view is not None:
            self.current.set(view)
        for name, frame in self._frames.items():
            if name == self.current.get():
                frame.pack(fill="both", expand=True)
            else:
                frame.pack_forget()
        self._drawn_at = 0.0
        self.refresh()

    def feed(self, event: Event) -> None:
        """Every event of the tab goes into every model (the hot path)."""
        self.sequence.feed(event)
        self.lifecycle.feed(event)
        self.rates.feed(event)
        if isinstance(event, StepPending) or (self.lifecycle.next_call is None and self._held_shown):
            self._held_shown = self.lifecycle.next_call is not None
            self._show_step()

    def feed_run(self, run: list[DataReceived]) -> None:
        """A run of datagrams: the same as :meth:`feed` for each, the rate graph counted at once."""
        sequence, lifecycle = self.sequence.feed, self.lifecycle.feed
        for event in run:
            sequence(event)
            lifecycle(event)
        self.rates.feed_received(run)
        if self.lifecycle.next_call is None and self._held_shown:
            self._held_shown = False
            self._show_step()

    def note(self, note: StreamNote) -> None:
        """What the window saw on both ends: how send() and recv() calls lined up."""
        self.sequence.note_stream(note.peer, note.time, note.sends, note.receives, note.datagram)

    def refresh(self, force: bool = False) -> None:
        """Redraw the view on screen if it changed (at most every :data:`REDRAW_INTERVAL`)."""
        now = time.monotonic()
        if not force and now - self._drawn_at < REDRAW_INTERVAL:
            return
        self._drawn_at = now
        view = self.current.get()
        if view == "sequence":
            self.sequence_view.refresh()
        elif view == "calls":
            self.calls_view.refresh()
        elif view == "rate":
            self.rate_view.refresh()

    def set_colors(self, dark: bool) -> None:
        for view in (self.sequence_view, self.calls_view, self.rate_view):
            view.set_colors(dark)

    def clear(self) -> None:
        """Forget everything drawn (a replay starts again)."""
        self.sequence = self.sequence_view.model = SequenceModel(self.kind)
        self.lifecycle = self.calls_view.model = LifecycleModel(self.kind)
        self.rates = RateModel()
        self.refresh(force=True)

    def reset(self) -> None:
        """A new endpoint starts in the tab: a new socket's life (the chart and the graph go on)."""
        self.lifecycle = self.calls_view.model = LifecycleModel(self.kind)
        self.refresh(force=True)

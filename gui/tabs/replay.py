"""A read-only tab that shows a saved session, and replays it in time.

Opening a session shows all of it at once in the log and the views (sequence chart,
socket's life, rate). **Replay** starts from nothing and feeds the events again with
their recorded timing (1×, 2×, 10×, or as fast as possible); **Step** feeds one event;
**Show all** jumps to the end. Nothing here touches the network.
"""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk
from typing import TYPE_CHECKING

from gui.eventrows import log_event
from gui.i18n import tr
from gui.i18n_tk import Texts
from gui.relayrows import RelayRows, add_relay_rows, is_relayed
from gui.views.panel import ViewPanel
from gui.widgets.traffic_log import TrafficLog
from netcore.events import DataReceived, DataSent, Event
from netcore.session.chart_text import clock_text
from netcore.session.record import Session

if TYPE_CHECKING:
    from gui.app import MainWindow

SPEEDS = {"1×": 1.0, "2×": 2.0, "10×": 10.0, "max": 0.0}
MAX_WAIT_MS = 2000
"""A pause longer than this in the recording is shortened to it when replaying."""


class ReplayTab(ttk.Frame):
    """One session file, shown and replayable."""

    kind = "replay"

    def __init__(self, parent: tk.Misc, window: MainWindow, session: Session, name: str) -> None:
        super().__init__(parent, padding=(10, 8))
        self.window = window
        self.session = session
        self.name = name
        self.texts = Texts()
        self.position = 0
        self._job: str | None = None
        self.relay_rows = RelayRows()
        """A relay's session: which client each pair serves, for its rows."""
        self.speed = tk.StringVar(self, "1×")
        self._build()
        self.show_all()

    def _build(self) -> None:
        bar = ttk.Frame(self)
        bar.pack(fill="x", pady=(0, 6))
        kind = self.session.kind.replace("-", "_")
        self.title = ttk.Label(bar, text=f"{self.name} · {tr(f'tab.{kind}') if kind else ''}")
        self.title.pack(side="left", padx=(0, 12))
        for key, action in (("replay.play", self.play), ("replay.step", self.step), ("replay.all", self.show_all)):
            self.texts.bind(ttk.Button(bar, command=action), key).pack(side="left", padx=(0, 4))
        ttk.Combobox(bar, textvariable=self.speed, values=list(SPEEDS), width=5, state="readonly").pack(
            side="left", padx=(6, 6))
        self.where = ttk.Label(bar)
        self.where.pack(side="left", padx=(6, 0))
        self.views = ViewPanel(self, self.session.kind or "tcp-server", self.texts)
        self.views.pack(fill="both", expand=True)
        self.log = TrafficLog(self.views.log_frame, self.window.settings.scrollback)
        self.log.pack(fill="both", expand=True)

    # ---- feeding ----

    def _feed(self, event: Event) -> None:
        settings = self.window.settings
        self.views.feed(event)
        self.relay_rows.note(event)
        if isinstance(event, (DataReceived, DataSent)) and is_relayed(event):  # as the Relay tab shows it
            add_relay_rows(self.log, self.relay_rows, event, settings.show_data_calls)
            return
        log_event(self.log, event, settings.show_calls, settings.show_data_calls)

    def _reset(self) -> None:
        self._cancel()
        self.position = 0
        self.log.clear()
        self.views.clear()

    def _shown(self) -> None:
        self.log.flush()
        self.views.refresh(force=True)
        total = len(self.session.events)
        when = clock_text(self.session.events[self.position - 1].time) if self.position else "—"
        self.where.configure(text=tr("replay.where", n=f"{self.position:,}", total=f"{total:,}", time=when))

    def show_all(self) -> None:
        """Everything in the file, at once."""
        self._reset()
        for event in self.session.events:
            self._feed(event)
        self.position = len(self.session.events)
        self._shown()

    def step(self) -> None:
        """One more event (from the start after the end)."""
        self._cancel()
        if self.position >= len(self.session.events):
            self._reset()
        if self.position < len(self.session.events):
            self._feed(self.session.events[self.position])
            self.position += 1
        self._shown()

    def play(self) -> None:
        """From the start, in recorded time at the chosen speed."""
        self._reset()
        self._next()

    def _next(self) -> None:
        self._job = None
        events = self.session.events
        if self.position >= len(events):
            self._shown()
            return
        self._feed(events[self.position])
        self.position += 1
        self._shown()
        if self.position < len(events):
            speed = SPEEDS.get(self.speed.get(), 1.0)
            gap = events[self.position].time - events[self.position - 1].time
            delay = 0 if speed == 0 else min(MAX_WAIT_MS, max(0, round(gap * 1000 / speed)))
            self._job = self.after(delay, self._next)

    def _cancel(self) -> None:
        if self._job is not None:
            self.after_cancel(self._job)
            self._job = None

    @property
    def playing(self) -> bool:
        return self._job is not None

    def close(self) -> None:
        self._cancel()

    def retranslate(self) -> None:
        self.texts.apply()
        self.log.rerender()
        self._shown()

    def set_colors(self, dark: bool) -> None:
        self.log.set_colors(dark)
        self.views.set_colors(dark)

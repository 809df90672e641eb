"""The one ``after`` loop that moves engine events onto the Tk thread.

Workers only ``put`` on the :class:`~netcore.eventqueue.EventQueue`. Each tick
drains it in batches until a time budget is spent, routes every event to its tab
(a run of datagrams as one piece),
then lets each tab that got events draw (``flush`` returns True while a tab still
has something to draw, so a throttled redraw is not forgotten). A backlog reschedules the next tick
at once (1 ms) so other ``after`` callbacks and input still get their turn; an
idle queue is looked at every :attr:`Pump.IDLE_MS`.
"""

from __future__ import annotations

import time
import tkinter as tk
from collections.abc import Callable, Iterator

from gui import crash
from netcore.eventqueue import EventQueue
from netcore.events import DataReceived, Event


class Pump:
    """Drains ``events`` on the Tk thread: ``route(batch)`` for each batch taken, then ``flush()``."""

    BUDGET = 0.005
    BATCH = 64
    BUSY_MS = 1
    DRAW_MS = 10
    IDLE_MS = 15

    def __init__(self, widget: tk.Misc, events: EventQueue, route: Callable[[list[Event]], None],
                 flush: Callable[[], bool]) -> None:
        self.widget = widget
        self.events = events
        self.route = route
        self.flush = flush
        self.handled = 0
        self.ticks = 0
        self.longest = 0.0
        """Longest tick so far, in seconds (benchmarks read it)."""
        self._job: str | None = None

    def start(self) -> None:
        """Begin ticking."""
        if self._job is None:
            self._job = self.widget.after(self.IDLE_MS, self.tick)

    def stop(self) -> None:
        """Stop ticking (before the window is destroyed)."""
        if self._job is not None:
            self.widget.after_cancel(self._job)
            self._job = None

    def tick(self) -> None:
        """One round: drain within the budget, draw, reschedule."""
        self._job = None
        started = time.perf_counter()
        more = False
        try:
            self._drain(started + self.BUDGET)
            more = self.flush()
        except Exception as error:  # noqa: BLE001  # a bug in one row must not stop the window from updating
            crash.record("pump", type(error), error, error.__traceback__)  # logged; stderr may be None
        elapsed = time.perf_counter() - started
        self.longest = max(self.longest, elapsed)
        self.ticks += 1
        delay = self.BUSY_MS if len(self.events) else self.DRAW_MS if more else self.IDLE_MS
        self._job = self.widget.after(delay, self.tick)

    def _drain(self, deadline: float) -> None:
        while True:
            batch = self.events.drain(self.BATCH)
            if batch:
                self.route(batch)
            self.handled += len(batch)
            if len(batch) < self.BATCH or time.perf_counter() >= deadline:
                return


RUN_MIN = 4
"""Fewer datagrams than this in a row are routed one by one (a run's set-up would cost more)."""


def data_runs(batch: list[Event]) -> Iterator[Event | list[DataReceived]]:
    """``batch`` in order: each event alone, except runs of ``DataReceived`` from one endpoint, as lists.

    A flood of datagrams arrives as such runs; a front-end counts, spools and graphs a
    run at once and shows each of its datagrams as before.
    """
    start, count = 0, len(batch)
    while start < count:
        first = batch[start]
        end = start + 1
        if type(first) is DataReceived:
            name = first.endpoint
            while end < count and type(batch[end]) is DataReceived and batch[end].endpoint == name:
                end += 1
        if end - start >= RUN_MIN:
            yield batch[start:end]  # type: ignore[misc]
        else:
            yield from batch[start:end]
        start = end

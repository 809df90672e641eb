"""A worker thread whose results reach the Tk thread through a queue drained with ``after``.

The worker never touches Tk (not even ``after``): it only ``put``s items. The Tk
thread polls the queue every :data:`POLL_MS`, hands at most :data:`PER_TICK` items
a tick to ``deliver``, and stops polling once the worker has ended and the queue
is empty, or when the widget it lives on is destroyed. The thread holds nothing of
Tk (only the work, the queue and an outcome box), so no Tk object is ever freed on it.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import tkinter as tk
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
POLL_MS = 40
PER_TICK = 200


class Outcome:
    """What the worker leaves for the Tk thread besides its items: the exception that ended it, if any."""

    error: BaseException | None = None


def _run(work: Callable[[Callable[[T], None]], None], put: Callable[[T], None], outcome: Outcome) -> None:
    try:
        work(put)
    except Exception as error:  # noqa: BLE001  # a probe bug must not vanish: shown as the job's end
        outcome.error = error


class Job(Generic[T]):
    """Run ``work(put)`` on a daemon thread; ``deliver(item)`` each item on the Tk thread, then ``done()``."""

    def __init__(self, widget: tk.Misc, work: Callable[[Callable[[T], None]], None],
                 deliver: Callable[[T], None], done: Callable[[], None] = lambda: None) -> None:
        self.widget = widget
        self._deliver = deliver
        self._done = done
        self._items: queue.Queue[T] = queue.Queue()
        self._outcome = Outcome()
        self._thread = threading.Thread(target=_run, args=(work, self._items.put, self._outcome),
                                        name="socketlab-lan-job", daemon=True)
        self._after: str | None = None
        self.finished = False
        """True once the worker ended and every item was delivered."""

    def start(self) -> Job[T]:
        self._thread.start()
        self._after = self.widget.after(POLL_MS, self._poll)
        return self

    @property
    def running(self) -> bool:
        return not self.finished

    @property
    def error(self) -> BaseException | None:
        """The exception that ended the worker, if one did."""
        return self._outcome.error

    def _poll(self) -> None:
        self._after = None
        for _ in range(PER_TICK):
            try:
                item = self._items.get_nowait()
            except queue.Empty:
                break
            self._deliver(item)
        if self._thread.is_alive() or not self._items.empty():
            with contextlib.suppress(tk.TclError):  # the window went away: stop polling
                self._after = self.widget.after(POLL_MS, self._poll)
            return
        self.finished = True
        self._done()

    def cancel(self) -> None:
        """Stop delivering (the worker, bounded in time, ends by itself)."""
        self.finished = True
        if self._after is not None:
            with contextlib.suppress(tk.TclError):
                self.widget.after_cancel(self._after)
            self._after = None

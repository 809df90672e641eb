"""Step mode: the worker stops before each real socket call until the front-end says Next.

A gate, not a second engine: the worker asks :meth:`StepGate.wait_turn` right before
it makes a call; with step mode off that is one attribute read. With it on, the
worker tells the front-end which call comes next (a
:class:`~netcore.events.StepPending` event) and waits until :meth:`next` lets exactly
that call run, :meth:`resume` lets everything run freely, or :meth:`cancel` (the
endpoint is stopping) makes the wait raise :class:`StepCancelled`. Nothing is
skipped, reordered or faked: the call the gate announced is the call that runs.
Thread-safe: the front-end's methods may be called from any thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class StepCancelled(Exception):
    """The endpoint was stopped while its worker waited at the gate."""


class StepGate:
    """One endpoint's gate."""

    def __init__(self) -> None:
        self.enabled = False
        """Read by the worker before every call (the whole cost when step mode is off)."""
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._permits = 0
        self._cancelled = False
        self.waiting: tuple[str, str] | None = None
        """The call the worker now waits to make, if it waits."""

    # ---- front-end side ----

    def set_enabled(self, enabled: bool) -> None:
        """Turn step mode on (the next call waits) or off (as :meth:`resume`)."""
        with self._changed:
            self.enabled = enabled
            if not enabled:
                self._changed.notify_all()

    def next(self) -> None:
        """Let the one waiting call run (nothing if no call waits: Next runs the call that was shown)."""
        with self._changed:
            if self.waiting is not None:
                self._permits = 1
                self._changed.notify_all()

    def resume(self) -> None:
        """Continue: every call runs freely from now on."""
        self.set_enabled(False)

    def cancel(self) -> None:
        """The endpoint stops: a worker waiting here (now or later) gives up."""
        with self._changed:
            self._cancelled = True
            self._changed.notify_all()

    # ---- worker side ----

    def wait_turn(self, call: str, args: str, announce: Callable[[str, str], None]) -> None:
        """Block until ``call(args)`` may run; ``announce`` tells the front-end first (worker thread)."""
        if not self.enabled:
            return
        with self._changed:
            self.waiting = (call, args)
            self._permits = 0
        announce(call, args)
        with self._changed:
            try:
                while self.enabled and not self._permits and not self._cancelled:
                    self._changed.wait(0.5)
                if self._cancelled:
                    raise StepCancelled(call)
                self._permits = 0
            finally:
                self.waiting = None

"""The bounded, thread-safe queue of events from the engine to a front-end.

Workers ``put`` (never blocking); the front-end ``drain``s or ``get``s. Past the
high watermark (payload bytes or event count) the queue is *congested*: workers
then stop reading TCP sockets, so TCP flow control slows the sender and nothing is
dropped. When the front-end drains below the low watermark, the queue calls its
resume listeners (each worker's wake-up) so reading restarts at once.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable

from netcore.events import Event

DEFAULT_MAX_BYTES = 8 * 1024 * 1024
DEFAULT_MAX_EVENTS = 20_000


class EventQueue:
    """Events in order; congested past ``max_bytes`` of payload or ``max_events``."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES, max_events: int = DEFAULT_MAX_EVENTS) -> None:
        self.max_bytes = max_bytes
        self.max_events = max_events
        self._events: deque[Event] = deque()
        self._bytes = 0
        self._lock = threading.Lock()  # entered directly on the hot path (no Python-level __enter__)
        self._ready = threading.Condition(self._lock)
        self._listeners: list[Callable[[], None]] = []
        self._was_congested = False
        self.peak_bytes = 0
        """Most payload bytes ever held at once (for tests and benchmarks)."""

    def put(self, event: Event, wake: bool = True) -> None:
        """Append ``event``; never blocks, even when congested.

        ``wake=False`` leaves a waiting consumer asleep: a worker puts a whole
        round of events that way and calls :meth:`wake_consumer` once, so the
        consumer does not take the GIL in the middle of a request and its reply.
        """
        with self._lock:
            self._events.append(event)
            self._bytes += event.payload_size
            if self._bytes > self.peak_bytes:
                self.peak_bytes = self._bytes
            if wake:
                self._ready.notify()

    def put_run(self, events: list[Event], nbytes: int, wake: bool = True) -> None:
        """Append ``events`` (holding ``nbytes`` of payload in all) under one lock: a worker's run of datagrams.

        The same as calling :meth:`put` for each, in order, for a fraction of the cost.
        """
        with self._lock:
            self._events.extend(events)
            self._bytes += nbytes
            if self._bytes > self.peak_bytes:
                self.peak_bytes = self._bytes
            if wake:
                self._ready.notify()

    def wake_consumer(self) -> None:
        """Wake a consumer waiting in :meth:`get` or :meth:`wait` (if any)."""
        with self._ready:
            if self._events:
                self._ready.notify()

    @property
    def congested(self) -> bool:
        """True while past the high watermark: workers should stop reading."""
        return self._bytes >= self.max_bytes or len(self._events) >= self.max_events

    def __len__(self) -> int:
        return len(self._events)

    @property
    def pending_bytes(self) -> int:
        """Payload bytes waiting in the queue."""
        return self._bytes

    def drain(self, max_items: int | None = None) -> list[Event]:
        """Take up to ``max_items`` events (all if None) without waiting."""
        with self._lock:
            count = len(self._events) if max_items is None else min(max_items, len(self._events))
            taken = [self._events.popleft() for _ in range(count)]
            self._bytes -= sum(event.payload_size for event in taken)
            resume = self._check_resume()
        if resume:
            self._notify_listeners()
        return taken

    def drain_run(self, kinds: tuple[type[Event], ...], max_items: int) -> list[Event]:
        """Take the events at the front whose type is one of ``kinds`` (up to ``max_items``), without waiting.

        The first event of another type stays first, so a consumer that takes data in
        batches this way still sees every event in order.
        """
        with self._lock:
            events = self._events
            taken: list[Event] = []
            while events and len(taken) < max_items and type(events[0]) in kinds:
                taken.append(events.popleft())
            self._bytes -= sum(event.payload_size for event in taken)
            resume = self._check_resume()
        if resume:
            self._notify_listeners()
        return taken

    def get(self, timeout: float | None = None) -> Event | None:
        """Wait up to ``timeout`` seconds for one event; None if none came."""
        with self._ready:
            if not self._events and not self._ready.wait_for(lambda: bool(self._events), timeout):
                return None
            event = self._events.popleft()
            self._bytes -= event.payload_size
            resume = self._check_resume()
        if resume:
            self._notify_listeners()
        return event

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until at least one event is queued; False on timeout."""
        with self._ready:
            return self._ready.wait_for(lambda: bool(self._events), timeout)

    def add_resume_listener(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` (from the draining thread) when congestion clears."""
        with self._ready:
            self._listeners.append(listener)

    def remove_resume_listener(self, listener: Callable[[], None]) -> None:
        """Forget a listener added with :meth:`add_resume_listener`."""
        with self._ready:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def mark_congested_seen(self) -> None:
        """A worker paused reading: remember to call listeners when it clears."""
        with self._ready:
            self._was_congested = True

    def _check_resume(self) -> bool:
        if not self._was_congested:
            return False
        below = self._bytes < self.max_bytes // 2 and len(self._events) < self.max_events // 2
        if below:
            self._was_congested = False
        return below

    def _notify_listeners(self) -> None:
        with self._ready:
            listeners = list(self._listeners)
        for listener in listeners:
            listener()

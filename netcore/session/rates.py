"""The rate graph's model: bytes per second in and out, one bucket a second, for the last minute.

Kept for the whole endpoint and for each peer (the newest :data:`MAX_PEERS`), so a
server tab can graph one client. Pure: the caller passes the time.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

from netcore.events import Address, DataReceived, DataSent, Event

SECONDS = 60
MAX_PEERS = 64


@dataclass
class RateHistory:
    """Per-second byte totals in both directions; seconds with nothing are zero."""

    seconds: int = SECONDS
    _buckets: deque[list[int]] = field(default_factory=deque)
    """[second, bytes in, bytes out], oldest first."""

    def add(self, now: float, received: int = 0, sent: int = 0) -> None:
        """Count bytes at time ``now`` (seconds since the epoch)."""
        second = math.floor(now)
        buckets = self._buckets
        if buckets and buckets[-1][0] == second:
            buckets[-1][1] += received
            buckets[-1][2] += sent
        elif not buckets or second > buckets[-1][0]:
            buckets.append([second, received, sent])
        else:  # an event stamped in an earlier second (clock step): add it to the newest bucket
            buckets[-1][1] += received
            buckets[-1][2] += sent
        while buckets and buckets[0][0] <= second - self.seconds:
            buckets.popleft()

    def series(self, now: float) -> list[tuple[int, int, int]]:
        """``(second, in, out)`` for each of the last :attr:`seconds` seconds up to ``now``, oldest first."""
        last = math.floor(now)
        known = {bucket[0]: bucket for bucket in self._buckets}
        out = []
        for second in range(last - self.seconds + 1, last + 1):
            bucket = known.get(second)
            out.append((second, bucket[1], bucket[2]) if bucket else (second, 0, 0))
        return out


class RateModel:
    """The endpoint's history and one per peer, fed with events."""

    def __init__(self, seconds: int = SECONDS) -> None:
        self.total = RateHistory(seconds)
        self._seconds = seconds
        self._peers: dict[Address, RateHistory] = {}
        """The newest :data:`MAX_PEERS` peers' histories (the oldest is dropped first)."""

    def feed(self, event: Event) -> None:
        """Count a data event (others are ignored)."""
        kind = type(event)
        if kind is DataReceived:
            self._add(event.peer, event.time, len(event.data), 0)  # type: ignore[attr-defined]
        elif kind is DataSent:
            self._add(event.peer, event.time, 0, len(event.data))  # type: ignore[attr-defined]

    def feed_received(self, run: list[DataReceived]) -> None:
        """Count a run of received data: each stretch of one peer within one second in one add."""
        peer: Address | None = None
        second, nbytes, when = 0, 0, 0.0
        for event in run:
            now = event.time
            if event.peer != peer or math.floor(now) != second:
                if peer is not None:
                    self._add(peer, when, nbytes, 0)
                peer, second, nbytes = event.peer, math.floor(now), 0
            nbytes += len(event.data)
            when = now
        if peer is not None:
            self._add(peer, when, nbytes, 0)

    def _add(self, peer: Address, when: float, received: int, sent: int) -> None:
        self.total.add(when, received, sent)
        history = self._peers.get(peer)
        if history is None:
            if len(self._peers) >= MAX_PEERS:
                del self._peers[next(iter(self._peers))]
            history = self._peers[peer] = RateHistory(self._seconds)
        history.add(when, received, sent)

    def peer(self, peer: Address) -> RateHistory | None:
        """The history of one peer, if it sent or got anything lately."""
        return self._peers.get(peer)

"""Stream against datagram, made visible: how many ``send()`` calls one ``recv()`` returned.

When both ends of a connection are endpoints of one window (a client tab talking to a
server tab), the window sees both sides' events. :class:`StreamMatcher` lines up the
bytes each ``send()`` handed to the kernel with the bytes each ``recv()`` on the other
side returned, by their offsets in the stream, and says when they differ: "3 send() →
1 recv()" (TCP merged them) or "1 send() → 2 recv()" (TCP split one). For UDP it says
that each ``sendto()`` arrived as one ``recvfrom()``, once per burst.

Fed every event of every endpoint (in any order between the two sides: a receive may
be seen before the send that caused it). Bounded: per direction it keeps only the
offsets not yet matched, and at most :data:`MAX_FLOWS` directions. Pure.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TypeVar

from netcore.events import Address, DataReceived, DataSent, Event, PeerClosed, PeerConnected, StateChanged
from netcore.peerstate import LruMap

T = TypeVar("T")

MAX_FLOWS = 256
MAX_PENDING = 4096
"""Unmatched sends or receives kept per direction (older ones are forgotten)."""
BURST_GAP = 0.2
"""Datagrams less than this many seconds apart count as one burst."""

Flow = tuple[Address, Address]
"""A direction of a connection: (sender's address, receiver's address)."""


@dataclass(frozen=True)
class StreamNote:
    """What to tell about one ``recv()``/``recvfrom()`` on ``endpoint`` from ``peer``."""

    endpoint: str
    peer: Address
    time: float
    sends: int
    receives: int
    datagram: bool = False


@dataclass
class _Direction:
    sends: deque[int] = field(default_factory=deque)
    """End offsets of the sends not yet wholly received, in order."""
    head_start: int = 0
    """Where the first send in ``sends`` starts (the end of the last one wholly received)."""
    head_parts: int = 0
    """How many receives have returned bytes of the first send so far."""
    receives: deque[tuple[int, int, str, Address, float]] = field(default_factory=deque)
    """(start, end, endpoint, peer, time) of receives whose bytes were not all sent yet (seen early)."""
    sent: int = 0
    received: int = 0


class StreamMatcher:
    """Feed it events of all endpoints; :meth:`feed` returns the notes they make known."""

    def __init__(self) -> None:
        self._locals: dict[tuple[str, Address], Address] = {}
        self._bound: dict[str, Address] = {}
        self._flows: LruMap[Flow, _Direction] = LruMap(MAX_FLOWS)
        self._last_seen: dict[Flow, float] = {}
        """When each flow's newest datagram came (cleared past :data:`MAX_FLOWS`)."""

    def feed(self, event: Event) -> list[StreamNote]:
        """Take one event; return the notes it completes (most events: none)."""
        kind = type(event)
        if kind is DataReceived or kind is DataSent:  # the many first
            data: DataReceived | DataSent = event  # type: ignore[assignment]
            if not data.data:
                return []
            return self._datagram(data) if data.call in ("sendto", "recvfrom") else self._stream(data)
        if isinstance(event, PeerConnected):
            self._locals[(event.endpoint, event.peer)] = event.local
            return []
        if isinstance(event, PeerClosed):
            self._locals.pop((event.endpoint, event.peer), None)
            return []
        if isinstance(event, StateChanged) and event.local is not None:
            self._bound[event.endpoint] = event.local
            return []
        return []

    # ---- TCP ----

    def _stream(self, event: DataSent | DataReceived) -> list[StreamNote]:
        local = self._locals.get((event.endpoint, event.peer))
        if local is None:
            return []
        sending = isinstance(event, DataSent)
        flow = (local, event.peer) if sending else (event.peer, local)
        direction = self._flows.get(flow)
        if direction is None:
            direction = _Direction()
            self._flows.put(flow, direction)
        if sending:
            direction.sent += len(event.data)
            _push(direction.sends, direction.sent)
        else:
            start = direction.received
            direction.received += len(event.data)
            _push(direction.receives, (start, direction.received, event.endpoint, event.peer, event.time))
        return self._match(direction)

    def _match(self, direction: _Direction) -> list[StreamNote]:
        """Notes for every receive whose bytes have all been sent."""
        notes: list[StreamNote] = []
        while direction.receives and direction.sends and direction.receives[0][1] <= direction.sends[-1]:
            start, end, endpoint, peer, when = direction.receives.popleft()
            merged = _overlapping(direction, start, end)
            if merged >= 2:
                notes.append(StreamNote(endpoint, peer, when, merged, 1))
            split = _consume(direction, end)
            notes.extend(StreamNote(endpoint, peer, when, 1, parts) for parts in split)
        return notes

    # ---- UDP ----

    def _datagram(self, event: DataSent | DataReceived) -> list[StreamNote]:
        if isinstance(event, DataSent):
            return []
        local = self._bound.get(event.endpoint)
        if local is None:
            return []
        flow = (event.peer, local)
        last = self._last_seen.get(flow)
        if last is not None and event.time - last < BURST_GAP:
            self._last_seen[flow] = event.time  # the burst goes on (a plain dict: the hot path)
            return []
        if len(self._last_seen) > MAX_FLOWS:
            self._last_seen.clear()
        self._last_seen[flow] = event.time
        return [StreamNote(event.endpoint, event.peer, event.time, 1, 1, datagram=True)]


def _push(queue: deque[T], value: T) -> None:
    queue.append(value)
    if len(queue) > MAX_PENDING:
        queue.popleft()


def _overlapping(direction: _Direction, start: int, end: int) -> int:
    """How many sends put bytes into the receive ``[start, end)``."""
    count, send_start = 0, direction.head_start
    for send_end in direction.sends:
        if send_start >= end:
            break
        if send_end > start:
            count += 1
        send_start = send_end
    return count


def _consume(direction: _Direction, end: int) -> list[int]:
    """Drop the sends a receive ending at ``end`` finished; the receive counts of those split in parts."""
    split: list[int] = []
    direction.head_parts += 1  # this receive returned bytes of the first send
    while direction.sends and direction.sends[0] <= end:
        if direction.head_parts >= 2:
            split.append(direction.head_parts)
        direction.head_start = direction.sends.popleft()
        direction.head_parts = 1 if direction.head_start < end else 0  # it reached into the next send too
    return split

"""Per-peer bookkeeping that stays bounded however many peers there are.

A UDP endpoint hears from any number of source addresses, so anything it keeps per
source must be bounded: :class:`BoundedCounts` keeps message counts for the most
recent sources only, and :class:`ReplyLimiter` caps how fast auto-replies go to one
peer (a token bucket per peer), so two endpoints that auto-reply to each other
cannot bounce one datagram forever.

Pure: no I/O and no clock reads; the caller passes the time.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Generic, TypeVar

from netcore.events import Address

K = TypeVar("K")
V = TypeVar("V")

MAX_TRACKED_PEERS = 4096
"""How many sources per-peer state is kept for; the least recently heard from is forgotten first."""
REPLY_RATE = 1000.0
"""Auto-replies a second one peer may get, on average."""
REPLY_BURST = 1000
"""Auto-replies one peer may get at once before :data:`REPLY_RATE` applies."""


class LruMap(Generic[K, V]):
    """A dict holding at most ``limit`` keys; adding one more forgets the least recently used."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self._items: OrderedDict[K, V] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: K) -> V | None:
        """The value for ``key`` (and mark it used), or None."""
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        """Set ``key``, forgetting the least recently used key if over the limit."""
        self._items[key] = value
        self._items.move_to_end(key)
        if len(self._items) > self.limit:
            self._items.popitem(last=False)


class BoundedCounts:
    """Messages heard from each peer, 1-based, for at most :data:`MAX_TRACKED_PEERS` peers.

    Past the limit the peer first counted is forgotten (a forgotten peer starts again at 1).
    """

    def __init__(self, limit: int = MAX_TRACKED_PEERS) -> None:
        self.limit = limit
        self._counts: dict[Address, int] = {}

    def __len__(self) -> int:
        return len(self._counts)

    def get(self, peer: Address) -> int | None:
        return self._counts.get(peer)

    def add(self, peer: Address) -> int:
        """Count one more message from ``peer``; return its number (the hot path: one look-up)."""
        counts = self._counts
        count = counts.get(peer, 0) + 1
        if count == 1 and len(counts) >= self.limit:
            del counts[next(iter(counts))]  # forget the peer counted first
        counts[peer] = count
        return count


@dataclass
class _Bucket:
    tokens: float
    last: float
    tripped: bool = False


@dataclass(frozen=True)
class Verdict:
    """May this reply go? ``tripped`` is True for the first refusal of an episode (tell the user once)."""

    allowed: bool
    tripped: bool = False


class ReplyLimiter:
    """A token bucket per peer: ``burst`` replies at once, then ``rate`` a second.

    An episode of refusals ends when the peer's bucket is full again, so a peer that
    keeps a steady rate just over the limit produces one notice, not one per reply.
    """

    def __init__(self, rate: float = REPLY_RATE, burst: int = REPLY_BURST, limit: int = MAX_TRACKED_PEERS) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate = rate
        self.burst = burst
        self._buckets: LruMap[Address, _Bucket] = LruMap(limit)

    def __len__(self) -> int:
        return len(self._buckets)

    def allow(self, peer: Address, now: float) -> Verdict:
        """Take one token for a reply to ``peer`` at time ``now`` (seconds, any monotonic clock)."""
        bucket = self._buckets.get(peer)
        if bucket is None:
            bucket = _Bucket(tokens=float(self.burst), last=now)
            self._buckets.put(peer, bucket)
        elapsed = max(0.0, now - bucket.last)
        bucket.tokens = min(float(self.burst), bucket.tokens + elapsed * self.rate)
        bucket.last = now
        if bucket.tripped and bucket.tokens >= self.burst:
            bucket.tripped = False  # it slowed down long enough: a new episode may be told again
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return Verdict(True)
        first = not bucket.tripped
        bucket.tripped = True
        return Verdict(False, tripped=first)

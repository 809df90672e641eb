"""Exact traffic totals and the on-disk spool of received bytes: pure, no Tk.

:class:`Counters` counts every byte and message in and out, whatever the log
shows or trims; its :class:`RateMeter` pair gives the recent rate from a sliding
window on an injectable clock (the window's timer asks it, so it falls to zero
when traffic stops).
:class:`ReceiveSpool` appends every received byte to an anonymous temporary file
(bounded on disk, never in RAM) so "Save received data" can write all of it.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

DEFAULT_SPOOL_LIMIT = 1 << 30
"""Bytes of received data kept on disk per tab (1 GiB); beyond it, counted only."""


RATE_WINDOW = 1.0
"""Seconds of traffic the rate is measured over."""
RATE_BUCKET = 0.05
"""Seconds per bucket of the sliding window."""
MIN_SPAN = 0.25
"""Shortest span a rate is computed over (one chunk alone is not a rate)."""


class RateMeter:
    """Bytes per second over the last :data:`RATE_WINDOW` seconds, in time buckets.

    The span divided by is the time since the oldest byte still in the window (at
    least :data:`MIN_SPAN`), so a burst shows its own speed, not an average with
    idle time, and the rate falls to zero one window after the last byte.
    """

    def __init__(self, window: float = RATE_WINDOW, bucket: float = RATE_BUCKET) -> None:
        self.window, self.bucket = window, bucket
        self._buckets: deque[list[float]] = deque()  # [start time, bytes]

    def add(self, nbytes: int, now: float) -> None:
        """Count ``nbytes`` at ``now``."""
        buckets = self._buckets
        if buckets and now - buckets[-1][0] < self.bucket:
            buckets[-1][1] += nbytes
        else:
            buckets.append([now, float(nbytes)])
        self._expire(now)

    def rate(self, now: float) -> float:
        """Bytes per second now."""
        self._expire(now)
        if not self._buckets:
            return 0.0
        total = sum(nbytes for _, nbytes in self._buckets)
        span = min(self.window, max(now - self._buckets[0][0], MIN_SPAN))
        return total / span

    def clear(self) -> None:
        """Forget everything counted."""
        self._buckets.clear()

    def _expire(self, now: float) -> None:
        while self._buckets and self._buckets[0][0] <= now - self.window:
            self._buckets.popleft()


@dataclass
class Counters:
    """Bytes and messages in and out since the last reset, and the recent rates."""

    bytes_in: int = 0
    bytes_out: int = 0
    msgs_in: int = 0
    msgs_out: int = 0
    rate_in: float = 0.0
    rate_out: float = 0.0
    clock: Callable[[], float] = time.monotonic
    """Where "now" comes from (tests give a fake clock)."""
    _meter_in: RateMeter = field(default_factory=RateMeter)
    _meter_out: RateMeter = field(default_factory=RateMeter)

    def received(self, nbytes: int) -> None:
        """Count one message of ``nbytes`` in."""
        self.bytes_in += nbytes
        self.msgs_in += 1
        self._meter_in.add(nbytes, self.clock())

    def received_many(self, count: int, nbytes: int) -> None:
        """Count ``count`` messages of ``nbytes`` in all, as many :meth:`received` calls would."""
        self.bytes_in += nbytes
        self.msgs_in += count
        self._meter_in.add(nbytes, self.clock())

    def sent(self, nbytes: int) -> None:
        """Count one message of ``nbytes`` out."""
        self.bytes_out += nbytes
        self.msgs_out += 1
        self._meter_out.add(nbytes, self.clock())

    def sample(self, now: float | None = None) -> bool:
        """Update the rates to ``now`` (default: the clock); True if they changed."""
        now = self.clock() if now is None else now
        rates = (self._meter_in.rate(now), self._meter_out.rate(now))
        changed = rates != (self.rate_in, self.rate_out)
        self.rate_in, self.rate_out = rates
        return changed

    @property
    def idle(self) -> bool:
        """True when both rates are zero (nothing to redraw on a timer)."""
        return self.rate_in == 0.0 and self.rate_out == 0.0

    def reset(self) -> None:
        """Back to zero."""
        self.bytes_in = self.bytes_out = self.msgs_in = self.msgs_out = 0
        self.rate_in = self.rate_out = 0.0
        self._meter_in.clear()
        self._meter_out.clear()


def human_rate(bytes_per_second: float) -> str:
    """``0 B/s``, ``12.3 KB/s``, ``4.56 MB/s``."""
    value = bytes_per_second
    for unit in ("B/s", "KB/s", "MB/s"):
        if value < 1000 or unit == "MB/s":
            return f"{value:.0f} {unit}" if unit == "B/s" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB/s"  # pragma: no cover


class ReceiveSpool:
    """Every received byte, appended to a temporary file that vanishes on close."""

    def __init__(self, limit: int = DEFAULT_SPOOL_LIMIT) -> None:
        self.limit = limit
        self.size = 0
        self.dropped = 0
        """Bytes not kept because the spool reached :attr:`limit`."""
        self._file: IO[bytes] = tempfile.TemporaryFile(prefix="socketlab-rx-")  # noqa: SIM115  # lives as long as the tab

    def write(self, data: bytes) -> None:
        """Append ``data`` (up to the limit; the rest is counted in :attr:`dropped`)."""
        room = self.limit - self.size
        if len(data) > room:
            self.dropped += len(data) - max(room, 0)
            data = data[:max(room, 0)]
        if data:
            self._file.write(data)
            self.size += len(data)

    def save_to(self, path: Path) -> int:
        """Copy everything kept to ``path``; returns the byte count. Raises OSError."""
        self._file.flush()
        self._file.seek(0)
        with open(path, "wb") as out:
            shutil.copyfileobj(self._file, out, 1 << 20)
        self._file.seek(0, 2)
        return self.size

    def read_all(self) -> bytes:
        """Everything kept (tests only: loads it into memory)."""
        self._file.flush()
        self._file.seek(0)
        data = self._file.read()
        self._file.seek(0, 2)
        return data

    def clear(self) -> None:
        """Start empty again."""
        self._file.seek(0)
        self._file.truncate()
        self.size = self.dropped = 0

    def close(self) -> None:
        """Delete the file."""
        self._file.close()

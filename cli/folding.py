"""Data lines that keep up with the network, as pure logic: events and a clock in, lines out.

Up to :data:`BURST_LINES` messages from one peer in one direction within ``fold``
seconds are each shown at once, on a line of their own. Past that, the rest of the
interval is folded into one line with its exact totals, shown when the interval
ends, and while data keeps coming each following interval is one line, the way
the window's rows merge under a flood::

    [127.0.0.1:5000] received 9 bytes: hello\\r\\n
    [127.0.0.1:5000] received 1,234 messages, 5,000,000 bytes in 498 ms: <preview> … (4,999,920 bytes not shown)

A line shows at most :data:`PREVIEW_CHARS` characters of payload and says how many
bytes it did not show, unless ``full`` is asked for. Counts are exact on every line
and in the totals; ``quiet`` keeps the totals and drops the data lines.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from cli.output import Display
from netcore.events import Address, format_address
from netcore.payload import format_hex, preview, show_bytes

PREVIEW_CHARS = 80
"""Characters of payload a line shows (whole characters and escapes only)."""
FOLD_SECONDS = 0.5
BURST_LINES = 10
"""Up to this many messages an interval, each gets its own line at once (a person typing, a slow device)."""
PREVIEW_HEAD = 4 * PREVIEW_CHARS
"""Bytes a fold keeps for its preview: enough for PREVIEW_CHARS characters in any encoding offered."""
_NOTHING: list[str] = []
"""Returned when there is no line to print (never appended to)."""
_FORGET_PAST = 1024
"""Peers remembered for folding before the ones idle longer than ``fold`` are forgotten."""


@dataclass(frozen=True)
class LineOptions:
    """How data becomes lines: text or hex, capped or full, folded how often, or no data lines at all."""

    encoding: str = "utf-8"
    hex: bool = False
    full: bool = False
    quiet: bool = False
    fold: float = FOLD_SECONDS
    burst: int = BURST_LINES
    """Lines a peer's data gets one by one in an interval before the rest of it is folded."""
    stream: bool = True
    """TCP: a fold's preview runs on across messages. UDP: it shows the first datagram."""
    unit: str = "messages"


@dataclass
class _Fold:
    since: float
    """Start of the interval: the fold is shown ``fold`` seconds after it."""
    first: float
    last: float
    messages: int = 0
    nbytes: int = 0
    head: bytearray = field(default_factory=bytearray)


def shown_payload(data: bytes, options: LineOptions) -> tuple[str, int]:
    """The start of ``data`` as a line shows it, and how many of its bytes that is."""
    if options.hex:
        count = min(len(data), PREVIEW_CHARS // 3)
        return format_hex(data[:count]), count
    return preview(data, options.encoding, PREVIEW_CHARS)


def data_line(peer: Address, verb: str, nbytes: int, text: str, shown: int,
              messages: int = 1, seconds: float = 0.0, unit: str = "messages") -> str:
    """``[peer] received 9 bytes: text``, or the folded form with its message count and time span."""
    who = f"[{format_address(peer)}] {verb}"
    if messages == 1:
        head = f"{who} {nbytes:,} bytes"
    else:
        head = f"{who} {messages:,} {unit}, {nbytes:,} bytes in {_span(seconds)}"
    rest = nbytes - shown
    return f"{head}: {text} … ({rest:,} bytes not shown)" if rest > 0 else f"{head}: {text}"


def _span(seconds: float) -> str:
    """``0.5 s``, or ``3 ms`` under a second."""
    return f"{seconds:.1f} s" if seconds >= 1 else f"{seconds * 1000:.0f} ms"


class DataLines:
    """Turns data events into lines per :class:`LineOptions`; keeps the exact totals."""

    def __init__(self, options: LineOptions) -> None:
        self.options = options
        self.totals: dict[str, list[int]] = {"received": [0, 0], "sent": [0, 0]}
        """Per verb: [messages, bytes], exact whatever was shown."""
        self._folds: dict[tuple[str, Address], _Fold] = {}
        self._windows: dict[tuple[str, Address], list[float]] = {}
        """Per peer and direction: [start of the current interval, lines shown in it]."""
        self._next_due = math.inf
        self._display = Display(options.encoding, options.hex)

    @property
    def pending(self) -> bool:
        """Is data folded and not shown yet?"""
        return bool(self._folds)

    def data(self, verb: str, peer: Address, data: bytes, now: float) -> list[str]:
        """Count ``data``; the lines to print now (none while it is being folded).

        The path taken for most events under load (a fold already open) is kept short.
        """
        total = self.totals[verb]
        total[0] += 1
        total[1] += len(data)
        key = (verb, peer)
        fold = self._folds.get(key)
        if fold is not None:
            fold.last = now
            fold.messages += 1
            fold.nbytes += len(data)
            if len(fold.head) < PREVIEW_HEAD and self.options.stream:
                fold.head += data[: PREVIEW_HEAD - len(fold.head)]
            return self.due(now) if now >= self._next_due else _NOTHING
        return self._first(key, data, now)

    def _first(self, key: tuple[str, Address], data: bytes, now: float) -> list[str]:
        """``data`` with no fold open for its peer: shown at once, or the start of a fold."""
        verb, peer = key
        if self.options.quiet:
            return _NOTHING
        if self.options.full:
            return [self._full_line(verb, peer, data)]
        window = self._windows.get(key)
        if window is None or now - window[0] >= self.options.fold:
            window = self._windows[key] = [now, 0]
        if window[1] < self.options.burst:
            window[1] += 1
            return [data_line(peer, verb, len(data), *shown_payload(data, self.options))]
        fold = self._folds[key] = _Fold(window[0], now, now, 1, len(data), bytearray(data[:PREVIEW_HEAD]))
        self._next_due = min(self._next_due, fold.since + self.options.fold)
        return self.due(now)

    def _full_line(self, verb: str, peer: Address, data: bytes) -> str:
        if self.options.stream:
            text = self._display.render(verb, peer, data)
        else:
            text = format_hex(data) if self.options.hex else show_bytes(data, self.options.encoding)
        return data_line(peer, verb, len(data), text, len(data))

    def due(self, now: float) -> list[str]:
        """Lines for the folds whose interval has passed."""
        if now < self._next_due:
            return []
        return self._emit(now, lambda fold: now - fold.since >= self.options.fold)

    def flush(self, now: float) -> list[str]:
        """Lines for every fold, due or not (before another line, and at exit)."""
        return self._emit(now, lambda fold: True)

    def _emit(self, now: float, ready: Callable[[_Fold], bool]) -> list[str]:
        lines = []
        for key, fold in list(self._folds.items()):
            if ready(fold):
                del self._folds[key]
                self._windows[key] = [now, self.options.burst]  # still busy: what comes next folds at once
                lines.append(self._fold_line(key, fold, now))
        self._next_due = min((f.since + self.options.fold for f in self._folds.values()), default=math.inf)
        if len(self._windows) > _FORGET_PAST:
            self._windows = {k: w for k, w in self._windows.items() if now - w[0] < self.options.fold}
        return lines

    def _fold_line(self, key: tuple[str, Address], fold: _Fold, now: float) -> str:
        verb, peer = key
        text, shown = shown_payload(bytes(fold.head), self.options)
        return data_line(peer, verb, fold.nbytes, text, shown, fold.messages, fold.last - fold.first, self.options.unit)

    def forget(self, peer: Address) -> None:
        """A connection ended (its folds were flushed): a new one from that address starts afresh."""
        for verb in ("received", "sent"):
            self._windows.pop((verb, peer), None)
        self._display.forget(peer)

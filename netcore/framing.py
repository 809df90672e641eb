"""Cutting a received byte stream into the device's own frames (pure, no I/O).

TCP delivers bytes, not messages; a device speaks in frames. A framer sits between
``recv`` and the data events: it takes each chunk as it arrived and gives back the
complete frames, whatever the chunking was. The kinds (``--frame`` on the command
line):

- ``raw``: one frame per ``recv`` (as without framing);
- ``lines``: up to and including each ``\\n``;
- ``fixed:N``: every N bytes;
- ``len:1``, ``len:2be``, ``len:2le``, ``len:4be``: a length prefix of 1, 2 or 4 bytes
  (big- or little-endian) giving the number of bytes that follow; the frame includes it;
- ``gap:MS``: a new frame after MS milliseconds of silence (serial-over-IP devices).

Bounded: no frame is held past :data:`MAX_FRAME` bytes; a length prefix above it is a
:class:`Frame` with ``error`` set and framing falls back to raw for the rest of that
stream, so nothing is lost and memory stays flat. At the end of a stream whatever is
left comes out as one frame marked incomplete.

In the engine (:class:`FrameSettings`): TCP runs one framer per connection between
``recv`` and the data events, so each frame is one log row, chart item and
auto-reply message; the byte counts are kept as bytes arrive. UDP already has
messages: a datagram is cut into the frames inside it (three ``len:2be`` frames in
one datagram are three rows), frames never span datagrams, what is left at a
datagram's end is an incomplete frame, and ``gap:MS`` keeps each datagram whole.
With a checksum chosen, each whole frame is checked and a bad one is flagged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from netcore.checksums import check_name, verify
from netcore.validation import InputError

FRAMED_RECV_SIZE = 16 * 1024
"""With framing that can cut one-byte frames (``lines``, ``fixed:N``, ``len:…``): bytes a ``recv`` asks for.

One read is then at most this many events, so the queue's event bound holds (``Endpoint._framed_read_size``).
"""
MAX_FRAME = 16 * 1024 * 1024
KINDS = ("raw", "lines", "fixed:N", "len:1", "len:2be", "len:2le", "len:4be", "gap:MS")
_PREFIX = {"len:1": (1, "big"), "len:2be": (2, "big"), "len:2le": (2, "little"), "len:4be": (4, "big")}


@dataclass(frozen=True)
class Frame:
    """One frame: its bytes, whether it was complete, and an error if framing broke there."""

    data: bytes
    complete: bool = True
    error: str = ""


class Framer:
    """The framer for one direction of one stream; make one with :func:`make_framer`."""

    def __init__(self, spec: str, size: int = 0, gap: float = 0.0, max_frame: int = MAX_FRAME) -> None:
        self.spec = spec
        self._size = size
        self._gap = gap
        self._max = max_frame
        self._buffer = bytearray()
        self._last = 0.0
        self._raw = spec == "raw"

    @property
    def pending(self) -> int:
        """Bytes waiting for the rest of their frame."""
        return len(self._buffer)

    def feed(self, data: bytes, now: float = 0.0) -> list[Frame]:
        """The frames completed by ``data`` (received at ``now``, seconds)."""
        if self._raw:
            return [Frame(bytes(data))] if data else []
        frames = self.due(now) if self.spec.startswith("gap:") else []
        self._buffer += data
        self._last = now
        if self.spec == "lines":
            frames += self._lines()
        elif self.spec.startswith("fixed:"):
            frames += self._fixed()
        elif self.spec in _PREFIX:
            frames += self._prefixed()
        return frames + self._over_bound()

    def due(self, now: float) -> list[Frame]:
        """For ``gap:MS``: the frame that silence since the last byte has ended (call on a timer)."""
        if self.spec.startswith("gap:") and self._buffer and now - self._last >= self._gap:
            return [self._take(len(self._buffer))]
        return []

    def next_due(self) -> float | None:
        """When :meth:`due` will next give a frame (None: not waiting for silence)."""
        if self.spec.startswith("gap:") and self._buffer:
            return self._last + self._gap
        return None

    def close(self) -> Frame | None:
        """The stream ended: what is left, as one incomplete frame (None if nothing)."""
        if not self._buffer:
            return None
        leftover = bytes(self._buffer)
        self._buffer.clear()
        return Frame(leftover, complete=self.spec.startswith("gap:"))

    def _take(self, count: int) -> Frame:
        frame = bytes(self._buffer[:count])
        del self._buffer[:count]
        return Frame(frame)

    def _lines(self) -> list[Frame]:
        frames = []
        while (index := self._buffer.find(b"\n")) >= 0:
            frames.append(self._take(index + 1))
        return frames

    def _fixed(self) -> list[Frame]:
        frames = []
        while len(self._buffer) >= self._size:
            frames.append(self._take(self._size))
        return frames

    def _prefixed(self) -> list[Frame]:
        width, order = _PREFIX[self.spec]
        frames = []
        while len(self._buffer) >= width:
            length = int.from_bytes(self._buffer[:width], order)  # type: ignore[arg-type]
            if width + length > self._max:
                self._raw = True
                error = f"length prefix {length:,} is over the {self._max:,}-byte bound: the rest is shown raw"
                frames.append(Frame(bytes(self._buffer), complete=False, error=error))
                self._buffer.clear()
                break
            if len(self._buffer) < width + length:
                break
            frames.append(self._take(width + length))
        return frames

    def _over_bound(self) -> list[Frame]:
        """A frame that grew past the bound comes out now, marked incomplete (memory stays bounded)."""
        if len(self._buffer) <= self._max:
            return []
        return [Frame(self._take(self._max).data, complete=False, error=f"frame over {self._max:,} bytes, cut")]


def seconds_until_due(framers: Iterable[Framer | None], now: float) -> float | None:
    """``gap:MS``: seconds from ``now`` until the first of ``framers``' silences ends a frame (None: none waits)."""
    due = [when for framer in framers if framer is not None and (when := framer.next_due()) is not None]
    return max(0.0, min(due) - now) if due else None


def make_framer(spec: str, max_frame: int = MAX_FRAME) -> Framer:
    """A framer for ``spec`` (see the module docstring); :class:`InputError` if it is not one."""
    text = spec.strip().lower()
    if text in ("raw", "lines") or text in _PREFIX:
        return Framer(text, max_frame=max_frame)
    match = re.fullmatch(r"(fixed|gap):(\d{1,9})", text)
    if match and int(match.group(2)) > 0:
        number = int(match.group(2))
        if match.group(1) == "fixed" and number <= max_frame:
            return Framer(text, size=number, max_frame=max_frame)
        if match.group(1) == "gap" and number <= 60_000:
            return Framer(text, gap=number / 1000, max_frame=max_frame)
    choices = ", ".join(KINDS)
    raise InputError("frame", f"Unknown framing {spec!r}: choose one of {choices}.", "unknown_framing",
                     {"spec": spec, "choices": choices})


STREAM_FRAME_LIMIT = 1024 * 1024
"""The bound the engine uses per connection: no frame is held past 1 MiB (a device's frame is far smaller)."""


@dataclass(frozen=True)
class FrameSettings:
    """An endpoint's framing: how received bytes are cut, and the checksum each frame should end with.

    Constructing it checks both (an :class:`InputError` names the bad one).
    """

    spec: str = "raw"
    check: str = "none"

    def __post_init__(self) -> None:
        object.__setattr__(self, "spec", make_framer(self.spec, STREAM_FRAME_LIMIT).spec)
        object.__setattr__(self, "check", check_name(self.check))

    @property
    def active(self) -> bool:
        """Is the stream cut into frames at all (not ``raw``)?"""
        return self.spec != "raw"

    @property
    def gap(self) -> bool:
        return self.spec.startswith("gap:")

    def framer(self) -> Framer | None:
        """A fresh framer for one stream (None: raw, one event per ``recv``)."""
        return make_framer(self.spec, STREAM_FRAME_LIMIT) if self.active else None

    def verdict(self, frame: Frame) -> str:
        """``crc16-modbus ok`` / ``crc16-modbus bad`` for a whole frame; "" when nothing is checked."""
        if self.check == "none" or not frame.complete:
            return ""
        return f"{self.check} {'ok' if verify(self.check, frame.data) else 'bad'}"

    def cut_datagram(self, data: bytes) -> list[Frame]:
        """UDP: the frames inside one datagram (frames never span datagrams; ``gap`` keeps it whole)."""
        framer = make_framer(self.spec, STREAM_FRAME_LIMIT)
        if self.gap:
            return [Frame(data)]
        frames = framer.feed(data)
        leftover = framer.close()
        return frames + ([leftover] if leftover is not None else []) if data else [Frame(b"")]


NO_FRAMING = FrameSettings()
"""One data event per ``recv`` as it came, nothing checked (the default)."""

"""How events look in a terminal: one line each, plus the socket-call trace for ``-v``."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TextIO

from netcore.events import (
    Address,
    CloseReason,
    DataReceived,
    DataSent,
    ErrorEvent,
    Event,
    Notice,
    PeerClosed,
    PeerConnected,
    ReceiveOverflow,
    format_address,
    trace_line,
)
from netcore.payload import StreamDisplay, format_hex, printable


@dataclass
class Display:
    """Turns data into text for a line: hex, or text shown losslessly per peer stream."""

    encoding: str = "utf-8"
    hex: bool = False
    _streams: dict[tuple[str, Address], StreamDisplay] = field(default_factory=dict)

    def render(self, direction: str, peer: Address, data: bytes) -> str:
        if self.hex:
            return format_hex(data)
        key = (direction, peer)
        stream = self._streams.get(key)
        if stream is None:
            stream = self._streams[key] = StreamDisplay(self.encoding)
        return stream.show(data)

    def forget(self, peer: Address) -> None:
        """A connection ended: drop its decoders, so a new one from that address starts afresh."""
        for key in [key for key in self._streams if key[1] == peer]:
            del self._streams[key]


def error_line(event: ErrorEvent) -> str:
    """``error: <message> Hint: <hint>`` on one line."""
    return printable(f"error: {event.message} Hint: {event.hint}")


def _who(peer: Address) -> str:
    return f"[{format_address(peer)}]"


def event_line(event: Event, display: Display) -> str | None:
    """The line the tcp-server prints for ``event`` (None: nothing to print)."""
    if isinstance(event, PeerConnected):
        return f"{_who(event.peer)} connected"
    if isinstance(event, PeerClosed):
        display.forget(event.peer)
        if event.reason is CloseReason.LIMIT:
            return f"{_who(event.peer)} closed: {event.reason.value}"
        totals = f"received {event.bytes_in:,} bytes, sent {event.bytes_out:,} bytes"
        return f"{_who(event.peer)} closed: {event.reason.value}; {totals}"
    if isinstance(event, DataReceived):
        text = display.render("in", event.peer, event.data)
        return f"{_who(event.peer)} received {len(event.data):,} bytes: {text}"
    if isinstance(event, DataSent):
        text = display.render("out", event.peer, event.data)
        return f"{_who(event.peer)} sent {len(event.data):,} bytes: {text}"
    if isinstance(event, Notice):
        return printable(event.message)
    if isinstance(event, ReceiveOverflow):
        replies = f", {event.replies:,} replies ({event.reply_nbytes:,} bytes) sent" if event.replies else ""
        return f"fell behind: {event.datagrams:,} datagrams ({event.nbytes:,} bytes){replies} counted, not shown"
    return None


def trace(event: Event, verbose: bool, stream: TextIO | None = None) -> None:
    """With ``verbose``, write a socket call to stderr as ``bind(('0.0.0.0', 9000)) -> ok``."""
    line = trace_line(event) if verbose else None
    if line is not None:
        print(line, file=stream or sys.stderr, flush=True)


def configure_text_streams() -> None:
    """Never crash on a character the console cannot show: escape it instead."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")

"""The sequence chart's model: lanes, arrows and folded bands, from the real events.

One lane for this endpoint and one per peer; each item is an arrow between two lanes
(a connection set-up, a message, a datagram, a FIN, a reset, a close) or a band that
stands for a run of messages too quick to draw one by one. Memory is bounded: the
newest :data:`MAX_ITEMS` items and :data:`MAX_LANES` peer lanes are kept (further
peers share one "others" lane), and each item keeps at most :data:`DETAIL_BYTES` of
its payload for the detail view.

Labels are codes with parameters (see :mod:`netcore.session.chart_text`), so the
window and the SVG export draw the same model in either language. Pure: events in,
items out; no clock reads.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from netcore.events import (
    Address,
    CloseReason,
    DataReceived,
    DataSent,
    ErrorEvent,
    Event,
    PeerClosed,
    PeerConnected,
    ReceiveOverflow,
    SocketCall,
    StateChanged,
    format_address,
)

MAX_ITEMS = 3000
MAX_LANES = 16
DETAIL_BYTES = 4096
FOLD_AFTER = 20
"""A peer's messages fold into a band once this many came within :data:`FOLD_SPAN` seconds."""
FOLD_SPAN = 1.0
FOLD_GAP = 0.5
"""A band takes more messages while they come less than this many seconds apart."""
OTHERS = "others"

SELF = 0
"""The lane index of this endpoint."""


@dataclass(frozen=True)
class Lane:
    """A vertical line in the chart: this endpoint, one peer, or all further peers."""

    key: str
    address: Address | None
    role: str  # "self", "peer" or "others"


@dataclass
class Item:
    """One thing drawn in the chart. Bands change while they grow; everything else is final."""

    serial: int
    kind: str
    """``handshake``, ``message``, ``datagram``, ``fin``, ``rst``, ``close``, ``shutdown``, ``error``, ``band``,
    ``overflow``, ``stream`` (how send() and recv() calls lined up) and ``datagrams`` (each kept whole)."""
    time: float
    source: int
    target: int
    nbytes: int = 0
    data: bytes = b""
    call_from: str = ""
    call_to: str = ""
    text: str = ""
    """For errors: the message shown."""
    count: int = 1
    end_time: float = 0.0
    bytes_out: int = 0
    """Bands: bytes from this endpoint to the peer (``nbytes`` is the total)."""
    count_out: int = 0

    @property
    def arrow(self) -> bool:
        return self.kind not in ("band", "error", "overflow", "stream", "datagrams")


@dataclass
class _LaneRun:
    recent: deque[float] = field(default_factory=lambda: deque(maxlen=FOLD_AFTER))
    band: Item | None = None


class SequenceModel:
    """Feed it events of one endpoint (:meth:`feed`); it keeps what the chart draws."""

    def __init__(self, kind: str, max_items: int = MAX_ITEMS, max_lanes: int = MAX_LANES) -> None:
        self.kind = kind.replace("_", "-")
        self.local: Address | None = None
        self.lanes: list[Lane] = [Lane("self", None, "self")]
        self.items: deque[Item] = deque(maxlen=max_items)
        self.version = 0
        """Grows on every change: a view redraws when it differs from what it drew."""
        self._max_lanes = max_lanes
        self._lane_of: dict[str, int] = {}
        self._lane_of_peer: dict[Address, int] = {}
        self._runs: dict[int, _LaneRun] = {}
        self._serial = 0
        self.dropped = 0
        """Items that fell out of the bounded list (the oldest first)."""

    # ---- lanes ----

    def lane_for(self, peer: Address) -> int:
        """The lane index of ``peer`` (a new lane, or the shared "others" lane when full)."""
        index = self._lane_of_peer.get(peer)  # the hot path: one dict look-up per message
        if index is None:
            index = self._new_lane(peer)
            if len(self._lane_of_peer) < 4 * self._max_lanes:  # remember "others" for a bounded few
                self._lane_of_peer[peer] = index
        return index

    def _new_lane(self, peer: Address) -> int:
        key = format_address(peer)
        index = self._lane_of.get(key)
        if index is not None:
            return index
        if len(self.lanes) - 1 >= self._max_lanes:
            return self._others()
        self.lanes.append(Lane(key, peer, "peer"))
        self._lane_of[key] = len(self.lanes) - 1
        return len(self.lanes) - 1

    def _others(self) -> int:
        index = self._lane_of.get(OTHERS)
        if index is None:
            self.lanes.append(Lane(OTHERS, None, "others"))
            index = self._lane_of[OTHERS] = len(self.lanes) - 1
        return index

    # ---- events ----

    def feed(self, event: Event) -> None:
        """Take one event into the model (events of other kinds are ignored)."""
        kind = type(event)
        if kind is DataReceived or kind is DataSent:  # the many first
            self._message(event)  # type: ignore[arg-type]
        elif isinstance(event, StateChanged) and event.local is not None:
            self.local = event.local
            self.version += 1
        elif isinstance(event, PeerConnected):
            self._handshake(event)
        elif isinstance(event, (DataReceived, DataSent)):
            self._message(event)
        elif isinstance(event, PeerClosed):
            self._closed(event)
        elif isinstance(event, SocketCall) and event.call == "shutdown" and event.ok and event.peer is not None:
            lane = self.lane_for(event.peer)
            self._add(Item(0, "shutdown", event.time, SELF, lane, call_from="shutdown(SHUT_WR)"))
        elif isinstance(event, ErrorEvent):
            lane = SELF if event.peer is None else self.lane_for(event.peer)
            self._add(Item(0, "error", event.time, lane, lane, text=event.message, call_from=event.call or ""))
        elif isinstance(event, ReceiveOverflow):
            self._add(Item(0, "overflow", event.time, SELF, SELF, nbytes=event.nbytes, count=event.datagrams))

    def _handshake(self, event: PeerConnected) -> None:
        lane = self.lane_for(event.peer)
        if self.kind == "tcp-client" or event.outgoing:
            self._add(Item(0, "handshake", event.time, SELF, lane, call_from="connect()", call_to="accept()"))
        else:
            self._add(Item(0, "handshake", event.time, lane, SELF, call_from="connect()", call_to="accept()"))

    def _message(self, event: DataReceived | DataSent) -> None:
        lane = self.lane_for(event.peer)
        outgoing = isinstance(event, DataSent)
        datagram = event.call in ("sendto", "recvfrom")
        if self._fold(lane, event, outgoing):
            return
        source, target = (SELF, lane) if outgoing else (lane, SELF)
        calls = ("sendto()", "recvfrom()") if datagram else ("send()", "recv()")
        self._add(Item(0, "datagram" if datagram else "message", event.time, source, target,
                       nbytes=len(event.data), data=event.data[:DETAIL_BYTES], call_from=calls[0], call_to=calls[1]))

    def _fold(self, lane: int, event: DataReceived | DataSent, outgoing: bool) -> bool:
        """Put the message into the lane's band if messages come too fast to draw; True if folded."""
        run = self._runs.get(lane)
        if run is None:
            run = self._runs[lane] = _LaneRun()
        band = run.band
        if band is not None and event.time - band.end_time <= FOLD_GAP and band.serial >= self.items[0].serial:
            _grow(band, event, outgoing)
            self.version += 1
            return True
        run.band = None
        run.recent.append(event.time)
        if len(run.recent) < FOLD_AFTER or event.time - run.recent[0] > FOLD_SPAN:
            return False
        band = Item(0, "band", event.time, lane, SELF, count=0, end_time=event.time, data=event.data[:DETAIL_BYTES])
        _grow(band, event, outgoing)
        run.band = band
        run.recent.clear()
        self._add(band)
        return True

    def _closed(self, event: PeerClosed) -> None:
        lane = self.lane_for(event.peer)
        self._runs.pop(lane, None)
        if event.reason is CloseReason.RESET:
            self._add(Item(0, "rst", event.time, lane, SELF))
            return
        if event.reason is CloseReason.FIN:
            self._add(Item(0, "fin", event.time, lane, SELF, call_to="recv() = b''"))
        self._add(Item(0, "close", event.time, SELF, lane, call_from="close()"))

    def _add(self, item: Item) -> None:
        self._serial += 1
        item.serial = self._serial
        if item.end_time == 0.0:
            item.end_time = item.time
        if len(self.items) == self.items.maxlen:
            self.dropped += 1
        self.items.append(item)
        self.version += 1

    def note_stream(self, peer: Address, when: float, sends: int, receives: int, datagram: bool = False) -> None:
        """Add what both ends show: ``sends`` send() calls arrived in ``receives`` recv() calls."""
        lane = self.lane_for(peer)
        kind = "datagrams" if datagram else "stream"
        self._add(Item(0, kind, when, lane, SELF, count=sends, count_out=receives,
                       call_from="sendto()" if datagram else "send()", call_to="recvfrom()" if datagram else "recv()"))

    def find(self, serial: int) -> Item | None:
        """The item with ``serial`` if it is still kept."""
        if not self.items or serial < self.items[0].serial:
            return None
        index = serial - self.items[0].serial
        if index < len(self.items) and self.items[index].serial == serial:
            return self.items[index]
        return next((item for item in self.items if item.serial == serial), None)


def _grow(band: Item, event: DataReceived | DataSent, outgoing: bool) -> None:
    band.count += 1
    band.nbytes += len(event.data)
    band.end_time = event.time
    if outgoing:
        band.count_out += 1
        band.bytes_out += len(event.data)

"""Log rows for a relay's data: each piece once, named by its client and its direction.

A relay's engine reports every piece twice (the ``recv`` on one side, the ``send``
on the other); the log shows the piece read, as ``→ client`` for client → server
and ``← client`` for server → client, with the direction's label before the data.
Pure, no Tk: used by the Relay tab live and by the replay of a relay's session.
"""

from __future__ import annotations

from gui.eventrows import RowSink, data_call_record
from gui.logmodel import PREVIEW_BYTES, RECEIVED, SENT, LogRecord
from netcore.events import DOWNSTREAM, UPSTREAM, Address, DataReceived, DataSent, Event, PeerConnected
from netcore.peerstate import MAX_TRACKED_PEERS, LruMap

LANES = {UPSTREAM: ("relay.up", SENT), DOWNSTREAM: ("relay.down", RECEIVED)}
"""Per direction: the label key of its rows and the row kind (→ toward the server, ← back to the client)."""


def is_relayed(event: Event) -> bool:
    """A relay's data event (it has a direction)?"""
    return isinstance(event, (DataReceived, DataSent)) and event.direction in LANES


class RelayRows:
    """Knows which client each pair serves; turns a relay's data events into rows."""

    def __init__(self) -> None:
        self._clients: LruMap[tuple[str, int], Address] = LruMap(MAX_TRACKED_PEERS)
        """(endpoint, pair) → client: a tab's session may hold several runs, each counting pairs from 1."""

    def client_of(self, event: Event, pair: int) -> Address | None:
        """The client that pair ``pair`` of ``event``'s endpoint serves, if known."""
        return self._clients.get((event.endpoint, pair))

    def note(self, event: Event) -> Address | None:
        """Learn a new pair's client (its first connection, or a UDP client's first datagram); the new client."""
        if isinstance(event, PeerConnected) and self.client_of(event, event.connection) is None:
            self._clients.put((event.endpoint, event.connection), event.peer)
            return event.peer
        if isinstance(event, DataReceived) and event.direction == UPSTREAM:
            key = (event.endpoint, event.pair)
            if self._clients.get(key) is None:
                self._clients.put(key, event.peer)
                return event.peer
        return None

    def row(self, event: DataReceived | DataSent) -> LogRecord | None:
        """The row for a piece read (None for its delivery, which is only counted)."""
        if not isinstance(event, DataReceived):
            return None
        lane, kind = LANES[event.direction]
        client = self.client_of(event, event.pair) or event.peer
        return LogRecord(kind, event.time, client, len(event.data), bytes(event.data[:PREVIEW_BYTES]), lane=lane)


def add_relay_rows(log: RowSink, rows: RelayRows, event: DataReceived | DataSent, show_data_calls: bool) -> None:
    """Queue what a relay's data event shows: its call (when asked), and the piece if it was read."""
    call = data_call_record(event, show_data_calls)
    if call is not None:
        log.add(call)
    record = rows.row(event)
    if record is not None:
        log.add(record)

"""A run of datagrams routed as one piece shows and counts exactly what routing each one would."""

from __future__ import annotations

import dataclasses
import tkinter as tk

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gui.logmodel import RECEIVED
from gui.pump import RUN_MIN, data_runs
from netcore.events import DataReceived, DataSent, Event, Notice
from tests.gui.helpers import received, start_listening

pytestmark = pytest.mark.gui


def _received(endpoint: str, index: int, size: int, when: float = 1_000.0) -> DataReceived:
    return DataReceived(endpoint=endpoint, time=when, peer=("127.0.0.1", 40_000 + index % 2),
                        data=bytes([65 + index % 26]) * size, call="recvfrom", requested=65535)


def _event(kind: str, index: int) -> Event:
    if kind == "other":
        return Notice(endpoint="a", code="x", message="m")
    if kind == "sent":
        return DataSent(endpoint="a", peer=("127.0.0.1", 1), data=b"s", call="sendto", offered=1)
    return _received(kind, index, index % 7)


@given(st.lists(st.sampled_from(["a", "b", "sent", "other"]), max_size=200))
def test_data_runs_keeps_every_event_in_order_and_groups_only_maximal_runs(kinds: list[str]) -> None:
    batch = [_event(kind, index) for index, kind in enumerate(kinds)]
    pieces = list(data_runs(batch))
    flat: list[Event] = []
    for piece in pieces:
        flat.extend(piece if isinstance(piece, list) else [piece])
    assert flat == batch
    assert pieces == _expected_pieces(batch)


def _expected_pieces(batch: list[Event]) -> list[object]:
    """Each maximal stretch of one endpoint's datagrams: a list if at least RUN_MIN long, else its events."""
    pieces: list[object] = []
    stretch: list[Event] = []
    for event in [*batch, None]:
        if (stretch and event is not None and type(event) is DataReceived
                and event.endpoint == stretch[0].endpoint):
            stretch.append(event)
            continue
        pieces.extend([stretch] if len(stretch) >= RUN_MIN else stretch)
        stretch = [event] if type(event) is DataReceived else []
        if event is not None and type(event) is not DataReceived:
            pieces.append(event)
    return pieces


def _state(tab: object) -> dict[str, object]:
    """What a person can see of the data in a tab: counters, log rows, spool, chart, rate graph, socket's life."""
    log = tab.log  # type: ignore[attr-defined]
    views = tab.views  # type: ignore[attr-defined]
    rows = [(r.kind, r.peer, r.nbytes, r.count, r.data) for r in log.records]
    return {
        "bytes_in": tab.counters.bytes_in,  # type: ignore[attr-defined]
        "msgs_in": tab.counters.msgs_in,  # type: ignore[attr-defined]
        "spooled": tab.spool.size,  # type: ignore[attr-defined]
        "rows": rows,
        "chart": [dataclasses.replace(item, serial=0) for item in views.sequence.items],
        "rate": views.rates.total.series(1_001.0),
        "peer_rate": views.rates.peer(("127.0.0.1", 40_000)).series(1_001.0),
        "life": views.lifecycle.version > 0,
        "last": getattr(tab, "_last", None),
    }


def test_a_run_routed_at_once_equals_each_datagram_routed_alone(window, root: tk.Tk) -> None:
    one_by_one = window.new_tab("udp")
    at_once = window.new_tab("udp")
    for tab in (one_by_one, at_once):
        start_listening(root, tab)
    sizes = [0, 1, 31, 64, 1500, 7, 7, 7, 300] * 40  # 360 datagrams, two peers, one empty-datagram each 9
    for tab in (one_by_one, at_once):
        tab.log.records.clear()
    events = [[_received(tab.endpoint_name, index, size, 1_000.0 + index / 1000)
               for index, size in enumerate(sizes)] for tab in (one_by_one, at_once)]
    for event in events[0]:
        one_by_one.handle(event)
    for start in range(0, len(sizes), 64):
        at_once.handle_run(events[1][start:start + 64])
    for tab in (one_by_one, at_once):
        tab.flush()
    assert _state(at_once) == _state(one_by_one)
    assert at_once.counters.msgs_in == len(sizes)
    assert at_once.counters.bytes_in == sum(sizes)


def test_the_pump_routes_a_real_flood_of_datagrams_to_the_tab_exactly(window, root: tk.Tk) -> None:
    import socket

    from tests.gui.conftest import pump_until

    tab = window.new_tab("udp")
    port = start_listening(root, tab)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        for burst in range(20):  # bursts the kernel's default buffer holds: the engine reads them in runs
            for index in range(burst * 100, burst * 100 + 100):
                sender.sendto(b"%05d" % index, ("127.0.0.1", port))
            pump_until(root, lambda end=burst * 100 + 100: tab.counters.msgs_in + _counted(tab) >= end,
                       timeout=10.0, what="every datagram shown or counted")
    assert _counted(tab) == 0, "bursts of 100 never come near the queue's bound"
    assert tab.counters.msgs_in == 2_000
    assert received(tab) == b"".join(b"%05d" % index for index in range(2_000)), "in order, byte for byte"
    rows = [row for row in tab.log.records if row.kind == RECEIVED]  # merged under a flood, never lost
    assert sum(row.count for row in rows) == 2_000
    assert sum(row.nbytes for row in rows) == 10_000


def _counted(tab: object) -> int:
    """Datagrams the engine counted but did not keep (the window far behind)."""
    return sum(int(r.params["datagrams"].replace(",", "")) for r in tab.log.records  # type: ignore[attr-defined]
               if r.key == "ev.overflow")

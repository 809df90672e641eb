"""Stream against datagram: send() and recv() boundaries lined up by their offsets."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from netcore.events import DataReceived, DataSent, Event, PeerConnected, State, StateChanged
from netcore.session.streammap import StreamMatcher, StreamNote

CLIENT, SERVER = ("127.0.0.1", 50000), ("127.0.0.1", 9000)


def _connected() -> list[Event]:
    return [PeerConnected(endpoint="client", peer=SERVER, local=CLIENT, time=1.0),
            PeerConnected(endpoint="server", peer=CLIENT, local=SERVER, time=1.0)]


def _send(data: bytes, when: float = 2.0) -> DataSent:
    return DataSent(endpoint="client", peer=SERVER, data=data, time=when)


def _recv(data: bytes, when: float = 2.0) -> DataReceived:
    return DataReceived(endpoint="server", peer=CLIENT, data=data, time=when)


def run(events: list[Event]) -> list[StreamNote]:
    matcher = StreamMatcher()
    return [note for event in events for note in matcher.feed(event)]


def test_three_sends_in_one_recv() -> None:
    notes = run([*_connected(), _send(b"Michael"), _send(b"Tracy"), _send(b"Sarah"), _recv(b"MichaelTracySarah")])
    assert [(n.endpoint, n.peer, n.sends, n.receives) for n in notes] == [("server", CLIENT, 3, 1)]


def test_one_send_in_two_recvs_even_when_a_receive_is_seen_first() -> None:
    notes = run([*_connected(), _recv(b"hel"), _send(b"hello"), _recv(b"lo")])
    assert [(n.sends, n.receives) for n in notes] == [(1, 2)]


def test_matching_boundaries_say_nothing() -> None:
    assert run([*_connected(), _send(b"a"), _recv(b"a"), _send(b"bc"), _recv(b"bc")]) == []


def test_datagrams_say_once_per_burst_that_they_stay_whole() -> None:
    bound = StateChanged(endpoint="server", state=State.BOUND, local=SERVER)
    datagrams = [DataReceived(endpoint="server", peer=CLIENT, data=b"x", call="recvfrom", time=t)
                 for t in (1.0, 1.05, 1.1, 5.0)]
    notes = run([bound, *datagrams])
    assert [(n.time, n.datagram) for n in notes] == [(1.0, True), (5.0, True)]


@given(st.lists(st.integers(1, 50), min_size=1, max_size=30), st.randoms(use_true_random=False))
def test_notes_count_every_send_and_receive_correctly(sizes: list[int], rng: random.Random) -> None:
    stream = b"".join(bytes([i % 256]) * size for i, size in enumerate(sizes))
    cuts = sorted(rng.sample(range(1, len(stream)), k=min(len(stream) - 1, rng.randint(0, 10))))
    pieces = [stream[a:b] for a, b in zip([0, *cuts], [*cuts, len(stream)], strict=True)]
    send_ends = [sum(sizes[: i + 1]) for i in range(len(sizes))]
    recv_ranges = list(zip([0, *cuts], [*cuts, len(stream)], strict=True))
    expected = []
    for start, end in recv_ranges:
        starts = [0, *send_ends[:-1]]
        overlapping = sum(1 for begin, stop in zip(starts, send_ends, strict=True) if stop > start and begin < end)
        if overlapping >= 2:
            expected.append((overlapping, 1))
        for i, stop in enumerate(send_ends):
            begin = send_ends[i - 1] if i else 0
            if start < stop <= end:
                parts = sum(1 for a, b in recv_ranges if a < stop and b > begin)
                if parts >= 2:
                    expected.append((1, parts))
    events: list[Event] = [*_connected()]
    sends = [_send(bytes([i % 256]) * size) for i, size in enumerate(sizes)]
    receives = [_recv(piece) for piece in pieces]
    events += sends + receives if rng.random() < 0.5 else receives + sends  # either side may be seen first
    assert [(n.sends, n.receives) for n in run(events)] == expected

"""The datagram hot path: a run of ``recvfrom`` calls, their events made cheaply and queued in one put.

What must hold is that the fast path changes nothing a front-end can see: the same
events, equal field by field, in the order the datagrams came, every one shown or
counted, and the queue's accounting the same as one ``put`` per event.
"""

from __future__ import annotations

import dataclasses
import socket
import threading
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from netcore import EventQueue, UdpConfig, UdpEndpoint
from netcore.events import DataReceived, ReceiveOverflow, State, received_fast
from tests.netcore.conftest import Recorder

hosts = st.sampled_from(["127.0.0.1", "::1", "fe80::1%eth0", "198.18.0.2", "name.example"])
ports = st.integers(0, 65535)


@given(endpoint=st.text(max_size=20), when=st.floats(allow_nan=False), host=hosts, port=ports,
       data=st.binary(max_size=256), call=st.sampled_from(["recv", "recvfrom"]), requested=st.integers(0, 1 << 20))
def test_received_fast_makes_the_same_frozen_event_as_the_constructor(
        endpoint: str, when: float, host: str, port: int, data: bytes, call: str, requested: int) -> None:
    fast = received_fast(endpoint, when, (host, port), data, call, requested)
    slow = DataReceived(endpoint=endpoint, time=when, peer=(host, port), data=data, call=call, requested=requested)
    assert type(fast) is DataReceived
    assert fast == slow
    assert dataclasses.astuple(fast) == dataclasses.astuple(slow)
    assert fast.payload_size == len(data)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.data = b"changed"  # type: ignore[misc]


def _event(index: int, size: int) -> DataReceived:
    return DataReceived(endpoint="u", peer=("127.0.0.1", index), data=b"x" * size, call="recvfrom")


@given(runs=st.lists(st.lists(st.integers(0, 300), max_size=70), max_size=20))
def test_put_run_keeps_the_same_order_and_accounting_as_one_put_each(runs: list[list[int]]) -> None:
    one_by_one, in_runs = EventQueue(max_bytes=4096, max_events=50), EventQueue(max_bytes=4096, max_events=50)
    index = 0
    for run in runs:
        events = []
        for size in run:
            events.append(_event(index, size))
            index += 1
        for event in events:
            one_by_one.put(event)
        in_runs.put_run(list(events), sum(len(event.data) for event in events))
        assert in_runs.pending_bytes == one_by_one.pending_bytes
        assert in_runs.peak_bytes == one_by_one.peak_bytes
        assert in_runs.congested == one_by_one.congested
        assert len(in_runs) == len(one_by_one)
    assert in_runs.drain() == one_by_one.drain()
    assert in_runs.pending_bytes == 0


def test_put_run_wakes_a_consumer_waiting_in_get() -> None:
    queue = EventQueue()
    got: list[object] = []
    waiter = threading.Thread(target=lambda: got.append(queue.get(timeout=5.0)))
    waiter.start()
    time.sleep(0.05)  # let it wait (if it has not yet, get() finds the event at once: the same outcome)
    run = [_event(1, 3), _event(2, 4)]
    queue.put_run(run, 7)
    waiter.join(5.0)
    assert got == [run[0]], "the waiting get() must wake with the run's first event"
    assert queue.drain() == [run[1]]


@pytest.fixture
def bound_udp(queue: EventQueue, rec: Recorder, no_worker_left_behind):
    def start(events: EventQueue = queue, recorder: Recorder = rec) -> tuple[UdpEndpoint, int]:
        udp = UdpEndpoint(UdpConfig("127.0.0.1", 0, receive_buffer=4 * 1024 * 1024), events, "udp")
        no_worker_left_behind.append(udp)
        udp.start()
        port = recorder.wait_state("udp", State.BOUND).local[1]  # type: ignore[index]
        return udp, port
    return start


def _wait_for_count(udp: UdpEndpoint, count: int, timeout: float = 10.0) -> None:
    end = time.monotonic() + timeout
    while udp.datagrams_in < count and time.monotonic() < end:
        time.sleep(0.01)


def test_a_burst_from_three_senders_arrives_in_order_each_with_its_source(bound_udp, rec: Recorder) -> None:
    udp, port = bound_udp()
    senders = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(3)]
    try:
        for sender in senders:
            sender.bind(("127.0.0.1", 0))
        sent = []
        for index in range(600):  # several runs of 64, sources interleaved
            sender = senders[index % 3]
            payload = f"{index:04d}".encode() * (index % 5)
            sender.sendto(payload, ("127.0.0.1", port))
            sent.append((sender.getsockname(), payload))
        _wait_for_count(udp, len(sent))
        received = [(event.peer, event.data) for event in rec.of(DataReceived, "udp")]
    finally:
        for sender in senders:
            sender.close()
    assert received == sent, "each datagram once, in the order sent, from its own sender (empty ones too)"
    assert udp.last_sender == sent[-1][0]
    assert not rec.of(ReceiveOverflow, "udp")


def test_a_flood_past_the_bound_is_counted_to_the_last_datagram(bound_udp, no_worker_left_behind) -> None:
    queue = EventQueue(max_bytes=8 * 1024, max_events=100)
    recorder = Recorder(queue)
    udp, port = bound_udp(queue, recorder)
    recorder.events.clear()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        for _ in range(3000):  # nobody drains: the queue fills, then whole runs are only counted
            sender.sendto(b"y" * 100, ("127.0.0.1", port))
    _wait_for_count(udp, 3000, timeout=5.0)
    arrived = udp.datagrams_in
    assert udp.stop(5.0)
    recorder.pump()
    kept = recorder.of(DataReceived, "udp")
    counted = recorder.of(ReceiveOverflow, "udp")
    assert counted, "past twice the bound, datagrams must be counted, not queued"
    assert len(kept) + sum(event.datagrams for event in counted) == arrived
    assert len(kept) * 100 + sum(event.nbytes for event in counted) == arrived * 100
    assert len(kept) <= 2 * queue.max_events + 64, "at most one run past the overflow line"

"""The event queue: order, congestion past the watermark, and resume."""

from __future__ import annotations

import threading

from netcore.eventqueue import EventQueue
from netcore.events import DataReceived, Notice


def data(size: int) -> DataReceived:
    return DataReceived(endpoint="e", peer=("127.0.0.1", 1), data=b"x" * size)


def test_order_and_byte_accounting() -> None:
    queue = EventQueue(max_bytes=100)
    for size in (10, 20, 30):
        queue.put(data(size))
    assert queue.pending_bytes == 60 and not queue.congested
    assert [len(e.data) for e in queue.drain(2)] == [10, 20]  # type: ignore[attr-defined]
    assert queue.pending_bytes == 30 and len(queue) == 1


def test_congested_by_bytes_or_count_and_resume_listener() -> None:
    queue = EventQueue(max_bytes=100, max_events=5)
    resumed = threading.Event()
    queue.add_resume_listener(resumed.set)
    queue.put(data(100))
    assert queue.congested
    queue.mark_congested_seen()
    queue.drain()
    assert resumed.is_set() and not queue.congested
    for _ in range(5):
        queue.put(Notice(endpoint="e", code="c", message="m"))
    assert queue.congested


def test_get_waits_with_a_deadline() -> None:
    queue = EventQueue()
    assert queue.get(timeout=0.01) is None
    threading.Timer(0.05, lambda: queue.put(data(1))).start()
    event = queue.get(timeout=5)
    assert isinstance(event, DataReceived)


def test_drain_run_takes_only_the_leading_events_of_the_kinds_asked() -> None:
    queue = EventQueue(max_bytes=80)
    resumed = threading.Event()
    queue.add_resume_listener(resumed.set)
    for size in (40, 40, 40):
        queue.put(data(size))
    queue.put(Notice(endpoint="e", code="c", message="m"))
    queue.put(data(5))
    queue.mark_congested_seen()
    assert [len(e.data) for e in queue.drain_run((DataReceived,), 2)] == [40, 40]  # type: ignore[attr-defined]
    assert not resumed.is_set() and queue.pending_bytes == 45
    assert len(queue.drain_run((DataReceived,), 100)) == 1 and resumed.is_set()  # below half: resume
    assert queue.drain_run((DataReceived,), 100) == []  # the notice is first now: it stays
    assert [type(e) for e in queue.drain()] == [Notice, DataReceived] and queue.pending_bytes == 0

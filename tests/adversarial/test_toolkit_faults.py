"""Faults found by attacking the device toolkit from outside (issue 12): framing, relay, UDP runs, CLI, library.

Each test reproduces one fault deterministically over real loopback sockets and
failed before its fix; the docstring says what it did then.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

from netcore import EventQueue, TcpServer
from netcore.events import DataReceived, State
from netcore.framing import FrameSettings
from netcore.tcp_server import TcpServerConfig
from netcore.worker import Endpoint
from tests.adversarial.helpers import HOST, Stall, sync, wait_until

QUEUE_EVENTS = 2_000


def test_a_flood_of_one_byte_frames_keeps_the_event_queue_bound(no_worker_left_behind: list[Endpoint]) -> None:
    """``fixed:1`` (also ``lines`` of bare ``\\n``, ``len:1`` of zero lengths): one ``recv`` is many events.

    Unfixed: one ``recv`` of 256 KiB became 262,144 events at once, whatever the queue's
    event bound; with several such clients the queue (and memory: ~150 bytes an
    event) grew without bound: 128,000 events held against a bound of 20,000 for one
    client, +44 MB. Now the queue holds at most about the bound plus one framed read.
    """
    queue = EventQueue(max_events=QUEUE_EVENTS)
    server = TcpServer(TcpServerConfig(HOST, 0, framing=FrameSettings("fixed:1")), queue, "framed")
    no_worker_left_behind.append(server)
    server.start()
    assert wait_until(lambda: server.state is State.LISTENING, 5.0)
    port = server.local_address[1] if server.local_address else 0
    clients = [socket.create_connection((HOST, port), timeout=5.0) for _ in range(3)]
    sent = 300_000
    try:
        assert sync(server)
        stall = Stall(server)  # the worker is busy while every client's bytes pile up in the kernel
        try:
            for client in clients:
                client.sendall(b"a" * sent)
        finally:
            stall.release()
        assert sync(server, rounds=3, timeout=15.0)
        peak = len(queue)
        assert peak <= QUEUE_EVENTS + 20_000, f"{peak:,} events held against a bound of {QUEUE_EVENTS:,}"
        got = _drain_bytes(queue, sent * len(clients), timeout=60.0)
        assert got == sent * len(clients), f"{got:,} bytes of {sent * len(clients):,} came through"
    finally:
        for client in clients:
            client.close()


def _drain_bytes(queue: EventQueue, want: int, timeout: float) -> int:
    """Drain as a front-end would until ``want`` data bytes came (or ``timeout``); the bytes seen."""
    got = 0
    done = threading.Event()

    def enough() -> bool:
        nonlocal got
        for event in queue.drain(5_000):
            if type(event) is DataReceived:
                got += len(event.data)
        if got >= want:
            done.set()
        return done.is_set()

    wait_until(enough, timeout, 0.002)
    return got


__all__: list[Callable[..., object]] = []

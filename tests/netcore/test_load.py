"""The engine under load: many clients, big streams, slow peers, stop mid-transfer."""

from __future__ import annotations

import hashlib
import random
import socket
import threading
import time

import psutil
import pytest

from netcore import EventQueue, TcpServer, TcpServerConfig
from netcore.events import DataReceived, State
from netcore.replies import make_reply_rule
from netcore.stream import OUTBOX_LIMIT, RECV_SIZE, REPLY_READ_PAUSE
from tests.netcore.conftest import Recorder

pytestmark = pytest.mark.slow
MB = 1024 * 1024


def random_bytes(size: int, seed: int = 7) -> bytes:
    return random.Random(seed).randbytes(size)


def hash_received(queue: EventQueue, endpoint: str, size: int, timeout: float) -> tuple[int, str]:
    digest, total = hashlib.sha256(), 0
    end = time.monotonic() + timeout
    while total < size and time.monotonic() < end:
        for event in queue.drain():
            if isinstance(event, DataReceived) and event.endpoint == endpoint:
                digest.update(event.data)
                total += len(event.data)
        queue.wait(0.05)
    return total, digest.hexdigest()


def drain_in_background(queue: EventQueue, stop: threading.Event) -> threading.Thread:
    """A front-end that keeps up: takes every event until ``stop``."""
    def run() -> None:
        while not stop.is_set():
            queue.wait(0.05)
            queue.drain()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_a_thousand_concurrent_clients_each_get_their_answer(serve, rec: Recorder) -> None:
    server, port = serve(reply=make_reply_rule("echo"), backlog=1024)
    clients = []
    for index in range(1000):
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.sendall(b"client %04d" % index)
        clients.append(sock)
    try:
        answers = [sock.recv(64) for sock in clients]  # all 1000 are open at once here
        assert answers == [b"client %04d" % index for index in range(1000)]
        assert len(server.peers()) == 1000
    finally:
        for sock in clients:
            sock.close()


def test_fifty_megabytes_arrive_intact(serve, queue: EventQueue) -> None:
    server, port = serve()
    payload = random_bytes(50 * MB)
    sender = threading.Thread(target=lambda: socket.create_connection(("127.0.0.1", port)).sendall(payload))
    sender.start()
    total, digest = hash_received(queue, server.name, len(payload), timeout=60)
    sender.join(10)
    assert (total, digest) == (len(payload), hashlib.sha256(payload).hexdigest())


def test_fifty_megabytes_through_the_echo_server(serve, queue: EventQueue) -> None:
    _, port = serve(reply=make_reply_rule("echo"))
    stop_draining = threading.Event()
    drain_in_background(queue, stop_draining)
    payload = random_bytes(50 * MB, seed=11)
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)

    def send_all() -> None:
        sock.sendall(payload)
        sock.shutdown(socket.SHUT_WR)

    sender = threading.Thread(target=send_all)
    sender.start()
    digest, total = hashlib.sha256(), 0
    with sock:
        while chunk := sock.recv(1 * MB):
            digest.update(chunk)
            total += len(chunk)
    sender.join(10)
    stop_draining.set()
    assert (total, digest.hexdigest()) == (len(payload), hashlib.sha256(payload).hexdigest())


def test_a_peer_that_sends_without_reading_stays_within_the_bound(serve, queue: EventQueue) -> None:
    server, port = serve(reply=make_reply_rule("echo"))
    stop_draining = threading.Event()
    drain_in_background(queue, stop_draining)  # the front-end keeps up: only the echo bound holds back
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setblocking(False)
    process = psutil.Process()
    rss_before = process.memory_info().rss
    block, sent, peak = b"z" * 65536, 0, 0
    end = time.monotonic() + 3
    with sock:
        while time.monotonic() < end and sent < 200 * MB:
            try:
                sent += sock.send(block)
            except BlockingIOError:
                time.sleep(0.005)
            peak = max(peak, server.budget.pending)
    growth = process.memory_info().rss - rss_before
    stop_draining.set()
    assert peak <= REPLY_READ_PAUSE + RECV_SIZE, f"echo outbox grew to {peak} bytes"
    assert sent < 200 * MB, "the engine kept reading although nobody took its echo"
    assert growth < 64 * MB, f"process grew by {growth // MB} MB"


def test_a_slow_front_end_slows_the_sender_and_loses_nothing(rec: Recorder, no_worker_left_behind) -> None:
    small = EventQueue(max_bytes=1 * MB)
    server = TcpServer(TcpServerConfig("127.0.0.1", 0), small, "server")
    no_worker_left_behind.append(server)
    server.start()
    recorder = Recorder(small)
    listening = recorder.wait_state("server", State.LISTENING)
    assert listening.local is not None
    payload = random_bytes(20 * MB, seed=3)
    done = threading.Event()

    def send() -> None:
        with socket.create_connection(listening.local) as sock:
            sock.sendall(payload)
        done.set()

    threading.Thread(target=send, daemon=True).start()
    time.sleep(1.0)  # nobody drains for a second
    assert not done.is_set(), "20 MB went through although the front-end read nothing"
    assert small.peak_bytes <= small.max_bytes + RECV_SIZE
    total, digest = hash_received(small, "server", len(payload), timeout=60)
    assert (total, digest) == (len(payload), hashlib.sha256(payload).hexdigest())
    assert small.peak_bytes <= small.max_bytes + RECV_SIZE


def test_stop_mid_transfer_with_a_thousand_clients_is_quick(serve) -> None:
    server, port = serve(reply=make_reply_rule("echo"), backlog=1024)
    clients = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(1000)]
    stop_senders = threading.Event()

    def flood(sock: socket.socket) -> None:
        block = b"f" * 65536
        sock.settimeout(0.2)
        while not stop_senders.is_set():
            try:
                sock.sendall(block)
            except (TimeoutError, OSError):
                if stop_senders.is_set():
                    return
    senders = [threading.Thread(target=flood, args=(sock,), daemon=True) for sock in clients[:8]]
    try:
        for thread in senders:
            thread.start()
        deadline = time.monotonic() + 10
        while len(server.peers()) < 1000 and time.monotonic() < deadline:
            time.sleep(0.01)
        server.send(b"x" * MB)  # and data on its way out to everyone
        time.sleep(0.3)
        started = time.monotonic()
        assert server.stop(timeout=2.0)
        assert time.monotonic() - started < 2.0
    finally:
        stop_senders.set()
        for sock in clients:
            sock.close()
        for thread in senders:
            thread.join(2)


def test_outbox_limit_is_what_the_docs_say() -> None:
    assert OUTBOX_LIMIT == 16 * MB

"""Hostile and careless peers against the engine: each test pins down a fault found from outside.

Issue 7's faults 1, 2, 4 and 14: a reset while an auto-reply is being sent, a reconnect
from the same source port, a flood of distinct UDP sources, and two UDP echo
endpoints answering each other. Real sockets on 127.0.0.1 only.
"""

from __future__ import annotations

import socket
import struct
import time

import pytest

from netcore import EventQueue, TcpServer, TcpServerConfig, UdpConfig, UdpEndpoint
from netcore.events import ErrorEvent, Notice, PeerClosed, PeerConnected, State
from netcore.peerstate import MAX_TRACKED_PEERS
from netcore.replies import make_reply_rule
from netcore.worker import Endpoint
from tests.netcore.conftest import Recorder

ROUNDS = 30


def reset(sock: socket.socket) -> None:
    """Close with SO_LINGER 0: the kernel sends RST instead of FIN."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def probe(port: int, send: bytes, expect: bytes) -> bytes:
    """A well-behaved client: send, read until ``expect``'s length arrived (or 5 s), close."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(send)
        got = b""
        while len(got) < len(expect):
            chunk = sock.recv(4096)
            if not chunk:
                break
            got += chunk
        return got


def assert_no_internal_error(rec: Recorder, name: str) -> None:
    faults = [e for e in rec.of(ErrorEvent, name) if e.code.startswith("internal_error") or e.fatal]
    assert not faults, f"the server hit its own fault: {faults[:3]}"


@pytest.mark.parametrize("mode", ["echo", "time", "hello"])
def test_a_client_that_resets_after_a_message_ends_only_its_connection(serve, rec: Recorder, mode: str) -> None:
    server, port = serve(reply=make_reply_rule(mode))
    for _ in range(ROUNDS):  # each round races the reply's send() against the RST; some rounds lose
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(b"Bob\n")
        reset(sock)
    rec.wait_for(lambda _: len(rec.of(PeerClosed, server.name)) >= ROUNDS, timeout=10)
    assert server.running and server.state is State.LISTENING
    if mode == "echo":
        assert probe(port, b"still there?", b"still there?") == b"still there?"
    elif mode == "hello":
        assert probe(port, b"Ann\n", b"Welcome!\nHello, Ann!\n") == b"Welcome!\nHello, Ann!\n"
    else:
        assert probe(port, b"now?\n", b"x").strip()
    assert_no_internal_error(rec, server.name)
    rec.wait_for(lambda _: len(rec.of(PeerClosed, server.name)) == ROUNDS + 1)  # the probe's close too
    assert server.peers() == [] and not server._connections  # no connection left behind


def test_a_hello_client_that_never_reads_the_welcome_is_reset_without_harm(serve, rec: Recorder) -> None:
    server, port = serve(reply=make_reply_rule("hello"))
    for _ in range(ROUNDS):  # unread "Welcome!" in its buffer: close() sends RST, not FIN
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(b"Bob\n")
        sock.close()
    rec.wait_for(lambda _: len(rec.of(PeerClosed, server.name)) >= ROUNDS, timeout=10)
    assert server.state is State.LISTENING
    assert probe(port, b"Ann\n", b"Welcome!\nHello, Ann!\n") == b"Welcome!\nHello, Ann!\n"
    assert_no_internal_error(rec, server.name)


def _wait_until(condition: object, seconds: float = 5.0) -> None:
    end = time.monotonic() + seconds
    while not condition() and time.monotonic() < end:  # type: ignore[operator]
        time.sleep(0.01)
    assert condition(), "timed out"  # type: ignore[operator]


def test_a_reconnect_from_the_same_port_gets_its_own_connection(no_worker_left_behind: list[Endpoint]) -> None:
    queue = EventQueue(max_events=4)  # congested from the start: nothing is accepted until the test drains it
    rec = Recorder(queue)
    server = TcpServer(TcpServerConfig("127.0.0.1", 0, reply=make_reply_rule("echo")), queue, "server")
    no_worker_left_behind.append(server)
    server.start()
    _wait_until(lambda: server.local_address is not None)
    assert server.local_address is not None
    port = server.local_address[1]
    old = socket.socket()
    old.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    old.bind(("127.0.0.1", 0))
    old.connect(("127.0.0.1", port))  # the kernel completes it; it waits in the listen backlog
    source = old.getsockname()
    reset(old)
    new = socket.socket()
    new.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    new.bind(source)  # the same address and port as the connection just reset
    new.settimeout(5)
    try:
        new.connect(("127.0.0.1", port))
        new.sendall(b"new\n")
        got = b""
        end = time.monotonic() + 5
        while len(got) < 4 and time.monotonic() < end:  # both now get accepted in one go, then served
            rec.pump()
            try:
                new.settimeout(0.05)
                got += new.recv(16)
            except TimeoutError:
                pass
        assert got == b"new\n", "the new connection from the reused port was never served"
        connected = rec.of(PeerConnected, "server")
        assert [e.peer for e in connected] == [source, source]
        assert connected[0].connection != connected[1].connection
        closed = rec.wait_type(PeerClosed, "server")
        assert closed.connection == connected[0].connection  # the reset one, not the live one
        assert server.peers() == [source] and len(server._connections) == 1
    finally:
        new.close()
    rec.wait_for(lambda _: len(rec.of(PeerClosed, "server")) == 2)
    assert len(server._connections) == 0 and not server._by_peer


def test_udp_keeps_per_source_state_bounded(no_worker_left_behind: list[Endpoint], rec: Recorder,
                                            queue: EventQueue) -> None:
    udp = UdpEndpoint(UdpConfig("127.0.0.1", 0, reply=make_reply_rule("echo")), queue, "udp")
    no_worker_left_behind.append(udp)
    udp.start()
    port = rec.wait_state("udp", State.BOUND).local[1]  # type: ignore[index]
    ports: set[int] = set()
    sent = 0
    while len(ports) < MAX_TRACKED_PEERS + 500 and sent < 3 * MAX_TRACKED_PEERS:
        for _ in range(100):  # every datagram from a new source port
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
                sender.sendto(b"x", ("127.0.0.1", port))
                ports.add(sender.getsockname()[1])
        sent += 100
        _wait_until(lambda goal=sent - 5: udp.datagrams_in >= goal)  # paced: loopback drops what overflows
        rec.pump()
    assert len(ports) >= MAX_TRACKED_PEERS + 500
    assert len(udp._counts) <= MAX_TRACKED_PEERS
    assert len(udp._limiter or ()) <= MAX_TRACKED_PEERS


def test_two_udp_echo_endpoints_do_not_bounce_a_datagram_forever(no_worker_left_behind: list[Endpoint],
                                                                 rec: Recorder, queue: EventQueue) -> None:
    echo = make_reply_rule("echo")
    first = UdpEndpoint(UdpConfig("127.0.0.1", 0, reply=echo), queue, "first")
    second = UdpEndpoint(UdpConfig("127.0.0.1", 0, reply=echo), queue, "second")
    no_worker_left_behind.extend([first, second])
    first.start()
    second.start()
    second_port = rec.wait_state("second", State.BOUND).local[1]  # type: ignore[index]
    rec.wait_state("first", State.BOUND)
    first.send_to(b"ping", ("127.0.0.1", second_port))  # each echo answers the other's echo
    notice = rec.wait_type(Notice, where=lambda e: e.code == "reply_rate_limited", timeout=10)
    assert "replies a second" in notice.message
    settled = first.datagrams_in + second.datagrams_in
    time.sleep(0.5)
    rec.pump()
    assert first.datagrams_in + second.datagrams_in == settled, "the bounce went on after the limit"
    assert settled < 5000  # about one burst each way (plus what refills while it runs), not tens of thousands
    assert first.state is State.BOUND and second.state is State.BOUND
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:  # another peer is answered as before
        peer.settimeout(5)
        peer.sendto(b"hello?", ("127.0.0.1", second_port))
        assert peer.recv(100) == b"hello?"


def test_udp_reply_limit_can_be_turned_off(no_worker_left_behind: list[Endpoint], rec: Recorder,
                                           queue: EventQueue) -> None:
    udp = UdpEndpoint(UdpConfig("127.0.0.1", 0, reply=make_reply_rule("echo"), reply_rate=None), queue, "udp")
    no_worker_left_behind.append(udp)
    udp.start()
    port = rec.wait_state("udp", State.BOUND).local[1]  # type: ignore[index]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        peer.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 21)
        peer.settimeout(15)  # a loaded machine (the whole suite on 2 cores) can be slow to answer
        count = 1500  # past one burst of the default limit
        answered = 0
        for index in range(count):
            peer.sendto(b"%d" % index, ("127.0.0.1", port))
            if index % 50 == 49:  # stay within the socket buffers so loopback drops nothing
                answered += _drain(peer, 50)
            rec.pump()
    assert answered == count
    assert not [e for e in rec.of(Notice, "udp") if e.code == "reply_rate_limited"]


def _drain(sock: socket.socket, count: int) -> int:
    got = 0
    for _ in range(count):
        sock.recv(100)
        got += 1
    return got

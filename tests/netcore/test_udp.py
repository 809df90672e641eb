"""The UDP endpoint against real datagram sockets on loopback."""

from __future__ import annotations

import socket
import sys
import time

import pytest

from netcore import EventQueue, InputError, UdpConfig, UdpEndpoint
from netcore.events import (
    DataReceived,
    DataSent,
    ErrorEvent,
    Event,
    Notice,
    ReceiveOverflow,
    SocketCall,
    State,
    trace_line,
)
from netcore.replies import make_reply_rule
from tests.netcore.conftest import Recorder


@pytest.fixture
def start_udp(queue, rec: Recorder, no_worker_left_behind):
    def start(name: str = "udp", host: str = "127.0.0.1", events: EventQueue | None = None,
              **options: object) -> tuple[UdpEndpoint, int]:
        endpoint = UdpEndpoint(UdpConfig(host, 0, **options), queue if events is None else events, name)  # type: ignore[arg-type]
        no_worker_left_behind.append(endpoint)
        endpoint.start()
        if events is not None:
            return endpoint, 0
        bound = rec.wait_state(name, State.BOUND)
        assert bound.local is not None
        return endpoint, bound.local[1]
    return start


@pytest.fixture
def peer() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(5)
    yield sock
    sock.close()


def test_bind_port_zero_receive_with_source_and_reply(start_udp, rec: Recorder, peer) -> None:
    udp, port = start_udp()
    peer.sendto(b"\x00\x01 datagram", ("127.0.0.1", port))
    got = rec.wait_type(DataReceived, "udp")
    assert got.data == b"\x00\x01 datagram" and got.peer == peer.getsockname()
    udp.reply(b"back to you")
    assert peer.recvfrom(100) == (b"back to you", ("127.0.0.1", port))
    rec.wait_type(DataSent, "udp")
    lines = [line for e in rec.of(Event, "udp") if (line := trace_line(e))]
    assert lines[:2] == ["socket(AF_INET, SOCK_DGRAM) -> ok", "bind(('127.0.0.1', 0)) -> ok"]
    assert f"recvfrom(65535) -> (11 bytes, {peer.getsockname()!r})" in lines
    assert f"sendto(11 bytes, {peer.getsockname()!r}) -> 11" in lines


def test_send_to_any_address_keeps_datagram_boundaries(start_udp, rec: Recorder, peer) -> None:
    udp, _ = start_udp()
    for message in (b"one", b"two", b"three"):
        udp.send_to(message, peer.getsockname())
    assert [peer.recv(100) for _ in range(3)] == [b"one", b"two", b"three"]
    assert [e.data for e in rec.of(DataSent, "udp")][:3] == [b"one", b"two", b"three"] or rec.wait_for(
        lambda e: len(rec.of(DataSent, "udp")) == 3)


def test_echo_reply_rule(start_udp, peer) -> None:
    _, port = start_udp(reply=make_reply_rule("echo"))
    peer.sendto(b"echo me", ("127.0.0.1", port))
    assert peer.recv(100) == b"echo me"


def test_reply_with_no_sender_yet_is_explained(start_udp, rec: Recorder) -> None:
    udp, _ = start_udp()
    udp.reply(b"to whom?")
    assert rec.wait_type(ErrorEvent, "udp").code == "no_target"


def test_broadcast_needs_so_broadcast(start_udp, rec: Recorder) -> None:
    # 127.255.255.255 is loopback's broadcast address: the datagram stays on this machine.
    udp, _ = start_udp(host="127.0.0.1")
    udp.send_to(b"all", ("127.255.255.255", 9))
    error = rec.wait_type(ErrorEvent, "udp")
    assert error.code == "broadcast_denied" and "Broadcast" in error.hint
    udp.set_broadcast(True)
    udp.send_to(b"all", ("127.255.255.255", 9))
    rec.wait_type(DataSent, "udp", where=lambda e: e.peer == ("127.255.255.255", 9))
    assert any(e.args == "SOL_SOCKET, SO_BROADCAST, 1" for e in rec.of(SocketCall, "udp"))


def test_receive_buffer_is_asked_for_with_so_rcvbuf(start_udp, rec: Recorder, peer) -> None:
    _, port = start_udp(receive_buffer=1024 * 1024)
    assert any(e.call == "setsockopt" and e.args == "SOL_SOCKET, SO_RCVBUF, 1048576" and e.ok
               for e in rec.of(SocketCall, "udp"))
    peer.sendto(b"still works", ("127.0.0.1", port))
    assert rec.wait_type(DataReceived, "udp").data == b"still works"
    with pytest.raises(ValueError):
        UdpConfig("127.0.0.1", 0, receive_buffer=0)


def test_multicast_join_and_leave_on_loopback(start_udp, rec: Recorder) -> None:
    udp, _ = start_udp(host="0.0.0.0", reuse_address=True)
    udp.join_group("239.1.2.3", "127.0.0.1")
    joined = rec.wait_type(Notice, "udp")
    assert joined.code == "joined_group", joined
    udp.leave_group("239.1.2.3", "127.0.0.1")
    assert rec.wait_type(Notice, "udp", where=lambda e: e.code == "left_group")
    udp.join_group("10.1.2.3")
    assert rec.wait_type(ErrorEvent, "udp").code == "not_multicast"


def test_ipv6_loopback(start_udp, rec: Recorder) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    udp, port = start_udp(host="::1")
    other = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    with other:
        other.sendto(b"v6", ("::1", port))
        assert rec.wait_type(DataReceived, "udp").peer[0] == "::1"
    udp.send_to(b"v4?", ("127.0.0.1", 9))
    assert rec.wait_type(ErrorEvent, "udp").code == "bound_to_ipv6"


def test_busy_port_is_explained(start_udp, rec: Recorder, queue, no_worker_left_behind) -> None:
    _, port = start_udp()
    second = UdpEndpoint(UdpConfig("127.0.0.1", port), queue, "second")
    no_worker_left_behind.append(second)
    second.start()
    assert rec.wait_type(ErrorEvent, "second").code == "address_in_use"


def test_too_large_datagram_is_explained(start_udp, rec: Recorder, peer) -> None:
    udp, _ = start_udp()
    udp.send_to(b"x" * 70000, peer.getsockname())
    assert rec.wait_type(ErrorEvent, "udp").code == "message_too_long"


def test_flood_past_the_queue_is_counted_exactly(start_udp, peer) -> None:
    small = EventQueue(max_bytes=2000, max_events=100_000)
    udp, _ = start_udp(events=small)
    recorder = Recorder(small)
    bound = recorder.wait_state("udp", State.BOUND)
    assert bound.local is not None
    for index in range(100):  # nobody drains: past 2x the bound, payloads are counted, not kept
        peer.sendto(bytes([index]) * 500, bound.local)
    deadline = time.monotonic() + 5
    while udp.datagrams_in < 100 and time.monotonic() < deadline:
        time.sleep(0.01)
    udp.stop()
    recorder.pump()
    kept = sum(len(e.data) for e in recorder.of(DataReceived))
    dropped = sum(e.nbytes for e in recorder.of(ReceiveOverflow))
    count = len(recorder.of(DataReceived)) + sum(e.datagrams for e in recorder.of(ReceiveOverflow))
    assert (count, kept + dropped) == (100, 50_000) and dropped > 0


def test_bad_bind_host_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        UdpConfig("300.1.1.1", 0)
    assert caught.value.field == "host"


def test_auto_reply_never_answers_its_own_datagrams(start_udp, rec: Recorder) -> None:
    udp, port = start_udp(reply=make_reply_rule("echo"))
    udp.send_to(b"to myself", ("127.0.0.1", port))
    notice = rec.wait_type(Notice, "udp", where=lambda e: e.code == "reply_to_self")
    assert "forever" in notice.message
    time.sleep(0.2)  # a loop would have sent thousands of datagrams by now
    assert len(rec.of(DataReceived, "udp")) == 1 and len(rec.of(DataSent, "udp")) == 1


def test_ipv4_endpoint_sending_to_ipv6_says_why(start_udp, rec: Recorder) -> None:
    udp, _ = start_udp(host="127.0.0.1")
    udp.send_to(b"v6?", ("::1", 9))
    error = rec.wait_type(ErrorEvent, "udp")
    assert error.code == "bound_to_ipv4" and "::" in error.hint


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="IP_RECVERR is Linux's")
def test_a_datagram_to_a_closed_port_is_said_to_be_refused(start_udp, rec) -> None:  # type: ignore[no-untyped-def]
    udp, _port = start_udp()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as gone:
        gone.bind(("127.0.0.1", 0))
        closed = gone.getsockname()[1]  # nothing listens here once this socket is closed
    for _ in range(3):
        udp.send_to(b"anyone?", ("127.0.0.1", closed))
    notice = rec.wait_type(Notice, where=lambda e: e.code == "udp_refused_at")
    assert notice.params["address"] == f"127.0.0.1:{closed}" and "nothing listens" in notice.message
    udp.send_to(b"still sends", ("127.0.0.1", closed))  # the endpoint goes on (no busy loop on the error queue)
    rec.wait_for(lambda _: len(rec.of(DataSent)) >= 4)
    assert udp.state is State.BOUND

"""Framing on the relay over real loopback sockets: one event per frame per direction, forwarding untouched.

The framing changes only how what the relay reads is reported; the far side must get
the very bytes sent (SHA-256), at once, before a frame is complete.
"""

from __future__ import annotations

import hashlib
import itertools
import socket
import struct
import time
from collections.abc import Callable, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netcore import EventQueue
from netcore.events import DOWNSTREAM, UPSTREAM, CloseReason, DataReceived, DataSent, ErrorEvent, PeerClosed
from netcore.framing import FrameSettings
from netcore.relay_config import RelayBase
from netcore.worker import Endpoint
from tests.netcore.relay_helpers import Tally, listener, start_relay

MODBUS = bytes.fromhex("01 03 00 00 00 0A C5 CD")
"""A Modbus RTU request with its right CRC-16 (low byte first)."""


@pytest.fixture
def tally(queue: EventQueue) -> Iterator[Tally]:
    seen = Tally(queue)
    seen.received = []
    yield seen
    seen.close()


@pytest.fixture
def relay_to(queue: EventQueue, tally: Tally, no_worker_left_behind: list[Endpoint]
             ) -> Callable[..., RelayBase]:
    def start(target_port: int, **options: object) -> RelayBase:
        relay = start_relay(queue, tally, target_port, **options)
        no_worker_left_behind.append(relay)
        return relay
    return start


def prefixed(body: bytes) -> bytes:
    return struct.pack(">H", len(body)) + body


def pair_through(relay: RelayBase, server: socket.socket) -> tuple[socket.socket, socket.socket]:
    assert relay.local_address is not None
    client = socket.create_connection(relay.local_address, timeout=10)
    client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    accepted, _ = server.accept()
    accepted.settimeout(10)
    accepted.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return client, accepted


def recv_exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        assert chunk, f"closed after {len(data)} of {size} bytes"
        data += chunk
    return data


def test_a_length_prefixed_stream_split_oddly_is_one_event_per_frame_each_way(
        relay_to: Callable[..., RelayBase], tally: Tally) -> None:
    frames_up = [prefixed(b"hello"), prefixed(b""), prefixed(bytes(range(256)) * 3), prefixed(b"x")]
    stream = b"".join(frames_up)
    server = listener()
    relay = relay_to(server.getsockname()[1], framing=FrameSettings("len:2be"))
    client, accepted = pair_through(relay, server)
    cuts = [1, 4, 5, 9, 700, len(stream) - 1, len(stream)]  # inside prefixes, across frames, the last byte alone
    at_server = b""
    start = 0
    for end in cuts:
        client.sendall(stream[start:end])
        at_server += recv_exactly(accepted, end - start)  # each piece arrives before the next is sent: its own recv
        start = end
    frames_down = [prefixed(b"ok"), prefixed(b"second reply")]
    accepted.sendall(b"".join(frames_down))  # two frames in one send
    at_client = recv_exactly(client, sum(map(len, frames_down)))
    tally.wait_until(lambda: len(tally.reads(UPSTREAM)) >= 4 and len(tally.reads(DOWNSTREAM)) >= 2)
    assert hashlib.sha256(at_server).digest() == hashlib.sha256(stream).digest()
    assert at_client == b"".join(frames_down)
    up, down = tally.reads(UPSTREAM), tally.reads(DOWNSTREAM)
    assert [e.data for e in up] == frames_up
    assert [e.data for e in down] == frames_down
    assert all(e.frame == "len:2be" and e.complete and e.flag == "" for e in up + down)
    assert {e.pair for e in up + down} == {1}
    assert tally.count(DataSent, UPSTREAM) == len(stream)
    client.close()
    accepted.close()
    server.close()


def test_a_partial_frame_is_forwarded_before_the_rest_is_sent(relay_to: Callable[..., RelayBase],
                                                              tally: Tally) -> None:
    frame = prefixed(b"0123456789")
    server = listener()
    relay = relay_to(server.getsockname()[1], framing=FrameSettings("len:2be"))
    client, accepted = pair_through(relay, server)
    client.sendall(frame[:5])
    assert recv_exactly(accepted, 5) == frame[:5]  # forwarded now, while the frame is not whole
    tally.wait_until(lambda: tally.count(DataSent, UPSTREAM) == 5)
    assert tally.reads(UPSTREAM) == []  # no row yet: the frame is not complete
    client.sendall(frame[5:])
    assert recv_exactly(accepted, len(frame) - 5) == frame[5:]
    tally.wait_until(lambda: len(tally.reads(UPSTREAM)) == 1)
    assert tally.reads(UPSTREAM)[0].data == frame
    client.close()
    accepted.close()
    server.close()


def test_a_bad_checksum_is_flagged_per_frame_and_forwarded_unchanged(relay_to: Callable[..., RelayBase],
                                                                     tally: Tally) -> None:
    bad = MODBUS[:-1] + b"\xce"
    server = listener()
    relay = relay_to(server.getsockname()[1], framing=FrameSettings("fixed:8", "crc16-modbus"))
    client, accepted = pair_through(relay, server)
    client.sendall(MODBUS + bad[:3])
    client.sendall(bad[3:])
    assert recv_exactly(accepted, 16) == MODBUS + bad
    accepted.sendall(bad + MODBUS)
    assert recv_exactly(client, 16) == bad + MODBUS
    tally.wait_until(lambda: len(tally.reads(UPSTREAM)) == 2 and len(tally.reads(DOWNSTREAM)) == 2)
    assert [e.check for e in tally.reads(UPSTREAM)] == ["crc16-modbus ok", "crc16-modbus bad"]
    assert [e.check for e in tally.reads(DOWNSTREAM)] == ["crc16-modbus bad", "crc16-modbus ok"]
    assert tally.reads(UPSTREAM)[1].flag == "bad checksum (crc16-modbus)"
    client.close()
    accepted.close()
    server.close()


def test_a_frame_cut_by_fin_is_reported_incomplete_and_the_fin_still_passes(
        relay_to: Callable[..., RelayBase], tally: Tally) -> None:
    server = listener()
    relay = relay_to(server.getsockname()[1], framing=FrameSettings("len:2be"))
    client, accepted = pair_through(relay, server)
    client.sendall(prefixed(b"whole") + b"\x00\x0apart")
    client.shutdown(socket.SHUT_WR)
    assert recv_exactly(accepted, 13) == prefixed(b"whole") + b"\x00\x0apart"
    assert accepted.recv(10) == b""  # the FIN came through
    tally.wait_until(lambda: len(tally.reads(UPSTREAM)) == 2)
    whole, cut = tally.reads(UPSTREAM)
    assert (whole.data, whole.complete) == (prefixed(b"whole"), True)
    assert (cut.data, cut.complete, cut.flag) == (b"\x00\x0apart", False, "incomplete frame")
    accepted.sendall(b"\x00\x05ab")  # the other direction is still open; its open frame ends with the pair
    accepted.close()
    closed = tally.wait_for(PeerClosed, lambda e: e.peer == client.getsockname())
    assert closed.reason is CloseReason.FIN
    tally.wait_until(lambda: len(tally.reads(DOWNSTREAM)) == 1)
    assert (tally.reads(DOWNSTREAM)[0].data, tally.reads(DOWNSTREAM)[0].complete) == (b"\x00\x05ab", False)
    client.close()
    server.close()


def test_an_oversized_prefix_is_a_problem_not_a_memory_spike(relay_to: Callable[..., RelayBase],
                                                             tally: Tally) -> None:
    payload = b"\xff\xff\xff\xff" + b"z" * 1000
    server = listener()
    relay = relay_to(server.getsockname()[1], framing=FrameSettings("len:4be"))
    client, accepted = pair_through(relay, server)
    client.sendall(payload)
    assert recv_exactly(accepted, len(payload)) == payload
    problem = tally.wait_for(ErrorEvent, lambda e: e.code == "frame_too_long")
    assert "length prefix" in problem.message
    client.sendall(b"after")
    assert recv_exactly(accepted, 5) == b"after"
    tally.wait_until(lambda: sum(len(e.data) for e in tally.reads(UPSTREAM)) == len(payload) + 5)
    assert tally.reads(UPSTREAM)[-1].data == b"after"  # the rest of that stream is shown raw
    client.close()
    accepted.close()
    server.close()


def test_gap_frames_end_on_the_timer_and_framing_changes_live(relay_to: Callable[..., RelayBase],
                                                              tally: Tally) -> None:
    server = listener()
    relay = relay_to(server.getsockname()[1])
    client, accepted = pair_through(relay, server)
    client.sendall(b"raw one")
    assert recv_exactly(accepted, 7) == b"raw one"
    tally.wait_until(lambda: len(tally.reads(UPSTREAM)) == 1)
    assert tally.reads(UPSTREAM)[0].frame == ""
    relay.set_framing(FrameSettings("gap:80"))
    deadline = time.monotonic() + 10
    client.sendall(b"ab")  # both pieces within the gap at first (the set_framing runs before them on the worker)
    client.sendall(b"cd")
    assert recv_exactly(accepted, 4) == b"abcd"
    while time.monotonic() < deadline and len(tally.reads(UPSTREAM)) < 2:  # no more data: only the timer ends it
        time.sleep(0.02)
    frames = tally.reads(UPSTREAM)[1:]
    assert b"".join(e.data for e in frames) == b"abcd"
    assert all(e.frame == "gap:80" and e.complete for e in frames)
    client.close()
    accepted.close()
    server.close()


@pytest.mark.parametrize("spec", ["len:1", "lines"])
def test_udp_relay_cuts_each_datagram_into_its_frames_and_forwards_it_whole(
        relay_to: Callable[..., RelayBase], tally: Tally, spec: str) -> None:
    target = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    target.bind(("127.0.0.1", 0))
    target.settimeout(10)
    relay = relay_to(target.getsockname()[1], udp=True, framing=FrameSettings(spec))
    assert relay.local_address is not None
    client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    client.settimeout(10)
    datagram = b"\x02hi\x03abc\x05xy" if spec == "len:1" else b"one\ntwo\nthr"
    client.sendto(datagram, relay.local_address)
    got, upstream = target.recvfrom(65535)
    assert got == datagram  # one datagram, whole
    target.sendto(datagram, upstream)
    assert client.recvfrom(65535)[0] == datagram
    tally.wait_until(lambda: len(tally.reads(UPSTREAM)) == 3 and len(tally.reads(DOWNSTREAM)) == 3)
    for direction in (UPSTREAM, DOWNSTREAM):
        reads = tally.reads(direction)
        assert b"".join(e.data for e in reads) == datagram
        assert [e.complete for e in reads] == [True, True, False]
        assert {e.frame for e in reads} == {spec}
    assert isinstance(tally.reads(UPSTREAM)[0], DataReceived)
    client.close()
    target.close()



def test_any_split_on_the_client_side_gives_the_same_frames(relay_to: Callable[..., RelayBase],
                                                            tally: Tally) -> None:
    server = listener()
    relay = relay_to(server.getsockname()[1], framing=FrameSettings("len:2be"))
    serials = itertools.count(1)  # one relay for every example, a pair each

    @settings(max_examples=25, deadline=None)
    @given(bodies=st.lists(st.binary(max_size=1500), min_size=1, max_size=6),
           cuts=st.lists(st.integers(min_value=1, max_value=9000), max_size=8))
    def check(bodies: list[bytes], cuts: list[int]) -> None:
        client, accepted = pair_through(relay, server)
        pair = next(serials)
        stream = b"".join(map(prefixed, bodies))
        start = 0
        for end in sorted({cut for cut in cuts if cut < len(stream)} | {len(stream)}):
            client.sendall(stream[start:end])
            assert recv_exactly(accepted, end - start) == stream[start:end]
            start = end
        client.close()
        assert accepted.recv(10) == b""
        accepted.close()
        mine = lambda: [e for e in tally.reads(UPSTREAM) if e.pair == pair]  # noqa: E731
        tally.wait_until(lambda: sum(len(e.data) for e in mine()) == len(stream), timeout=5)
        assert [(e.data, e.complete) for e in mine()] == [(prefixed(body), True) for body in bodies]

    check()
    server.close()

"""Framing in the engine, over real sockets on loopback: one data event per frame, whatever the chunking."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netcore import EventQueue, TcpClient, TcpClientConfig, TcpServer, TcpServerConfig, UdpConfig, UdpEndpoint
from netcore.checksums import append
from netcore.events import DataReceived, DataSent, ErrorEvent, PeerClosed, State
from netcore.framing import FrameSettings, make_framer
from netcore.replies import make_reply_rule
from netcore.session.record import decode_event, encode_line
from netcore.worker import Endpoint
from tests.netcore.conftest import Recorder

Serve = Callable[..., tuple[TcpServer, int]]


def frames(rec: Recorder, endpoint: str) -> list[DataReceived]:
    return rec.of(DataReceived, endpoint)


def wait_frames(rec: Recorder, endpoint: str, count: int, timeout: float = 5.0) -> list[DataReceived]:
    end = time.monotonic() + timeout
    while len(got := frames(rec, endpoint)) < count and time.monotonic() < end:
        rec.queue.wait(0.05)
    return got


def client(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


STREAM = b"\x00\x03abc" + b"\x00\x00" + b"\x00\x05hello" + b"\x00\x01!"
EXPECTED = [b"\x00\x03abc", b"\x00\x00", b"\x00\x05hello", b"\x00\x01!"]


def test_a_length_prefixed_stream_is_one_event_per_frame_coalesced(serve: Serve, rec: Recorder) -> None:
    server, port = serve(framing=FrameSettings("len:2be"))
    with client(port) as sock:
        sock.sendall(STREAM * 3)  # one send: the server most likely gets it in one recv
        got = wait_frames(rec, server.name, 12)
    assert [e.data for e in got] == EXPECTED * 3
    assert all(e.frame == "len:2be" and e.complete and e.check == "" for e in got)


def test_split_byte_by_byte_gives_the_same_frames(serve: Serve, rec: Recorder) -> None:
    server, port = serve(framing=FrameSettings("len:2be"))
    with client(port) as sock:
        for index in range(len(STREAM)):
            sock.sendall(STREAM[index:index + 1])
            time.sleep(0.002)  # give each byte a chance to be its own recv (the frames must not care)
        got = wait_frames(rec, server.name, 4)
    assert [e.data for e in got] == EXPECTED


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["lines", "fixed:3", "len:1", "len:2le", "len:4be"]), st.binary(min_size=1, max_size=300),
       st.lists(st.integers(0, 300), max_size=8))
def test_any_split_gives_the_frames_the_framer_gives(no_worker_left_behind: list[Endpoint], spec: str,
                                                     data: bytes, cuts: list[int]) -> None:
    queue = EventQueue()
    rec = Recorder(queue)
    server = TcpServer(TcpServerConfig("127.0.0.1", 0, framing=FrameSettings(spec)), queue, "prop")
    no_worker_left_behind.append(server)
    server.start()
    local = rec.wait_state("prop", State.LISTENING).local
    assert local is not None
    points = sorted({c % (len(data) + 1) for c in cuts})
    with client(local[1]) as sock:
        for start, end in zip([0, *points], [*points, len(data)], strict=True):
            if end > start:
                sock.sendall(data[start:end])
                time.sleep(0.001)
    closed = rec.wait_type(PeerClosed, "prop")
    framer = make_framer(spec, 1024 * 1024)
    want = framer.feed(data)
    leftover = framer.close()
    want += [leftover] if leftover else []
    got = frames(rec, "prop")
    if any(f.error for f in want):  # past a prefix over the bound the rest is shown as it came: bytes only
        assert b"".join(e.data for e in got) == data
    else:
        assert [(e.data, e.complete) for e in got] == [(f.data, f.complete) for f in want]
    assert closed.bytes_in == len(data) == sum(len(e.data) for e in got)  # exact counts
    assert server.stop()


def test_an_incomplete_frame_at_close_is_shown_as_such(serve: Serve, rec: Recorder) -> None:
    server, port = serve(framing=FrameSettings("len:2be"))
    with client(port) as sock:
        sock.sendall(b"\x00\x02ok\x00\x09trunc")
    closed = rec.wait_type(PeerClosed, server.name)
    got = frames(rec, server.name)
    assert [(e.data, e.complete) for e in got] == [(b"\x00\x02ok", True), (b"\x00\x09trunc", False)]
    assert got[1].flag == "incomplete frame"
    assert rec.events.index(got[1]) < rec.events.index(closed)  # before the close, not after it
    assert closed.bytes_in == 11


def test_an_oversized_prefix_is_an_error_and_nothing_is_held(serve: Serve, rec: Recorder) -> None:
    server, port = serve(framing=FrameSettings("len:4be"))
    tail = b"z" * 300_000
    with client(port) as sock:
        sock.sendall(b"\x7f\xff\xff\xff" + b"head")
        error = rec.wait_type(ErrorEvent, server.name)
        sock.sendall(tail)  # from here the stream is shown raw: it all arrives without any frame waiting
        total = 8 + len(tail)
        end = time.monotonic() + 5
        while sum(len(e.data) for e in frames(rec, server.name)) < total and time.monotonic() < end:
            rec.queue.wait(0.05)
    assert error.code == "frame_too_long" and "2,147,483,647" in error.message and not error.fatal
    assert b"".join(e.data for e in frames(rec, server.name)) == b"\x7f\xff\xff\xffhead" + tail
    assert rec.wait_type(PeerClosed, server.name).bytes_in == total
    assert server.running  # one bad peer does not stop the server


def test_gap_framing_ends_a_frame_after_silence(serve: Serve, rec: Recorder) -> None:
    server, port = serve(framing=FrameSettings("gap:80"))
    with client(port) as sock:
        sock.sendall(b"ab")
        time.sleep(0.01)
        sock.sendall(b"cd")  # within the gap: the same frame
        first = wait_frames(rec, server.name, 1)
        assert [e.data for e in first] == [b"abcd"] and first[0].complete  # while the connection is open
        sock.sendall(b"ef")
        second = wait_frames(rec, server.name, 2)
    assert [e.data for e in second] == [b"abcd", b"ef"]


def test_a_bad_frame_checksum_is_flagged(serve: Serve, rec: Recorder) -> None:
    server, port = serve(framing=FrameSettings("fixed:8", "crc16-modbus"))
    good = append("crc16-modbus", bytes.fromhex("01 03 00 00 00 0A"))
    assert good.hex(" ") == "01 03 00 00 00 0a c5 cd"
    bad = good[:-1] + b"\x00"
    with client(port) as sock:
        sock.sendall(good + bad)
        got = wait_frames(rec, server.name, 2)
    assert [e.check for e in got] == ["crc16-modbus ok", "crc16-modbus bad"]
    assert got[0].flag == "" and got[1].flag == "bad checksum (crc16-modbus)"


def test_auto_reply_answers_each_frame_and_framing_changes_live(serve: Serve, rec: Recorder) -> None:
    server, port = serve(framing=FrameSettings("lines"), reply=make_reply_rule("echo"))
    with client(port) as sock:
        sock.sendall(b"one\ntwo\nthr")
        echoes = [e.data for e in wait_frames(rec, server.name, 2)]
        assert echoes == [b"one\n", b"two\n"]
        rec.wait_for(lambda e: isinstance(e, DataSent) and e.data == b"two\n")
        server.set_framing(FrameSettings("raw"))  # what waits is shown (incomplete), then one event per recv
        incomplete = wait_frames(rec, server.name, 3)[2]
        assert (incomplete.data, incomplete.complete) == (b"thr", False)
        sock.sendall(b"ee\nff\n")
        raw = wait_frames(rec, server.name, 4)[3]
    assert raw.frame == "" and raw.data == b"ee\nff\n"
    assert [e.data for e in rec.of(DataSent, server.name)][:2] == [b"one\n", b"two\n"]


def test_the_tcp_client_frames_too(serve: Serve, rec: Recorder, queue: EventQueue,
                                   no_worker_left_behind: list[Endpoint]) -> None:
    _, port = serve(reply=make_reply_rule("echo"))
    tcp = TcpClient(TcpClientConfig("127.0.0.1", port, framing=FrameSettings("len:1")), queue, "client")
    no_worker_left_behind.append(tcp)
    tcp.start()
    rec.wait_state("client", State.CONNECTED)
    tcp.send(b"\x02hi\x01!\x03abc")
    got = wait_frames(rec, "client", 3)
    assert [e.data for e in got] == [b"\x02hi", b"\x01!", b"\x03abc"]


def test_udp_cuts_within_each_datagram(queue: EventQueue, rec: Recorder,
                                       no_worker_left_behind: list[Endpoint]) -> None:
    udp = UdpEndpoint(UdpConfig("127.0.0.1", 0, framing=FrameSettings("len:1", "xor8")), queue, "udp")
    no_worker_left_behind.append(udp)
    udp.start()
    local = rec.wait_state("udp", State.BOUND).local
    assert local is not None
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        sender.sendto(b"\x02a\x63" + b"\x02b\x00" + b"\x05x", local)  # two frames, the second bad, one cut short
        got = wait_frames(rec, "udp", 3)
        assert [(e.data, e.complete, e.check) for e in got] == [
            (b"\x02a\x63", True, "xor8 ok"), (b"\x02b\x00", True, "xor8 bad"), (b"\x05x", False, "")]
        udp.set_framing(FrameSettings("gap:10"))  # a datagram is already a message: gap keeps it whole
        time.sleep(0.05)
        sender.sendto(b"\x01\x02\x03", local)
        whole = wait_frames(rec, "udp", 4)[3]
    assert whole.data == b"\x01\x02\x03" and whole.frame == "gap:10"


def test_a_framed_event_survives_a_session_file() -> None:
    event = DataReceived(endpoint="e", peer=("127.0.0.1", 5), data=b"\x00\x01", frame="len:2be", complete=False,
                         check="")
    import json

    assert decode_event(json.loads(encode_line(event))) == event
    plain = DataReceived(endpoint="e", peer=("127.0.0.1", 5), data=b"x")
    assert decode_event(json.loads(encode_line(plain))) == plain

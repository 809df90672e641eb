"""The reconstructed capture: real loopback sessions in, frames whose TCP streams give back every byte.

Checked with the project's own pcapng reader always, and with Wireshark's tshark when it
is installed (the README's test command installs it).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netcore import EventQueue, TcpClient, TcpClientConfig, TcpServer, TcpServerConfig, UdpConfig, UdpEndpoint
from netcore.events import (
    Address,
    CloseReason,
    DataReceived,
    DataSent,
    Event,
    PeerClosed,
    PeerConnected,
    State,
    StateChanged,
)
from netcore.replies import make_reply_rule
from netcore.session.packets import PROTO_UDP, parse_frame
from netcore.session.pcap import COMMENT, pcapng_bytes, reconstruct, write_pcapng
from netcore.session.pcapread import Capture, read_pcapng, tcp_streams
from netcore.session.record import Session
from netcore.worker import Endpoint
from tests.netcore.conftest import Recorder

TSHARK = shutil.which("tshark")


def session_of(rec: Recorder, name: str, kind: str) -> Session:
    rec.pump()
    return Session({"kind": kind}, [e for e in rec.events if e.endpoint == name], True)


def streams_from_events(session: Session) -> dict[tuple[Address, Address], bytes]:
    """What each direction of each connection carried, from the events alone: the expected answer."""
    local_of: dict[Address, Address] = {}
    out: dict[tuple[Address, Address], bytes] = {}
    for event in session.events:
        if isinstance(event, PeerConnected):
            local_of[event.peer] = event.local
            out.setdefault((event.peer, event.local), b"")
            out.setdefault((event.local, event.peer), b"")
        elif isinstance(event, (DataReceived, DataSent)) and event.peer in local_of:
            local = local_of[event.peer]
            key = (local, event.peer) if isinstance(event, DataSent) else (event.peer, local)
            out[key] += event.data
    return out


def check_capture(session: Session, path: Path) -> Capture:
    write_pcapng(session, path)
    capture = read_pcapng(path.read_bytes())
    assert capture.linktype == 1 and "not captured" in capture.comment
    assert all(parse_frame(frame).checksums_ok for _t, frame in capture.frames)
    times = [t for t, _f in capture.frames]
    assert times == sorted(times)
    got = {((a[0], a[1]), (b[0], b[1])): data for (a, b), data in tcp_streams(capture).items()}
    assert got == streams_from_events(session)
    return capture


def tshark_follow(path: Path, index: int) -> tuple[bytes, bytes]:
    """Wireshark's "Follow TCP stream" of stream ``index``: (client → server, server → client)."""
    assert TSHARK is not None
    result = subprocess.run([TSHARK, "-r", str(path), "-q", "-z", f"follow,tcp,raw,{index}"],
                            capture_output=True, text=True, timeout=60, check=True)
    forward, backward = bytearray(), bytearray()
    lines = result.stdout.splitlines()
    body = lines[lines.index(next(x for x in lines if x.startswith("Node 1:"))) + 1:]
    for line in body:
        if line.startswith("==="):
            break
        target = backward if line.startswith("\t") else forward
        target += bytes.fromhex(line.strip())
    return bytes(forward), bytes(backward)


def tshark_problems(path: Path) -> str:
    assert TSHARK is not None
    result = subprocess.run([TSHARK, "-r", str(path), "-Y", "_ws.malformed or _ws.expert.severity >= 8388608"],
                            capture_output=True, text=True, timeout=60, check=True)
    return result.stdout.strip()


@pytest.fixture
def start(queue: EventQueue, rec: Recorder, no_worker_left_behind: list[Endpoint]) -> Callable[[Endpoint], Endpoint]:
    def run(endpoint: Endpoint) -> Endpoint:
        no_worker_left_behind.append(endpoint)
        endpoint.start()
        return endpoint
    return run


def test_a_hello_server_session_follows_in_wireshark(start, queue: EventQueue, rec: Recorder, tmp_path: Path) -> None:
    start(TcpServer(TcpServerConfig("127.0.0.1", 0, reply=make_reply_rule("hello")), queue, "server"))
    port = rec.wait_state("server", State.LISTENING).local[1]  # type: ignore[index]
    big = os.urandom(300_000)  # more than one segment holds
    with socket.create_connection(("127.0.0.1", port), timeout=5) as talker:
        talker.sendall(b"Michael\nTracy\n" + big + b"\nexit\n")
        answer = b""
        while chunk := talker.recv(65536):
            answer += chunk
    resetter = socket.create_connection(("127.0.0.1", port), timeout=5)
    resetter.sendall(b"Sarah\n")
    rec.wait_received("server", 14 + len(big) + 6 + 6)
    resetter.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
    resetter.close()
    rec.wait_for(lambda _: len(rec.of(PeerClosed, "server")) == 2)
    assert {e.reason for e in rec.of(PeerClosed, "server")} == {CloseReason.LOCAL, CloseReason.RESET}
    session = session_of(rec, "server", "tcp-server")
    capture = check_capture(session, tmp_path / "hello.pcapng")
    assert answer.startswith(b"Welcome!\nHello, Michael!\nHello, Tracy!\n")
    if TSHARK:
        assert tshark_problems(tmp_path / "hello.pcapng") == ""
        forward, backward = tshark_follow(tmp_path / "hello.pcapng", 0)
        assert forward == b"Michael\nTracy\n" + big + b"\nexit\n" and backward == answer
        assert len(capture.frames) > 10


def test_a_tcp_client_session_has_the_client_send_the_syn(start, queue: EventQueue, rec: Recorder,
                                                          tmp_path: Path) -> None:
    with socket.create_server(("::1", 0), family=socket.AF_INET6) as listener:
        port = listener.getsockname()[1]
        start(TcpClient(TcpClientConfig("::1", port), queue, "client"))
        conn, _ = listener.accept()
        with conn:
            conn.sendall(b"banner\n")
            conn.shutdown(socket.SHUT_WR)  # the server half-closes: the client sees FIN
            rec.wait_type(PeerClosed, "client")
    session = session_of(rec, "client", "tcp-client")
    capture = check_capture(session, tmp_path / "client.pcapng")
    first = parse_frame(capture.frames[0][1])
    assert first.flags == 0x02 and first.dport == port and first.src == "::1"  # SYN from the client (this side)
    if TSHARK:
        assert tshark_problems(tmp_path / "client.pcapng") == ""
        assert tshark_follow(tmp_path / "client.pcapng", 0) == (b"", b"banner\n")


def test_udp_datagrams_stay_whole(start, queue: EventQueue, rec: Recorder, tmp_path: Path) -> None:
    start(UdpEndpoint(UdpConfig("0.0.0.0", 0, reply=make_reply_rule("echo")), queue, "udp"))
    port = rec.wait_state("udp", State.BOUND).local[1]  # type: ignore[index]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        peer.settimeout(5)
        for payload in (b"one", b"", b"\x00\xff" * 500):
            peer.sendto(payload, ("127.0.0.1", port))
            assert peer.recv(2000) == payload
    rec.wait_for(lambda _: len(rec.of(DataSent, "udp")) == 3)  # the echo can arrive before its event is queued
    session = session_of(rec, "udp", "udp")
    write_pcapng(session, tmp_path / "udp.pcapng")
    frames = [parse_frame(f) for _t, f in read_pcapng((tmp_path / "udp.pcapng").read_bytes()).frames]
    assert [f.payload for f in frames] == [b"one", b"one", b"", b"", b"\x00\xff" * 500, b"\x00\xff" * 500]
    assert all(f.proto == PROTO_UDP and f.checksums_ok and "127.0.0.1" in (f.src, f.dst) for f in frames)
    assert {f.dport for f in frames[::2]} == {port}
    if TSHARK:
        assert tshark_problems(tmp_path / "udp.pcapng") == ""


def _tcp_session(chunks: list[tuple[bool, bytes]], reason: CloseReason) -> Session:
    peer, local = ("127.0.0.1", 40000), ("127.0.0.1", 9000)
    events: list[Event] = [StateChanged(endpoint="s", state=State.LISTENING, local=local, time=1.0),
                           PeerConnected(endpoint="s", peer=peer, local=local, time=2.0)]
    for index, (sent, data) in enumerate(chunks):
        kind = DataSent if sent else DataReceived
        events.append(kind(endpoint="s", peer=peer, data=data, time=3.0 + index))
    events.append(PeerClosed(endpoint="s", peer=peer, reason=reason, time=1e4))
    return Session({"kind": "tcp-server"}, events, True)


@settings(max_examples=40)
@given(st.lists(st.tuples(st.booleans(), st.binary(min_size=1, max_size=70_000)), max_size=6),
       st.sampled_from(CloseReason))
def test_any_payload_survives_the_capture_round_trip(chunks: list[tuple[bool, bytes]], reason: CloseReason) -> None:
    session = _tcp_session(chunks, reason)
    frames, skipped = reconstruct(session)
    capture = read_pcapng(pcapng_bytes(frames))
    streams = tcp_streams(capture)
    sent = b"".join(d for s, d in chunks if s)
    received = b"".join(d for s, d in chunks if not s)
    assert streams[(("127.0.0.1", 9000), ("127.0.0.1", 40000))] == sent
    assert streams[(("127.0.0.1", 40000), ("127.0.0.1", 9000))] == received
    assert skipped == 0 and "reconstructed" in COMMENT.lower()

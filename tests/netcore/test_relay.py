"""The TCP relay over real loopback sockets: bytes exact both ways, back-pressure, FIN, RST, refusal."""

from __future__ import annotations

import hashlib
import os
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from netcore import EventQueue
from netcore.events import (
    DOWNSTREAM,
    UPSTREAM,
    CloseReason,
    DataReceived,
    DataSent,
    ErrorEvent,
    Notice,
    PeerClosed,
    State,
    StateChanged,
)
from netcore.relay import RECV_SIZE, RELAY_BOUND, TcpRelay
from netcore.relay_config import RelayBase, RelayConfig, make_relay
from netcore.validation import InputError
from netcore.worker import Endpoint
from tests.netcore.relay_helpers import (
    Tally,
    free_port,
    listener,
    read_all,
    run_threads,
    send_all,
    start_relay,
)

MB = 1024 * 1024


@pytest.fixture
def tally(queue: EventQueue) -> Iterator[Tally]:
    seen = Tally(queue)
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


def connect(relay: RelayBase) -> socket.socket:
    assert relay.local_address is not None
    sock = socket.create_connection(relay.local_address, timeout=10)
    return sock


def reset(sock: socket.socket) -> None:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def test_twenty_megabytes_each_way_at_once_arrive_exact(relay_to: Callable[..., RelayBase], tally: Tally) -> None:
    size = 20 * MB
    upward, downward = os.urandom(size), os.urandom(size)
    server = listener()
    relay = relay_to(server.getsockname()[1])
    client = connect(relay)
    accepted, _ = server.accept()
    at_server: list[str] = []
    at_client: list[str] = []

    def client_side() -> None:
        send_all(client, upward)
        client.shutdown(socket.SHUT_WR)

    def server_side() -> None:
        send_all(accepted, downward)
        accepted.shutdown(socket.SHUT_WR)

    run_threads(client_side, server_side, lambda: read_all(accepted, at_server), lambda: read_all(client, at_client),
                timeout=120)
    assert at_server == [hashlib.sha256(upward).hexdigest()]
    assert at_client == [hashlib.sha256(downward).hexdigest()]
    closed = tally.wait_for(PeerClosed, lambda e: e.peer == client.getsockname())
    assert closed.reason is CloseReason.FIN
    assert (closed.bytes_in, closed.bytes_out) == (size, size)
    tally.wait_until(lambda: tally.count(DataSent, DOWNSTREAM) == size)
    for kind in (DataReceived, DataSent):
        assert tally.count(kind, UPSTREAM) == size
        assert tally.count(kind, DOWNSTREAM) == size
    client.close()
    accepted.close()
    server.close()


def test_a_slow_reader_slows_the_sender_and_memory_stays_bounded(relay_to: Callable[..., RelayBase],
                                                                 tally: Tally) -> None:
    size = 24 * MB
    payload = os.urandom(size)
    server = listener()
    relay = relay_to(server.getsockname()[1])
    assert isinstance(relay, TcpRelay)
    client = connect(relay)
    accepted, _ = server.accept()
    accepted.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    progress = [0]
    sender = threading.Thread(target=lambda: send_all(client, payload, progress), daemon=True)
    sender.start()
    peak = 0
    stalled_at = -1
    last, since = -1, time.monotonic()
    end = time.monotonic() + 30
    while time.monotonic() < end:  # the server reads nothing: wait until the client cannot send more
        peak = max(peak, relay.buffered())
        if progress[0] != last:
            last, since = progress[0], time.monotonic()
        elif time.monotonic() - since > 1.0:
            stalled_at = last
            break
        time.sleep(0.01)
    assert 0 <= stalled_at < size // 2, f"the client was not slowed down (sent {progress[0]:,} bytes)"
    assert peak <= RELAY_BOUND + RECV_SIZE
    got: list[str] = []
    digest = hashlib.sha256()
    received = 0
    while received < size:  # now read slowly, checking the bound as it goes
        chunk = accepted.recv(256 * 1024)
        assert chunk
        digest.update(chunk)
        received += len(chunk)
        peak = max(peak, relay.buffered())
    got.append(digest.hexdigest())
    sender.join(10)
    assert got == [hashlib.sha256(payload).hexdigest()]
    assert peak <= RELAY_BOUND + RECV_SIZE
    tally.wait_until(lambda: tally.count(DataSent, UPSTREAM) == size)
    client.close()
    accepted.close()
    server.close()


def test_a_front_end_that_falls_behind_pauses_the_relay_and_nothing_is_lost(
        no_worker_left_behind: list[Endpoint]) -> None:
    """Nobody drains the events: the relay stops reading (TCP slows the client), memory stays bounded."""
    queue = EventQueue(max_bytes=2 * MB)
    tally = Tally(queue)
    try:
        server = listener()
        relay = start_relay(queue, tally, server.getsockname()[1])
        no_worker_left_behind.append(relay)
        tally.hold = True
        size = 20 * MB
        payload = os.urandom(size)
        client = connect(relay)
        accepted, _ = server.accept()
        got: list[str] = []
        reader = threading.Thread(target=read_all, args=(accepted, got), daemon=True)
        reader.start()
        progress = [0]
        sender = threading.Thread(target=lambda: send_all(client, payload, progress), daemon=True)
        sender.start()
        last, since, end = -1, time.monotonic(), time.monotonic() + 30
        while time.monotonic() - since < 1.0 and time.monotonic() < end:  # until the client stalls
            if progress[0] != last:
                last, since = progress[0], time.monotonic()
            time.sleep(0.01)
        assert progress[0] < size // 2, "the client was not slowed down"
        assert queue.peak_bytes <= 2 * MB + 4 * RECV_SIZE + RELAY_BOUND
        tally.hold = False  # the front-end catches up: everything flows
        sender.join(30)
        client.shutdown(socket.SHUT_WR)
        reader.join(30)
        assert got == [hashlib.sha256(payload).hexdigest()]
        tally.wait_until(lambda: tally.count(DataSent, UPSTREAM) == size)
        assert tally.count(DataReceived, UPSTREAM) == size
        client.close()
        accepted.close()
        server.close()
    finally:
        tally.close()


def test_client_half_close_reaches_the_server_which_can_still_answer(relay_to: Callable[..., RelayBase],
                                                                      tally: Tally) -> None:
    server = listener()
    relay = relay_to(server.getsockname()[1])
    client = connect(relay)
    accepted, _ = server.accept()
    client.sendall(b"request")
    client.shutdown(socket.SHUT_WR)
    data = b""
    while chunk := accepted.recv(100):
        data += chunk
    assert data == b"request"  # then EOF: the FIN was passed on
    tally.wait_for(Notice, lambda e: e.code == "relay_fin_to_server")
    accepted.sendall(b"answer after your FIN")
    assert client.recv(100) == b"answer after your FIN"
    accepted.close()
    assert client.recv(100) == b""
    closed = tally.wait_for(PeerClosed, lambda e: e.peer == client.getsockname())
    assert closed.reason is CloseReason.FIN
    assert (closed.bytes_in, closed.bytes_out) == (7, 21)
    client.close()
    server.close()


@pytest.mark.parametrize("who", ["client", "server"])
def test_a_reset_on_one_side_becomes_a_reset_on_the_other(relay_to: Callable[..., RelayBase], tally: Tally,
                                                          who: str) -> None:
    server = listener()
    relay = relay_to(server.getsockname()[1])
    client = connect(relay)
    accepted, _ = server.accept()
    client.sendall(b"ping")
    assert accepted.recv(10) == b"ping"
    resetting, other = (client, accepted) if who == "client" else (accepted, client)
    reset(resetting)
    other.settimeout(10)
    with pytest.raises(ConnectionResetError):
        while other.recv(100):
            pass
    target = "server" if who == "client" else "client"
    tally.wait_for(Notice, lambda e: e.code == f"relay_reset_to_{target}")
    closed = tally.wait_for(PeerClosed, lambda e: e.reason is CloseReason.RESET)
    assert closed.connection == 1
    other.close()
    server.close()
    assert relay.running


def test_a_refused_target_closes_the_client_with_the_reason(relay_to: Callable[..., RelayBase],
                                                           tally: Tally) -> None:
    relay = relay_to(free_port())
    client = connect(relay)
    assert client.recv(100) == b""  # closed by the relay
    error = tally.wait_for(ErrorEvent)
    assert error.code == "connection_refused" and "refused" in error.message
    assert not error.fatal
    notice = tally.wait_for(Notice, lambda e: e.code == "relay_target_failed")
    assert f"{client.getsockname()[1]}" in notice.message
    client.close()
    assert relay.running  # and it keeps listening for the next client
    again = connect(relay)
    assert again.recv(100) == b""
    again.close()


def test_many_clients_at_once_each_get_their_own_bytes_back(relay_to: Callable[..., RelayBase],
                                                            tally: Tally) -> None:
    count = 40
    server = listener()
    relay = relay_to(server.getsockname()[1])

    def echo_server() -> None:
        def echo(conn: socket.socket) -> None:
            with conn:
                while data := conn.recv(65536):
                    conn.sendall(data)
        workers = []
        for _ in range(count):
            conn, _ = server.accept()
            worker = threading.Thread(target=echo, args=(conn,), daemon=True)
            worker.start()
            workers.append(worker)
        for worker in workers:
            worker.join(30)

    def one_client(index: int) -> Callable[[], None]:
        def run() -> None:
            payload = bytes([index]) * 50_000 + os.urandom(50_000)
            sock = connect(relay)
            got: list[str] = []
            reader = threading.Thread(target=read_all, args=(sock, got), daemon=True)
            reader.start()
            send_all(sock, payload)
            sock.shutdown(socket.SHUT_WR)
            reader.join(30)
            sock.close()
            assert got == [hashlib.sha256(payload).hexdigest()]
        return run

    run_threads(echo_server, *(one_client(i) for i in range(count)), timeout=60)
    tally.wait_until(lambda: len(tally.of(PeerClosed)) == 2 * count)
    assert tally.count(DataSent, DOWNSTREAM) == count * 100_000
    assert isinstance(relay, TcpRelay) and relay.pair_count == 0
    server.close()


def test_a_client_resetting_mid_transfer_does_not_hurt_the_relay(relay_to: Callable[..., RelayBase],
                                                                  tally: Tally) -> None:
    server = listener()
    relay = relay_to(server.getsockname()[1])
    bad = connect(relay)
    accepted, _ = server.accept()
    bad.sendall(os.urandom(3 * MB))  # the server reads none of it: the relay holds some
    reset(bad)
    tally.wait_for(Notice, lambda e: e.code == "relay_reset_to_server")
    tally.wait_for(PeerClosed, lambda e: e.reason is CloseReason.RESET)  # said after what was undelivered
    undelivered = [e for e in tally.of(Notice) if e.code == "relay_undelivered_server"]
    sent = tally.count(DataSent, UPSTREAM)
    pending = int(undelivered[0].params["bytes"].replace(",", "")) if undelivered else 0
    assert sent + pending == tally.count(DataReceived, UPSTREAM)  # every byte read is either sent or counted
    accepted.close()
    good = connect(relay)
    second, _ = server.accept()
    good.sendall(b"still here?")
    assert second.recv(100) == b"still here?"
    second.sendall(b"yes")
    assert good.recv(100) == b"yes"
    good.close()
    second.close()
    server.close()
    assert relay.running


def test_nc_as_a_real_server_behind_the_relay(relay_to: Callable[..., RelayBase], tally: Tally) -> None:
    """OpenBSD ``nc -l`` is the target; a Python client talks to it through the relay, both ways."""
    import shutil
    import subprocess

    if shutil.which("nc") is None:
        pytest.skip("nc is not installed")
    port = free_port()
    nc = subprocess.Popen(["nc", "-l", "127.0.0.1", str(port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        relay = relay_to(port)
        deadline = time.monotonic() + 10
        while True:  # nc may need a moment to listen: a refused attempt is retried
            client = connect(relay)
            client.sendall(b"hello nc\n")
            assert nc.stdout is not None and nc.stdin is not None
            try:
                tally.wait_for(Notice, lambda e: e.code == "relay_paired", timeout=1)
                break
            except AssertionError:
                client.close()
                assert time.monotonic() < deadline, "nc did not start listening"
        assert nc.stdout.readline() == b"hello nc\n"
        nc.stdin.write(b"hello relay\n")
        nc.stdin.flush()
        assert client.recv(100) == b"hello relay\n"
        client.close()
        assert nc.wait(10) == 0
    finally:
        nc.kill()
        nc.wait()


def test_config_refuses_a_target_port_of_zero_and_bad_hosts() -> None:
    with pytest.raises(InputError, match="target port"):
        RelayConfig("127.0.0.1", 0, "127.0.0.1", 0)
    with pytest.raises(InputError, match="target address"):
        RelayConfig("127.0.0.1", 0, "bad host!", 9000)


def test_a_target_name_that_does_not_resolve_stops_the_relay_with_a_reason(queue: EventQueue, tally: Tally) -> None:
    relay = TcpRelay(RelayConfig("127.0.0.1", 0, "no-such-host.invalid", 9000), queue)
    relay.start()
    state = tally.wait_for(StateChanged, lambda e: e.state in (State.ERROR, State.LISTENING))
    assert state.state is State.ERROR
    assert tally.wait_for(ErrorEvent).fatal
    assert relay.stop(2)


def test_a_relay_data_event_keeps_its_direction_and_pair_in_a_session_line() -> None:
    from netcore.session.record import decode_event, encode_line

    event = DataSent(endpoint="relay", peer=("127.0.0.1", 9000), data=b"\x00hi", offered=3, direction=DOWNSTREAM,
                     pair=7)
    import json

    assert decode_event(json.loads(encode_line(event))) == event
    plain = DataReceived(endpoint="tcp-server", peer=("::1", 1), data=b"x", requested=5)
    assert "direction" not in encode_line(plain)  # other endpoints' lines stay as they were
    assert decode_event(json.loads(encode_line(plain))) == plain


def test_a_target_that_does_not_answer_closes_the_client_after_the_timeout(
        relay_to: Callable[..., RelayBase], tally: Tally) -> None:
    """A target whose accept queue is full drops the SYN (Linux): connect() never finishes."""
    target = socket.socket()
    target.bind(("127.0.0.1", 0))
    target.listen(0)
    filler = socket.create_connection(target.getsockname(), timeout=5)  # fills the queue; never accepted
    relay = relay_to(target.getsockname()[1], connect_timeout=0.5)
    started = time.monotonic()
    client = connect(relay)
    error = tally.wait_for(ErrorEvent)
    assert error.code == "timed_out" and "0.5" in error.message
    assert client.recv(10) == b""
    assert time.monotonic() - started >= 0.4
    tally.wait_for(Notice, lambda e: e.code == "relay_target_failed")
    client.close()
    filler.close()
    target.close()


@pytest.mark.parametrize("udp", [False, True])
def test_a_relay_to_its_own_address_refuses_to_start(queue: EventQueue, tally: Tally, udp: bool) -> None:
    kind = socket.SOCK_DGRAM if udp else socket.SOCK_STREAM
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    relay = make_relay(RelayConfig("0.0.0.0", port, "127.0.0.1", port, udp=udp), queue)
    relay.start()
    state = tally.wait_for(StateChanged, lambda e: e.state in (State.ERROR, State.LISTENING, State.BOUND))
    assert state.state is State.ERROR
    error = tally.wait_for(ErrorEvent)
    assert error.code == "relay_to_itself" and error.fatal
    assert relay.stop(2)


def test_over_the_client_limit_a_client_is_closed_at_once_and_the_others_go_on(
        relay_to: Callable[..., RelayBase], tally: Tally) -> None:
    server = listener()
    relay = relay_to(server.getsockname()[1], max_clients=1)
    first = connect(relay)
    accepted, _ = server.accept()
    second = connect(relay)
    assert second.recv(10) == b""  # closed at once
    notice = tally.wait_for(Notice, lambda e: e.code == "client_limit")
    assert notice.params["limit"] == "1"
    first.sendall(b"still works")
    assert accepted.recv(100) == b"still works"
    for sock in (first, second, accepted, server):
        sock.close()


def test_ipv6_loopback_both_ways(queue: EventQueue, tally: Tally, no_worker_left_behind: list[Endpoint]) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 here")
    server = socket.socket(socket.AF_INET6)
    try:
        server.bind(("::1", 0))
    except OSError:
        pytest.skip("::1 cannot be bound here")
    server.listen()
    server.settimeout(10)
    relay = TcpRelay(RelayConfig("::1", 0, "::1", server.getsockname()[1]), queue)
    no_worker_left_behind.append(relay)
    relay.start()
    tally.wait_for(StateChanged, lambda e: e.state is State.LISTENING)
    assert relay.local_address is not None and relay.local_address[0] == "::1"
    client = socket.create_connection(relay.local_address, timeout=10)
    accepted, _ = server.accept()
    client.sendall(b"v6 up")
    assert accepted.recv(100) == b"v6 up"
    accepted.sendall(b"v6 down")
    assert client.recv(100) == b"v6 down"
    for sock in (client, accepted, server):
        sock.close()


def test_any_interleaving_of_writes_both_ways_arrives_in_order(relay_to: Callable[..., RelayBase],
                                                              tally: Tally) -> None:
    """Property: whatever pieces each side writes, in whatever order, each side reads the other's bytes."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    server = listener()
    relay = relay_to(server.getsockname()[1])

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(st.tuples(st.booleans(), st.binary(min_size=1, max_size=40_000)), min_size=1, max_size=8))
    def check(writes: list[tuple[bool, bytes]]) -> None:
        client = connect(relay)
        accepted, _ = server.accept()
        for upward, piece in writes:
            (client if upward else accepted).sendall(piece)
        client.shutdown(socket.SHUT_WR)
        accepted.shutdown(socket.SHUT_WR)
        got_up: list[str] = []
        got_down: list[str] = []
        run_threads(lambda: read_all(accepted, got_up), lambda: read_all(client, got_down))
        up = b"".join(piece for upward, piece in writes if upward)
        down = b"".join(piece for upward, piece in writes if not upward)
        assert got_up == [hashlib.sha256(up).hexdigest()]
        assert got_down == [hashlib.sha256(down).hexdigest()]
        client.close()
        accepted.close()

    check()
    server.close()

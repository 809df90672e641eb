"""The TCP server endpoint against real client sockets on loopback."""

from __future__ import annotations

import socket
import struct
import time

import pytest

from netcore import InputError, TcpServer, TcpServerConfig
from netcore.events import (
    CloseReason,
    DataSent,
    ErrorEvent,
    Notice,
    PeerClosed,
    PeerConnected,
    SocketCall,
    State,
)
from netcore.replies import make_reply_rule
from tests.netcore.conftest import Recorder


def connect(port: int, host: str = "127.0.0.1") -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.create_connection((host, port), timeout=5) if family == socket.AF_INET else socket.socket(family)
    if family == socket.AF_INET6:
        sock.settimeout(5)
        sock.connect((host, port))
    return sock


def recv_exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            break
        data += chunk
    return data


def test_listen_on_port_zero_reports_the_port_and_traces_the_calls(serve, rec: Recorder) -> None:
    server, port = serve()
    assert port > 0 and server.local_address == ("127.0.0.1", port)
    calls = [e.call for e in rec.of(SocketCall, server.name)]
    assert calls[:5] == ["socket", "setsockopt", "bind", "listen", "setblocking"]
    bind = next(e for e in rec.of(SocketCall, server.name) if e.call == "bind")
    assert bind.line() == "bind(('127.0.0.1', 0)) -> ok"


def test_receives_sends_to_one_and_to_all(serve, rec: Recorder) -> None:
    server, port = serve()
    first, second = connect(port), connect(port)
    rec.wait_for(lambda _: len(rec.of(PeerConnected, server.name)) == 2)
    peers = [e.peer for e in rec.of(PeerConnected, server.name)]
    first.sendall(b"hello from first")
    assert rec.wait_received(server.name, 16) == b"hello from first"
    first_peer = first.getsockname()[:2]
    server.send(b"only you", [first_peer])
    assert recv_exactly(first, 8) == b"only you"
    server.send(b"everyone")
    assert recv_exactly(first, 8) == b"everyone" and recv_exactly(second, 8) == b"everyone"
    assert set(server.peers()) == set(peers)
    sent = rec.wait_type(DataSent, server.name, where=lambda e: e.data == b"only you")
    assert sent.peer == first_peer


def test_peer_fin_and_reset_are_told_apart(serve, rec: Recorder) -> None:
    server, port = serve()
    polite, rude = connect(port), connect(port)
    polite_peer, rude_peer = polite.getsockname()[:2], rude.getsockname()[:2]
    rec.wait_for(lambda e: len(rec.of(PeerConnected, server.name)) == 2)
    polite.close()
    fin = rec.wait_type(PeerClosed, server.name, where=lambda e: e.peer == polite_peer)
    rude.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    rude.close()  # linger 0: the kernel sends RST
    reset = rec.wait_type(PeerClosed, server.name, where=lambda e: e.peer == rude_peer)
    assert fin.reason is CloseReason.FIN and reset.reason is CloseReason.RESET


def test_disconnect_closes_only_the_chosen_client(serve, rec: Recorder) -> None:
    server, port = serve()
    chosen, other = connect(port), connect(port)
    rec.wait_for(lambda e: len(rec.of(PeerConnected, server.name)) == 2)
    server.disconnect(chosen.getsockname()[:2])
    assert chosen.recv(10) == b""  # FIN from the server
    closed = rec.wait_type(PeerClosed, server.name)
    assert closed.reason is CloseReason.LOCAL
    other.sendall(b"still here")
    assert rec.wait_received(server.name, 10) == b"still here"


def test_client_limit_closes_the_extra_connection_at_once(serve, rec: Recorder) -> None:
    server, port = serve(max_clients=1)
    kept = connect(port)
    rec.wait_type(PeerConnected, server.name)
    extra = connect(port)
    assert extra.recv(10) == b""
    notice = rec.wait_type(Notice, server.name)
    assert notice.code == "client_limit" and "1" in notice.message
    assert rec.wait_type(PeerClosed, server.name).reason is CloseReason.LIMIT
    kept.sendall(b"ok")
    assert rec.wait_received(server.name, 2) == b"ok"


def test_busy_port_is_explained_and_the_endpoint_stops(serve, rec: Recorder, queue, no_worker_left_behind) -> None:
    _, port = serve()
    second = TcpServer(TcpServerConfig("127.0.0.1", port), queue, "second")
    no_worker_left_behind.append(second)
    second.start()
    error = rec.wait_type(ErrorEvent, "second")
    assert error.code == "address_in_use" and error.fatal
    assert str(port) in error.message and "another port" in error.hint
    rec.wait_state("second", State.ERROR)
    assert second.stop(timeout=2.0)


def test_address_not_on_this_machine(rec: Recorder, queue, no_worker_left_behind) -> None:
    server = TcpServer(TcpServerConfig("192.0.2.1", 0), queue, "elsewhere")  # TEST-NET-1: never ours
    no_worker_left_behind.append(server)
    server.start()
    error = rec.wait_type(ErrorEvent, "elsewhere")
    assert error.code == "address_not_available" and "192.0.2.1" in error.message
    assert "0.0.0.0" in error.hint


@pytest.mark.parametrize("port", ["", "abc", "-1", "65536", "9000x"])
def test_bad_port_is_refused_before_any_socket(port: str) -> None:
    with pytest.raises(InputError) as caught:
        TcpServerConfig("127.0.0.1", port)
    assert caught.value.field == "port"


@pytest.mark.parametrize("host", ["", "  ", "bad host", "1.2.3.4.5", "-start.example"])
def test_bad_host_is_refused_before_any_socket(host: str) -> None:
    with pytest.raises(InputError) as caught:
        TcpServerConfig(host, 9000)
    assert caught.value.field == "host"


def test_ipv6_loopback(serve, rec: Recorder) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    server, port = serve("::1", reply=make_reply_rule("echo"))
    client = connect(port, "::1")
    client.sendall(b"over ipv6")
    assert recv_exactly(client, 9) == b"over ipv6"
    assert rec.wait_type(PeerConnected, server.name).peer[0] == "::1"


def test_send_past_the_outbox_bound_is_refused(serve, rec: Recorder) -> None:
    server, port = serve()
    lazy = connect(port)  # never reads
    lazy.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    peer = lazy.getsockname()[:2]
    rec.wait_type(PeerConnected, server.name)
    block = b"x" * (1024 * 1024)
    for _ in range(24):
        server.send(block, [peer])
    error = rec.wait_type(ErrorEvent, server.name, timeout=10)
    assert error.code == "send_buffer_full" and not error.fatal
    assert server.budget.pending <= 16 * 1024 * 1024


def test_time_between_sends_does_not_leak_budget(serve, rec: Recorder) -> None:
    server, port = serve()
    client = connect(port)
    rec.wait_type(PeerConnected, server.name)
    server.send(b"abc")
    assert recv_exactly(client, 3) == b"abc"
    deadline = time.monotonic() + 2
    while server.budget.pending and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.budget.pending == 0


def test_hello_server_like_the_tutorial(serve, rec: Recorder) -> None:
    server, port = serve(reply=make_reply_rule("hello"))
    client = connect(port)
    assert recv_exactly(client, 9) == b"Welcome!\n"
    client.sendall(b"Michael")  # the tutorial's client sends no newline
    assert recv_exactly(client, 15) == b"Hello, Michael!"
    client.sendall(b"Alice\r\nexit\r\n")
    assert recv_exactly(client, 26) == b"Hello, Alice!\r\nGood bye!\r\n"
    assert client.recv(10) == b""  # and the server closed the connection
    assert rec.wait_type(Notice, server.name).code == "reply_closed"


def test_time_and_custom_replies(serve, rec: Recorder) -> None:
    server, port = serve(reply=make_reply_rule("time"))
    client = connect(port)
    client.sendall(b"what time is it")
    answer = client.recv(100)
    assert answer.startswith(b"[") and answer.endswith(b"] what time is it")
    assert time.strftime("%Y-%m-%d").encode() in answer or time.strftime("%Y").encode() in answer
    server.set_reply(make_reply_rule("custom", "#{count} from {peer}: {message}\\r\\n"))
    server.send(b"sync")  # commands run in order: once this arrives, the new rule is in place
    assert recv_exactly(client, 4) == b"sync"
    client.sendall(b"{time} %s {0}")  # braces in data stay data
    peer = f"127.0.0.1:{client.getsockname()[1]}"
    assert client.recv(100) == f"#2 from {peer}: {{time}} %s {{0}}\r\n".encode()

"""The TCP client endpoint against real servers on loopback."""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator

import pytest

from netcore import InputError, TcpClient, TcpClientConfig
from netcore.events import CloseReason, ErrorEvent, PeerClosed, PeerConnected, SocketCall, State
from tests.netcore.conftest import Recorder


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    sock = socket.create_server(("127.0.0.1", 0))
    yield sock
    sock.close()


@pytest.fixture
def start_client(queue, no_worker_left_behind):
    def start(host: str, port: int, timeout: float = 5.0, name: str = "client") -> TcpClient:
        client = TcpClient(TcpClientConfig(host, port, timeout), queue, name)
        no_worker_left_behind.append(client)
        client.start()
        return client
    return start


def test_connect_reports_local_and_remote_address(listener, start_client, rec: Recorder) -> None:
    port = listener.getsockname()[1]
    start_client("127.0.0.1", port)
    connected = rec.wait_state("client", State.CONNECTED)
    accepted, peer = listener.accept()
    with accepted:
        assert connected.remote == ("127.0.0.1", port)
        assert connected.local == peer  # what getsockname() said is what the server sees
        calls = [e.call for e in rec.of(SocketCall, "client")]
        assert calls[:4] == ["getaddrinfo", "socket", "setblocking", "connect"]
        assert "getsockname" in calls


def test_send_and_receive(listener, start_client, rec: Recorder) -> None:
    client = start_client("127.0.0.1", listener.getsockname()[1])
    accepted, _ = listener.accept()
    with accepted:
        rec.wait_state("client", State.CONNECTED)
        client.send(b"ping \xff\x00")
        accepted.settimeout(5)
        assert accepted.recv(100) == b"ping \xff\x00"
        accepted.sendall("你好".encode("gbk"))
        assert rec.wait_received("client", 4) == "你好".encode("gbk")


def test_refused_is_explained(start_client, rec: Recorder) -> None:
    unused = socket.socket()
    unused.bind(("127.0.0.1", 0))  # bound, not listening: connect gets RST
    port = unused.getsockname()[1]
    try:
        start_client("127.0.0.1", port)
        error = rec.wait_type(ErrorEvent, "client")
    finally:
        unused.close()
    assert error.code == "connection_refused" and error.fatal
    assert f"127.0.0.1:{port}" in error.message and "Start the server" in error.hint
    rec.wait_state("client", State.ERROR)


def test_connect_timeout_is_explained(start_client, rec: Recorder) -> None:
    full = socket.socket()
    full.bind(("127.0.0.1", 0))
    full.listen(0)
    port = full.getsockname()[1]
    fillers = []
    try:
        for _ in range(3):  # fill the accept queue; further SYNs are dropped, so connect hangs
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
            fillers.append(filler)
        start_client("127.0.0.1", port, timeout=0.5)
        error = rec.wait_type(ErrorEvent, "client", timeout=5)
    finally:
        for filler in fillers:
            filler.close()
        full.close()
    assert error.code == "timed_out" and "0.5" in error.message and "firewall" in error.hint


def test_fin_and_reset_from_the_server(listener, start_client, rec: Recorder) -> None:
    port = listener.getsockname()[1]
    start_client("127.0.0.1", port, name="polite")
    accepted, _ = listener.accept()
    accepted.close()
    assert rec.wait_type(PeerClosed, "polite").reason is CloseReason.FIN
    rec.wait_state("polite", State.STOPPED)
    start_client("127.0.0.1", port, name="rude")
    accepted, _ = listener.accept()
    rec.wait_state("rude", State.CONNECTED)
    accepted.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    accepted.close()
    assert rec.wait_type(PeerClosed, "rude").reason is CloseReason.RESET


def test_half_close_keeps_receiving(listener, start_client, rec: Recorder) -> None:
    port = listener.getsockname()[1]
    client = start_client("127.0.0.1", port)

    def server() -> None:
        accepted, _ = listener.accept()
        with accepted:
            got = b""
            while chunk := accepted.recv(100):  # until the client's FIN
                got += chunk
            accepted.sendall(b"you said: " + got)

    thread = threading.Thread(target=server)
    thread.start()
    client.send(b"question")
    client.shutdown_write()
    assert rec.wait_received("client", 18) == b"you said: question"
    assert rec.wait_type(PeerClosed, "client").reason is CloseReason.FIN
    thread.join(5)
    assert any(e.call == "shutdown" and e.args == "SHUT_WR" for e in rec.of(SocketCall, "client"))


def test_send_after_reset_is_explained(listener, start_client, rec: Recorder) -> None:
    client = start_client("127.0.0.1", listener.getsockname()[1])
    accepted, _ = listener.accept()
    rec.wait_type(PeerConnected, "client")
    accepted.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    accepted.close()
    rec.wait_type(PeerClosed, "client")
    client.send(b"too late")  # the endpoint has ended: nothing may crash
    rec.wait_state("client", State.STOPPED)


def test_ipv6_loopback(start_client, rec: Recorder) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    server = socket.create_server(("::1", 0), family=socket.AF_INET6)
    with server:
        start_client("::1", server.getsockname()[1])
        connected = rec.wait_state("client", State.CONNECTED)
        assert connected.local is not None and connected.local[0] == "::1"


def test_bad_timeout_and_port_are_refused() -> None:
    with pytest.raises(InputError) as caught:
        TcpClientConfig("127.0.0.1", 80, timeout=0)
    assert caught.value.field == "timeout"
    with pytest.raises(InputError) as caught:
        TcpClientConfig("127.0.0.1", 70000)
    assert caught.value.field == "port"


def test_stop_while_connecting_is_prompt(start_client, rec: Recorder) -> None:
    full = socket.socket()
    full.bind(("127.0.0.1", 0))
    full.listen(0)
    fillers = [socket.socket() for _ in range(3)]
    try:
        for filler in fillers:
            filler.setblocking(False)
            filler.connect_ex(full.getsockname())
        client = start_client("127.0.0.1", full.getsockname()[1], timeout=30)
        rec.wait_state("client", State.CONNECTING)
        assert client.stop(timeout=2.0)
    finally:
        for filler in fillers:
            filler.close()
        full.close()

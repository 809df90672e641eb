"""The TCP client after the server's FIN: a FIN ends only the server's direction (issue 7, fault 15).

With ``half_open_seconds`` the client keeps its own direction open, sends what it is
given, and sends its FIN on ``shutdown_write`` (or after that many seconds without a
send); without it, the client closes at the server's FIN as before.
"""

from __future__ import annotations

import socket
import time

import pytest

from netcore import InputError, TcpClient, TcpClientConfig
from netcore.events import CloseReason, PeerClosed, SocketCall, State
from tests.netcore.conftest import Recorder


def _start(queue, keep, port: int, half_open: float) -> TcpClient:  # type: ignore[no-untyped-def]
    client = TcpClient(TcpClientConfig("127.0.0.1", port, half_open_seconds=half_open), queue, "client")
    keep.append(client)
    client.start()
    return client


def _banner_then_half_close(listener: socket.socket) -> socket.socket:
    listener.settimeout(5)
    accepted, _ = listener.accept()
    accepted.settimeout(5)
    accepted.sendall(b"banner\n")
    accepted.shutdown(socket.SHUT_WR)
    return accepted


def _read_to_fin(sock: socket.socket) -> bytes:
    data = bytearray()
    end = time.monotonic() + 5
    while time.monotonic() < end:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return bytes(data)


def _saw_fin(rec: Recorder) -> None:
    rec.wait_for(lambda e: isinstance(e, SocketCall) and e.call == "recv" and "FIN" in e.result)


def test_client_keeps_sending_after_the_servers_fin(queue, rec: Recorder, no_worker_left_behind) -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = _start(queue, no_worker_left_behind, listener.getsockname()[1], half_open=30)
        with _banner_then_half_close(listener) as accepted:
            assert rec.wait_received("client", 7) == b"banner\n"
            _saw_fin(rec)
            time.sleep(0.2)
            assert client.running
            client.send(b"data\n")
            client.shutdown_write()
            assert _read_to_fin(accepted) == b"data\n"
        closed = rec.wait_type(PeerClosed, "client")
        assert closed.reason is CloseReason.FIN
        rec.wait_state("client", State.STOPPED)


def test_half_open_client_gives_up_after_seconds_without_a_send(queue, rec: Recorder,
                                                                no_worker_left_behind) -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        _start(queue, no_worker_left_behind, listener.getsockname()[1], half_open=0.3)
        with _banner_then_half_close(listener) as accepted:
            _saw_fin(rec)
            start = time.monotonic()
            assert _read_to_fin(accepted) == b""
            assert 0.2 < time.monotonic() - start < 3
        rec.wait_state("client", State.STOPPED)


def test_without_half_open_the_client_closes_at_the_fin(queue, rec: Recorder, no_worker_left_behind) -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        _start(queue, no_worker_left_behind, listener.getsockname()[1], half_open=0)
        with _banner_then_half_close(listener) as accepted:
            rec.wait_state("client", State.STOPPED)
            assert _read_to_fin(accepted) == b""


@pytest.mark.parametrize("seconds", [-1.0, float("nan"), float("inf"), 3601.0])
def test_half_open_seconds_are_checked(seconds: float) -> None:
    with pytest.raises(InputError):
        TcpClientConfig("127.0.0.1", 9, half_open_seconds=seconds)


def test_a_server_that_closed_and_resets_late_data_is_a_reset_not_not_connected(
        queue, rec: Recorder, no_worker_left_behind) -> None:
    """Found in a new-user trial: the server sends and closes; the client's late line meets its RST.

    The client's ``shutdown`` then fails with ENOTCONN, which was reported as "Not connected.
    Hint: Connect first, then send." The truth is the server reset the connection.
    """
    from netcore.events import DataSent, ErrorEvent

    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = _start(queue, no_worker_left_behind, listener.getsockname()[1], half_open=30)
        listener.settimeout(5)
        accepted, _ = listener.accept()
        accepted.sendall(b"bye\n")
        accepted.close()  # a full close: data that comes now is answered with RST
        _saw_fin(rec)
        client.send(b"late\n")
        rec.wait_type(DataSent, "client")
        time.sleep(0.2)  # the RST comes back over loopback
        client.shutdown_write()
        closed = rec.wait_type(PeerClosed, "client")
        rec.wait_state("client", State.STOPPED)
    assert closed.reason is CloseReason.RESET
    assert not [e for e in rec.of(ErrorEvent, "client") if e.code == "not_connected"]

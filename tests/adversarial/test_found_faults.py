"""Minimal, deterministic reproductions of what the generated suite found.

Each is the shrunk example of a state-machine run, made deterministic by
keeping the worker busy (a stall) while the client acts, so the worker sees the
client's data, reset and reconnection together, as a loaded server would.
"""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest

from netcore import TcpServer
from netcore.events import ErrorEvent, State
from tests.adversarial.clients import connect
from tests.adversarial.helpers import (
    HOST,
    MODES,
    Drainer,
    Stall,
    reply_rule,
    reset,
    socket_inodes,
    sync,
    tcp_probe,
    wait_until,
)
from tests.netcore.conftest import Recorder

SERVER_SOCKETS = 3


@pytest.mark.parametrize("mode", [mode for mode in MODES if mode != "none"])
def test_a_reset_right_after_data_leaves_an_auto_reply_server_serving(
        serve: Callable[..., tuple[TcpServer, int]], rec: Recorder, mode: str) -> None:
    """Fault 1: data then RST; the reply's send() fails and must end only that connection.

    Found as ``connect_new(); reset_and_reconnect(data=b'\\x00')`` (echo).
    Unfixed: ``ValueError('Invalid file descriptor: -1')`` from re-registering the
    closed socket (``StreamEndpoint._receive`` → ``_update_interest`` after
    ``_auto_reply`` closed it), and the whole server stops.
    """
    server, port = serve(reply=reply_rule(mode))
    client = socket.create_connection((HOST, port), timeout=3.0)
    assert sync(server)
    stall = Stall(server)
    try:
        client.sendall(b"Bob\n")
        reset(client)
    finally:
        stall.release()
    sync(server)
    errors = [e.message for e in rec.of(ErrorEvent, server.name) if e.fatal]
    assert server.running and server.state is State.LISTENING, f"the server is {server.state.name}: {errors}"
    drainer = Drainer(rec.queue, server.name)
    try:
        tcp_probe(port, mode, lambda data, peer: server.send(data, [peer]), drainer)
    finally:
        drainer.close()


@pytest.mark.parametrize("mode", MODES)
def test_a_reconnect_from_the_port_of_a_reset_client_in_the_accept_queue_is_served(
        serve: Callable[..., tuple[TcpServer, int]], rec: Recorder, mode: str) -> None:
    """Fault 2: two connections from one address:port; the first one's close must not drop the second.

    Found as ``server_gets_busy(); c0 = connect_new(); p0 = reset(c0, b'');
    connect_from_reused_port(p0); server_gets_free()``. Unfixed: both are keyed
    ``127.0.0.1:X`` in ``StreamEndpoint._connections``; the second overwrites
    the first, the first's reset pops the second, whose socket stays open and
    registered (never read, never closed: the server holds 4 sockets for 0
    connections).
    """
    baseline = socket_inodes()
    server, port = serve(reply=reply_rule(mode))
    drainer = Drainer(rec.queue, server.name)
    stall = Stall(server)
    try:
        first = connect(port, small_buffer=False)
        first.reset()
        second = connect(port, small_buffer=False, source_port=first.addr[1])
    finally:
        stall.release()
    try:
        assert not second.refused, second.why
        assert sync(server)
        assert wait_until(lambda: server.peers() == [second.addr], 3.0), (server.peers(), second.addr)
        held = len(socket_inodes() - baseline) - 1  # less the client's own socket
        assert held == len(server.peers()) + SERVER_SOCKETS, f"the server holds {held} sockets"
        tcp_probe(port, mode, lambda data, peer: server.send(data, [peer]), drainer)
    finally:
        second.close()
        drainer.close()


@pytest.mark.parametrize("mode", MODES)
def test_a_reconnect_from_the_port_of_a_client_that_sent_and_reset_is_served(
        serve: Callable[..., tuple[TcpServer, int]], rec: Recorder, mode: str) -> None:
    """Fault 2 again, the issue's way: a connected client sends a byte, resets, and reconnects from its port.

    Found as ``c0 = connect_new(); reset_and_reconnect(c0, data=b'\x00')`` (mode
    none). Unfixed: the worker reads the byte, accepts the new connection (same
    key, overwriting), then reads the reset and pops the new connection's entry.
    """
    baseline = socket_inodes()
    server, port = serve(reply=reply_rule(mode))
    drainer = Drainer(rec.queue, server.name)
    first = connect(port, small_buffer=False)
    assert sync(server)
    stall = Stall(server)
    try:
        first.send(b"\x00")
        first.reset()
        second = connect(port, small_buffer=False, source_port=first.addr[1])
    finally:
        stall.release()
    try:
        assert not second.refused, second.why
        assert sync(server)
        assert wait_until(lambda: server.peers() == [second.addr], 3.0), (server.peers(), second.addr)
        held = len(socket_inodes() - baseline) - 1
        assert held == len(server.peers()) + SERVER_SOCKETS, f"the server holds {held} sockets"
        tcp_probe(port, mode, lambda data, peer: server.send(data, [peer]), drainer)
    finally:
        second.close()
        drainer.close()

"""The window with real sockets on loopback: tabs talk to each other and to raw sockets."""

from __future__ import annotations

import socket
import tkinter as tk
from typing import Any

import pytest

from gui.logmodel import RECEIVED, SENT
from netcore.events import State
from tests.gui.conftest import pump_until
from tests.gui.helpers import connect, logged, received, recv_until, send_text, set_field, start_listening

pytestmark = pytest.mark.gui


def test_window_opens_with_three_tabs_and_fits_small_screen(window: Any, root: tk.Tk) -> None:
    assert root.title() == "SocketLab"
    assert [tab.kind for tab in window.tabs()] == ["tcp_server", "tcp_client", "udp"]
    assert root.winfo_width() <= 1024 and root.winfo_height() <= 700 - 40
    assert [window.notebook.tab(t, "text") for t in window.notebook.tabs()] == ["TCP Server", "TCP Client", "UDP"]


def test_server_and_client_tabs_exchange_both_ways(window: Any, root: tk.Tk) -> None:
    server, client = window.tabs()[0], window.tabs()[1]
    port = start_listening(root, server)
    connect(root, client, port)
    pump_until(root, lambda: len(server.peers.rows) == 1, what="client in the peer table")
    assert send_text(client, "ping from client\n")
    pump_until(root, lambda: logged(server) == b"ping from client\n", what="server log shows it")
    assert send_text(server, "pong from server")
    pump_until(root, lambda: logged(client) == b"pong from server", what="client log shows it")
    assert logged(client, SENT) == b"ping from client\n"
    assert logged(server, SENT) == b"pong from server"
    assert "ping from client\\n" in server.log.shown_text()
    assert "pong from server" in client.log.shown_text()
    assert server.counters.bytes_in == 17 and server.counters.msgs_out == 1
    assert client.counters.bytes_in == 16 and client.counters.bytes_out == 17
    peer = next(iter(server.peers.rows.values()))
    assert (peer.bytes_in, peer.bytes_out) == (17, 16)


def test_hex_mode_sends_exact_bytes_and_shows_hex(window: Any, root: tk.Tk) -> None:
    server = window.tabs()[0]
    port = start_listening(root, server)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        pump_until(root, lambda: len(server.peers.rows) == 1)
        assert send_text(server, "de ad be ef 00 0a ff", mode="hex")
        assert recv_until(sock, 7, root) == bytes.fromhex("deadbeef000aff")
        sock.sendall(b"\x01\x02hi\xff")
        pump_until(root, lambda: received(server) == b"\x01\x02hi\xff")
    server.display_var.set("hex")
    server.apply_display()
    text = server.log.shown_text()
    assert "DE AD BE EF 00 0A FF" in text and "01 02 68 69 FF" in text
    server.display_var.set("text")
    server.apply_display()
    assert "\\x01\\x02hi\\xff" in server.log.shown_text()


def test_gbk_text_arrives_as_gbk_bytes(window: Any, root: tk.Tk) -> None:
    server = window.tabs()[0]
    port = start_listening(root, server)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        pump_until(root, lambda: len(server.peers.rows) == 1)
        assert send_text(server, "你好，世界", encoding="gbk", line_ending="crlf")
        expected = "你好，世界".encode("gbk") + b"\r\n"
        assert recv_until(sock, len(expected), root) == expected
        sock.sendall("中文".encode("gbk"))
        pump_until(root, lambda: received(server) == "中文".encode("gbk"))
    server.send_bar.encoding.set("gbk")
    server.log.set_display(encoding="gbk")
    assert "中文" in server.log.shown_text()


def test_text_that_the_encoding_cannot_hold_is_refused_in_the_send_bar(window: Any, root: tk.Tk) -> None:
    server = window.tabs()[0]
    start_listening(root, server)
    assert not send_text(server, "é€", encoding="latin-1")
    assert "latin-1" in server.send_bar.error.cget("text")
    assert not send_text(server, "zz", mode="hex")
    assert "hex" in server.send_bar.error.cget("text")


@pytest.mark.parametrize("port", ["99999", "http", "", "²", "①", "٣"])  # only ASCII 0-9 make a port number
def test_bad_port_is_flagged_before_anything_starts(window: Any, root: tk.Tk, port: str) -> None:
    server = window.tabs()[0]
    set_field(server.row.port, port)
    assert not server.start()
    assert server.endpoint is None and not window.routes
    assert "invalid" in server.row.port.state()
    assert "port" in server.row.info_label.cget("text")
    set_field(server.row.port, "0")
    server.row.port.event_generate("<KeyRelease>")
    assert "invalid" not in server.row.port.state()


def test_bad_host_is_flagged(window: Any, root: tk.Tk) -> None:
    client = window.tabs()[1]
    set_field(client.row.host, "not a host!")
    assert not client.start()
    assert "invalid" in client.row.host.state()
    assert client.row.current is State.STOPPED


def test_busy_port_shows_error_and_hint_without_a_dialog(window: Any, root: tk.Tk) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        server = window.tabs()[0]
        set_field(server.row.host, "127.0.0.1")
        set_field(server.row.port, str(port))
        assert server.start()
        pump_until(root, lambda: server.row.current is State.ERROR, what="error state")
    info = server.row.info_label.cget("text")
    assert f"Port {port} is already in use" in info and "port 0 lets the system choose" in info
    assert "already in use" in server.log.shown_text()
    assert "Error" in server.row.state_label.cget("text")
    assert server.endpoint is None and "disabled" not in server.row.port.state()
    assert len(root.winfo_children()) == len([w for w in root.winfo_children() if not isinstance(w, tk.Toplevel)])


def test_chosen_client_is_disconnected(window: Any, root: tk.Tk) -> None:
    server = window.tabs()[0]
    port = start_listening(root, server)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as first, \
            socket.create_connection(("127.0.0.1", port), timeout=5) as second:
        pump_until(root, lambda: len(server.peers.rows) == 2)
        chosen = second.getsockname()[:2]
        server.peers.select([chosen])
        server.disconnect_selected()
        pump_until(root, lambda: list(server.peers.rows) == [first.getsockname()[:2]], what="one client left")
        assert recv_until(second, 1, root) == b""  # the chosen one got FIN
        server.send_to.set("all")
        assert send_text(server, "still here")
        assert recv_until(first, 10, root) == b"still here"


def test_send_to_selected_reaches_only_them(window: Any, root: tk.Tk) -> None:
    server = window.tabs()[0]
    port = start_listening(root, server)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as first, \
            socket.create_connection(("127.0.0.1", port), timeout=5) as second:
        pump_until(root, lambda: len(server.peers.rows) == 2)
        server.send_to.set("selected")
        assert not send_text(server, "nobody selected")
        server.peers.select([first.getsockname()[:2]])
        assert send_text(server, "just you")
        assert recv_until(first, 8, root) == b"just you"
        second.settimeout(0.2)
        with pytest.raises(TimeoutError):
            second.recv(10)


def test_udp_tab_sends_and_receives(window: Any, root: tk.Tk) -> None:
    udp = window.tabs()[2]
    port = start_listening(root, udp)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        peer.bind(("127.0.0.1", 0))
        peer.settimeout(5)
        set_field(udp.target, f"127.0.0.1:{peer.getsockname()[1]}")
        assert send_text(udp, "datagram one")
        assert peer.recvfrom(100)[0] == b"datagram one"
        peer.sendto(b"answer", ("127.0.0.1", port))
        pump_until(root, lambda: received(udp) == b"answer")
        udp.reply_last.set(True)
        assert send_text(udp, "back to you")
        assert peer.recvfrom(100)[0] == b"back to you"
    assert logged(udp, RECEIVED) == b"answer"
    pump_until(root, lambda: "127.0.0.1" in udp.last_sender.cget("text"),  # drawn with the counters, 4 times a second
               what="the last sender's address")
    assert "127.0.0.1" in udp.last_sender.cget("text")


def test_udp_bad_target_is_flagged(window: Any, root: tk.Tk) -> None:
    udp = window.tabs()[2]
    start_listening(root, udp)
    set_field(udp.target, "127.0.0.1")
    assert not send_text(udp, "x")
    assert "invalid" in udp.target.state()
    assert "host:port" in udp.send_bar.error.cget("text")


def test_server_auto_reply_echo(window: Any, root: tk.Tk) -> None:
    server = window.tabs()[0]
    server.reply.kind.set("echo")
    server.reply.apply()
    port = start_listening(root, server)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"echo me")
        assert recv_until(sock, 7, root) == b"echo me"


def test_clients_that_reset_mid_reply_leave_the_server_tab_listening(window: Any, root: tk.Tk) -> None:
    import struct

    server = window.tabs()[0]
    server.reply.kind.set("echo")
    port = start_listening(root, server)
    for _ in range(15):  # each sends and resets at once: the echo's send() meets the RST
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(b"Bob\n")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
        root.update()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as probe:
        probe.sendall(b"still listening?")
        assert recv_until(probe, 16, root) == b"still listening?"
    pump_until(root, lambda: not server.peers.rows, what="every client gone from the table")
    assert server.row.current is State.LISTENING
    assert "fault" not in server.log.shown_text()


def test_peer_table_keeps_a_reconnected_client_when_the_old_connection_closes(window: Any, root: tk.Tk) -> None:
    table = window.tabs()[0].peers
    peer = ("127.0.0.1", 40000)
    table.add(peer, connection=1)
    table.add(peer, connection=2)  # the same address and port again, before the old close was seen
    table.remove(peer, connection=1)
    assert table.peers() == [peer] and table.rows[peer].connection == 2
    table.remove(peer, connection=2)
    assert table.peers() == []

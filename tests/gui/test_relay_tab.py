"""The Relay tab with a real Tk root: opened from the menu, data from a client to a server and back."""

from __future__ import annotations

import contextlib
import socket
import tkinter as tk
from pathlib import Path
from typing import Any

import pytest

from gui import i18n
from gui.i18n import tr
from gui.logmodel import RECEIVED, SENT, format_row, to_csv
from gui.tabs.relay import RelayTab
from netcore.events import State
from netcore.session.record import read_session
from tests.gui.conftest import pump_until
from tests.gui.helpers import set_field

pytestmark = pytest.mark.gui


def open_relay_from_menu(window: Any) -> RelayTab:
    menu = window.menus.new_tab
    labels = [menu.entrycget(i, "label") for i in range(menu.index("end") + 1)]
    menu.invoke(labels.index(tr("tab.relay")))
    tab = window.current_tab()
    assert isinstance(tab, RelayTab)
    return tab


def start_relay(root: tk.Tk, tab: RelayTab, target_port: int, protocol: str = "tcp") -> int:
    set_field(tab.row.host, "127.0.0.1")
    set_field(tab.row.port, "0")
    set_field(tab.target, f"127.0.0.1:{target_port}")
    tab.protocol.set(protocol)
    assert tab.start()
    up = State.BOUND if protocol == "udp" else State.LISTENING
    pump_until(root, lambda: tab.row.current is up and tab.local_address is not None, what="relay up")
    assert tab.local_address is not None
    return tab.local_address[1]


def recv_pumping(root: tk.Tk, sock: socket.socket, size: int) -> bytes:
    sock.settimeout(0.01)
    data = b""

    def more() -> bool:
        nonlocal data
        with contextlib.suppress(TimeoutError, BlockingIOError):
            data += sock.recv(65536)
        return len(data) >= size

    pump_until(root, more, what=f"{size} bytes")
    return data


def test_a_device_and_its_server_talk_through_the_relay_tab(window: Any, root: tk.Tk, tmp_path: Path) -> None:
    tab = open_relay_from_menu(window)
    assert not tab.send_bar.winfo_manager()  # a relay only forwards: no send bar
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = start_relay(root, tab, server.getsockname()[1])
    assert f"127.0.0.1:{port}" in tab.point_at.cget("text")
    device = socket.create_connection(("127.0.0.1", port), timeout=5)
    server.settimeout(0.01)
    accepted: list[socket.socket] = []

    def accept() -> bool:
        try:
            accepted.append(server.accept()[0])
        except TimeoutError:
            return False
        return True

    pump_until(root, accept, what="the relay connected to the server")
    upstream = accepted[0]
    device.sendall(b"\x01\x03\x00\x00\x00\x0a")
    assert recv_pumping(root, upstream, 6) == b"\x01\x03\x00\x00\x00\x0a"
    upstream.sendall(b"reply from server")
    assert recv_pumping(root, device, 17) == b"reply from server"
    pump_until(root, lambda: tab.totals["server → client"][1] == 17, what="counted")
    tab.flush()
    me = device.getsockname()
    rows = [r for r in tab.log.records if r.kind in (SENT, RECEIVED)]
    assert [(r.kind, r.peer, r.lane, r.data) for r in rows] == [
        (SENT, me, "relay.up", b"\x01\x03\x00\x00\x00\x0a"), (RECEIVED, me, "relay.down", b"reply from server")]
    shown = [format_row(r, False, "utf-8", False) for r in rows]
    assert "client → server: " in shown[0] and "server → client: reply from server" in shown[1]
    assert "01 03 00 00 00 0A" in format_row(rows[0], True, "utf-8", False)
    assert "client → server" in to_csv(rows, "utf-8")
    assert (tab.counters.bytes_in, tab.counters.bytes_out) == (23, 23)
    tab.draw_stats()
    assert tab.lane_labels["client → server"].cget("text") == "client → server: 6 B read, 6 B delivered"
    assert len(tab.peers.rows) == 1 and me in tab.peers.rows
    i18n.set_language("zh")
    try:
        window.retranslate()
        assert "客户端 → 服务器" in format_row(rows[0], False, "utf-8", False)
        assert "读到 17 B" in tab.lane_labels["server → client"].cget("text")
    finally:
        i18n.set_language("en")
    saved = tmp_path / "relay.jsonl"
    tab.session.save_to(saved)
    replay = window.open_replay(read_session(saved), "relay.jsonl")  # File → Open session shows it the same way
    replay.log.flush()
    replayed = [(r.kind, r.peer, r.lane, r.data) for r in replay.log.records if r.lane]
    assert replayed == [(r.kind, r.peer, r.lane, r.data) for r in rows]
    device.close()  # FIN one way: the pair stays, half-open, until the server closes too
    pump_until(root, lambda: any(r.key == "notice.relay_fin_to_server" for r in tab.log.records), what="FIN")
    assert len(tab.peers.rows) == 1
    upstream.close()
    pump_until(root, lambda: not tab.peers.rows, what="the pair ended")
    server.close()
    tab.stop()
    pump_until(root, lambda: tab.row.current is State.STOPPED, what="stopped")
    assert tab.target.instate(["!disabled"])


def test_a_refused_target_is_explained_in_the_log(window: Any, root: tk.Tk) -> None:
    tab = window.new_tab("relay")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]
    port = start_relay(root, tab, dead)
    device = socket.create_connection(("127.0.0.1", port), timeout=5)
    device.settimeout(5)
    assert device.recv(10) == b""
    pump_until(root, lambda: any(r.key == "notice.relay_target_failed" for r in tab.log.records),
               what="the reason in the log")
    assert any(r.key == "problem.connection_refused" for r in tab.log.records)
    device.close()


def test_udp_through_the_relay_tab(window: Any, root: tk.Tk) -> None:
    tab = window.new_tab("relay")
    target = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    target.bind(("127.0.0.1", 0))
    target.settimeout(0.01)
    port = start_relay(root, tab, target.getsockname()[1], "udp")
    device = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    device.bind(("127.0.0.1", 0))
    device.settimeout(0.01)
    device.sendto(b"ping", ("127.0.0.1", port))
    got: list[tuple[bytes, Any]] = []

    def heard(sock: socket.socket) -> bool:
        try:
            got.append(sock.recvfrom(100))
        except TimeoutError:
            return False
        return True

    pump_until(root, lambda: heard(target), what="the datagram at the target")
    target.sendto(b"pong", got[0][1])
    pump_until(root, lambda: heard(device), what="the answer at the device")
    assert got[1][0] == b"pong"
    pump_until(root, lambda: tab.totals["server → client"][1] == 4, what="counted")
    tab.flush()
    lanes = [(r.lane, r.data) for r in tab.log.records if r.lane]
    assert lanes == [("relay.up", b"ping"), ("relay.down", b"pong")]
    assert device.getsockname() in tab.peers.rows
    device.close()
    target.close()


def test_bad_fields_are_flagged_not_started(window: Any, root: tk.Tk) -> None:
    tab = window.new_tab("relay")
    set_field(tab.target, "127.0.0.1:0")
    assert not tab.start()
    assert tab.target.instate(["invalid"])
    set_field(tab.target, "no port here")
    assert not tab.start()
    assert tab.target.instate(["invalid"])
    assert tab.endpoint is None


def test_the_target_and_protocol_are_remembered(root: tk.Tk, config_dir: Any) -> None:
    from gui.app import MainWindow

    first = MainWindow(root)
    tab = first.new_tab("relay")
    set_field(tab.target, "192.0.2.10:502")
    tab.protocol.set("udp")
    first.close()
    again = MainWindow(tk.Tk(className="SocketLabTest"))
    try:
        reopened = again.new_tab("relay")
        assert isinstance(reopened, RelayTab)
        assert reopened.target.get() == "192.0.2.10:502"
        assert reopened.protocol.get() == "udp"
        assert len(again.tabs()) == 4  # the three of a first start, and this one
    finally:
        again.close()


def test_a_second_run_names_its_own_clients(window: Any, root: tk.Tk) -> None:
    """Pairs are counted from 1 again after Stop and Start: the rows must not name the first run's client."""
    tab = window.new_tab("relay")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(5)
    clients = []
    for _ in range(2):
        port = start_relay(root, tab, server.getsockname()[1])
        device = socket.create_connection(("127.0.0.1", port), timeout=5)
        clients.append(device.getsockname())
        device.sendall(b"hi")
        pump_until(root, lambda: tab.totals["client → server"][1] == 2, what="delivered")
        tab.flush()
        device.close()
        tab.stop()
        pump_until(root, lambda: tab.row.current is State.STOPPED, what="stopped")
        pump_until(root, lambda: not tab.row.holding, what="ready again")
    named = [r.peer for r in tab.log.records if r.lane == "relay.up"]
    assert named == clients
    server.close()

"""The Relay tab's Frames choice and frame check with a real Tk root: one row per frame per direction, live."""

from __future__ import annotations

import socket
import tkinter as tk
from typing import Any

import pytest

from gui.logmodel import ERROR, RECEIVED, SENT
from gui.tabs.relay import RelayTab
from tests.gui.conftest import pump_until
from tests.gui.test_relay_tab import open_relay_from_menu, recv_pumping, start_relay

pytestmark = pytest.mark.gui


def accept_pumping(root: tk.Tk, server: socket.socket) -> socket.socket:
    server.settimeout(0.01)
    accepted: list[socket.socket] = []

    def accept() -> bool:
        try:
            accepted.append(server.accept()[0])
        except TimeoutError:
            return False
        return True

    pump_until(root, accept, what="the relay connected to the server")
    return accepted[0]


def data_rows(tab: RelayTab) -> list[tuple[str, str, bytes]]:
    tab.flush()
    return [(r.kind, r.lane, r.data) for r in tab.log.records if r.kind in (SENT, RECEIVED)]


def pick(root: tk.Tk, tab: RelayTab, name: str) -> None:
    tab.check.set(name)
    tab.check.widget.event_generate("<<ComboboxSelected>>")
    root.update()


def test_relay_tab_frames_choice_gives_a_row_per_frame_each_way_and_changes_live(window: Any, root: tk.Tk) -> None:
    tab = open_relay_from_menu(window)
    assert tab.frames.choose("len:2be")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = start_relay(root, tab, server.getsockname()[1])
    device = socket.create_connection(("127.0.0.1", port), timeout=5)
    device.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    upstream = accept_pumping(root, server)
    stream = b"\x00\x03abc\x00\x01z\x00\x02hi"
    for start, end in ((0, 1), (1, 6), (6, len(stream))):  # a prefix split, then a frame and a half, the rest
        device.sendall(stream[start:end])
        assert recv_pumping(root, upstream, end - start) == stream[start:end]  # forwarded at once
    upstream.sendall(b"\x00\x02ok\x00\x04done")  # two frames in one send
    assert recv_pumping(root, device, 10) == b"\x00\x02ok\x00\x04done"
    pump_until(root, lambda: len(data_rows(tab)) == 5, what="five frame rows")
    assert data_rows(tab) == [(SENT, "relay.up", b"\x00\x03abc"), (SENT, "relay.up", b"\x00\x01z"),
                              (SENT, "relay.up", b"\x00\x02hi"), (RECEIVED, "relay.down", b"\x00\x02ok"),
                              (RECEIVED, "relay.down", b"\x00\x04done")]
    tab.frames.box.set("lines")  # typed while running, then leaving the box: applied to the live pair
    tab.frames.box.event_generate("<FocusOut>")
    root.update()
    device.sendall(b"one\ntwo\npart")
    assert recv_pumping(root, upstream, 12) == b"one\ntwo\npart"
    pump_until(root, lambda: len(data_rows(tab)) == 7, what="two line rows")
    me = device.getsockname()
    device.close()  # the device's FIN: its open frame is shown, flagged incomplete, named by the device
    pump_until(root, lambda: any(r.key == "frames.incomplete" for r in tab.log.records), what="incomplete row")
    assert data_rows(tab)[5:] == [(SENT, "relay.up", b"one\n"), (SENT, "relay.up", b"two\n"),
                                  (SENT, "relay.up", b"part")]
    flag = next(r for r in tab.log.records if r.key == "frames.incomplete")
    assert flag.kind == ERROR and flag.peer == me
    assert "Incomplete frame (4 B)" in tab.log.shown_text()
    pump_until(root, lambda: tab.totals["client → server"][0] == len(stream) + 12, what="counted")
    assert tab.totals["server → client"][0] == 10
    assert window.settings.tabs["relay"].frame == "lines"
    upstream.close()
    server.close()


def test_relay_tab_checks_each_frame_with_the_chosen_checksum(window: Any, root: tk.Tk) -> None:
    tab = open_relay_from_menu(window)
    assert tab.frames.choose("fixed:8")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = start_relay(root, tab, server.getsockname()[1])
    pick(root, tab, "crc16-modbus")  # chosen while running: the relay checks from now on
    assert tab.frame_settings().check == "crc16-modbus" and tab.check.widget.get() == "CRC16 Modbus"
    device = socket.create_connection(("127.0.0.1", port), timeout=5)
    upstream = accept_pumping(root, server)
    frames = bytes.fromhex("01 03 00 00 00 0A C5 CD 01 03 00 00 00 0A 00 00")
    device.sendall(frames)
    assert recv_pumping(root, upstream, 16) == frames  # the bad frame is forwarded unchanged
    pump_until(root, lambda: any(r.key == "frames.bad_check" for r in tab.log.records), what="flag")
    flags = [r for r in tab.log.records if r.key.startswith("frames.")]
    assert len(flags) == 1 and flags[0].peer == device.getsockname()
    assert "Bad checksum (crc16-modbus)" in tab.log.shown_text()
    assert window.settings.tabs["relay"].checksum == "crc16-modbus"
    device.close()
    upstream.close()
    server.close()

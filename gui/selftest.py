"""``python main.py --self-test`` with a display: drive the real window through a loopback exchange.

A server tab and a client tab in one window, on 127.0.0.1 with a port the system
picks; hex mode both ways; the checks pass only if each log shows exactly what
the other side sent. Settings go to a temporary directory, never the user's.
"""

from __future__ import annotations

import tempfile
import time
import tkinter as tk
from collections.abc import Callable
from pathlib import Path

from gui.app import MainWindow
from gui.logmodel import RECEIVED, SENT
from gui.settings import SettingsStore
from gui.tabs.base import EndpointTab
from netcore.events import State
from netcore.payload import format_hex

Check = tuple[str, bool, str]
CLIENT_BYTES = bytes.fromhex("48 65 6C 6C 6F 00 FF 0D 0A")
SERVER_BYTES = bytes.fromhex("DE AD BE EF 7F 80")


def _wait(root: tk.Tk, condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        root.update()
        time.sleep(0.005)
    return True


def _logged(tab: EndpointTab, kind: str, data: bytes) -> bool:
    got = b"".join(r.data for r in tab.log.records if r.kind == kind)
    return data in got


def _send_hex(tab: EndpointTab, data: bytes) -> bool:
    tab.send_bar.mode.set("hex")
    tab.send_bar.line_ending.set("none")
    tab.send_bar.set_text(format_hex(data))
    return tab.send_bar.send()


def _exchange(window: MainWindow, timeout: float) -> list[Check]:
    root = window.root
    server, client = window.new_tab("tcp_server"), window.new_tab("tcp_client")
    for tab, host in ((server, "127.0.0.1"), (client, "127.0.0.1")):
        tab.row.host.set(host)
        tab.row.port.delete(0, "end")
    server.row.port.insert(0, "0")
    checks: list[Check] = []
    ok = server.start() and _wait(root, lambda: server.row.current is State.LISTENING, timeout)
    checks.append(("window: server tab listens", ok, str(server.local_address)))
    if not ok or server.local_address is None:
        return checks
    client.row.port.insert(0, str(server.local_address[1]))
    ok = client.start() and _wait(root, lambda: client.row.current is State.CONNECTED, timeout)
    checks.append(("window: client tab connects", ok, str(client.local_address)))
    if not ok:
        return checks
    ok = _send_hex(client, CLIENT_BYTES) and _wait(root, lambda: _logged(server, RECEIVED, CLIENT_BYTES), timeout)
    checks.append(("window: client → server, hex", ok and _logged(client, SENT, CLIENT_BYTES), CLIENT_BYTES.hex(" ")))
    ok = _send_hex(server, SERVER_BYTES) and _wait(root, lambda: _logged(client, RECEIVED, SERVER_BYTES), timeout)
    checks.append(("window: server → client, hex", ok and _logged(server, SENT, SERVER_BYTES), SERVER_BYTES.hex(" ")))
    server.display_var.set("hex")
    server.apply_display()
    shown = server.log.shown_text()
    ok = format_hex(CLIENT_BYTES) in shown and format_hex(SERVER_BYTES) in shown
    checks.append(("window: server log shows both in hex", ok, f"{len(shown)} characters shown"))
    return checks


def run_window_self_test(timeout: float = 10.0) -> list[Check]:
    """Open the window, exchange bytes between two of its tabs, close it; the checks made."""
    try:
        root = tk.Tk(className="SocketLab")
    except tk.TclError as error:
        return [("window: open", False, str(error))]
    root.withdraw()
    with tempfile.TemporaryDirectory(prefix="socketlab-selftest-") as directory:
        window = MainWindow(root, SettingsStore(Path(directory)), open_tabs=False)
        try:
            checks = _exchange(window, timeout)
        except Exception as error:  # noqa: BLE001  # a crash is a failed check, not a traceback
            checks = [("window: loopback exchange", False, repr(error))]
        finally:
            started = time.monotonic()
            window.close()
            checks_close = ("window: closes with endpoints running", time.monotonic() - started < 2.0,
                            f"{time.monotonic() - started:.2f} s")
    return [*checks, checks_close]

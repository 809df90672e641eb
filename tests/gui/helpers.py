"""Helpers for GUI tests: start tabs on loopback and wait for what the logs show."""

from __future__ import annotations

import socket
import tkinter as tk

from gui.logmodel import RECEIVED, SENT
from gui.tabs.base import EndpointTab
from netcore.events import State
from tests.gui.conftest import pump_until


def set_field(entry: tk.Misc, text: str) -> None:
    """Replace an Entry/Combobox's text, as typing would."""
    entry.delete(0, "end")  # type: ignore[attr-defined]
    entry.insert(0, text)  # type: ignore[attr-defined]


def start_listening(root: tk.Tk, tab: EndpointTab, host: str = "127.0.0.1", port: int = 0) -> int:
    """Start a server/UDP tab on ``host`` and return the port it got."""
    set_field(tab.row.host, host)
    set_field(tab.row.port, str(port))
    assert tab.start()
    pump_until(root, lambda: tab.local_address is not None and tab.row.current in (State.LISTENING, State.BOUND),
               what="listening")
    assert tab.local_address is not None
    return tab.local_address[1]


def connect(root: tk.Tk, tab: EndpointTab, port: int, host: str = "127.0.0.1") -> None:
    """Connect a client tab."""
    set_field(tab.row.host, host)
    set_field(tab.row.port, str(port))
    assert tab.start()
    pump_until(root, lambda: tab.row.current is State.CONNECTED, what="connected")


def received(tab: EndpointTab) -> bytes:
    """Every byte the tab received (from its spool: exact, never trimmed)."""
    return tab.spool.read_all()


def logged(tab: EndpointTab, kind: str = RECEIVED) -> bytes:
    """The payload bytes of the log rows of ``kind`` (received or sent), joined."""
    return b"".join(r.data for r in tab.log.records if r.kind == kind)


def send_text(tab: EndpointTab, text: str, mode: str = "text", encoding: str = "utf-8",
              line_ending: str = "none") -> bool:
    """Type into the send bar and press Send."""
    bar = tab.send_bar
    bar.mode.set(mode)
    bar.encoding.set(encoding)
    bar.line_ending.set(line_ending)
    bar.set_text(text)
    return bar.send()


def recv_until(sock: socket.socket, size: int, root: tk.Tk) -> bytes:
    """Read ``size`` bytes from a blocking-with-timeout socket while pumping Tk."""
    sock.settimeout(0.01)
    data = b""

    def more() -> bool:
        nonlocal data
        try:
            chunk = sock.recv(65536)
        except (TimeoutError, BlockingIOError):
            return False
        data += chunk
        return len(data) >= size or not chunk

    pump_until(root, more, what=f"{size} bytes on the socket")
    return data


__all__ = ["RECEIVED", "SENT", "connect", "logged", "received", "recv_until", "send_text", "set_field",
           "start_listening"]

""""Set it up for me": open and fill the tabs a lesson needs (the student still presses Start).

Ports are free ones the system picks now, so the tabs of one lesson point at each
other; lesson 2 also starts Python's own ``http.server`` on loopback to talk HTTP to.
"""

from __future__ import annotations

import functools
import http.server
import socket
import threading
from typing import TYPE_CHECKING

from netcore.session.course import Lesson

if TYPE_CHECKING:
    from gui.app import MainWindow
    from gui.tabs.base import EndpointTab

LOOPBACK = "127.0.0.1"


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    """A port nothing uses right now on 127.0.0.1 (TCP or UDP)."""
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


class LessonWebServer:
    """Python's http.server on loopback, serving a small page, for the HTTP lesson."""

    def __init__(self, directory: str) -> None:
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=directory)
        self.server = http.server.ThreadingHTTPServer((LOOPBACK, 0), handler)
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, name="socketlab-lesson-http", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _fill(tab: EndpointTab, host: str, port: int) -> None:
    for entry, value in ((tab.row.host, host), (tab.row.port, str(port))):
        entry.delete(0, "end")
        entry.insert(0, value)


def _tab(window: MainWindow, kind: str, used: list[EndpointTab]) -> EndpointTab:
    """A stopped tab of ``kind`` not yet used by this set-up (a new one if none)."""
    for tab in window.tabs():
        if tab.kind == kind and tab not in used and not tab.running:
            used.append(tab)
            return tab
    tab = window.new_tab(kind)
    used.append(tab)
    return tab


def set_up(window: MainWindow, lesson: Lesson) -> list[EndpointTab]:
    """Open and fill the lesson's tabs; returns them in the lesson's order."""
    kinds = [kind.replace("-", "_") for kind in lesson.setup.get("tabs", "").split(",") if kind]
    used: list[EndpointTab] = []
    tabs = [_tab(window, kind, used) for kind in kinds]
    tcp, udp = free_port(), free_port(socket.SOCK_DGRAM)
    if lesson.id == "ports":
        udp = tcp
    if lesson.setup.get("http_server") == "on":
        tcp = window.teaching.web_server().port
    udp_ports = iter([udp, free_port(socket.SOCK_DGRAM)])
    udp_tabs = []
    for tab in tabs:
        if tab.kind == "udp":
            port = next(udp_ports, udp)
            _fill(tab, LOOPBACK, port)
            udp_tabs.append((tab, port))
        else:
            _fill(tab, LOOPBACK, tcp)
        reply = lesson.setup.get("reply")
        if reply and tab.kind == "tcp_server":
            tab.reply.kind.set(reply)  # type: ignore[attr-defined]
        if lesson.setup.get("step") == "on" and tab.kind == "tcp_server":
            tab.views.stepping.set(True)
            tab.views.show("calls")
    if len(udp_tabs) == 2:  # each UDP tab sends to the other
        for (tab, _port), (_other, target) in zip(udp_tabs, reversed(udp_tabs), strict=True):
            tab.target.delete(0, "end")  # type: ignore[attr-defined]
            tab.target.insert(0, f"{LOOPBACK}:{target}")  # type: ignore[attr-defined]
    if tabs:
        window.notebook.select(tabs[0])  # type: ignore[no-untyped-call]  # untyped in typeshed
    return tabs

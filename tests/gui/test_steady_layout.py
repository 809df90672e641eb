"""Nothing jumps: a banner, a send error, "Others on your network…" or "Last sender" appearing
leave every other widget where it was (their room is kept). Real Tk root, loopback sockets.
"""

from __future__ import annotations

import tkinter as tk
from functools import partial
from typing import Any

import pytest

from gui.eventrows import problem_text
from gui.i18n import later, tr
from netcore.events import ErrorEvent
from netcore.problems import PROBLEMS
from tests.gui.conftest import pump_for, pump_until
from tests.gui.helpers import start_listening


def _places(*widgets: tk.Misc) -> list[tuple[int, int, int, int]]:
    return [(w.winfo_rootx(), w.winfo_rooty(), w.winfo_width(), w.winfo_height()) for w in widgets]


def test_banners_and_messages_do_not_move_the_log(window: Any, root: tk.Tk) -> None:
    server, client, udp = window.tabs()
    for tab in (server, client, udp):
        window.notebook.select(tab)
        pump_for(root, 0.1)
        before = _places(tab.log.text, tab.send_bar.input, tab.counters_bar.received)
        tab.row.set_info_from(lambda: tr("problem.address_in_use", port=9000, host="0.0.0.0") + " "
                              + tr("hint.address_in_use"), "error")  # the longest a banner is
        assert tab.row.info_label.winfo_reqheight() > 0
        tab.send_bar.show_error(later("send.not_listening"))
        pump_for(root, 0.1)
        assert _places(tab.log.text, tab.send_bar.input, tab.counters_bar.received) == before, tab.kind
        tab.row.set_info("")
        tab.send_bar.show_error(None)
        pump_for(root, 0.1)
        assert _places(tab.log.text, tab.send_bar.input, tab.counters_bar.received) == before, tab.kind


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_error_banner_fits_its_two_lines(window: Any, root: tk.Tk, language: str) -> None:
    window.set_language(language)
    client = window.tabs()[1]
    window.notebook.select(client)
    pump_for(root, 0.1)
    before = _places(client.log.text)
    for code in PROBLEMS:
        params = {"address": "[fe80::1234:5678:9abc:def0]:65535", "host": "fe80::1234:5678:9abc:def0",
                  "port": "65535", "timeout": "5", "detail": "x", "name": "some.long.host.name.example"}
        event = ErrorEvent(endpoint="x", code=code, message="", hint="", params=params)
        client.row.set_info_from(partial(problem_text, event), "error")
        pump_for(root, 0.02)
        assert _places(client.log.text) == before, code


def test_listening_and_last_sender_do_not_move_anything(window: Any, root: tk.Tk) -> None:
    server, _client, udp = window.tabs()
    pump_for(root, 0.1)
    before = _places(server.log.text, server.peers.tree)
    start_listening(root, server, host="0.0.0.0")
    pump_until(root, lambda: bool(server.row.info_label.cget("text")), what="reachable line")
    assert _places(server.log.text, server.peers.tree) == before
    window.notebook.select(udp)
    pump_for(root, 0.1)
    before = _places(udp.log.text, udp.reply, udp.target)
    port = start_listening(root, udp)
    udp.target.delete(0, "end")
    udp.target.insert(0, f"127.0.0.1:{port}")
    assert udp.send_bar.send("to myself")
    pump_until(root, lambda: bool(udp.last_sender.cget("text")), what="last sender shown")
    pump_for(root, 0.05)
    assert _places(udp.log.text, udp.reply, udp.target) == before

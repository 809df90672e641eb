"""The traffic log as a user reads it: it follows new rows, rows read whole, one row's full text.

Real Tk root, real sockets on 127.0.0.1.
"""

from __future__ import annotations

import socket
import tkinter as tk
from typing import Any

from gui.logmodel import ERROR, LogRecord
from gui.tabs.base import EndpointTab
from netcore.events import State
from tests.gui.conftest import pump_for, pump_until
from tests.gui.helpers import connect, send_text, set_field, start_listening


def _last_row_visible(tab: EndpointTab) -> bool:
    text = tab.log.text
    return text.dlineinfo("end-1c linestart") is not None and text.yview()[1] >= 0.999


def _refused_port() -> tuple[socket.socket, int]:
    """A port on 127.0.0.1 where nothing listens (held, so no one else takes it)."""
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    return holder, holder.getsockname()[1]


def test_the_log_follows_new_rows_after_a_red_error_banner(window: Any, root: tk.Tk) -> None:
    client = window.tabs()[1]
    window.notebook.select(client)
    holder, port = _refused_port()
    try:
        for attempt in range(8):
            set_field(client.row.host, "127.0.0.1")
            set_field(client.row.port, str(port))
            assert client.start()
            pump_until(root, lambda: client.endpoint is None and client.row.current is State.ERROR, what="refused")
            pump_until(root, lambda: client.log.pending == 0, what="rows drawn")
            pump_for(root, 0.05)
            assert _last_row_visible(client), f"attempt {attempt + 1}: the newest row is out of view"
    finally:
        holder.close()
    assert client.log.text.yview()[0] > 0  # the log really did overflow its view


def test_the_log_stays_where_the_user_scrolled_to(window: Any, root: tk.Tk) -> None:
    client = window.tabs()[1]
    window.notebook.select(client)
    holder, port = _refused_port()
    try:
        for _ in range(12):
            set_field(client.row.port, str(port))
            client.start()
            pump_until(root, lambda: client.endpoint is None and client.row.current is State.ERROR, what="refused")
        pump_until(root, lambda: client.log.pending == 0)
        assert client.log.text.yview()[0] > 0  # it overflows: there is somewhere to scroll to
        client.log.text.event_generate("<Prior>")  # Page Up, as a user would
        client.log.text.yview_moveto(0.0)
        client.log.user_scrolled()
        assert not client.log.following
        client.start()
        pump_until(root, lambda: client.endpoint is None and client.row.current is State.ERROR, what="refused again")
        pump_for(root, 0.1)
        assert client.log.text.yview()[0] == 0.0  # not yanked to the end
        client.log.text.yview_moveto(1.0)
        client.log.user_scrolled()
        assert client.log.following
    finally:
        holder.close()


def _line_of(tab: EndpointTab, needle: str) -> str:
    text = tab.log.text
    for number, line in enumerate(text.get("1.0", "end-1c").splitlines(), start=1):
        if needle in line:
            return str(number)
    raise AssertionError(f"{needle!r} not in the log")


def test_call_rows_leave_the_peer_to_its_column_and_wrap(window: Any, root: tk.Tk) -> None:
    window.settings.show_calls = window.settings.show_data_calls = True
    server, client, _udp = window.tabs()
    window.notebook.select(client)
    connect(root, client, start_listening(root, server))
    assert send_text(client, "fifteen bytes!!")
    pump_until(root, lambda: "send(15 bytes)" in client.log.shown_text(), what="the send call row")
    line = client.log.text.get(f"{_line_of(client, 'send(15 bytes)')}.0", f"{_line_of(client, 'send(15 bytes)')}.end")
    cells = line.split("\t")
    assert cells[-1].startswith("send(15 bytes) -> 15"), cells  # the payload column, not under the byte counts
    assert cells[-2] == "" and "[" not in cells[-1], cells  # no [peer] again: the peer column shows it
    client.log.add(LogRecord(ERROR, 0.0, ("127.0.0.1", 9), key="problem.address_in_use",
                             params={"port": "9000", "host": "0.0.0.0"}, hint_key="hint.address_in_use"))
    client.log.flush()
    root.update()
    number = _line_of(client, "9000")
    text = client.log.text
    assert int(text.count(f"{number}.0", f"{number}.end", "displaylines")[0]) >= 1  # it wraps
    assert not client.log.tip.clipped(number)  # and so reads whole


def test_a_long_row_shows_whole_in_a_tip(window: Any, root: tk.Tk) -> None:
    server, client, _udp = window.tabs()
    window.notebook.select(client)
    connect(root, client, start_listening(root, server))
    payload = "0123456789" * 30 + "END"
    assert send_text(client, payload)
    pump_until(root, lambda: "END" in client.log.shown_text(), what="the long row")
    root.update()
    number = _line_of(client, "END")
    text = client.log.text
    assert client.log.tip.clipped(number)  # it ends out of view
    x, y, _w, h = text.bbox(f"{number}.0")
    text.event_generate("<Motion>", x=x + 20, y=y + h // 2)
    pump_until(root, lambda: "END" in client.log.tip.shown, timeout=3, what="the tip on hover")
    assert payload in client.log.tip.shown.replace("\n", "")
    text.event_generate("<Leave>")
    root.update()
    assert client.log.tip.shown == ""
    text.event_generate("<ButtonRelease-1>", x=x + 20, y=y + h // 2)  # a click shows it at once
    assert "END" in client.log.tip.shown


def test_the_log_says_which_encoding_decodes_its_rows(window: Any, root: tk.Tk) -> None:
    server, client, _udp = window.tabs()
    connect(root, client, start_listening(root, server))
    assert send_text(server, "中文", encoding="gbk")  # as a GBK device would send it
    pump_until(root, lambda: bool(client.log.records) and client.counters.bytes_in == 4, what="4 bytes in")
    assert client.text_button.cget("text") == "Text as UTF-8"
    client.send_bar.encoding.set("gbk")
    client.send_bar.encoding.widget.event_generate("<<ComboboxSelected>>")
    root.update()
    assert client.text_button.cget("text") == "Text as GBK"  # the send bar's choice shows where it acts
    assert "中文" in client.log.shown_text()

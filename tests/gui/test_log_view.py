"""The traffic log as a user reads it: it follows new rows, rows read whole, one row's full text.

Real Tk root, real sockets on 127.0.0.1.
"""

from __future__ import annotations

import socket
import tkinter as tk
from typing import Any

from gui.tabs.base import EndpointTab
from netcore.events import State
from tests.gui.conftest import pump_for, pump_until
from tests.gui.helpers import set_field


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

"""简体中文 leaves no English: after switching language, every widget, menu, heading, tab
title and message a user can trigger is in Chinese.

Two checks on every visible text: no literal piece of an English catalogue value that
Chinese translates differently, and no English word (three letters or more) that the
Chinese catalogue itself does not use (SocketLab, UDP, recv…). Real Tk root, loopback
sockets; the messages are triggered both before and after the switch.
"""

from __future__ import annotations

import re
import socket
import tkinter as tk
from collections.abc import Iterator
from pathlib import Path
from tkinter import ttk
from typing import Any

from gui.locales import CATALOGS
from netcore.events import State
from tests.gui.conftest import pump_for, pump_until
from tests.gui.helpers import connect, set_field, start_listening

SLOT = re.compile(r"\{[^}]*\}")
WORD = re.compile(r"[A-Za-z][A-Za-z_]{2,}(?![0-9])")
EXTRA_WORDS = {"English", "UTF", "GBK", "Latin", "eth0", "localhost", "lo", "Sun", "Valley", "ok", "bytes",
               "txt", "SOCK_STREAM", "SOCK_DGRAM", "AF_INET", "AF_INET6", "SOL_SOCKET", "SO_REUSEADDR", "Ctrl", "Shift"}
"""Words allowed besides those the Chinese catalogue uses: names, encodings, the socket-call trace."""


def english_pieces() -> set[str]:
    """Literal parts of English texts whose Chinese differs (slots removed; not names Chinese uses too)."""
    pieces, allowed = set(), allowed_words()
    for key, english in CATALOGS["en"].items():
        if CATALOGS["zh"].get(key) == english:
            continue
        for piece in SLOT.split(english):
            piece = piece.strip(" .,:;()—-")
            if len(piece) >= 4 and set(WORD.findall(piece)) - allowed:
                pieces.add(piece)
    return pieces


def allowed_words() -> set[str]:
    words = {w for text in CATALOGS["zh"].values() for w in WORD.findall(text)}
    return words | EXTRA_WORDS


def _menu_labels(menu: tk.Menu) -> Iterator[str]:
    last = menu.index("end")
    for index in range(0 if last is None else last + 1):
        if menu.type(index) in ("command", "cascade", "checkbutton", "radiobutton"):
            label = str(menu.entrycget(index, "label"))
            if label not in ("English",):
                yield label
            if menu.type(index) == "cascade":
                yield from _menu_labels(menu.nametowidget(menu.entrycget(index, "menu")))


def visible_texts(widget: tk.Misc) -> Iterator[tuple[str, str]]:
    """(where, text) for everything ``widget`` and its children show."""
    name = str(widget)
    if isinstance(widget, (tk.Tk, tk.Toplevel)):
        yield name, widget.title()
    if isinstance(widget, ttk.Notebook):
        for tab in widget.tabs():  # type: ignore[no-untyped-call]
            yield name, str(widget.tab(tab, "text"))  # type: ignore[no-untyped-call]
    if isinstance(widget, ttk.Treeview):
        for column in widget["columns"]:
            yield name, str(widget.heading(column, "text"))
    if isinstance(widget, ttk.Combobox):
        yield name, widget.get()
        yield from ((name, str(v)) for v in widget.cget("values"))
    elif isinstance(widget, tk.Menu):
        yield from ((name, label) for label in _menu_labels(widget))
    elif isinstance(widget, tk.Text):
        if "codeview" not in name and widget.cget("state") == "disabled":  # the log (not the input, not code)
            yield name, widget.get("1.0", "end-1c")
    elif "text" in widget.keys():  # noqa: SIM118  # Tk option names, not a dict
        yield name, str(widget.cget("text"))
    for child in widget.winfo_children():
        if isinstance(child, (tk.Menu, tk.Toplevel)) or child.winfo_manager():  # not hidden on purpose
            yield from visible_texts(child)


CALL_TRACE = re.compile(r"^(\[[^\]]*\] )?[a-z_]+\(.*\) -> ")
"""A socket call as Python shows it (``bind(('0.0.0.0', 0)) -> ok``): code, not English."""


def english_left(root: tk.Tk, skip: tuple[tk.Misc, ...] = ()) -> list[str]:
    pieces, allowed = english_pieces(), allowed_words()
    patterns = [(piece, re.compile(rf"(?<![A-Za-z]){re.escape(piece)}(?![A-Za-z])")) for piece in pieces]
    skipped = {str(widget) for widget in skip}
    found = []
    for where, text in visible_texts(root):
        if where in skipped:
            continue
        for line in text.splitlines():
            if CALL_TRACE.match(line.split("\t")[-1]):
                continue
            hits = [piece for piece, pattern in patterns if pattern.search(line)]
            words = [w for w in WORD.findall(line) if w not in allowed]
            if hits or words:
                found.append(f"{where}: {line!r} {hits or words}")
    return found


def trigger_messages(window: Any, root: tk.Tk, tmp_path: Path, peers: list[socket.socket]) -> None:
    """The messages a user can cause: saved, copied, file sent, send errors, banners, input errors."""
    server, client, udp = window.tabs()
    port = start_listening(root, server)
    connect(root, client, port)
    peers.append(socket.create_connection(("127.0.0.1", port)))
    source = tmp_path / "small.bin"
    source.write_bytes(b"12345")
    assert client.send_file(source)
    pump_until(root, lambda: client.file_sender is not None and not client.file_sender.active, what="file sent")
    window.write_log(udp, tmp_path / "日志1.txt")
    window.status.copy()
    server.send_bar.mode.set("hex")
    server.send_bar.set_text("zz")
    pump_for(root, 0.05)  # the input's <<Modified>> first: it clears a stale error
    assert not server.send_bar.send()
    udp.send_bar.repeat.interval.delete(0, "end")
    udp.send_bar.repeat.toggle()
    assert udp.send_bar.error.cget("text")
    set_field(udp.row.port, "99999")
    udp.start()
    code = window.show_code()
    code.copy()
    pump_for(root, 0.1)
    assert server.send_bar.error.cget("text") and client.send_bar.error.cget("text")
    assert window.status.message.cget("text") and udp.row.info_label.cget("text")


def test_chinese_leaves_no_english_after_the_switch(window: Any, root: tk.Tk, tmp_path: Path) -> None:
    peers: list[socket.socket] = []
    try:
        trigger_messages(window, root, tmp_path, peers)  # in English, then switch
        window.set_language("zh")
        pump_for(root, 0.1)
        code = (window.code_view.text, window.tabs()[2].target)  # the Python script is code, in English on
        # purpose; the UDP target box (a combobox) shows what the test typed in it
        assert (left := english_left(root, code)) == [], "\n".join(left)
        trigger_messages_again(window, root, tmp_path)
        assert (left := english_left(root, code)) == [], "\n".join(left)
        for tab in window.tabs():  # every view of every tab, as a user would open them now
            views = getattr(tab, "views", None)
            for name in getattr(views, "_frames", {}):
                window.notebook.select(tab)
                views.show(name)
                pump_for(root, 0.1)
                assert (left := english_left(root, code)) == [], f"{tab.kind} {name}:\n" + "\n".join(left)
    finally:
        for peer in peers:
            peer.close()


def trigger_messages_again(window: Any, root: tk.Tk, tmp_path: Path) -> None:
    """Now in Chinese: the same kinds of messages, and the tabs stopped (peer closed, stopped states)."""
    server, client, udp = window.tabs()
    window.write_log(server, tmp_path / "日志2.txt")
    client.send_bar.set_text("abc")
    client.stop()
    pump_until(root, lambda: client.row.current is State.STOPPED, what="client stopped")
    client.send_bar.send()
    udp.reply_last.set(False)
    set_field(udp.target, "nowhere")
    udp.send_bar.set_text("x")
    udp.send_bar.send()
    pump_for(root, 0.2)

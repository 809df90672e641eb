"""Help → Python code for this tab: the window, its code, Copy, Save, Ctrl+K, languages."""

from __future__ import annotations

import tkinter as tk
from pathlib import Path
from typing import Any

import pytest

from gui import i18n
from gui.i18n import tr
from netcore.lessons import python_code
from tests.gui.conftest import pump_until
from tests.gui.helpers import set_field

pytestmark = pytest.mark.gui


def _help_menu(window: Any) -> tk.Menu:
    bar: tk.Menu = window.menus.menubar
    for index in range(bar.index("end") + 1):
        if bar.type(index) == "cascade" and bar.entrycget(index, "label") == tr("menu.help"):
            menu: tk.Menu = window.root.nametowidget(bar.entrycget(index, "menu"))
            return menu
    raise AssertionError("no Help menu")


def _invoke(menu: tk.Menu, label: str) -> None:
    for index in range(menu.index("end") + 1):
        if menu.type(index) == "command" and menu.entrycget(index, "label") == label:
            menu.invoke(index)
            return
    raise AssertionError(f"no menu entry {label!r}")


def _shown(view: Any) -> str:
    text: str = view.text.get("1.0", "end-1c")
    return text


def test_the_help_menu_opens_the_code_of_the_current_tab_and_copy_copies_it(window: Any, root: tk.Tk) -> None:
    server = window.tabs()[0]
    set_field(server.row.host, "127.0.0.1")
    set_field(server.row.port, "9876")
    server.reply.kind.set("hello")
    window.notebook.select(server)
    root.update()
    _invoke(_help_menu(window), "Python code for this tab…")
    view = window.code_view
    pump_until(root, lambda: view.top.winfo_ismapped(), what="code window shown")
    code = _shown(view)
    assert code == python_code("tcp_server", "127.0.0.1", 9876, "hello")
    assert "PORT = 9876" in code and "Welcome!" in code
    assert view.top.title() == "Python code: TCP Server"
    assert str(view.text.cget("state")) == "disabled"  # read-only
    assert view.top.grab_current() is None  # not modal: the main window still works
    root.clipboard_clear()
    view.copy_button.invoke()
    assert root.clipboard_get() == code
    assert view.status.cget("text") == f"Copied {code.count(chr(10))} lines to the clipboard."


def test_ctrl_k_shows_the_selected_tab_in_the_same_window(window: Any, root: tk.Tk) -> None:
    server, client = window.tabs()[0], window.tabs()[1]
    set_field(server.row.port, "9001")
    window.notebook.select(server)
    root.update()
    first = window.show_code()
    set_field(client.row.port, "4321")
    set_field(client.timeout, "2")
    window.notebook.select(client)
    root.focus_force()
    client.row.port.focus_set()
    client.row.port.icursor(0)
    root.update()
    client.row.port.event_generate("<Control-k>")
    root.update()
    assert window.code_view is first  # the same window, now for the client
    code = _shown(first)
    assert "PORT = 4321" in code and "TIMEOUT = 2.0" in code and "create_connection(" in code
    assert client.row.port.get() == "4321"  # Ctrl+K did not delete the field's text (Tk's own Ctrl+K)


def test_save_writes_the_script(window: Any, root: tk.Tk, tmp_path: Path) -> None:
    udp = window.tabs()[2]
    udp.reply.kind.set("echo")
    window.notebook.select(udp)
    root.update()
    view = window.show_code()
    assert view.stem == "udp_echo"
    saved = view.write(tmp_path / "udp_echo.py")
    assert saved is not None and saved.read_text(encoding="utf-8") == _shown(view)
    assert "sock.sendto(data, addr)" in saved.read_text(encoding="utf-8")
    assert view.status.cget("text") == "Saved udp_echo.py"


def test_bad_fields_and_custom_replies_are_explained(window: Any, root: tk.Tk) -> None:
    server = window.tabs()[0]
    set_field(server.row.port, "port?")
    server.reply.kind.set("custom")
    window.notebook.select(server)
    root.update()
    view = window.show_code()
    code = _shown(view)
    assert "PORT = 9000" in code and "sendall" not in code
    note = view.note.cget("text")
    assert "custom auto-reply" in note and "The port field is not valid: the code uses 9000 instead." in note


def test_the_window_follows_the_language_and_goes_with_the_main_window(window: Any, root: tk.Tk) -> None:
    window.notebook.select(window.tabs()[2])
    root.update()
    view = window.show_code()
    window.set_language("zh")
    root.update()
    assert view.top.title() == "Python 代码：UDP"
    assert view.copy_button.cget("text") == "复制"
    window.set_language("en")
    view.close()
    assert not view.alive and view.retranslate not in i18n._listeners
    again = window.show_code()
    assert again is not view and again.alive
    window.close()
    assert not again.alive and again.retranslate not in i18n._listeners


def test_the_udp_code_sends_where_the_tab_sends(window: Any, root: tk.Tk, monkeypatch: pytest.MonkeyPatch) -> None:
    from gui.code_view import tab_code

    udp = window.tabs()[2]
    set_field(udp.target, "127.0.0.1:9123")
    udp.broadcast.set(True)
    code, notes = tab_code(udp)
    assert "TARGET = ('127.0.0.1', 9123)" in code and "SO_BROADCAST" in code and not notes
    udp.reply_last.set(True)  # sends go back to the last sender: no fixed target
    assert "TARGET" not in tab_code(udp)[0]
    udp.reply_last.set(False)
    set_field(udp.target, "no port here")
    code, notes = tab_code(udp)
    assert "TARGET" not in code and notes == [("code.note_no_target", {})]
    client = window.tabs()[1]
    assert "python main.py tcp-server" in tab_code(client)[0]
    monkeypatch.setattr("sys.frozen", True, raising=False)  # the PyInstaller executable
    assert "socketlab-cli tcp-server" in tab_code(client)[0]


def test_the_style_choice_shows_the_script_written_that_way(window: Any, root: tk.Tk) -> None:
    server = window.tabs()[0]
    set_field(server.row.host, "127.0.0.1")
    set_field(server.row.port, "9876")
    server.reply.kind.set("hello")
    window.notebook.select(server)
    root.update()
    view = window.show_code()
    assert view.style.get() == "threads"  # the tutorials' way first
    assert _shown(view) == python_code("tcp_server", "127.0.0.1", 9876, "hello") and view.stem == "tcp_server_hello"
    assert [view.style_buttons[s].cget("text") for s in ("threads", "selectors", "asyncio")] == [
        "threads (as the tutorials)", "selectors (as SocketLab)", "asyncio"]
    view.style_buttons["selectors"].invoke()
    root.update()
    assert _shown(view) == python_code("tcp_server", "127.0.0.1", 9876, "hello", style="selectors")
    assert "selectors.DefaultSelector()" in _shown(view) and view.stem == "tcp_server_hello_selectors"
    assert not view.note.winfo_ismapped()
    view.style_buttons["asyncio"].invoke()
    root.update()
    assert _shown(view) == python_code("tcp_server", "127.0.0.1", 9876, "hello", style="asyncio")
    assert view.note.winfo_ismapped() and "event loop makes the socket calls" in view.note.cget("text")
    root.clipboard_clear()
    view.copy_button.invoke()
    assert root.clipboard_get() == _shown(view)  # Copy copies the style shown
    client = window.tabs()[1]  # another tab: the chosen style stays
    set_field(client.row.port, "4321")
    window.notebook.select(client)
    root.update()
    assert window.show_code() is view and view.style.get() == "asyncio"
    assert _shown(view) == python_code("tcp_client", "127.0.0.1", 4321, style="asyncio")
    assert view.stem == "tcp_client_asyncio"
    window.set_language("zh")
    root.update()
    assert view.style_buttons["threads"].cget("text") == "多线程 threading（教程的写法）"
    assert "事件循环" in view.note.cget("text")
    window.set_language("en")
    view.style_buttons["threads"].invoke()
    root.update()
    assert _shown(view) == python_code("tcp_client", "127.0.0.1", 4321) and not view.note.winfo_ismapped()


@pytest.mark.parametrize(("style", "accept", "send"), [("threads", ".accept(", "conn.sendall("),
                                                       ("selectors", ".accept(", ".send("),
                                                       ("asyncio", "async def handle(", "writer.write(")])
def test_the_live_line_follows_the_server_in_each_style(window: Any, root: tk.Tk, style: str, accept: str,
                                                        send: str) -> None:
    import socket

    from tests.gui.helpers import start_listening

    server = window.tabs()[0]
    server.reply.kind.set("echo")
    window.notebook.select(server)
    root.update()
    view = window.show_code()
    view.style_buttons[style].invoke()
    port = start_listening(root, server)
    lines = view.code.splitlines()

    def lit(text: str) -> bool:
        return view.live_line is not None and text in lines[view.live_line - 1].split("  #")[0]

    with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
        pump_until(root, lambda: lit(accept), what=f"{accept} lit")
        client.sendall(b"hi")
        assert client.recv(10) == b"hi"
        pump_until(root, lambda: lit(send), what=f"{send} lit")
    ranges = view.text.tag_ranges("live")
    assert ranges and str(ranges[0]) == f"{view.live_line}.0"

"""The window itself: tabs, shortcuts, language, log, saving, settings, closing."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import tkinter as tk
from pathlib import Path
from tkinter import ttk
from typing import Any

import pytest

from gui import i18n
from gui.app import MainWindow
from netcore.events import State
from tests.gui.conftest import pump_for, pump_until
from tests.gui.helpers import connect, logged, received, send_text, set_field, start_listening

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parents[2]


def test_two_clients_and_a_server_in_one_window(window: Any, root: tk.Tk) -> None:
    server = window.tabs()[0]
    port = start_listening(root, server)
    first, second = window.tabs()[1], window.new_tab("tcp_client")
    assert window.notebook.tab(second, "text") == "TCP Client 2"
    connect(root, first, port)
    connect(root, second, port)
    pump_until(root, lambda: len(server.peers.rows) == 2)
    assert send_text(server, "to everyone")
    pump_until(root, lambda: logged(first) == logged(second) == b"to everyone")


def test_ctrl_w_closes_the_tab_and_stops_its_endpoint(window: Any, root: tk.Tk) -> None:
    server = window.tabs()[0]
    port = start_listening(root, server)
    endpoint = server.endpoint
    window.notebook.select(server)
    root.focus_force()
    server.row.toggle.focus_set()
    root.update()
    server.row.toggle.event_generate("<Control-w>")
    root.update()
    assert server not in window.tabs() and len(window.tabs()) == 2
    pump_until(root, lambda: not endpoint.running, what="endpoint thread ended")
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass


def test_new_tab_menu_opens_each_kind(window: Any, root: tk.Tk) -> None:
    for kind in ("tcp_server", "tcp_client", "udp"):
        tab = window.new_tab(kind)
        assert tab.kind == kind and window.current_tab() is tab
    assert len(window.tabs()) == 6


def test_ctrl_enter_in_the_input_sends_without_a_newline(window: Any, root: tk.Tk) -> None:
    server, client = window.tabs()[0], window.tabs()[1]
    port = start_listening(root, server)
    connect(root, client, port)
    window.notebook.select(client)
    client.send_bar.set_text("typed")
    client.send_bar.input.focus_force()
    root.update()
    client.send_bar.input.event_generate("<Control-Return>")
    pump_until(root, lambda: received(server) == b"typed", what="Ctrl+Enter sent it")
    assert client.send_bar.get_text() == "typed"


def test_history_up_and_down(window: Any, root: tk.Tk) -> None:
    server, client = window.tabs()[0], window.tabs()[1]
    connect(root, client, start_listening(root, server))
    for text in ("one", "two"):
        assert send_text(client, text)
    bar = client.send_bar
    bar.set_text("")
    window.notebook.select(client)
    root.update()
    bar.input.focus_force()
    root.update()
    bar.input.mark_set("insert", "1.0")
    bar.input.event_generate("<Up>")
    assert bar.get_text() == "two"
    bar.input.event_generate("<Up>")
    assert bar.get_text() == "one"
    bar.input.event_generate("<Down>")
    assert bar.get_text() == "two"


def test_repeat_sends_n_times_then_stops(window: Any, root: tk.Tk) -> None:
    server, client = window.tabs()[0], window.tabs()[1]
    connect(root, client, start_listening(root, server))
    client.send_bar.set_text("x")
    repeat = client.send_bar.repeat
    set_field(repeat.interval, "10")
    set_field(repeat.count, "5")
    assert repeat.start() is None
    pump_until(root, lambda: received(server) == b"xxxxx" and not repeat.active, what="5 repeats")
    pump_for(root, 0.1)
    assert received(server) == b"xxxxx"
    set_field(repeat.count, "lots")
    assert "count" in (repeat.start() or "")


def test_send_file_with_progress(window: Any, root: tk.Tk, tmp_path: Path) -> None:
    server, client = window.tabs()[0], window.tabs()[1]
    connect(root, client, start_listening(root, server))
    data = os.urandom(3 * 1024 * 1024 + 17)
    path = tmp_path / "blob.bin"
    path.write_bytes(data)
    assert client.send_file(path)
    pump_until(root, lambda: server.counters.bytes_in == len(data), timeout=30, what="whole file arrived")
    assert received(server) == data
    assert "File sent" in client.send_bar.error.cget("text")


def test_quick_slot_stores_and_sends(window: Any, root: tk.Tk) -> None:
    server, client = window.tabs()[0], window.tabs()[1]
    connect(root, client, start_listening(root, server))
    client.send_bar.set_text("AB CD")
    client.send_bar.mode.set("hex")
    client.send_bar.store_quick(1)
    client.send_bar.mode.set("text")
    assert client.send_bar.send_quick(1)
    pump_until(root, lambda: received(server) == b"\xab\xcd")
    stored = window.saved.messages[1]  # the slot is a view of saved message 2: its name stays, its content changed
    assert (stored.text, stored.mode) == ("AB CD", "hex")
    assert client.send_bar.quick_buttons[1].cget("text").endswith("TCP")  # "3: …RTU" beside it


def test_scrollback_is_bounded_and_counters_stay_exact(window: Any, root: tk.Tk, tmp_path: Path) -> None:
    server = window.tabs()[0]
    window.set_scrollback(1000)
    port = start_listening(root, server)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        pump_until(root, lambda: len(server.peers.rows) == 1)
        total = 0
        for index in range(3000):
            message = f"message {index}\n".encode()
            sock.sendall(message)
            total += len(message)
            if index % 100 == 0:
                root.update()
        pump_until(root, lambda: server.counters.bytes_in == total, timeout=20)
    pump_until(root, lambda: server.log.pending == 0)
    lines = server.log.shown_text().count("\n")
    assert lines <= 1000 and len(server.log.records) <= 1000
    assert server.spool.size == total
    saved = window.write_received(server, tmp_path / "all.bin")
    assert saved is not None and saved.read_bytes().startswith(b"message 0\nmessage 1\n")
    assert saved.stat().st_size == total


def test_save_log_as_text_and_csv(window: Any, root: tk.Tk, tmp_path: Path) -> None:
    server, client = window.tabs()[0], window.tabs()[1]
    connect(root, client, start_listening(root, server))
    assert send_text(client, "hello, \"csv\"")
    pump_until(root, lambda: bool(logged(server)))
    text = window.write_log(server, tmp_path / "log.txt")
    assert text is not None and 'hello, "csv"' in text.read_text(encoding="utf-8")
    csv_path = window.write_log(server, tmp_path / "log.csv")
    assert csv_path is not None
    content = csv_path.read_text(encoding="utf-8-sig")
    assert content.startswith("time,direction,peer,bytes") and '"hello, ""csv"""' in content


def test_unwritable_file_is_a_local_problem_dialog(window: Any, root: tk.Tk, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(window, "local_problem", shown.append)
    assert window.write_log(window.tabs()[0], tmp_path / "missing-dir" / "log.txt") is None
    assert shown and "Cannot write" in shown[0]


def test_clear_log_keeps_counters(window: Any, root: tk.Tk) -> None:
    server, client = window.tabs()[0], window.tabs()[1]
    connect(root, client, start_listening(root, server))
    assert send_text(client, "abc")
    pump_until(root, lambda: bool(logged(server)))
    window.notebook.select(server)
    window.clear_log()
    assert server.log.shown_text() == "" and server.counters.bytes_in == 3


def test_language_switch_relabels_everything(window: Any, root: tk.Tk) -> None:
    server = window.tabs()[0]
    set_field(server.row.port, "99999")
    server.start()
    window.set_language("zh")
    assert window.notebook.tab(server, "text") == "TCP 服务器"
    assert server.row.toggle.cget("text") == "开始监听"
    assert "端口" in server.row.info_label.cget("text") or "port" not in server.row.info_label.cget("text")
    assert window.menus.menubar.entrycget(1, "label") == "文件"
    window.set_language("en")
    assert server.row.toggle.cget("text") == "Listen"


def test_error_message_is_translated(window: Any, root: tk.Tk) -> None:
    window.set_language("zh")
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        server = window.tabs()[0]
        set_field(server.row.host, "127.0.0.1")
        set_field(server.row.port, str(blocker.getsockname()[1]))
        server.start()
        pump_until(root, lambda: server.row.current is State.ERROR)
    assert "已被占用" in server.row.info_label.cget("text")
    assert "已被占用" in server.log.shown_text()


def test_settings_survive_a_restart(root: tk.Tk, config_dir: Path) -> None:
    first = MainWindow(root)
    server = first.tabs()[0]
    set_field(server.row.host, "127.0.0.1")
    set_field(server.row.port, "9123")
    server.display_var.set("hex")
    server.send_bar.encoding.set("gbk")
    first.set_language("zh")
    first.close()
    saved = json.loads((config_dir / "settings.json").read_text(encoding="utf-8"))
    assert saved["language"] == "zh" and saved["tabs"]["tcp_server"]["port"] == 9123
    i18n.set_language("en")
    second_root = tk.Tk()
    try:
        second = MainWindow(second_root)
        tab = second.tabs()[0]
        assert (tab.row.host.get(), tab.row.port.get()) == ("127.0.0.1", "9123")
        assert tab.display_var.get() == "hex" and tab.log.hex_mode
        assert tab.send_bar.encoding.get() == "gbk"
        assert i18n.language() == "zh"
        second.close()
    finally:
        i18n.set_language("en")


def test_corrupt_settings_are_set_aside(root: tk.Tk, config_dir: Path) -> None:
    config_dir.mkdir(parents=True)
    (config_dir / "settings.json").write_text("{not json", encoding="utf-8")
    window = MainWindow(root)
    assert window.store.set_aside is not None and window.store.set_aside.read_text() == "{not json"
    assert window.tabs()[0].row.port.get() == "9000"
    window.close()


def test_window_self_test_passes(display: str) -> None:
    from gui.selftest import run_window_self_test

    checks = run_window_self_test()
    assert checks and all(passed for _name, passed, _detail in checks), checks


FLOOD_SCRIPT = r"""
import socket, sys, threading, time, tkinter as tk
sys.path.insert(0, sys.argv[1])
from gui.app import MainWindow
root = tk.Tk()
window = MainWindow(root)
server = window.tabs()[0]
server.row.host.set("127.0.0.1"); server.row.port.delete(0, "end"); server.row.port.insert(0, "0")
server.start()
def flood(port):
    for _ in range(3):
        try:
            s = socket.create_connection(("127.0.0.1", port))
            break
        except OSError:
            time.sleep(0.1)
    chunk = b"flood " * 1000
    try:
        while True:
            s.sendall(chunk)
    except OSError:
        pass
def check():
    if server.local_address:
        for _ in range(3):
            threading.Thread(target=flood, args=(server.local_address[1],), daemon=True).start()
        root.after(1500, lambda: (print("closing", server.counters.bytes_in, flush=True), window.close()))
    else:
        root.after(20, check)
root.after(20, check)
root.mainloop()
print("closed", flush=True)
"""


def test_closing_during_a_flood_exits_quickly(display: str, config_dir: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-c", FLOOD_SCRIPT, str(ROOT)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    closing_at = time.monotonic()
    assert line.startswith("closing"), line
    assert int(line.split()[1]) > 100_000  # data really was flowing
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    assert time.monotonic() - closing_at < 2.0
    assert proc.returncode == 0


def test_tab_key_moves_focus_out_of_the_input_and_the_log(window: Any, root: tk.Tk) -> None:
    server = window.tabs()[0]
    server.send_bar.input.focus_force()
    root.update()
    server.send_bar.input.event_generate("<Tab>")
    root.update()
    assert root.focus_get() is server.send_bar.send_button
    assert server.send_bar.get_text() == ""
    server.log.text.focus_force()
    root.update()
    server.log.text.event_generate("<Tab>")
    root.update()
    assert root.focus_get() is not server.log.text


def test_menus_and_status_bar(window: Any, root: tk.Tk) -> None:
    bar = window.menus.menubar
    assert [bar.entrycget(i, "label") for i in (1, 2, 3)] == ["File", "View", "Help"]
    view = window.menus.view
    labels = [view.entrycget(i, "label") for i in range(view.index("end") + 1) if view.type(i) != "separator"]
    assert {"Text", "Hex", "Timestamps", "Clear log", "Language"} <= set(labels)
    window.status.copy()
    ip = window.status.selected_ip()
    assert ip and root.clipboard_get() == ip
    assert ip in [a.ip for a in window.addresses()]


def test_about_names_the_package_version(window: Any, root: tk.Tk) -> None:
    from netcore.version import VERSION

    before = set(root.winfo_children())
    window.show_about()
    root.update()
    about = next(w for w in root.winfo_children() if w not in before and isinstance(w, tk.Toplevel))
    texts = [str(label.cget("text")) for frame in about.winfo_children() for label in frame.winfo_children()
             if isinstance(label, ttk.Label)]
    assert VERSION == "0.1.0" and "0.1.0" in texts
    about.destroy()


def test_the_shortcut_list_names_every_ctrl_key_the_window_binds(window: Any, root: tk.Tk) -> None:
    """F1's list left out Ctrl+O (Open session…), bound since the replay tab came."""
    from gui.dialogs import SHORTCUTS

    listed = {part.strip() for keys, _key in SHORTCUTS for part in keys.split("/")}
    keys = (re.fullmatch(r"<Control-(?:Key-)?(\w)>", sequence) for sequence in root.bind_all())
    bound = {f"Ctrl+{key.group(1).upper()}" for key in keys if key}
    assert bound and bound <= listed, bound - listed

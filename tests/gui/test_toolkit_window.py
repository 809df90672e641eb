"""The toolkit in the window, with a real Tk root and real sockets: checksums, Frames, saved messages."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import tkinter as tk
from pathlib import Path
from tkinter import ttk
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gui import i18n
from gui.logmodel import ERROR, RECEIVED
from gui.saved_glue import send_nth
from gui.widgets.send_bar import quick_labels, short_name
from netcore.library import FILE_NAME, SavedMessage
from tests.gui.conftest import pump_until
from tests.gui.helpers import connect, start_listening

pytestmark = pytest.mark.gui


class Capture:
    """A real TCP server socket that keeps every byte it is sent."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.data = bytearray()
        self.peer: socket.socket | None = None
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        conn, _ = self.listener.accept()
        self.peer = conn
        conn.settimeout(10)
        try:
            while chunk := conn.recv(65536):
                self.data += chunk
        except OSError:
            pass

    def close(self) -> None:
        if self.peer is not None:
            self.peer.close()
        self.listener.close()


@pytest.fixture
def capture() -> Any:
    served = Capture()
    yield served
    served.close()


def choose(root: tk.Tk, choice: Any, code: str) -> None:
    """Pick ``code`` in a send bar choice as a user does (the box's selection event)."""
    choice.set(code)
    choice.widget.event_generate("<<ComboboxSelected>>")
    root.update()


def test_checksum_choice_appends_and_the_preview_says_so(window: Any, root: tk.Tk, capture: Capture) -> None:
    client = window.tabs()[1]
    connect(root, client, capture.port)
    bar = client.send_bar
    choose(root, bar.mode, "hex")
    bar.set_text("01 03 00 00 00 0A")
    choose(root, bar.checksum, "crc16-modbus")
    assert bar.error.cget("text") == "Sends 8 B, ending C5 CD"
    assert bar.checksum.widget.get() == "CRC16 Modbus"
    bar.send_button.invoke()
    pump_until(root, lambda: len(capture.data) >= 8, what="the request arrived")
    assert bytes(capture.data).hex(" ").upper() == "01 03 00 00 00 0A C5 CD"
    choose(root, bar.checksum, "none")
    assert bar.error.cget("text") == "Sends 6 B"


def test_frames_choice_gives_one_row_per_frame_and_changes_live(window: Any, root: tk.Tk) -> None:
    server = window.tabs()[0]
    assert server.frames.choose("len:2be")
    port = start_listening(root, server)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"\x00\x03abc\x00\x01z\x00\x02hi")  # three frames in one send
        pump_until(root, lambda: len([r for r in server.log.records if r.kind == RECEIVED]) == 3, what="3 rows")
        rows = [r.data for r in server.log.records if r.kind == RECEIVED]
        assert rows == [b"\x00\x03abc", b"\x00\x01z", b"\x00\x02hi"]
        server.frames.box.set("lines")  # typed, then leaving the box: the running server cuts at newlines now
        server.frames.box.event_generate("<FocusOut>")
        root.update()
        sock.sendall(b"one\ntwo\nrest")
        pump_until(root, lambda: len([r for r in server.log.records if r.kind == RECEIVED]) == 5, what="lines")
    pump_until(root, lambda: any(r.key == "frames.incomplete" for r in server.log.records), what="flag row")
    rows = [r.data for r in server.log.records if r.kind == RECEIVED]
    assert rows[3:] == [b"one\n", b"two\n", b"rest"]
    flag = next(r for r in server.log.records if r.key == "frames.incomplete")
    assert flag.kind == ERROR and "Incomplete frame (4 B)" in server.log.shown_text()
    assert server.counters.bytes_in == 12 + 12  # every byte counted
    assert window.settings.tabs["tcp_server"].frame == "lines"


def test_a_bad_frame_checksum_is_flagged_in_the_log(window: Any, root: tk.Tk) -> None:
    server = window.tabs()[0]
    server.frames.choose("fixed:8")
    choose(root, server.send_bar.checksum, "crc16-modbus")
    port = start_listening(root, server)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(bytes.fromhex("01 03 00 00 00 0A C5 CD 01 03 00 00 00 0A 00 00"))
        pump_until(root, lambda: any(r.key == "frames.bad_check" for r in server.log.records), what="flag")
    flags = [r for r in server.log.records if r.key.startswith("frames.")]
    assert len(flags) == 1 and "Bad checksum (crc16-modbus)" in server.log.shown_text()


def test_a_wrong_frames_spec_is_refused_with_the_reason(window: Any, root: tk.Tk) -> None:
    tab = window.tabs()[2]
    assert not tab.frames.choose("len:3")
    assert tab.frames.box.instate(["invalid"]) and tab.frames.spec == "raw"
    assert "Unknown framing" in tab.send_bar.error.cget("text")
    assert tab.frames.choose("gap:20")
    assert tab.frame_settings().spec == "gap:20" and not tab.frames.box.instate(["invalid"])


def test_quick_slots_are_the_first_saved_messages(window: Any, root: tk.Tk, capture: Capture) -> None:
    client = window.tabs()[1]
    labels = [b.cget("text") for b in client.send_bar.quick_buttons]
    assert labels[0].startswith("1: HTTP") and labels[0].endswith("…") and labels[3].startswith("4: Greeti")
    connect(root, client, capture.port)
    window.notebook.select(client)
    assert client.send_bar.quick_buttons[0].invoke() is not False  # the HTTP GET example, Host from the target
    pump_until(root, lambda: b"\r\n\r\n" in capture.data, what="the GET")
    assert bytes(capture.data) == b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    assert send_nth(window, 1)  # Alt+2: Modbus TCP
    pump_until(root, lambda: capture.data.endswith(bytes.fromhex("00 01 00 00 00 06 01 03 00 00 00 0A")))
    client.send_bar._clear_quick(3)  # right-click, Clear: the greeting leaves the library
    assert [m.name for m in window.saved.messages][3:] == []
    assert client.send_bar.quick_buttons[3].cget("text") == "4: (empty)"
    other = window.tabs()[0].send_bar  # every tab's slots are views of the same library
    assert other.quick_buttons[3].cget("text") == "4: (empty)"


def test_library_window_save_send_edit_rename_group_move_delete(window: Any, root: tk.Tk,
                                                                capture: Capture) -> None:
    client = window.tabs()[1]
    connect(root, client, capture.port)
    window.notebook.select(client)  # the library window saves from, and sends through, the current tab
    client.send_bar.set_text("STATUS?")
    choose(root, client.send_bar.line_ending, "crlf")
    choose(root, client.send_bar.checksum, "xor8")
    library = window.open_library()
    library.name_entry.insert(0, "status")
    library.group_entry.insert(0, "Device")
    library.buttons["save"].invoke()
    saved = window.saved.library.find("status")
    assert saved == SavedMessage("status", "STATUS?", line_ending="crlf", checksum="xor8", group="Device")
    assert library.tree.exists("msg:status") and library.tree.parent("msg:status") == "group:Device"
    library.buttons["send"].invoke()
    body = b"STATUS?\r\n"
    pump_until(root, lambda: len(capture.data) >= len(body) + 1, what="the saved message")
    assert bytes(capture.data) == body + bytes((_xor(body),))
    client.send_bar.set_text("")
    library.buttons["edit"].invoke()
    assert client.send_bar.get_text() == "STATUS?" and client.send_bar.checksum.get() == "xor8"
    library.name_entry.delete(0, "end")
    library.name_entry.insert(0, "status query")
    library.buttons["rename"].invoke()
    assert window.saved.library.find("status") is None and library.selected_name() == "status query"
    for _ in range(5):
        library.buttons["up"].invoke()
    assert window.saved.messages[0].name == "status query"
    assert client.send_bar.quick_buttons[0].cget("text") == "1: status…"
    library.buttons["delete"].invoke()
    assert window.saved.library.find("status query") is None
    library.buttons["send"].invoke()  # nothing chosen now
    assert "Choose a message" in library.message.cget("text")


def _xor(data: bytes) -> int:
    value = 0
    for byte in data:
        value ^= byte
    return value


def test_import_and_export_and_a_bad_file_changes_nothing(window: Any, root: tk.Tk, tmp_path: Path) -> None:
    library = window.open_library()
    before = list(window.saved.messages)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "socketlab-library", "version": 1,
                               "messages": [{"name": "ok", "text": "x"}, {"name": "broken", "text": "zz",
                                                                          "mode": "hex"}]}))
    assert not library.import_from(bad)
    assert "message 2" in library.message.cget("text") and "Nothing saved was changed" in library.message.cget("text")
    assert window.saved.messages == before
    out = tmp_path / "out.json"
    assert library.export_to(out)
    window.saved.delete(before[0].name)
    assert library.import_from(out)
    assert sorted(m.name for m in window.saved.messages) == sorted(m.name for m in before)
    assert "Imported 4 messages" in library.message.cget("text")


def test_a_saved_message_is_sent_after_a_restart(root: tk.Tk, config_dir: Path, capture: Capture) -> None:
    from gui.app import MainWindow

    first = MainWindow(root)
    first.tabs()[1].send_bar.set_text("after restart")
    first.tabs()[1].send_bar.store_quick(0)  # into slot 1, written to the library file at once
    first.close()
    assert "after restart" in (config_dir / FILE_NAME).read_text(encoding="utf-8")
    second_root = tk.Tk()
    try:
        second = MainWindow(second_root)
        client = second.tabs()[1]
        assert second.saved.messages[0].text == "after restart"
        connect(second_root, client, capture.port)
        second.notebook.select(client)
        assert send_nth(second, 0)
        pump_until(second_root, lambda: bytes(capture.data) == b"after restart", what="sent after restart")
        second.close()
    finally:
        with contextlib.suppress(tk.TclError):  # already destroyed by close()
            second_root.destroy()


def test_a_corrupt_library_is_set_aside_and_said(root: tk.Tk, config_dir: Path) -> None:
    from gui.app import MainWindow

    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / FILE_NAME).write_text("{ not json")
    window = MainWindow(root)
    try:
        moved = window.saved.set_aside
        assert moved is not None and moved.read_text() == "{ not json"
        assert window.saved.messages[0].name == "HTTP GET /"  # the examples are back
        assert "set aside" in window.tabs()[0].send_bar.error.cget("text")
        assert "set aside" in window.open_library().message.cget("text")
    finally:
        window.close()


def test_chinese_names_the_examples_and_the_controls(window: Any, root: tk.Tk) -> None:
    library = window.open_library()
    window.set_language("zh")
    root.update()
    try:
        bar = window.tabs()[1].send_bar
        assert bar.checksum.widget.get() == "无校验" and bar.library_button.cget("text") == "收藏…"
        assert library.title() == "收藏的消息" and library.buttons["save"].cget("text") == "收藏输入"
        assert library.tree.item("msg:Greeting line", "text").endswith("问候行")
        assert bar.quick_buttons[3].cget("text") == "4: 问候行"
    finally:
        i18n.set_language("en")


def test_old_quick_slots_become_saved_messages_on_the_first_start(tmp_path: Path) -> None:
    from gui.saved import SavedMessages
    from gui.settings import QuickSlot

    saved = SavedMessages(tmp_path, quick=[QuickSlot("ping"), QuickSlot(), QuickSlot("AB CD", "hex")])
    quick = [m for m in saved.messages if m.group == "Quick"]
    assert [(m.name, m.text, m.mode) for m in quick] == [("Quick 1", "ping", "text"), ("Quick 3", "AB CD", "hex")]
    saved.changed()
    again = SavedMessages(tmp_path, quick=[QuickSlot("other")])  # not a first start: nothing adopted twice
    assert again.messages == saved.messages


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_quick_buttons_tell_the_two_modbus_examples_apart(window: Any, root: tk.Tk, language: str) -> None:
    """They were "2: Modbus…" and "3: Modbus…" (and Tk clipped even that to "Modbus..")."""
    window.set_language(language)
    root.update()
    buttons = window.tabs()[0].send_bar.quick_buttons
    labels = [str(b.cget("text")) for b in buttons]
    assert len(set(labels)) == 4, labels
    assert labels[1].endswith("TCP") and labels[2].endswith("RTU")
    assert labels[3] == "4: 问候行" if language == "zh" else labels[3].startswith("4: Greet")
    font = str(ttk.Style(root).lookup("TButton", "font"))
    for button in buttons:  # each label whole inside its button
        room = int(button.cget("width")) * int(root.tk.call("font", "measure", font, "0"))
        assert int(root.tk.call("font", "measure", font, button.cget("text"))) <= room


def _by_width(text: str) -> int:
    return len(text) * 10


@given(st.lists(st.text(alphabet="ab :", min_size=1, max_size=12), min_size=1, max_size=4, unique=True),
       st.integers(min_value=60, max_value=200))
def test_quick_labels_fit_and_keep_their_number(names: list[str], room: int) -> None:
    labels = quick_labels(names, _by_width, room)
    assert len(labels) == len(names)
    for number, (name, label) in enumerate(zip(names, labels, strict=True), 1):
        assert label.startswith(f"{number}: ")
        assert _by_width(label) <= room
        if _by_width(f"{number}: {name}") <= room:
            assert label == f"{number}: {name}"


def test_short_names_stop_at_the_first_colon() -> None:
    assert short_name("Modbus TCP: read 10 holding registers") == "Modbus TCP"
    assert short_name("Modbus RTU：读 10 个保持寄存器") == "Modbus RTU"
    assert short_name("HTTP GET /") == "HTTP GET /" and short_name(": odd") == ": odd"


@pytest.mark.parametrize(("language", "shown"), [("en", "(Hex, CRC16 Modbus)"), ("zh", "(十六进制, CRC16 Modbus)")])
def test_the_library_names_a_checksum_as_the_send_bar_does(window: Any, root: tk.Tk, language: str,
                                                           shown: str) -> None:
    window.set_language(language)
    library = window.open_library()
    root.update()
    details = {library.tree.item(iid, "values")[1] for group in library.tree.get_children()
               for iid in library.tree.get_children(group)}
    assert any(detail.endswith(shown) for detail in details), details
    assert not any("crc16-modbus" in detail for detail in details)
    library.destroy()


def test_the_preview_stays_grey_after_a_send_and_only_an_error_is_red(window: Any, root: tk.Tk,
                                                                      capture: Capture) -> None:
    """After a send the line under the bar said "Sends 5 B" in the error red."""
    client = window.tabs()[1]
    connect(root, client, capture.port)
    bar = client.send_bar
    bar.set_text("exit\n")
    root.update()
    bar.send_button.invoke()
    pump_until(root, lambda: bytes(capture.data) == b"exit\n", what="the line arrived")
    root.update()
    assert bar.error.cget("text") == "Sends 5 B"
    assert str(bar.error.cget("foreground")) == "#5f6368"
    choose(root, bar.mode, "hex")  # "exit" is not hex: now it is an error, in red
    bar.send_button.invoke()
    root.update()
    assert str(bar.error.cget("foreground")) == "#d93025" and "hex" in str(bar.error.cget("text")).lower()


@pytest.mark.parametrize(("language", "name", "template"), [
    ("en", "Modbus TCP: read 10 holding registers  (Alt+2)", "{message} (the bytes received, exactly"),
    ("zh", "Modbus TCP：读 10 个保持寄存器  (Alt+2)", "{message}（收到的字节，原样"),
])
def test_resting_the_pointer_tells_the_whole_name_and_what_a_template_may_say(
        window: Any, root: tk.Tk, language: str, name: str, template: str) -> None:
    window.set_language(language)
    server = window.tabs()[0]
    bar = server.send_bar
    bar.quick_buttons[1].event_generate("<Enter>")
    pump_until(root, lambda: bool(bar.quick_tips[1].shown), what="the quick button's tip")
    assert bar.quick_tips[1].shown == name
    bar.quick_buttons[1].event_generate("<Leave>")
    assert bar.quick_tips[1].shown == ""
    choose(root, server.reply.kind, "custom")
    server.reply.template.event_generate("<Enter>")
    pump_until(root, lambda: bool(server.reply.template_tip.shown), what="the template's tip")
    assert template in server.reply.template_tip.shown and "{count}" in server.reply.template_tip.shown


def test_a_saved_message_with_a_target_goes_there_from_the_udp_tab(window: Any, root: tk.Tk) -> None:
    """The library keeps an optional target; the UDP tab sends such a message there, not to its own target."""
    udp = next(tab for tab in window.tabs() if tab.kind == "udp")
    start_listening(root, udp)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as typed, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as saved_target:
        for sock in (typed, saved_target):
            sock.bind(("127.0.0.1", 0))
            sock.settimeout(5.0)
        udp.target.delete(0, "end")
        udp.target.insert(0, f"127.0.0.1:{typed.getsockname()[1]}")
        message = SavedMessage("to the device", "PING {host}:{port}",
                               target=f"127.0.0.1:{saved_target.getsockname()[1]}")
        assert udp.send_saved(message)
        got: list[bytes] = []
        thread = threading.Thread(target=lambda: got.append(saved_target.recv(100)))
        thread.start()
        pump_until(root, lambda: bool(got), timeout=5.0, what="the datagram at the saved target")
        thread.join(1.0)
        assert got == [f"PING 127.0.0.1:{saved_target.getsockname()[1]}".encode()]
        typed.settimeout(0.2)
        with pytest.raises(TimeoutError):
            typed.recv(100)  # nothing went to the tab's own target
        assert udp.send_saved(SavedMessage("bad", "x", target="nowhere")) is False


def test_the_library_window_saves_and_shows_a_target(window: Any, root: tk.Tk) -> None:
    from gui.saved_glue import open_library

    library = open_library(window)
    library.name_entry.insert(0, "probe")
    library.target_entry.insert(0, "127.0.0.1:9001")
    assert library.save_input()
    assert window.saved.library.find("probe").target == "127.0.0.1:9001"
    library.target_entry.delete(0, "end")
    library.select("probe")
    assert library.target_entry.get() == "127.0.0.1:9001"

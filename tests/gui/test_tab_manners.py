"""How the tabs behave around their fields and buttons, as a user meets them.

Port 0 shows the port the OS chose; a new server or UDP tab offers a port no
other tab of its kind uses, and tab numbers are reused; a bad port is flagged on
focus-out; when the peer closes, the toggle is held a moment and says
"Reconnect"; UDP opens itself on the first send and does not target itself.
Real Tk root, real sockets on 127.0.0.1.
"""

from __future__ import annotations

import socket
import tkinter as tk
from tkinter import font as tkfont
from tkinter import ttk
from typing import Any

from gui.widgets.address_row import HOLD_MS
from netcore.events import State
from tests.gui.conftest import pump_for, pump_until
from tests.gui.helpers import connect, logged, set_field, start_listening


def test_port_0_shows_the_port_the_os_chose_and_0_again_after(window: Any, root: tk.Tk) -> None:
    server = window.tabs()[0]
    port = start_listening(root, server, port=0)
    assert port != 0 and server.row.port.get() == str(port)
    assert server.row.port.instate(["disabled"])  # still locked while listening
    server.stop()
    pump_until(root, lambda: server.row.current is State.STOPPED, what="stopped")
    assert server.row.port.get() == "0" and window.settings.tabs["tcp_server"].port == 0


def test_a_new_server_tab_offers_a_free_port_and_numbers_are_reused(window: Any, root: tk.Tk) -> None:
    first = window.tabs()[0]
    set_field(first.row.port, "9000")
    second = window.new_tab("tcp_server")
    third = window.new_tab("tcp_server")
    assert {first.row.port.get(), second.row.port.get(), third.row.port.get()} == {"9000", "9001", "9002"}
    assert window.notebook.tab(third, "text") == "TCP Server 3"
    window.close_tab(second)
    again = window.new_tab("tcp_server")
    assert window.notebook.tab(again, "text") == "TCP Server 2"  # not "TCP Server 4"
    assert again.row.port.get() not in (first.row.port.get(), third.row.port.get())
    client = window.new_tab("tcp_client")  # a client may well use the server's port
    assert client.row.port.get() == window.tabs()[1].row.port.get()


def test_a_bad_port_is_flagged_when_the_field_loses_focus(window: Any, root: tk.Tk) -> None:
    client = window.tabs()[1]
    window.notebook.select(client)
    root.update()
    set_field(client.row.port, "99999")
    client.row.port.focus_force()
    root.update()
    client.row.host.focus_force()  # Tab to the next field, or a click elsewhere
    pump_until(root, lambda: client.row.port.instate(["invalid"]), what="the port flagged")
    assert "65535" in client.row.info_label.cget("text")
    assert client.endpoint is None  # nothing was started


def test_when_the_peer_closes_the_toggle_is_held_and_says_reconnect(window: Any, root: tk.Tk) -> None:
    client = window.tabs()[1]
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        connect(root, client, listener.getsockname()[1])
        assert client.row.toggle.cget("text") == "Disconnect"
        peer, _ = listener.accept()
        peer.close()  # the server goes away
        pump_until(root, lambda: client.row.current is State.STOPPED, what="closed by the peer")
    assert client.row.toggle.instate(["disabled"]) and client.row.toggle.cget("text") == "Reconnect"
    client.row.toggle.invoke()  # the late click meant for Disconnect
    client.toggle()
    assert client.endpoint is None  # did not connect again
    pump_for(root, HOLD_MS / 1000 + 0.2)
    assert not client.row.toggle.instate(["disabled"]) and client.row.toggle.cget("text") == "Reconnect"


def test_the_users_own_disconnect_is_not_held(window: Any, root: tk.Tk) -> None:
    server, client, _udp = window.tabs()
    connect(root, client, start_listening(root, server))
    client.toggle()
    pump_until(root, lambda: client.row.current is State.STOPPED, what="disconnected")
    assert not client.row.toggle.instate(["disabled"]) and client.row.toggle.cget("text") == "Connect"


def test_udp_opens_on_the_first_send_and_does_not_target_itself(window: Any, root: tk.Tk) -> None:
    udp = window.tabs()[2]
    own = udp.port_number()
    assert udp.target.get() != f"127.0.0.1:{own}"  # not its own port by default
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        peer.bind(("127.0.0.1", 0))
        peer.settimeout(5)
        set_field(udp.row.host, "127.0.0.1")
        set_field(udp.row.port, "0")
        set_field(udp.target, f"127.0.0.1:{peer.getsockname()[1]}")
        udp.send_bar.set_text("first")
        assert udp.send_bar.send()  # closed: it opens, then sends
        pump_until(root, lambda: bool(logged(udp, "sent")), what="the sent row")
        data, _ = peer.recvfrom(100)
    assert data == b"first"
    assert udp.row.current is State.BOUND
    assert "Opened the socket to send" in udp.log.shown_text()
    second = window.new_tab("udp")  # a second UDP tab talks to the first
    assert second.port_number() != udp.port_number()


def test_the_clients_table_shows_big_numbers_whole(window: Any, root: tk.Tk) -> None:
    server = window.tabs()[0]
    port = start_listening(root, server)
    with socket.create_connection(("127.0.0.1", port)):
        pump_until(root, lambda: len(server.peers.rows) == 1, what="a client")
        peer = server.peers.peers()[0]
        server.peers.count(peer, received=12_345_678, sent=2_010_152)
        server.peers.refresh()
        pump_for(root, 0.1)
        tree, iid = server.peers.tree, server.peers.rows[peer].iid
        font = tkfont.nametofont(str(ttk.Style(tree).lookup("Treeview", "font")) or "TkDefaultFont")
        assert tree.set(iid, "out") == "2,010,152"
        for column in ("in", "out"):
            x, _y, width, _h = tree.bbox(iid, column)
            shown = font.measure(tree.set(iid, column))
            assert shown <= width and x + width <= tree.winfo_width(), (column, x, width, shown)


def test_the_client_state_label_is_whole_when_connected(window: Any, root: tk.Tk) -> None:
    server, client, _udp = window.tabs()
    port = start_listening(root, server)
    root.geometry("900x600")  # a little narrower than the first-start size
    pump_until(root, lambda: root.winfo_width() == 900, what="resized")
    for language in ("en", "zh"):
        window.set_language(language)
        window.notebook.select(client)
        connect(root, client, port)
        pump_for(root, 0.1)
        label = client.row.state_label
        assert label.winfo_reqwidth() <= label.winfo_width(), (language, label.cget("text"))
        assert client.remote_label.cget("text") == f"127.0.0.1:{port}"  # the address is in the side panel
        client.stop()
        pump_until(root, lambda: client.row.current is State.STOPPED, what="stopped")
    window.set_language("en")

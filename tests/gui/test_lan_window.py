"""The window's LAN helpers, for real: a real Tk root, real sockets on 127.0.0.1 (and this machine's own
addresses, which never leave it), a real discovery announcer on a port of the test's own.

Diagnose (client and UDP tabs, and offered after a failed connect), "Can others reach me?", the UDP
tab's Network choices driving the engine (a multicast datagram sent out of the chosen interface
arrives, one sent out of another does not), the broadcast targets, and Visible + Find on network.
"""

from __future__ import annotations

import socket
import tkinter as tk
from collections.abc import Iterator
from typing import Any

import pytest

from gui import i18n
from gui.lan import visibility
from gui.lan.diagnose_window import DiagnoseWindow
from gui.lan.udp_options import interface_label
from netcore.events import State
from netcore.interfaces import broadcast_interfaces
from tests.gui.conftest import pump_for, pump_until
from tests.gui.helpers import set_field, start_listening
from tests.gui.test_no_english import WORD, allowed_words

pytestmark = pytest.mark.gui
GROUP = "239.77.12.34"


@pytest.fixture
def refused_port() -> Iterator[int]:
    """A TCP port on 127.0.0.1 that is bound but not listening: a connect there is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


@pytest.fixture
def open_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def _done(root: tk.Tk, window: DiagnoseWindow) -> None:
    pump_until(root, lambda: window.facts is not None and window.job is not None and window.job.finished,
               timeout=20, what="the verdict")


def _text(window: DiagnoseWindow) -> list[str]:
    return window.text.get("1.0", "end-1c").splitlines()


def test_diagnose_from_the_client_tab_shows_findings_and_verdict(window: Any, root: tk.Tk, open_port: int,
                                                                 refused_port: int) -> None:
    client = window.tabs()[1]
    for port, code in ((open_port, "open"), (refused_port, "refused")):
        set_field(client.row.host, "127.0.0.1")
        set_field(client.row.port, str(port))
        client.diagnose_button.invoke()
        shown = client.helpers["diagnose"]
        assert isinstance(shown, DiagnoseWindow)
        _done(root, shown)
        lines = _text(shown)
        assert shown.code == code
        assert any(line.startswith(f"TCP port 127.0.0.1:{port}: {code}") for line in lines), lines
        assert lines[0].startswith("name: 127.0.0.1 → 127.0.0.1 (IPv4)")
        assert lines[-1].startswith(f"verdict: {code}: ")
        assert shown.title() == f"Diagnose TCP 127.0.0.1:{port}"
    assert len([w for w in _descendants(root) if isinstance(w, DiagnoseWindow)]) == 1  # one per tab


def _descendants(widget: tk.Misc) -> Iterator[tk.Misc]:
    for child in widget.winfo_children():
        yield child
        yield from _descendants(child)


def test_diagnose_in_chinese_keeps_the_code_and_leaves_no_english(window: Any, root: tk.Tk,
                                                                  refused_port: int) -> None:
    client = window.tabs()[1]
    set_field(client.row.host, "127.0.0.1")
    set_field(client.row.port, str(refused_port))
    shown = client.diagnose()
    assert shown is not None
    _done(root, shown)
    english = _text(shown)
    window.set_language("zh")
    pump_for(root, 0.05)
    lines = _text(shown)
    assert lines != english and len(lines) == len(english)
    assert lines[-1].startswith("结论：refused：")
    assert shown.title() == f"诊断 TCP 127.0.0.1:{refused_port}"
    for line in lines[:-1]:
        assert not set(WORD.findall(line)) - allowed_words(), line


def test_a_bad_field_is_flagged_instead_of_diagnosed(window: Any, root: tk.Tk) -> None:
    client = window.tabs()[1]
    set_field(client.row.host, "127.0.0.1")
    set_field(client.row.port, "99999")
    assert client.diagnose() is None
    assert client.row.port.instate(["invalid"]) and client.row.info_label.cget("text")


def test_a_failed_connect_offers_diagnose(window: Any, root: tk.Tk, refused_port: int, open_port: int) -> None:
    client = window.tabs()[1]
    window.notebook.select(client)
    pump_for(root, 0.05)
    assert not client.offer.winfo_ismapped()
    set_field(client.row.host, "127.0.0.1")
    set_field(client.row.port, str(refused_port))
    assert client.start()
    pump_until(root, lambda: client.row.current in (State.ERROR, State.STOPPED), what="the connect failed")
    pump_until(root, lambda: client.offer.winfo_ismapped(), what="the offer")
    assert client.row.info_label.cget("text")  # the error itself stays, the button is beside it
    client.offer.invoke()
    shown = client.helpers["diagnose"]
    assert isinstance(shown, DiagnoseWindow)
    _done(root, shown)
    assert shown.code == "refused" and (shown.host, shown.port) == ("127.0.0.1", refused_port)
    pump_until(root, lambda: not client.row.holding, what="the toggle released")
    set_field(client.row.port, str(open_port))
    assert client.start()
    pump_for(root, 0.05)
    assert not client.offer.winfo_ismapped()  # a new try: no offer until it fails


def test_diagnose_from_the_udp_tab_tells_refused_from_silence(window: Any, root: tk.Tk) -> None:
    udp = window.tabs()[2]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as quiet, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as gone:
        quiet.bind(("127.0.0.1", 0))
        gone.bind(("127.0.0.1", 0))
        gone_port = gone.getsockname()[1]
        gone.close()  # nothing listens there now: the kernel answers "port unreachable"
        for port, code in ((gone_port, "refused"), (quiet.getsockname()[1], "no-answer")):
            set_field(udp.target, f"127.0.0.1:{port}")
            udp.diagnose_button.invoke()
            shown = udp.helpers["diagnose"]
            assert isinstance(shown, DiagnoseWindow) and shown.udp
            shown.timeout = 1.0
            _done(root, shown)
            assert shown.code == code, _text(shown)
            assert _text(shown)[-1].startswith(f"verdict: {code}: ")
    set_field(udp.target, "nowhere")
    assert udp.diagnose() is None and udp.target.instate(["invalid"])


# ---- the UDP tab's network choices ----


def _menu_labels(menu: tk.Menu) -> list[str]:
    last = menu.index("end")
    return [str(menu.entrycget(i, "label")) for i in range(0 if last is None else last + 1)
            if menu.type(i) != "separator"]


def _open_udp(root: tk.Tk, tab: Any, interface: str, ttl: str = "") -> int:
    tab.network.interface.set(interface)
    tab.network.ttl.set(ttl)
    return start_listening(root, tab, host="0.0.0.0")


def _joined(root: tk.Tk, tab: Any, group: str) -> None:
    set_field(tab.group, group)
    tab.membership(True)
    pump_until(root, lambda: group in tab.joined, what="joined")


def _calls(tab: Any) -> str:
    return "\n".join(r.raw_text for r in tab.log.records if r.raw_text)


def test_the_chosen_interface_drives_multicast(window: Any, root: tk.Tk) -> None:
    receiver, sender = window.tabs()[2], window.new_tab("udp")
    port = _open_udp(root, receiver, "127.0.0.1")
    assert receiver.network.cget("text") == "Network: lo"  # the button says which interface is chosen
    _joined(root, receiver, GROUP)
    assert list(receiver.group.cget("values")) == [GROUP]
    assert "IP_ADD_MEMBERSHIP, inet_aton('239.77.12.34') + inet_aton('127.0.0.1')" in _calls(receiver)
    _open_udp(root, sender, "127.0.0.1")
    assert sender.network.locked and "Close the socket to change these" in _menu_labels(sender.network.menu)
    set_field(sender.target, f"{GROUP}:{port}")
    assert sender.send_bar.send("via lo")
    pump_until(root, lambda: receiver.spool.read_all() == b"via lo", what="the datagram on lo")
    assert "IP_MULTICAST_IF, 127.0.0.1" in _calls(sender)
    other = next((a for a in window.addresses() if a.version == 4 and not a.is_loopback), None)
    if other is not None:  # out of another interface, TTL 0 (never leaves this machine): not for lo's member
        sender.stop()
        pump_until(root, lambda: sender.row.current is State.STOPPED, what="sender stopped")
        assert not sender.network.locked
        _open_udp(root, sender, other.ip, ttl="0")
        assert f"IP_MULTICAST_IF, {other.ip}" in _calls(sender) and "IP_MULTICAST_TTL, 0" in _calls(sender)
        assert sender.send_bar.send(f"via {other.interface}")
        pump_for(root, 0.5)
        assert receiver.spool.read_all() == b"via lo"
    set_field(receiver.group, GROUP)
    receiver.membership(False)
    pump_until(root, lambda: not receiver.joined, what="left")
    assert list(receiver.group.cget("values")) == []


def test_the_network_menu_lists_interfaces_with_their_scope(window: Any, root: tk.Tk) -> None:
    udp = window.tabs()[2]
    udp.network.build()
    labels = _menu_labels(udp.network.menu)
    assert "Automatic (every interface)" in labels
    for address in window.addresses():
        if not address.is_loopback:
            assert interface_label(address) in labels
            if address.is_link_local and address.version == 6:
                assert f"%{address.interface}" in interface_label(address)
    assert "Find on network…" in labels and "Visible on the network" in labels
    window.set_language("zh")
    assert "自动（所有接口）" in _menu_labels(udp.network.menu)
    i18n.set_language("en")


def test_the_target_offers_each_subnet_broadcast(window: Any, root: tk.Tk) -> None:
    udp = window.tabs()[2]
    set_field(udp.target, "127.0.0.1:7000")
    udp._offer_targets()
    expected = [f"{a.broadcast}:7000" for a in broadcast_interfaces(window.addresses()) if a.broadcast]
    assert list(udp.target.cget("values")) == [*expected, "255.255.255.255:7000"]
    assert not udp.broadcast.get()
    udp.target.set("255.255.255.255:7000")
    udp.target.event_generate("<<ComboboxSelected>>")
    pump_for(root, 0.05)
    assert udp.broadcast.get()  # a broadcast target needs SO_BROADCAST: allowed at once


def test_a_link_local_address_with_its_scope_works_in_the_target(window: Any, root: tk.Tk) -> None:
    link_local = next((a for a in window.addresses() if a.version == 6 and a.is_link_local), None)
    if link_local is None:
        pytest.skip("this machine has no IPv6 link-local address")
    udp = window.tabs()[2]
    port = start_listening(root, udp, host="::")
    set_field(udp.target, f"[{link_local.ip}]:{port}")  # to itself: it never leaves this machine
    assert udp.send_bar.send("scoped")
    pump_until(root, lambda: udp.spool.read_all() == b"scoped", what="the datagram to itself")
    assert "%" in link_local.ip


# ---- can others reach me? ----


def test_reach_warns_for_loopback_and_checks_each_address(window: Any, root: tk.Tk) -> None:
    server = window.tabs()[0]
    start_listening(root, server, host="127.0.0.1")
    shown = server.open_reach()
    assert shown.warning and "Only this machine can connect" in shown.intro.cget("text")
    lan = [a for a in window.addresses() if not a.is_loopback and a.version == 4]
    assert [row.ip for row in shown.plan.rows] == [a.ip for a in lan]
    if lan:
        pump_until(root, lambda: shown.job is not None and shown.job.finished, timeout=10, what="self-check")
        assert all(shown.results[i].outcome == "refused" for i in range(len(lan)))  # only loopback listens
        assert shown.tree.item("0", "values")[2] == "refused (nothing listens on this address)"
    server.stop()
    pump_until(root, lambda: server.row.current is State.STOPPED and not server.row.holding, what="stopped")
    port = start_listening(root, server, host="0.0.0.0")
    shown = server.open_reach()
    assert not shown.warning
    assert [row.ip for row in shown.plan.rows] == [a.ip for a in lan]
    if not lan:
        assert "No address" in shown.intro.cget("text")
        return
    assert "Other machines must use one of these addresses" in shown.intro.cget("text")
    pump_until(root, lambda: shown.job is not None and shown.job.finished, timeout=10, what="self-check")
    assert all(result.outcome == "open" for result in shown.results.values())
    assert shown.tree.item("0", "values")[1] == f"{lan[0].ip}:{port}"
    assert shown.tree.item("0", "values")[2] == "reachable"


def test_reach_before_listening_says_so(window: Any, root: tk.Tk) -> None:
    server = window.tabs()[0]
    set_field(server.row.host, "0.0.0.0")
    shown = server.open_reach()
    assert shown.port is None and shown.check.instate(["disabled"])
    assert "not listening yet" in shown.intro.cget("text")


# ---- visible on the network, find on network ----


@pytest.fixture
def discovery(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """Discovery on a port of this test's own, asking this machine only (never the LAN)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("0.0.0.0", 0))
        port = int(probe.getsockname()[1])
    for name, value in (("port", port), ("timeout", 1.0), ("via", [])):
        monkeypatch.setattr(visibility.DISCOVERY, name, value)
    yield port


def _search(root: tk.Tk, tab: Any) -> Any:
    found = tab.open_find()
    pump_until(root, lambda: not found.searching, timeout=10, what="the search")
    return found


def test_visible_and_find_find_each_other_and_a_click_fills_the_target(window: Any, root: tk.Tk,
                                                                      discovery: int) -> None:
    server, client, udp = window.tabs()
    assert not server.visible_choice().on.get() and not udp.visible_choice().on.get()  # off by default
    server_port = start_listening(root, server)
    found = _search(root, client)
    assert found.found == [] and "Nothing answered" in found.status.cget("text")
    server.visible_choice().name.set("bench PC")
    menu = server.lan_menu.menu
    server.lan_menu.build()
    labels = _menu_labels(menu)
    assert labels[0] == "My addresses, and check each of them…" and "Name on the network: bench PC…" in labels
    menu.invoke(menu.index("Visible on the network"))  # as a click on the menu entry does
    assert server.visible_choice().on.get()
    udp_port = start_listening(root, udp)
    udp.visible_choice().name.set("sensor")
    udp.visible_choice().on.set(True)
    udp.update_visibility()
    assert "others will find it and cannot reach it" in udp.row.info_label.cget("text")  # bound to 127.0.0.1
    pump_until(root, lambda: window.visibility.announcer is not None
               and window.visibility.announcer.state is State.BOUND, what="announcing")
    found = _search(root, client)
    rows = {found.tree.item(i, "values") for i in found.tree.get_children()}
    assert rows == {("127.0.0.1", str(server_port), "TCP server", "bench PC"),
                    ("127.0.0.1", str(udp_port), "UDP", "sensor")}
    index = next(i for i, f in enumerate(found.found) if f.announcement.kind == "tcp-server")
    found.tree.selection_set(str(index))
    pump_for(root, 0.05)
    assert (client.row.host.get(), client.row.port.get()) == ("127.0.0.1", str(server_port))
    from_udp = _search(root, udp)
    index = next(i for i, f in enumerate(from_udp.found) if f.announcement.kind == "udp")
    from_udp.choose(index)
    assert udp.target.get() == f"127.0.0.1:{udp_port}"
    pump_until(root, lambda: any(r.key == "notice.discovery_answered" for r in server.log.records),
               what="the answer noted")
    server.visible_choice().on.set(False)
    server.update_visibility()
    udp.stop()
    pump_until(root, lambda: window.visibility.announcer is None, what="nobody visible: announcer stopped")
    assert _search(root, client).found == []


def test_visibility_lost_when_the_discovery_port_is_taken(window: Any, root: tk.Tk, discovery: int) -> None:
    server = window.tabs()[0]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as squatter:
        squatter.bind(("0.0.0.0", discovery))  # no SO_REUSEPORT: the announcer cannot bind beside it
        start_listening(root, server)
        server.visible_choice().on.set(True)
        server.update_visibility()
        pump_until(root, lambda: not server.visible_choice().on.get(), what="the switch turned off")
    assert "another program uses the discovery port" in server.row.info_label.cget("text")
    assert window.visibility.announcer is None


def test_the_name_window_renames_a_visible_endpoint(window: Any, root: tk.Tk, discovery: int) -> None:
    udp = window.tabs()[2]
    port = start_listening(root, udp)
    udp.visible_choice().on.set(True)
    udp.update_visibility()
    named = udp.ask_name()
    set_field(named.entry, "lab\x07 box")
    named.apply()
    assert udp.visible_choice().name.get() == "lab box"
    found = _search(root, udp)
    assert [(f.announcement.port, f.announcement.name) for f in found.found] == [(port, "lab box")]


def test_closing_diagnose_mid_probe_stops_its_deliveries(window: Any, root: tk.Tk) -> None:
    udp = window.tabs()[2]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as quiet:
        quiet.bind(("127.0.0.1", 0))  # silent: the UDP probe waits its whole timeout
        set_field(udp.target, f"127.0.0.1:{quiet.getsockname()[1]}")
        shown = udp.diagnose()
        assert shown is not None and shown.job is not None
        pump_until(root, lambda: bool(shown.lines), what="the first finding")
        thread = shown.job._thread
        shown.close()
        thread.join(10)  # the probe ends by itself, bounded by its timeout, and touched no Tk
        assert not thread.is_alive()
        pump_for(root, 0.2)
        assert shown.job.finished and shown.facts is None

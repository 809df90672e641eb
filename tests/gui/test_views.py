"""The teaching views with a real Tk root, fed by real loopback traffic."""

from __future__ import annotations

import contextlib
import socket
import time
import tkinter as tk

import pytest

from gui.i18n import set_language
from gui.i18n_tk import Texts
from gui.views.explain import explain_item
from gui.views.lifecycle_view import LifecycleView
from gui.views.sequence_view import SequenceView
from netcore import EventQueue, TcpServer, TcpServerConfig
from netcore.events import DataReceived, Event, PeerClosed, State, StateChanged
from netcore.replies import make_reply_rule
from netcore.session.lifecycle import LifecycleModel
from netcore.session.sequence import SequenceModel
from tests.gui.conftest import pump_for, pump_until

pytestmark = pytest.mark.gui


class Feed:
    """A hello server on loopback whose events go into both models as the window's pump would."""

    def __init__(self, root: tk.Tk) -> None:
        self.root = root
        self.queue = EventQueue()
        self.server = TcpServer(TcpServerConfig("127.0.0.1", 0, reply=make_reply_rule("hello")), self.queue, "s")
        self.sequence = SequenceModel("tcp-server")
        self.life = LifecycleModel("tcp-server")
        self.events: list[Event] = []

    def pump(self) -> None:
        for event in self.queue.drain():
            self.events.append(event)
            self.sequence.feed(event)
            self.life.feed(event)

    def until(self, condition: object, what: str) -> None:
        def ready() -> bool:
            self.pump()
            return bool(condition())  # type: ignore[operator]
        pump_until(self.root, ready, what=what)

    def port(self) -> int:
        self.server.start()
        self.until(lambda: self.server.state is State.LISTENING and self.server.local_address, "listening")
        assert self.server.local_address is not None
        return self.server.local_address[1]


def canvas_texts(canvas: tk.Canvas) -> list[str]:
    return [canvas.itemcget(item, "text") for item in canvas.find_all() if canvas.type(item) == "text"]


def test_the_chart_draws_both_lanes_every_message_and_the_fin(root: tk.Tk) -> None:
    feed = Feed(root)
    view = SequenceView(root, feed.sequence, explain_item)
    view.pack(fill="both", expand=True)
    root.geometry("900x500")
    port = feed.port()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
            client.sendall(b"Ann\n")
            feed.until(lambda: len([e for e in feed.events if isinstance(e, DataReceived)]) == 1, "Ann")
            client.shutdown(socket.SHUT_WR)
            feed.until(lambda: any(isinstance(e, PeerClosed) for e in feed.events), "FIN")
        view.refresh()
        root.update()
        texts = canvas_texts(view.canvas)
        assert any(t.startswith("this server 127.0.0.1:") for t in texts)
        assert any("three-way handshake" in t for t in texts)
        assert "send() 9 B 'Welcome!\\n' → recv()" in texts and "send() 4 B 'Ann\\n' → recv()" in texts
        assert any(t.startswith("FIN") for t in texts) and any(t.startswith("close()") for t in texts)
        message = next(i for i in feed.sequence.items if i.data == b"Ann\n")
        view.select(message.serial)
        detail = view.detail_text()
        assert "41 6E 6E 0A" in detail and "Ann\\n" in detail and "recv" in detail
        set_language("zh")
        view.refresh()
        root.update()
        assert any(t.startswith("本服务器") for t in canvas_texts(view.canvas))
    finally:
        set_language("en")
        feed.server.stop()


def test_the_chart_stays_bounded_and_follows_under_a_flood(root: tk.Tk) -> None:
    model = SequenceModel("udp", max_items=500)
    view = SequenceView(root, model)
    view.pack(fill="both", expand=True)
    root.geometry("900x500")
    root.update()
    started = time.perf_counter()
    for index in range(100_000):
        model.feed(DataReceived(endpoint="u", peer=("127.0.0.1", 1000 + index % 50), data=b"x", call="recvfrom",
                                time=1000 + index * 0.01))
        if index % 10_000 == 0:
            view.refresh()
            root.update()
    view.refresh()
    root.update()
    assert len(model.items) <= 500 and len(view.canvas.find_all()) < 1500
    assert view.following and view._top == max(0, len(model.items) - view._rows_visible())
    assert time.perf_counter() - started < 30


def test_the_socket_life_lights_each_step_and_shows_the_connection(root: tk.Tk) -> None:
    feed = Feed(root)
    texts = Texts()
    view = LifecycleView(root, feed.life, texts)
    view.pack(fill="both", expand=True)
    root.geometry("1000x600")
    port = feed.port()
    try:
        view.refresh()
        root.update()
        assert "waiting in accept() for a client" in canvas_texts(view.canvas)
        with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
            client.sendall(b"Bo\n")
            assert client.recv(100).startswith(b"Welcome!")
            feed.until(lambda: feed.life.connections, "a connection's life")
            view.refresh()
            root.update()
            shown = canvas_texts(view.canvas)
            assert "accept() ⟲" in shown and "bind()" in shown
            assert any(t.startswith("Connection 127.0.0.1:") for t in shown)
            assert any("four values" in t for t in shown)
        view.raw.set(True)
        view.redraw()
        root.update()
        assert any("bind(('127.0.0.1', 0)) -> ok\ngetsockname()" in t for t in canvas_texts(view.canvas))
        x1, y1, _x2, _y2, _step = next(b for b in view._boxes if b[4].name == "bind")
        view.canvas.event_generate("<Button-1>", x=x1 + 5, y=y1 + 5)
        root.update()
        assert "Claims a local address" in view.detail_text() and "s.bind((" in view.detail_text()
        pump_for(root, 0.1)
    finally:
        feed.server.stop()


def test_a_failed_bind_turns_its_box_red_with_the_hint(root: tk.Tk) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        queue = EventQueue()
        model = LifecycleModel("tcp-server")
        server = TcpServer(TcpServerConfig("127.0.0.1", blocker.getsockname()[1]), queue, "s")
        server.start()
        view = LifecycleView(root, model, Texts())
        view.pack(fill="both", expand=True)
        end = time.monotonic() + 5
        while model.state is not State.ERROR and time.monotonic() < end:
            for event in queue.drain():
                model.feed(event)
            root.update()
        server.stop()
    assert not model.life.steps["bind"].ok
    view.refresh()
    root.update()
    assert "already in use" in view.detail_text() and "port 0" in view.detail_text()
    assert isinstance(StateChanged, type)


def test_the_rate_graph_shows_a_second_and_falls_to_zero(root: tk.Tk) -> None:
    from gui.views.rate_view import RateView
    from netcore.session.rates import RateModel

    clock = [1000.5]
    model = RateModel()
    view = RateView(root, lambda: model.total, clock=lambda: clock[0])
    view.pack(fill="both", expand=True)
    root.geometry("600x300")
    model.feed(DataReceived(endpoint="s", peer=("127.0.0.1", 1), data=b"x" * 5000, time=1000.2))
    clock[0] = 1001.1
    view.refresh()
    root.update()
    assert view.shown_rates == ("← in 5.0 KB/s", "→ out 0 B/s")
    clock[0] = 1010.0
    view.refresh()
    root.update()
    assert view.shown_rates == ("← in 0 B/s", "→ out 0 B/s")


def test_tabs_show_their_views_and_the_stream_note_when_both_ends_are_tabs(window: object, root: tk.Tk) -> None:
    from tests.gui.helpers import connect, start_listening

    server, client = window.tabs()[0], window.tabs()[1]  # type: ignore[attr-defined]
    port = start_listening(root, server)
    connect(root, client, port)
    pump_until(root, lambda: len(server.peers.rows) == 1, what="connected")
    for word in (b"Michael", b"Tracy", b"Sarah"):  # three send() calls back-to-back
        client.endpoint.send(word)
    pump_until(root, lambda: sum(len(i.data) for i in server.views.sequence.items if i.kind == "message") == 17,
               what="17 bytes on the server's chart")
    pump_for(root, 0.2)
    receives = [i for i in server.views.sequence.items if i.kind == "message" and i.source != 0]
    notes = [i for i in server.views.sequence.items if i.kind == "stream"]
    if len(receives) < 3:  # TCP merged some: the chart says so, with the counts
        assert notes and notes[0].count >= 2 and notes[0].count_out == 1
    else:
        assert not notes
    for view in ("sequence", "calls", "rate", "log"):
        server.views.show(view)
        root.update()
        assert server.views._frames[view].winfo_ismapped()
    assert server.views.lifecycle.life.steps["accept"].count == 1
    assert client.views.lifecycle.life.steps["connect"].count == 1


def test_save_a_session_reopen_it_replay_it_and_export_it(window: object, root: tk.Tk, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from gui import sessions
    from gui.tabs.replay import ReplayTab
    from netcore.session.pcapread import read_pcapng, tcp_streams
    from tests.gui.helpers import start_listening

    server = window.tabs()[0]  # type: ignore[attr-defined]
    server.reply.kind.set("hello")
    port = start_listening(root, server)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
        client.sendall(b"Ann\n")
        got = b""
        while not got.endswith(b"Hello, Ann!\n"):
            root.update()
            client.settimeout(0.05)
            with contextlib.suppress(TimeoutError):
                got += client.recv(100)
    lives = server.views.lifecycle.connections
    pump_until(root, lambda: bool(lives) and all(life.ended for life in lives.values()), what="the tab saw it end")
    saved = sessions.save_session(window, tmp_path / "hello.jsonl")  # type: ignore[arg-type]
    assert saved is not None and '"type":"end"' in saved.read_text(encoding="utf-8").splitlines()[-1]
    replay = sessions.open_session(window, saved)  # type: ignore[arg-type]
    assert isinstance(replay, ReplayTab) and replay.position == len(replay.session.events)
    root.update()
    kinds = [item.kind for item in replay.views.sequence.items]
    assert "handshake" in kinds and kinds.count("message") >= 2 and "fin" in kinds
    replay.step()
    assert replay.position == 1 and not replay.views.sequence.items
    replay.speed.set("max")
    replay.play()
    pump_until(root, lambda: replay.position == len(replay.session.events) and not replay.playing, what="replayed")
    assert [item.kind for item in replay.views.sequence.items] == kinds
    window.notebook.select(server)  # type: ignore[attr-defined]
    svg = sessions.export_chart(window, tmp_path / "hello.svg")  # type: ignore[arg-type]
    assert svg is not None and "Hello, Ann!" in svg.read_text(encoding="utf-8")
    pcap = sessions.export_pcap(window, tmp_path / "hello.pcapng")  # type: ignore[arg-type]
    assert pcap is not None
    assert b"Ann\n" in tcp_streams(read_pcapng(pcap.read_bytes())).values()
    bad = tmp_path / "bad.jsonl"
    bad.write_text("nope\n", encoding="utf-8")
    shown: list[str] = []
    window.local_problem = shown.append  # type: ignore[attr-defined]
    assert sessions.open_session(window, bad) is None  # type: ignore[arg-type]
    assert shown and "not JSON" in shown[0]

"""The lifecycle model against real engine events: each step lights with its real calls."""

from __future__ import annotations

import socket

from hypothesis import given, settings

from netcore import EventQueue, TcpClient, TcpClientConfig, TcpServer, TcpServerConfig, UdpConfig, UdpEndpoint
from netcore.events import CloseReason, PeerClosed, State
from netcore.replies import make_reply_rule
from netcore.session.lifecycle import MAX_LIVES, STEPS, LifecycleModel
from netcore.worker import Endpoint
from tests.netcore.conftest import Recorder
from tests.netcore.test_session_chart import event_streams


def model_of(rec: Recorder, name: str, kind: str) -> LifecycleModel:
    rec.pump()
    model = LifecycleModel(kind)
    for event in rec.events:
        if event.endpoint == name:
            model.feed(event)
    return model


def test_a_server_lights_every_step_and_each_connection_has_its_life(
        queue: EventQueue, rec: Recorder, no_worker_left_behind: list[Endpoint]) -> None:
    server = TcpServer(TcpServerConfig("127.0.0.1", 0, reply=make_reply_rule("echo")), queue, "server")
    no_worker_left_behind.append(server)
    server.start()
    port = rec.wait_state("server", State.LISTENING).local[1]  # type: ignore[index]
    assert model_of(rec, "server", "tcp-server").waiting == "accept"
    for text in (b"one", b"two"):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
            client.sendall(text)
            assert client.recv(10) == text
    rec.wait_for(lambda _: len(rec.of(PeerClosed, "server")) == 2)
    model = model_of(rec, "server", "tcp-server")
    steps = model.life.steps
    assert list(steps) == list(STEPS["tcp-server"])
    assert list(steps["bind"].calls) == ["bind(('127.0.0.1', 0)) -> ok", f"getsockname() -> ('127.0.0.1', {port})"]
    assert any(line.startswith("setblocking(False)") for line in steps["socket"].calls)
    assert steps["accept"].count == 2 and steps["recv/send"].count >= 4 and steps["close"].count == 0
    lives = list(model.connections.values())
    assert len(lives) == 2 and all(life.ended == "FIN" for life in lives)
    assert lives[0].peer != lives[1].peer and lives[0].steps["recv/send"].count >= 2
    assert lives[0].steps["close"].count == 1


def test_a_refused_connect_turns_the_connect_step_red_with_its_hint(
        queue: EventQueue, rec: Recorder, no_worker_left_behind: list[Endpoint]) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]  # nothing listens here
        client = TcpClient(TcpClientConfig("127.0.0.1", port), queue, "client")
        no_worker_left_behind.append(client)
        client.start()
        rec.wait_state("client", State.ERROR)
    model = model_of(rec, "client", "tcp-client")
    connect = model.life.steps["connect"]
    assert not connect.ok and "refused" in connect.error.lower() and connect.hint
    assert any("getsockopt" in line or "connect" in line for line in connect.calls)
    assert model.waiting is None


def test_udp_steps(queue: EventQueue, rec: Recorder, no_worker_left_behind: list[Endpoint]) -> None:
    udp = UdpEndpoint(UdpConfig("127.0.0.1", 0, reply=make_reply_rule("echo")), queue, "udp")
    no_worker_left_behind.append(udp)
    udp.start()
    port = rec.wait_state("udp", State.BOUND).local[1]  # type: ignore[index]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        peer.settimeout(5)
        peer.sendto(b"hi", ("127.0.0.1", port))
        assert peer.recv(10) == b"hi"
    rec.wait_for(lambda _: model_of(rec, "udp", "udp").life.steps["sendto/recvfrom"].count == 2)
    model = model_of(rec, "udp", "udp")
    assert model.waiting == "sendto/recvfrom" and model.life.steps["bind"].ok


@settings(max_examples=40)
@given(event_streams)
def test_any_event_stream_keeps_the_model_bounded(events: list) -> None:  # type: ignore[type-arg]
    for kind in STEPS:
        model = LifecycleModel(kind)
        for event in events:
            model.feed(event)
        assert len(model.connections) <= MAX_LIVES
        assert all(step.count <= len(events) for step in model.life.steps.values())  # one run per call at most
    assert CloseReason.FIN.name == "FIN"

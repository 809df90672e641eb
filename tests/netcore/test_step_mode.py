"""Step mode: the real program, one call at a time; nothing skipped, reordered or faked."""

from __future__ import annotations

import socket
import threading
import time

from netcore import EventQueue, TcpServer, TcpServerConfig, UdpConfig, UdpEndpoint
from netcore.events import DataReceived, DataSent, Event, PeerClosed, SocketCall, State, StepPending
from netcore.worker import Endpoint
from tests.netcore.conftest import Recorder

CALLS = (SocketCall, DataReceived, DataSent)


def call_names(events: list[Event], name: str) -> list[str]:
    return [e.call for e in events if isinstance(e, CALLS) and e.endpoint == name]


def stepper(queue: EventQueue, endpoint: Endpoint, seen: list[Event], stop: threading.Event) -> threading.Thread:
    """A front-end that clicks Next for every announced call, keeping every event it drained."""
    def run() -> None:
        while not stop.is_set():
            event = queue.get(timeout=0.05)
            if event is None:
                continue
            seen.append(event)
            if isinstance(event, StepPending):
                endpoint.step_next()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def serve_one_client(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
        client.sendall(b"hello")
        time.sleep(0.2)


def run_scenario(step: bool, started: list[Endpoint]) -> list[Event]:
    queue = EventQueue()
    server = TcpServer(TcpServerConfig("127.0.0.1", 0), queue, "server")
    started.append(server)
    server.set_step_mode(step)
    seen: list[Event] = []
    stop = threading.Event()
    thread = stepper(queue, server, seen, stop)
    server.start()
    end = time.monotonic() + 10
    while server.local_address is None or server.state is not State.LISTENING:
        assert time.monotonic() < end
        time.sleep(0.01)
    serve_one_client(server.local_address[1])
    while not any(isinstance(e, PeerClosed) for e in seen):
        assert time.monotonic() < end
        time.sleep(0.01)
    stop.set()
    thread.join(2)
    return seen


def test_step_mode_runs_the_same_calls_in_the_same_order(no_worker_left_behind: list[Endpoint]) -> None:
    free = run_scenario(False, no_worker_left_behind)
    stepped = run_scenario(True, no_worker_left_behind)
    assert call_names(stepped, "server") == call_names(free, "server")
    announced = [e.call for e in stepped if isinstance(e, StepPending)]
    assert announced == call_names(stepped, "server")  # each call was announced, then ran: one Next each
    assert not [e for e in free if isinstance(e, StepPending)]
    assert b"".join(e.data for e in stepped if isinstance(e, DataReceived)) == b"hello"


def test_next_runs_exactly_one_call(queue: EventQueue, rec: Recorder, no_worker_left_behind: list[Endpoint]) -> None:
    udp = UdpEndpoint(UdpConfig("127.0.0.1", 0), queue, "udp")
    no_worker_left_behind.append(udp)
    udp.set_step_mode(True)
    udp.start()
    first = rec.wait_type(StepPending, "udp")
    assert (first.call, first.args) == ("socket", "AF_INET, SOCK_DGRAM")
    time.sleep(0.3)
    assert rec.of(SocketCall, "udp") == []  # nothing runs until Next
    udp.step_next()
    rec.wait_for(lambda _: len(rec.of(StepPending, "udp")) == 2)
    assert [e.call for e in rec.of(SocketCall, "udp")] == ["socket"]
    assert rec.of(StepPending, "udp")[1].call == "bind"
    udp.step_next()
    rec.wait_for(lambda _: len(rec.of(StepPending, "udp")) == 3)
    time.sleep(0.2)
    assert [e.call for e in rec.of(SocketCall, "udp")] == ["socket", "bind"]  # one Next, one call
    udp.step_continue()
    rec.wait_state("udp", State.BOUND)


def test_stop_while_paused_ends_the_thread_at_once(queue: EventQueue, rec: Recorder,
                                                  no_worker_left_behind: list[Endpoint]) -> None:
    server = TcpServer(TcpServerConfig("127.0.0.1", 0), queue, "server")
    server.set_step_mode(True)
    server.start()
    rec.wait_type(StepPending, "server")
    started = time.monotonic()
    assert server.stop(timeout=2.0)
    assert time.monotonic() - started < 2.0
    assert rec.wait_state("server", State.STOPPED)


def test_a_client_connects_while_the_server_waits_before_accept(queue: EventQueue, rec: Recorder,
                                                                no_worker_left_behind: list[Endpoint]) -> None:
    server = TcpServer(TcpServerConfig("127.0.0.1", 0), queue, "server")
    no_worker_left_behind.append(server)
    server.set_step_mode(True)
    server.start()
    for clicks in range(1, 7):  # Next through socket, setsockopt, bind, listen, setblocking, getsockname
        rec.wait_for(lambda _, n=clicks: len(rec.of(StepPending, "server")) >= n)
        server.step_next()
    listening = rec.wait_state("server", State.LISTENING)
    assert [e.call for e in rec.of(SocketCall, "server")] == ["socket", "setsockopt", "bind", "listen",
                                                               "setblocking", "getsockname"]
    assert listening.local is not None
    with socket.create_connection(("127.0.0.1", listening.local[1]), timeout=2) as client:  # the kernel's handshake
        client.sendall(b"waits in the receive buffer")
        pending = rec.wait_type(StepPending, "server", where=lambda e: e.call == "accept")
        assert pending.args == "" and not rec.of(DataReceived, "server")  # connected, not yet accepted
        time.sleep(0.2)
        assert not [e for e in rec.of(SocketCall, "server") if e.call == "accept"]
        server.step_continue()
        assert rec.wait_received("server", 27) == b"waits in the receive buffer"


def test_a_click_with_no_call_waiting_does_nothing() -> None:
    from netcore.stepgate import StepGate

    gate = StepGate()
    gate.set_enabled(True)
    gate.next()  # nothing waits yet: this click must not let the next call through unannounced
    passed = threading.Event()
    worker = threading.Thread(target=lambda: (gate.wait_turn("bind", "", lambda c, a: None), passed.set()),
                              daemon=True)
    worker.start()
    assert not passed.wait(0.3)
    gate.next()
    assert passed.wait(2)
    worker.join(2)

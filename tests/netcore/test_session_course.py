"""Lesson goals tick from real engine events, and only when the step was really done."""

from __future__ import annotations

import socket
import struct
import time

from netcore import EventQueue, TcpClient, TcpClientConfig, TcpServer, TcpServerConfig, UdpConfig, UdpEndpoint
from netcore.events import DataReceived, DataSent, PeerClosed, State
from netcore.replies import make_reply_rule
from netcore.session.course import Course
from netcore.session.streammap import StreamMatcher
from netcore.worker import Endpoint
from tests.netcore.conftest import Recorder

KINDS = {"server": "tcp-server", "server2": "tcp-server", "client": "tcp-client", "udp": "udp"}


def ticked(rec: Recorder, course: Course, matcher: StreamMatcher | None = None) -> set[str]:
    """Feed the events the course has not seen yet (each once, as the window does) and say what is done."""
    rec.pump()
    start = getattr(course, "fed_in_test", 0)
    course.fed_in_test = len(rec.events)  # type: ignore[attr-defined]
    for event in rec.events[start:]:
        course.feed(KINDS[event.endpoint], event)
        for note in (matcher.feed(event) if matcher else []):
            course.feed(KINDS[note.endpoint], note)
    return {goal for goals in course.done.values() for goal in goals}


def start(endpoint: Endpoint, started: list[Endpoint]) -> Endpoint:
    started.append(endpoint)
    endpoint.start()
    return endpoint


def test_a_listening_server_ticks_only_its_first_steps(queue: EventQueue, rec: Recorder,
                                                       no_worker_left_behind: list[Endpoint]) -> None:
    start(TcpServer(TcpServerConfig("127.0.0.1", 0), queue, "server"), no_worker_left_behind)
    rec.wait_state("server", State.LISTENING)
    done = ticked(rec, Course())
    assert {"server.socket", "server.bind", "server.listen"} <= done
    assert not done & {"server.accept", "server.recv", "server.send", "server.close"}


def test_the_greeting_server_lesson_with_two_clients(queue: EventQueue, rec: Recorder,
                                                     no_worker_left_behind: list[Endpoint]) -> None:
    start(TcpServer(TcpServerConfig("127.0.0.1", 0, reply=make_reply_rule("hello")), queue, "server"),
          no_worker_left_behind)
    port = rec.wait_state("server", State.LISTENING).local[1]  # type: ignore[index]
    first = socket.create_connection(("127.0.0.1", port), timeout=5)
    course = Course()
    assert "greeting.two" not in ticked(rec, course)
    with first, socket.create_connection(("127.0.0.1", port), timeout=5) as second:
        second.sendall(b"Tracy\nexit\n")
        assert second.recv(100).startswith(b"Welcome!")
        rec.wait_for(lambda _: len(rec.of(PeerClosed, "server")) == 1)
    rec.wait_for(lambda _: len(rec.of(PeerClosed, "server")) == 2)
    done = ticked(rec, course)
    assert {"greeting.welcome", "greeting.hello", "greeting.two", "greeting.exit", "server.accept",
            "server.close"} <= done
    assert Course(course.progress()).done == course.done  # progress survives the settings round trip


def test_stream_lesson_ticks_when_both_tabs_see_merged_sends(queue: EventQueue, rec: Recorder,
                                                             no_worker_left_behind: list[Endpoint]) -> None:
    start(TcpServer(TcpServerConfig("127.0.0.1", 0), queue, "server"), no_worker_left_behind)
    port = rec.wait_state("server", State.LISTENING).local[1]  # type: ignore[index]
    client = start(TcpClient(TcpClientConfig("127.0.0.1", port), queue, "client"), no_worker_left_behind)
    for name in (b"Michael", b"Tracy", b"Sarah"):  # queued before connect finishes: written back-to-back
        assert isinstance(client, TcpClient)
        client.send(name)
    rec.wait_received("server", 17)
    rec.wait_for(lambda _: len(rec.of(DataSent, "client")) == 3)  # the bytes can arrive before the send's event
    course, matcher = Course(), StreamMatcher()
    done = ticked(rec, course, matcher)
    receives = len(rec.of(DataReceived, "server"))
    assert ("stream.merged" in done) == (receives < 3)  # ticks exactly when TCP merged the sends
    assert "stream.whole" not in done


def test_ports_lesson(queue: EventQueue, rec: Recorder, no_worker_left_behind: list[Endpoint]) -> None:
    start(TcpServer(TcpServerConfig("127.0.0.1", 0), queue, "server"), no_worker_left_behind)
    port = rec.wait_state("server", State.LISTENING).local[1]  # type: ignore[index]
    course = Course()
    assert "ports.both" not in ticked(rec, course)
    start(UdpEndpoint(UdpConfig("127.0.0.1", port), queue, "udp"), no_worker_left_behind)
    start(TcpServer(TcpServerConfig("127.0.0.1", port), queue, "server2"), no_worker_left_behind)
    rec.wait_state("udp", State.BOUND)
    rec.wait_state("server2", State.ERROR)
    assert {"ports.both", "ports.in_use"} <= ticked(rec, course)


def test_closing_lesson_fin_rst_and_half_close(queue: EventQueue, rec: Recorder,
                                               no_worker_left_behind: list[Endpoint]) -> None:
    start(TcpServer(TcpServerConfig("127.0.0.1", 0, reply=make_reply_rule("echo")), queue, "server"),
          no_worker_left_behind)
    port = rec.wait_state("server", State.LISTENING).local[1]  # type: ignore[index]
    with socket.create_connection(("127.0.0.1", port), timeout=5) as polite:
        polite.sendall(b"bye")
        polite.recv(10)
    rude = socket.create_connection(("127.0.0.1", port), timeout=5)
    rude.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    rude.close()
    rec.wait_for(lambda _: len(rec.of(PeerClosed, "server")) == 2)
    course = Course()
    done = ticked(rec, course)
    assert {"closing.fin", "closing.rst"} <= done and "closing.half" not in done
    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = start(TcpClient(TcpClientConfig("127.0.0.1", listener.getsockname()[1]), queue, "client"),
                       no_worker_left_behind)
        conn, _ = listener.accept()
        with conn:
            assert isinstance(client, TcpClient)
            client.shutdown_write()
            assert conn.recv(10) == b""  # the client's FIN
            time.sleep(0.05)
            conn.sendall(b"still listening")  # the client half-closed but still receives
            rec.wait_received("client", 15)
    assert "closing.half" in ticked(rec, course)


def test_udp_lesson_hears_a_datagram_refused(queue: EventQueue, rec: Recorder,
                                             no_worker_left_behind: list[Endpoint]) -> None:
    import sys

    udp = start(UdpEndpoint(UdpConfig("127.0.0.1", 0), queue, "udp"), no_worker_left_behind)
    rec.wait_state("udp", State.BOUND)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as gone:
        gone.bind(("127.0.0.1", 0))
        closed = gone.getsockname()[1]
    assert isinstance(udp, UdpEndpoint)
    udp.send_to(b"anyone there?", ("127.0.0.1", closed))
    course = Course()
    if sys.platform.startswith("linux"):  # IP_RECVERR: the refusal is heard
        rec.wait_for(lambda _: "udp.nobody" in ticked(rec, course), timeout=5)
    assert "udp.sendto" in ticked(rec, course)

"""Memory and time bounds as tests: a server's RSS under hostile peers, and stop() in every state.

RSS is measured in a child process that runs only the endpoint (see
:mod:`tests.adversarial.child_server`), before and after the load, with psutil.
Each bound is stated next to its test with what it allows for.
"""

from __future__ import annotations

import contextlib
import json
import select
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType

import pytest

from netcore import EventQueue, TcpServer, TcpServerConfig, UdpConfig, UdpEndpoint
from netcore.events import State
from netcore.worker import Endpoint
from tests.adversarial.clients import pattern
from tests.adversarial.helpers import HOST, reply_rule, reset, socket_inodes, wait_until

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024
STOP_SECONDS = 2.0


class ChildServer:
    """``child_server KIND MODE`` in a subprocess; :meth:`stat` asks it for its figures."""

    def __init__(self, kind: str, mode: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.adversarial.child_server", kind, mode],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        ready = self._line(10.0).split()
        assert ready[:1] == ["READY"], f"child said {ready!r}"
        self.port = int(ready[1])

    def _line(self, timeout: float) -> str:
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        assert ready, f"the child said nothing within {timeout} s"
        return self.process.stdout.readline()

    def ask(self, command: str) -> dict[str, object]:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        answer: dict[str, object] = json.loads(self._line(10.0))
        return answer

    def stat(self) -> dict[str, int | str | bool]:
        return self.ask("stat")  # type: ignore[return-value]

    def count(self) -> int:
        """Datagrams the child's endpoint received so far."""
        return int(str(self.ask("count")["datagrams"]))

    def __enter__(self) -> ChildServer:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(5.0)
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


def growth(before: dict[str, int | str | bool], after: dict[str, int | str | bool]) -> float:
    """RSS growth in MB."""
    return (int(after["rss"]) - int(before["rss"])) / MB


def settled(child: ChildServer, done: Callable[[dict[str, int | str | bool]], bool],
            own_sockets: int = 3, timeout: float = 5.0) -> dict[str, int | str | bool]:
    """The child's figures once ``done`` holds and its sockets match its connections (or it died)."""
    figures = child.stat()
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        held = int(figures["sockets"]) - int(figures["connections"])
        if not figures["running"] or (done(figures) and held == own_sockets):
            break
        time.sleep(0.05)
        figures = child.stat()
    return figures


def assert_serving(figures: dict[str, int | str | bool], state: str, own_sockets: int) -> None:
    assert figures["running"] and figures["state"] == state, f"the server is {figures['state']}"
    held = int(figures["sockets"]) - int(figures["connections"])
    assert held == own_sockets, f"{held} sockets besides its connections, not {own_sockets}"


# ---- memory ----


def send_from_ports(child: ChildServer, ports: range) -> int:
    """One datagram from each free port in ``ports`` (each a distinct source); how many were sent.

    Every 100 (less than the default receive buffer holds) it waits until the
    child has read them all, so the kernel drops none.
    """
    target = (HOST, child.port)
    start = child.count()
    sent = 0
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            try:
                sock.bind((HOST, port))
            except OSError:  # in use by someone else
                continue
            sock.sendto(b"x", target)
            sent += 1
        if sent % 100 == 0:
            _caught_up(child, start + sent)
    _caught_up(child, start + sent)
    return sent


def _caught_up(child: ChildServer, count: int) -> None:
    wait_until(lambda: child.count() >= count, 0.5, 0.001)


@pytest.mark.slow
def test_udp_memory_stays_bounded_however_many_sources() -> None:
    """Fault 4: after 5,000 sources, 25,000 more may add at most 2.5 MB (unbounded: about 215 B each, 5.4 MB)."""
    with ChildServer("udp", "custom") as child:  # custom: the reply uses the per-source count
        send_from_ports(child, range(10000, 15000))
        before = child.stat()
        sent = send_from_ports(child, range(15000, 40000))
        after = child.stat()
        heard = int(after["datagrams"]) - int(before["datagrams"])
        assert heard >= sent * 0.9, f"only {heard} of {sent} datagrams reached the endpoint"
        assert_serving(after, "BOUND", 3)
        assert growth(before, after) <= 2.5, f"RSS grew {growth(before, after):.1f} MB for {sent} more sources"


@pytest.mark.slow
def test_tcp_echo_memory_stays_bounded_when_clients_never_read() -> None:
    """20 clients flood 4 MB each and never read: at most 1.25 MiB waits per client (reading pauses
    past 1 MiB of replies, plus one 256 KiB read), so RSS may grow 20 x 1.25 + 15 MB of slack = 40 MB."""
    with ChildServer("tcp", "echo") as child:
        before = child.stat()
        clients = [socket.create_connection((HOST, child.port), timeout=2.0) for _ in range(20)]
        try:
            for sock in clients:
                sock.setblocking(False)
            payload = pattern(4 * MB, 0)
            deadline = time.monotonic() + 4.0
            for sock in clients:
                _push(sock, payload, deadline)
            time.sleep(0.3)
            after = child.stat()
            assert_serving(after, "LISTENING", 3)
            assert after["connections"] == 20
            assert growth(before, after) <= 40.0, f"RSS grew {growth(before, after):.1f} MB"
        finally:
            for sock in clients:
                sock.close()


def _push(sock: socket.socket, data: bytes, deadline: float) -> None:
    view = memoryview(data)
    while view and time.monotonic() < deadline:
        try:
            view = view[sock.send(view[: 256 * 1024]) :]
        except BlockingIOError:
            if not select.select([], [sock], [], 0.05)[1]:
                return  # the server stopped reading this one: its replies wait
        except OSError:
            return


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["echo", "hello"])
def test_many_resets_leave_the_server_up_and_small(mode: str) -> None:
    """Fault 1 at scale: 800 clients send a line and reset. The server stays up, holds only its
    own 3 sockets after, and grows at most 5 MB."""
    with ChildServer("tcp", mode) as child:
        before = child.stat()
        for _ in range(800):
            try:
                sock = socket.create_connection((HOST, child.port), timeout=2.0)
            except OSError:  # refused: the server is gone (reported below)
                break
            with contextlib.suppress(OSError):
                sock.sendall(b"Bob\n")
            reset(sock)
        after = settled(child, lambda figures: figures["connections"] == 0)
        assert_serving(after, "LISTENING", 3)
        assert growth(before, after) <= 5.0, f"RSS grew {growth(before, after):.1f} MB"


@pytest.mark.slow
def test_udp_echo_memory_stays_bounded_when_the_peer_never_reads() -> None:
    """20,000 datagrams of 1 KB from a peer that never reads its answers: at most 10 MB more."""
    with ChildServer("udp", "echo") as child, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        peer.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        peer.bind((HOST, 0))
        before = child.stat()
        for index in range(20000):
            peer.sendto(b"%d " % index + b"x" * 1024, (HOST, child.port))
            if index % 200 == 199:
                time.sleep(0.001)
        time.sleep(0.3)
        after = child.stat()
        assert_serving(after, "BOUND", 3)
        assert growth(before, after) <= 10.0, f"RSS grew {growth(before, after):.1f} MB"


# ---- time: stop() within 2 s in every state ----


class Flooder:
    """Threads that keep sending to ``target`` until :meth:`stop` (or 10 s): a load that goes on."""

    def __init__(self, send: Callable[[], object], threads: int = 2) -> None:
        self._done = threading.Event()
        self._send = send
        self._threads = [threading.Thread(target=self._run, name="adversarial-flood", daemon=True)
                         for _ in range(threads)]
        for thread in self._threads:
            thread.start()

    def _run(self) -> None:
        end = time.monotonic() + 10.0
        while not self._done.is_set() and time.monotonic() < end:
            try:
                self._send()
            except OSError:
                time.sleep(0.01)

    def stop(self) -> None:
        self._done.set()
        for thread in self._threads:
            thread.join(2.0)


def assert_stops_in_time(endpoint: Endpoint, baseline: set[str], own: int = 0) -> None:
    started = time.monotonic()
    stopped = endpoint.stop(STOP_SECONDS)
    took = time.monotonic() - started
    assert stopped and took <= STOP_SECONDS, f"stop() took {took:.2f} s"
    assert len(socket_inodes() - baseline) == own, "the endpoint left sockets behind"


@pytest.fixture
def clients() -> Iterator[list[socket.socket]]:
    socks: list[socket.socket] = []
    yield socks
    for sock in socks:
        sock.close()


def start_server(mode: str, queue: EventQueue, started: list[Endpoint]) -> tuple[TcpServer, int]:
    server = TcpServer(TcpServerConfig(HOST, 0, reply=reply_rule(mode)), queue, "bounded")
    started.append(server)
    server.start()
    assert wait_until(lambda: server.state is State.LISTENING, 3.0)
    assert server.local_address is not None
    return server, server.local_address[1]


def flood_clients(port: int, count: int, clients: list[socket.socket]) -> Flooder:
    for _ in range(count):
        sock = socket.create_connection((HOST, port), timeout=2.0)
        sock.setblocking(False)
        clients.append(sock)
    chunk = b"z" * 65536

    def send() -> None:
        for sock in list(clients):
            try:
                sock.send(chunk)
            except BlockingIOError:
                time.sleep(0.001)

    return Flooder(send)


@pytest.mark.parametrize("drained", [True, False], ids=["mid-flood", "congested-queue"])
def test_tcp_stop_in_time_mid_flood(no_worker_left_behind: list[Endpoint], clients: list[socket.socket],
                                    drained: bool) -> None:
    baseline = socket_inodes()
    queue = EventQueue(max_bytes=2 * MB)
    server, port = start_server("echo", queue, no_worker_left_behind)
    flooder = flood_clients(port, 10, clients)
    try:
        end = time.monotonic() + 1.0
        while time.monotonic() < end:  # a front-end that keeps up, or none (the queue fills up and stays full)
            if drained:
                queue.drain()
            time.sleep(0.01)
        if not drained:
            assert queue.congested
        assert_stops_in_time(server, baseline, own=len(clients))
    finally:
        flooder.stop()


@pytest.mark.slow
def test_tcp_stop_in_time_with_many_clients(no_worker_left_behind: list[Endpoint],
                                            clients: list[socket.socket]) -> None:
    baseline = socket_inodes()
    queue = EventQueue()
    server, port = start_server("hello", queue, no_worker_left_behind)
    for _ in range(600):
        clients.append(socket.create_connection((HOST, port), timeout=2.0))
    assert wait_until(lambda: len(server.peers()) == 600, 10.0, 0.05)
    assert_stops_in_time(server, baseline, own=len(clients))


@pytest.mark.parametrize("drained", [True, False], ids=["mid-flood", "congested-queue"])
def test_udp_stop_in_time_mid_flood(no_worker_left_behind: list[Endpoint], drained: bool) -> None:
    baseline = socket_inodes()
    queue = EventQueue(max_bytes=1 * MB, max_events=2000)
    endpoint = UdpEndpoint(UdpConfig(HOST, 0, reply=reply_rule("echo")), queue, "bounded-udp")
    no_worker_left_behind.append(endpoint)
    endpoint.start()
    assert wait_until(lambda: endpoint.state is State.BOUND, 3.0)
    assert endpoint.local_address is not None
    target = endpoint.local_address
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as peer:
        flooder = Flooder(lambda: peer.sendto(b"u" * 1200, target))
        try:
            end = time.monotonic() + 1.0
            while time.monotonic() < end:
                if drained:
                    queue.drain()
                time.sleep(0.01)
            assert_stops_in_time(endpoint, baseline, own=1)
        finally:
            flooder.stop()

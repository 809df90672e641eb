"""Generated hostile UDP peers against a real UdpEndpoint, in every auto-reply mode.

A hypothesis state machine sends from a few clients and from thousands of
distinct source ports, sends oversize datagrams (up to 65,507 bytes), makes the
endpoint send to ports where nothing listens (ICMP port unreachable), floods
while the front-end stops draining, and points a second echo endpoint at it
(two auto-replies answering each other). After every step the endpoint must
still be BOUND and answer a probe, count every datagram exactly (kept or
overflowed), keep per-source state bounded, and hold exactly its three sockets.
"""

from __future__ import annotations

import socket
import time

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from netcore import EventQueue, UdpConfig, UdpEndpoint
from netcore.events import Address, State
from tests.adversarial.helpers import (
    HOST,
    MODES,
    Drainer,
    reply_rule,
    socket_inodes,
    sync,
    udp_probe,
    wait_until,
    worker_threads,
)
from tests.adversarial.profiles import MACHINE_TIMEOUT, UDP_PROFILE

ENDPOINT_SOCKETS = 3
"""A UdpEndpoint's sockets: the bound one and the wake-up socketpair."""
MAX_SOURCES = 5200
SOURCE_BATCH = 2500
"""Two batches cross :data:`TRACKED_LIMIT` with a wide margin, whatever ports repeat between them."""
"""Distinct source ports one generated program may use (more than the engine tracks)."""
TRACKED_LIMIT = 4096
"""Sources the engine may keep per-source state for (netcore.peerstate.MAX_TRACKED_PEERS)."""
BOUNCE_SECONDS = 3.0
HELLO_BOUNCE_SECONDS = 15.0
"""A hello endpoint and an echo peer answer each other with a datagram 8 bytes longer each round, until the
reply rate trips or a datagram passes 65,507 bytes: about 2,000 datagrams in 1 s on a quiet machine, still
going after 3 s (3,586 datagrams) once in CI while the machine was loaded."""
MAX_PAYLOAD = 65_507


def udp_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((HOST, 0))
    sock.setblocking(False)
    return sock


def send_quietly(sock: socket.socket, data: bytes, target: Address) -> bool:
    """``sendto`` that reports failure (a refused port, a full buffer) as False."""
    try:
        sock.sendto(data, target)
    except OSError:
        return False
    return True


def refused_port() -> int:
    """A UDP port on HOST where nothing listens (bound, then closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class UdpMachine(RuleBasedStateMachine):
    """One UdpEndpoint in :attr:`mode` and the peers of one generated program."""

    mode = "echo"
    clients = Bundle("udp_clients")

    def __init__(self) -> None:
        super().__init__()
        self.baseline = socket_inodes()
        self.queue = EventQueue(max_bytes=512 * 1024, max_events=2000)
        self.endpoint = UdpEndpoint(UdpConfig(HOST, 0, reply=reply_rule(self.mode)), self.queue, "hostile-udp")
        self.drainer = Drainer(self.queue, self.endpoint.name)
        self.socks: list[socket.socket] = []
        self.peer: UdpEndpoint | None = None
        self.sources = 0
        self._received_at_batch_start = 0
        self.endpoint.start()
        assert wait_until(lambda: self.endpoint.state is State.BOUND, 3.0), "the endpoint did not bind"
        assert self.endpoint.local_address is not None
        self.target: Address = self.endpoint.local_address

    # ---- peers ----

    @rule(target=clients)
    def new_client(self) -> socket.socket:
        sock = udp_socket()
        self.socks.append(sock)
        return sock

    @rule(client=clients, data=st.binary(max_size=1500))
    def send(self, client: socket.socket, data: bytes) -> None:
        send_quietly(client, data, self.target)

    @rule(client=clients, size=st.integers(min_value=1473, max_value=MAX_PAYLOAD), fill=st.integers(0, 255))
    def send_oversize(self, client: socket.socket, size: int, fill: int) -> None:
        """A datagram larger than one Ethernet frame, up to the largest IPv4 allows."""
        send_quietly(client, bytes([fill]) * size, self.target)

    @rule(client=consumes(clients))
    def client_goes_away(self, client: socket.socket) -> None:
        """The endpoint's answers to it now meet a closed port (ICMP port unreachable)."""
        client.close()

    @rule()
    def many_sources(self) -> None:
        """:data:`SOURCE_BATCH` datagrams, each from a source port of its own."""
        self._from_new_sources(SOURCE_BATCH)

    @rule(count=st.integers(min_value=1, max_value=64))
    def a_few_sources(self, count: int) -> None:
        self._from_new_sources(count)

    def _from_new_sources(self, count: int) -> None:
        """Send from ``count`` new sockets, open together (so their ports differ), paced so none is dropped."""
        count = min(count, MAX_SOURCES - self.sources)
        self.sources += count
        self._received_at_batch_start = self.endpoint.datagrams_in
        batch: list[socket.socket] = []
        try:
            for index in range(count):
                batch.append(udp_socket())
                send_quietly(batch[-1], b"src%d" % index, self.target)
                if index % 64 == 63:
                    self._wait_received(len(batch))
            self._wait_received(len(batch))
        finally:
            for sock in batch:
                sock.close()

    def _wait_received(self, sent: int) -> None:
        start = self._received_at_batch_start
        wait_until(lambda: self.endpoint.datagrams_in - start >= sent, 0.2, 0.001)

    @rule(client=clients, count=st.integers(min_value=100, max_value=3000), seconds=st.floats(0.05, 0.3))
    def flood_while_front_end_stalls(self, client: socket.socket, count: int, seconds: float) -> None:
        self.drainer.pause()
        try:
            for index in range(count):
                send_quietly(client, b"flood %d " % index + b"x" * 1000, self.target)
            time.sleep(seconds)
        finally:
            self.drainer.resume()

    @rule(data=st.binary(max_size=512))
    def send_to_a_refused_port(self, data: bytes) -> None:
        """The endpoint sends where nothing listens; Linux may report ECONNREFUSED on a later call."""
        self.endpoint.send_to(data, (HOST, refused_port()))

    @precondition(lambda self: self.peer is None and self.mode != "none")
    @rule()
    def echo_peer_answers_back(self) -> None:
        """A second endpoint, in echo mode, sends one datagram: two auto-replies answer each other."""
        peer = UdpEndpoint(UdpConfig(HOST, 0, reply=reply_rule("echo")), self.queue, "echo-peer")
        self.peer = peer
        peer.start()
        assert wait_until(lambda: peer.state is State.BOUND, 3.0)
        before = self.endpoint.datagrams_in
        peer.send_to(b"ping", self.target)
        deadline = HELLO_BOUNCE_SECONDS if self.mode == "hello" else BOUNCE_SECONDS
        assert wait_until(self._bounce_over, deadline, 0.05), (
            f"still bouncing after {deadline} s: {self.endpoint.datagrams_in - before} datagrams in, "
            f"notices {dict(self.drainer.every_notice)}")
        if self.mode == "echo":  # nothing else ends it: a rate limit did, and said so
            self.drainer.catch_up()
            assert self.drainer.every_notice["reply_rate_limited"], dict(self.drainer.every_notice)

    def _bounce_over(self) -> bool:
        assert self.peer is not None
        first = (self.endpoint.datagrams_in, self.peer.datagrams_in)
        time.sleep(0.2)
        return first == (self.endpoint.datagrams_in, self.peer.datagrams_in)

    # ---- after every step ----

    @invariant()
    def endpoint_serves(self) -> None:
        synced = sync(self.endpoint)
        self.drainer.catch_up()
        died = self._death()
        assert died is None, f"{died}\n{self.drainer.story()}"
        assert synced, f"the worker did not run a command within 2 s\n{self.drainer.story()}"
        not_served = self._probe()
        assert not_served is None, f"the probe was not served: {not_served}\n{self.drainer.story()}"
        assert wait_until(self._counted, 3.0), (
            f"{self.endpoint.datagrams_in} datagrams in, but {self.drainer.datagrams} reported "
            f"+ {self.drainer.overflowed} overflowed")
        tracked = len(getattr(self.endpoint, "_counts", ()))  # test-only reach-in: per-source state
        assert tracked <= TRACKED_LIMIT, f"per-source state for {tracked} sources: unbounded"
        problem = self._sockets()
        assert problem is None, problem

    def _death(self) -> str | None:
        if self.drainer.fatal:
            return f"the endpoint stopped: {self.drainer.fatal[0].message}"
        if not self.endpoint.running or self.endpoint.state is not State.BOUND:
            return f"the endpoint is {self.endpoint.state.name}, worker alive: {self.endpoint.running}"
        return None

    def _probe(self) -> str | None:
        try:
            udp_probe(self.target, self.mode, self.endpoint.send_to, self.drainer)
        except (AssertionError, OSError) as exc:
            return f"{exc!r}; endpoint {self.endpoint.state.name}"
        return None

    def _counted(self) -> bool:
        return self.endpoint.datagrams_in == self.drainer.datagrams + self.drainer.overflowed

    def _sockets(self) -> str | None:
        mine = sum(1 for sock in self.socks if sock.fileno() != -1)
        peer = ENDPOINT_SOCKETS if self.peer is not None and self.peer.running else 0
        held = len(socket_inodes() - self.baseline) - mine - peer
        if held != ENDPOINT_SOCKETS:
            return f"the endpoint holds {held} sockets, not {ENDPOINT_SOCKETS}"
        return None

    def teardown(self) -> None:
        self.drainer.resume()
        for sock in self.socks:
            sock.close()
        took = []
        for endpoint in (self.endpoint, self.peer):
            if endpoint is not None:
                started = time.monotonic()
                stopped = endpoint.stop(2.0)
                took.append((endpoint.name, stopped, time.monotonic() - started))
        self.drainer.close()
        leftover = socket_inodes() - self.baseline
        assert all(stopped and seconds <= 2.0 for _, stopped, seconds in took), f"stop(): {took}"
        assert not worker_threads(), f"threads left running: {worker_threads()}"
        assert not leftover, f"{len(leftover)} sockets left after stop()"


def machine_for(mode: str) -> type[UdpMachine]:
    return type(f"Udp_{mode}", (UdpMachine,), {"mode": mode})


@MACHINE_TIMEOUT
@pytest.mark.parametrize("mode", MODES)
def test_udp_endpoint_survives_hostile_peers(mode: str) -> None:
    run_state_machine_as_test(machine_for(mode), settings=UDP_PROFILE)

"""The UDP relay over real loopback sockets: each client its own upstream socket, both ways, bounded."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
from collections.abc import Callable, Iterator

import pytest

from netcore import EventQueue
from netcore.events import DOWNSTREAM, UPSTREAM, DataReceived, DataSent, Notice
from netcore.relay_config import RelayBase
from netcore.relay_udp import UdpRelay
from netcore.worker import Endpoint
from tests.netcore.relay_helpers import Tally, start_relay


@pytest.fixture
def tally(queue: EventQueue) -> Iterator[Tally]:
    seen = Tally(queue)
    yield seen
    seen.close()


@pytest.fixture
def relay_to(queue: EventQueue, tally: Tally, no_worker_left_behind: list[Endpoint]
             ) -> Callable[..., UdpRelay]:
    def start(target_port: int, **options: object) -> UdpRelay:
        relay: RelayBase = start_relay(queue, tally, target_port, udp=True, **options)
        no_worker_left_behind.append(relay)
        assert isinstance(relay, UdpRelay)
        return relay
    return start


class EchoTarget:
    """A UDP server that answers each datagram with ``<source port>:<datagram>``."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.sources: set[tuple[str, int]] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                data, source = self.sock.recvfrom(65535)
            except TimeoutError:
                continue
            self.sources.add(source)
            self.sock.sendto(f"{source[1]}:".encode() + data, source)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture
def target() -> Iterator[EchoTarget]:
    echo = EchoTarget()
    yield echo
    echo.close()


def client_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(5)
    return sock


def test_two_clients_get_their_own_upstream_sockets_and_their_own_answers(
        relay_to: Callable[..., UdpRelay], tally: Tally, target: EchoTarget) -> None:
    relay = relay_to(target.port)
    assert relay.local_address is not None
    first, second = client_socket(), client_socket()
    first.sendto(b"one", relay.local_address)
    reply_one, source_one = first.recvfrom(65535)
    second.sendto(b"two", relay.local_address)
    reply_two, source_two = second.recvfrom(65535)
    assert source_one == source_two == relay.local_address
    up_one = relay.upstream_of(first.getsockname())
    up_two = relay.upstream_of(second.getsockname())
    assert up_one is not None and up_two is not None and up_one != up_two
    assert reply_one == f"{up_one[1]}:one".encode()
    assert reply_two == f"{up_two[1]}:two".encode()
    assert target.sources == {up_one, up_two}
    for _ in range(20):  # more of the same: still one socket per client, each answer to its own client
        first.sendto(b"again", relay.local_address)
        assert first.recvfrom(65535)[0] == f"{up_one[1]}:again".encode()
    assert relay.client_count == 2
    tally.wait_until(lambda: tally.count(DataSent, DOWNSTREAM) == len(reply_one) + len(reply_two) + 20 * 11)
    assert tally.count(DataReceived, UPSTREAM) == tally.count(DataSent, UPSTREAM) == 3 + 3 + 20 * 5
    news = [e for e in tally.of(Notice) if e.code == "relay_udp_new"]
    assert len(news) == 2
    first.close()
    second.close()


def test_the_number_of_upstream_sockets_is_bounded(relay_to: Callable[..., UdpRelay], tally: Tally,
                                                   target: EchoTarget) -> None:
    relay = relay_to(target.port, max_clients=3)
    assert relay.local_address is not None
    clients = [client_socket() for _ in range(5)]
    for index, sock in enumerate(clients):
        sock.sendto(b"x%d" % index, relay.local_address)
        assert sock.recvfrom(100)[0].endswith(b"x%d" % index)
    assert relay.client_count == 3
    tally.wait_until(lambda: sum(e.code == "relay_udp_evicted" for e in tally.of(Notice)) == 2)
    evicted = [e for e in tally.of(Notice) if e.code == "relay_udp_evicted"]
    assert [e.params["client"] for e in evicted][:2] == [f"127.0.0.1:{c.getsockname()[1]}" for c in clients[:2]]
    clients[0].sendto(b"back", relay.local_address)  # an evicted client simply gets a new socket
    assert clients[0].recvfrom(100)[0].endswith(b"back")
    for sock in clients:
        sock.close()


def test_a_quiet_client_loses_its_upstream_socket(relay_to: Callable[..., UdpRelay], tally: Tally,
                                                  target: EchoTarget) -> None:
    relay = relay_to(target.port, idle_timeout=0.3)
    assert relay.local_address is not None
    sock = client_socket()
    sock.sendto(b"hi", relay.local_address)
    assert sock.recvfrom(100)[0].endswith(b"hi")
    tally.wait_for(Notice, lambda e: e.code == "relay_udp_idle", timeout=5)
    assert relay.client_count == 0
    sock.close()


def test_nothing_at_the_target_is_said_in_plain_words(relay_to: Callable[..., UdpRelay], tally: Tally) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    relay = relay_to(port)
    assert relay.local_address is not None
    sock = client_socket()
    sock.sendto(b"anyone?", relay.local_address)
    notice = tally.wait_for(Notice, lambda e: e.code == "relay_udp_refused")
    assert "nothing listens" in notice.message
    assert relay.running
    sock.close()


def test_socat_as_a_real_udp_client(relay_to: Callable[..., UdpRelay], tally: Tally, target: EchoTarget) -> None:
    """``socat - UDP:relay`` sends a line and prints what comes back through the relay."""
    if shutil.which("socat") is None:
        pytest.skip("socat is not installed")
    relay = relay_to(target.port)
    assert relay.local_address is not None
    host, port = relay.local_address
    done = subprocess.run(["socat", "-t", "2", "-", f"UDP:{host}:{port}"], input=b"from socat\n",
                          capture_output=True, timeout=20, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith(b":from socat\n")
    upstream = next(iter(target.sources))
    assert done.stdout == f"{upstream[1]}:from socat\n".encode()
    tally.wait_until(lambda: tally.count(DataReceived, DOWNSTREAM) == len(done.stdout))

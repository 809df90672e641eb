"""Review findings for the UDP endpoint: flow-control holes and dual-stack sending.

Each test pins down a defect a review found, now fixed.
"""

from __future__ import annotations

import socket
import time

import pytest

from netcore import EventQueue, UdpConfig, UdpEndpoint
from netcore.events import DataReceived, ErrorEvent, ReceiveOverflow, State
from netcore.replies import make_reply_rule
from tests.netcore.conftest import Recorder


def _flood(port: int, payload: bytes, count: int) -> None:
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sender.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)  # echoes land here; nobody reads them
    try:
        for index in range(count):
            sender.sendto(payload, ("127.0.0.1", port))
            if index % 50 == 49:
                time.sleep(0.002)  # let the worker keep up, so the kernel drops few datagrams
    finally:
        sender.close()


def _wait_quiet(udp: UdpEndpoint, seconds: float = 5.0) -> int:
    """Wait (bounded) until the endpoint has stopped counting new datagrams."""
    end = time.monotonic() + seconds
    last, since = -1, time.monotonic()
    while time.monotonic() < end:
        now = udp.datagrams_in
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since > 0.3:
            break
        time.sleep(0.02)
    return last


def test_flood_of_empty_datagrams_keeps_the_queue_bounded(no_worker_left_behind) -> None:
    queue = EventQueue(max_events=100)
    rec = Recorder(queue)
    udp = UdpEndpoint(UdpConfig("127.0.0.1", 0), queue, "udp")
    no_worker_left_behind.append(udp)
    udp.start()
    port = rec.wait_state("udp", State.BOUND).local[1]  # type: ignore[index]
    rec.events.clear()

    _flood(port, b"", 2000)  # the front-end does not drain meanwhile (it is "behind")
    received = _wait_quiet(udp)
    assert received >= 500, f"too few datagrams arrived to tell ({received})"
    held = len(queue)

    assert udp.stop()
    rec.pump()
    kept = len(rec.of(DataReceived, "udp"))
    counted = sum(e.datagrams for e in rec.of(ReceiveOverflow, "udp"))
    assert kept + counted == udp.datagrams_in, "every datagram must be shown or counted"
    assert held <= 3 * queue.max_events, f"{held} events held for a queue bounded at {queue.max_events}"


def test_echo_flood_keeps_the_queue_bytes_bounded(no_worker_left_behind) -> None:
    queue = EventQueue(max_bytes=64 * 1024)
    rec = Recorder(queue)
    udp = UdpEndpoint(UdpConfig("127.0.0.1", 0, reply=make_reply_rule("echo")), queue, "echo")
    no_worker_left_behind.append(udp)
    udp.start()
    port = rec.wait_state("echo", State.BOUND).local[1]  # type: ignore[index]
    rec.events.clear()

    _flood(port, b"x" * 1024, 1000)
    received = _wait_quiet(udp)
    assert received >= 500, f"too few datagrams arrived to tell ({received})"
    # receive overflow starts at 2 x max_bytes; allow one select batch (64 x 1 KiB) on top, and more
    assert queue.peak_bytes <= 4 * queue.max_bytes, (
        f"queue held {queue.peak_bytes} payload bytes, bound is {queue.max_bytes}")


def _ipv6_loopback_works() -> bool:
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.fixture
def start_udp_pair(queue: EventQueue, rec: Recorder, no_worker_left_behind):
    receiver = UdpEndpoint(UdpConfig("127.0.0.1", 0), queue, "v4")
    dual = UdpEndpoint(UdpConfig("::", 0), queue, "dual")
    no_worker_left_behind.extend([receiver, dual])
    receiver.start()
    dual.start()
    port = rec.wait_state("v4", State.BOUND).local[1]  # type: ignore[index]
    rec.wait_state("dual", State.BOUND)
    dual.send_to(b"hi", ("127.0.0.1", port))
    return rec


@pytest.mark.skipif(not _ipv6_loopback_works(), reason="no IPv6 on this machine")
def test_dual_stack_endpoint_can_send_to_an_ipv4_address(start_udp_pair) -> None:
    rec = start_udp_pair
    rec.wait_received("v4", 2, timeout=2.0)
    errors = [e.message + " " + e.hint for e in rec.of(ErrorEvent, "dual")]
    assert rec.received("v4") == b"hi", f"the datagram did not arrive; errors: {errors}"

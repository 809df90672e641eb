"""``--self-test``: real loopback exchanges through the engine (and the window).

Used by CI on the packaged executable: prints one line per check and returns 0
only if every check passed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable

from netcore import EventQueue, TcpClient, TcpClientConfig, TcpServer, TcpServerConfig, UdpConfig, UdpEndpoint
from netcore.events import DataReceived, Event, State, StateChanged
from netcore.replies import make_reply_rule

Check = tuple[str, bool, str]
DEADLINE_SECONDS = 5.0


def _wait(queue: EventQueue, want: Callable[[Event], bool], seconds: float = DEADLINE_SECONDS) -> Event | None:
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        event = queue.get(timeout=left)
        if event is not None and want(event):
            return event
    return None


def _received(queue: EventQueue, endpoint: str, expected: bytes) -> bytes:
    """Collect what ``endpoint`` receives until ``expected`` has arrived (or time runs out)."""
    got = b""
    end = time.monotonic() + DEADLINE_SECONDS
    while len(got) < len(expected) and time.monotonic() < end:
        event = _wait(queue, lambda e: isinstance(e, DataReceived) and e.endpoint == endpoint,
                      end - time.monotonic())
        if isinstance(event, DataReceived):
            got += event.data
    return got


def check_tcp() -> Check:
    """A hello server and a client on 127.0.0.1: greeting, answer, and good-bye."""
    queue = EventQueue()
    server = TcpServer(TcpServerConfig("127.0.0.1", 0, reply=make_reply_rule("hello")), queue, "server")
    server.start()
    try:
        listening = _wait(queue, lambda e: isinstance(e, StateChanged) and e.state is State.LISTENING)
        if not isinstance(listening, StateChanged) or listening.local is None:
            return "tcp hello server", False, "server did not start listening"
        client = TcpClient(TcpClientConfig("127.0.0.1", listening.local[1]), queue, "client")
        client.start()
        client.send(b"SocketLab\n")
        expected = b"Welcome!\nHello, SocketLab!\n"
        got = _received(queue, "client", expected)
        client.stop()
        return "tcp hello server", got == expected, f"client received {got!r}"
    finally:
        server.stop()


def check_udp() -> Check:
    """Two UDP endpoints on 127.0.0.1: a datagram there and its echo back."""
    queue = EventQueue()
    echo = UdpEndpoint(UdpConfig("127.0.0.1", 0, reply=make_reply_rule("echo")), queue, "echo")
    sender = UdpEndpoint(UdpConfig("127.0.0.1", 0), queue, "sender")
    echo.start()
    sender.start()
    try:
        bound = _wait(queue, lambda e: isinstance(e, StateChanged) and e.endpoint == "echo" and e.state is State.BOUND)
        if not isinstance(bound, StateChanged) or bound.local is None:
            return "udp echo", False, "echo endpoint did not bind"
        payload = bytes(range(256))
        sender.send_to(payload, bound.local)
        got = _received(queue, "sender", payload)
        return "udp echo", got == payload, f"{len(got)} of {len(payload)} bytes came back intact"
    finally:
        echo.stop()
        sender.stop()


def _window_checks() -> list[Check]:
    if sys.platform.startswith("linux") and not os.environ.get("DISPLAY"):
        print("SKIP window: no DISPLAY, so only the engine was tested", flush=True)
        return []
    try:
        from gui.selftest import run_window_self_test
    except ImportError as exc:
        return [("window", False, f"cannot load the window: {exc}")]
    return run_window_self_test()


def run_self_test(_args: argparse.Namespace | None = None) -> int:
    """Run every check, print a line each, return 0 only if all passed."""
    checks = [check_tcp(), check_udp(), *_window_checks()]
    for name, passed, detail in checks:
        print(f"{'PASS' if passed else 'FAIL'} {name}: {detail}", flush=True)
    failed = sum(1 for _, passed, _ in checks if not passed)
    print(f"self-test: {len(checks) - failed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 else 1

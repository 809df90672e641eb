"""Shared tools of the adversarial suite: a draining front-end, socket counting, probes, stalls.

Everything here is bounded in time: sockets have timeouts or are non-blocking,
and every wait has a deadline.
"""

from __future__ import annotations

import itertools
import os
import re
import socket
import struct
import threading
import time
from collections import Counter, deque
from collections.abc import Callable

from netcore.eventqueue import EventQueue
from netcore.events import (
    Address,
    DataReceived,
    ErrorEvent,
    Event,
    Notice,
    PeerClosed,
    PeerConnected,
    ReceiveOverflow,
    SocketCall,
    StateChanged,
)
from netcore.replies import ReplyRule, make_reply_rule
from netcore.worker import Endpoint

HOST = "127.0.0.1"
MODES = ("none", "echo", "hello", "time", "custom")
CUSTOM_TEMPLATE = r"{peer} #{count}: {message}\r\n"
"""The custom auto-reply the suite uses: it names the peer and counts its messages."""
STAMP = rb"\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] "
_tokens = itertools.count(1)


def reply_rule(mode: str) -> ReplyRule | None:
    """The auto-reply rule of ``mode`` (one of :data:`MODES`)."""
    return make_reply_rule(mode, CUSTOM_TEMPLATE if mode == "custom" else "")


def token() -> bytes:
    """A fresh probe message, unique in this process."""
    return b"probe%d" % next(_tokens)


def wait_until(check: Callable[[], bool], timeout: float, interval: float = 0.005) -> bool:
    """Poll ``check`` until it is true or ``timeout`` seconds passed; its last answer."""
    end = time.monotonic() + timeout
    while True:
        if check():
            return True
        if time.monotonic() > end:
            return False
        time.sleep(interval)


def worker_threads() -> list[str]:
    """Names of live endpoint worker threads and of this suite's own helper threads."""
    return [t.name for t in threading.enumerate()
            if t.is_alive() and t.name.startswith(("socketlab-", "adversarial-"))]


def socket_inodes() -> set[str]:
    """``socket:[inode]`` of every socket descriptor this process holds (Linux /proc)."""
    found = set()
    for name in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{name}")
        except OSError:  # closed while we looked (the listing's own descriptor, or another thread)
            continue
        if target.startswith("socket:"):
            found.add(target)
    return found


def reset(sock: socket.socket) -> None:
    """Close ``sock`` with ``SO_LINGER`` 0: the kernel sends RST instead of FIN."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    finally:
        sock.close()


def reused_port_socket(port: int) -> socket.socket | None:
    """A TCP socket bound to ``HOST:port`` (0: any free one) with SO_REUSEADDR; None if the port is taken."""
    sock = socket.socket()
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, port))
    except OSError:
        sock.close()
        return None
    return sock


class Drainer:
    """A front-end that drains: a thread empties the queue, keeping only what checks need.

    It keeps fatal errors, notices and a short history of non-data events, sums
    UDP overflow counts and counts received datagrams, and collects the bytes
    received from *watched* peers (the probes). :meth:`pause` stops draining, as a
    front-end that falls behind would.
    """

    def __init__(self, queue: EventQueue, endpoint: str) -> None:
        self.queue = queue
        self.endpoint = endpoint
        self.fatal: list[ErrorEvent] = []
        self.notices: Counter[str] = Counter()
        self.every_notice: Counter[str] = Counter()
        """Notices of every endpoint on the queue (a peer's too)."""
        self.errors: Counter[str] = Counter()
        self.history: deque[Event] = deque(maxlen=60)
        self.datagrams = 0
        self.overflowed = 0
        self.connected = 0
        self.closed = 0
        self._watched: dict[Address, bytearray] = {}
        self._lock = threading.Lock()
        self._paused = threading.Event()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="adversarial-drainer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._done.is_set():
            if self._paused.is_set():
                time.sleep(0.01)
                continue
            self.queue.wait(0.02)
            for event in self.queue.drain(5000):
                self._keep(event)

    def _keep(self, event: Event) -> None:
        if isinstance(event, Notice):
            self.every_notice[event.code] += 1
        if event.endpoint != self.endpoint:
            return
        if isinstance(event, DataReceived):
            self.datagrams += 1
            with self._lock:
                watched = self._watched.get(event.peer)
                if watched is not None:
                    watched += event.data
            return
        if not isinstance(event, SocketCall):
            self.history.append(event)
        if isinstance(event, ErrorEvent):
            self.errors[event.code] += 1
            if event.fatal:
                self.fatal.append(event)
        elif isinstance(event, Notice):
            self.notices[event.code] += 1
        elif isinstance(event, ReceiveOverflow):
            self.overflowed += event.datagrams
        elif isinstance(event, PeerConnected):
            self.connected += 1
        elif isinstance(event, PeerClosed):
            self.closed += 1

    def catch_up(self, timeout: float = 2.0) -> None:
        """Wait (if draining) until the queue is empty: what the worker emitted so far is seen."""
        if not self._paused.is_set():
            wait_until(lambda: len(self.queue) == 0, timeout)
            time.sleep(0.005)  # the last batch drained may still be being sorted

    def watch(self, peer: Address) -> None:
        with self._lock:
            self._watched[peer] = bytearray()

    def unwatch(self, peer: Address) -> None:
        with self._lock:
            self._watched.pop(peer, None)

    def received_from(self, peer: Address) -> bytes:
        with self._lock:
            return bytes(self._watched.get(peer, b""))

    def pause(self) -> None:
        self._paused.set()

    def resume(self) -> None:
        self._paused.clear()

    def close(self) -> None:
        """Stop the thread (within about 50 ms) and take what is left."""
        self._done.set()
        self._thread.join(2.0)
        for event in self.queue.drain():
            self._keep(event)

    def story(self) -> str:
        """The recent non-data events, for an assertion message."""
        lines = [f"  {type(e).__name__}: {_fields(e)}" for e in list(self.history)[-25:]]
        return "recent events:\n" + "\n".join(lines)


def _fields(event: Event) -> str:
    if isinstance(event, ErrorEvent):
        return f"{event.code} {event.message!r} fatal={event.fatal}"
    if isinstance(event, StateChanged):
        return event.state.name
    if isinstance(event, Notice):
        return f"{event.code} {event.message!r}"
    if isinstance(event, (PeerConnected, PeerClosed)):
        return f"{event.peer} {getattr(event, 'reason', '')}"
    return repr(event)[:160]


class Stall:
    """Keep an endpoint's worker busy (blocked on a command) until released: a server under load.

    The worker blocks at most ``limit`` seconds, so a forgotten stall ends by itself.
    """

    def __init__(self, endpoint: Endpoint, limit: float = 3.0) -> None:
        self._gate = threading.Event()
        self._entered = threading.Event()
        self._limit = limit
        endpoint._submit(self._block)  # test-only reach-in: a command that takes a while
        # a worker that died is reported by the invariants, not here
        wait_until(lambda: self._entered.is_set() or not endpoint.running, 2.0, 0.001)

    def _block(self) -> None:
        self._entered.set()
        self._gate.wait(self._limit)

    def release(self) -> None:
        self._gate.set()


def sync(endpoint: Endpoint, rounds: int = 2, timeout: float = 2.0) -> bool:
    """Wait until the worker has run ``rounds`` commands queued one after the other.

    The kernel events a test caused before this call are then (practically
    always) handled, so a fault they trigger shows at the step that caused it.
    False if the worker did not get there (it is dead or stuck).
    """
    return all(_barrier(endpoint, timeout) for _ in range(rounds))


def _barrier(endpoint: Endpoint, timeout: float) -> bool:
    done = threading.Event()
    endpoint._submit(done.set)  # test-only reach-in: a no-op command as a barrier
    wait_until(lambda: done.is_set() or not endpoint.running, timeout, 0.001)
    return done.is_set()


# ---- TCP probes: a well-behaved client, answered as the mode says ----


def recv_exactly(sock: socket.socket, size: int, timeout: float = 3.0) -> bytes:
    """Read ``size`` bytes (or less if the peer closes or ``timeout`` passes)."""
    data = bytearray()
    end = time.monotonic() + timeout
    while len(data) < size:
        left = end - time.monotonic()
        if left <= 0:
            break
        sock.settimeout(left)
        try:
            chunk = sock.recv(size - len(data))
        except (TimeoutError, OSError):
            break
        if not chunk:
            break
        data += chunk
    return bytes(data)


def expect(sock: socket.socket, want: bytes, what: str) -> None:
    got = recv_exactly(sock, len(want))
    assert got == want, f"{what}: expected {want!r}, got {got!r}"


def expect_eof(sock: socket.socket, what: str, timeout: float = 3.0) -> None:
    sock.settimeout(timeout)
    try:
        rest = sock.recv(4096)
    except OSError as exc:
        raise AssertionError(f"{what}: expected the server to close, got {exc!r}") from None
    assert rest == b"", f"{what}: expected the server to close, got {rest!r}"


def tcp_probe(port: int, mode: str, send: Callable[[bytes, Address], None], drainer: Drainer) -> None:
    """Connect, get the answer ``mode`` gives, end cleanly; AssertionError otherwise.

    ``send`` is how the operator sends to one client (for mode ``none``, where the
    server answers nothing by itself).
    """
    message = token()
    with socket.create_connection((HOST, port), timeout=3.0) as sock:
        me: Address = sock.getsockname()[:2]
        if mode == "hello":
            expect(sock, b"Welcome!\n", "hello greeting")
            sock.sendall(message + b"\n")
            expect(sock, b"Hello, " + message + b"!\n", "hello answer")
            sock.sendall(b"exit\n")
            expect(sock, b"Good bye!\n", "hello farewell")
            expect_eof(sock, "hello after exit")
            return
        if mode == "none":
            drainer.watch(me)
            try:
                sock.sendall(message)
                got = wait_until(lambda: drainer.received_from(me) == message, 3.0)
                assert got, f"server received {drainer.received_from(me)!r} from the probe, not {message!r}"
            finally:
                drainer.unwatch(me)
            send(b"pong", me)
            expect(sock, b"pong", "operator's send")
        else:
            sock.sendall(message)
            _expect_reply(sock, mode, message, me)
        sock.shutdown(socket.SHUT_WR)
        expect_eof(sock, f"{mode} after the probe's FIN")


def _expect_reply(sock: socket.socket, mode: str, message: bytes, me: Address) -> None:
    if mode == "echo":
        expect(sock, message, "echo")
    elif mode == "time":
        got = recv_exactly(sock, 22 + len(message))
        assert re.fullmatch(STAMP + re.escape(message), got), f"time reply {got!r}"
    elif mode == "custom":
        expect(sock, b"%s:%d #1: %s\r\n" % (me[0].encode(), me[1], message), "custom reply")
    else:
        raise ValueError(mode)


# ---- UDP probes ----


def udp_expected(mode: str, message: bytes, me: Address) -> bytes | re.Pattern[bytes] | None:
    """What a UDP endpoint in ``mode`` answers to ``message`` from ``me`` (None: nothing).

    The count in the custom reply is any number: the probe's port may have been a
    source before (ports are reused), and per-source counts may be forgotten.
    """
    if mode == "echo":
        return message
    if mode == "hello":
        return b"Hello, " + message + b"!"
    if mode == "time":
        return re.compile(STAMP + re.escape(message))
    if mode == "custom":
        return re.compile(re.escape(b"%s:%d #" % (me[0].encode(), me[1])) + rb"\d+: " + re.escape(message) + b"\r\n")
    return None


def udp_probe(target: Address, mode: str, send_to: Callable[[bytes, Address], None], drainer: Drainer) -> None:
    """Send a datagram from a fresh socket and get the mode's answer (or, mode none, be heard)."""
    message = token()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((HOST, 0))
        sock.settimeout(3.0)
        me: Address = sock.getsockname()[:2]
        want = udp_expected(mode, message, me)
        if want is None:
            drainer.watch(me)
            try:
                sock.sendto(message, target)
                assert wait_until(lambda: drainer.received_from(me) == message, 3.0), (
                    f"endpoint heard {drainer.received_from(me)!r} from the probe, not {message!r}")
            finally:
                drainer.unwatch(me)
            send_to(b"pong", me)
            want = b"pong"
        else:
            sock.sendto(message, target)
        try:
            got, _ = sock.recvfrom(70000)
        except TimeoutError:
            raise AssertionError(f"no {mode} answer to the UDP probe within 3 s") from None
        if isinstance(want, re.Pattern):
            assert want.fullmatch(got), f"{mode} answer {got!r}"
        else:
            assert got == want, f"{mode} answer: expected {want!r}, got {got!r}"

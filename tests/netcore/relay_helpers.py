"""Helpers for the relay tests: a queue drainer that counts bytes per direction, and plain socket peers."""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from netcore import EventQueue
from netcore.events import DataReceived, DataSent, Event, State, StateChanged
from netcore.relay_config import RelayBase, RelayConfig, make_relay

E = TypeVar("E", bound=Event)
CHUNK = 64 * 1024


class Tally:
    """Drains the queue on a thread: exact byte totals per (kind, direction); other events kept."""

    def __init__(self, queue: EventQueue) -> None:
        self.queue = queue
        self.bytes: dict[tuple[str, str], int] = {}
        self.events: list[Event] = []
        self.hold = False
        """True: drain nothing (a front-end that fell behind)."""
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            if self.hold:
                time.sleep(0.02)
                continue
            if not self.queue.wait(0.05):
                continue
            batch = self.queue.drain()
            with self._lock:
                for event in batch:
                    if isinstance(event, (DataReceived, DataSent)):
                        key = (type(event).__name__, event.direction)
                        self.bytes[key] = self.bytes.get(key, 0) + len(event.data)
                    else:
                        self.events.append(event)

    def count(self, kind: type[Event], direction: str) -> int:
        with self._lock:
            return self.bytes.get((kind.__name__, direction), 0)

    def of(self, kind: type[E]) -> list[E]:
        with self._lock:
            return [e for e in self.events if isinstance(e, kind)]

    def wait_for(self, kind: type[E], where: Callable[[E], bool] = lambda _: True, timeout: float = 10.0) -> E:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for event in self.of(kind):
                if where(event):
                    return event
            time.sleep(0.02)
        raise AssertionError(f"no {kind.__name__} within {timeout}s; last: {self.events[-10:]!r}")

    def wait_until(self, check: Callable[[], bool], timeout: float = 20.0) -> None:
        end = time.monotonic() + timeout
        while not check():
            if time.monotonic() > end:
                raise AssertionError(f"condition not met within {timeout}s; totals {self.bytes}")
            time.sleep(0.02)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)


def start_relay(queue: EventQueue, tally: Tally, target_port: int, **options: object) -> RelayBase:
    config = RelayConfig("127.0.0.1", 0, "127.0.0.1", target_port, **options)  # type: ignore[arg-type]
    relay = make_relay(config, queue)
    relay.start()
    up = State.BOUND if config.udp else State.LISTENING
    tally.wait_for(StateChanged, lambda e: e.state in (up, State.ERROR))
    return relay


def listener() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.settimeout(10)
    return sock


def free_port() -> int:
    """A port nothing listens on (bound, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def send_all(sock: socket.socket, data: bytes, progress: list[int] | None = None) -> None:
    view = memoryview(data)
    for start in range(0, len(data), CHUNK):
        sock.sendall(view[start:start + CHUNK])
        if progress is not None:
            progress[0] = start + CHUNK


def read_all(sock: socket.socket, out: list[str], size_out: list[int] | None = None) -> None:
    """Read to EOF; the SHA-256 of what came into ``out``."""
    digest = hashlib.sha256()
    total = 0
    while chunk := sock.recv(CHUNK):
        digest.update(chunk)
        total += len(chunk)
    out.append(digest.hexdigest())
    if size_out is not None:
        size_out.append(total)


def run_threads(*targets: Callable[[], None], timeout: float = 60.0) -> None:
    errors: list[BaseException] = []

    def guarded(target: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                target()
            except BaseException as exc:  # noqa: BLE001 - reported by the test below
                errors.append(exc)
        return run

    threads = [threading.Thread(target=guarded(t), daemon=True) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
        assert not thread.is_alive(), "a peer thread did not finish in time"
    if errors:
        raise errors[0]

"""Fixtures for engine tests: a recorder that waits for events, and leak checks."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

import pytest

from netcore import EventQueue, TcpServer, TcpServerConfig
from netcore.events import DataReceived, Event, State, StateChanged
from netcore.system import raise_open_file_limit
from netcore.worker import Endpoint

E = TypeVar("E", bound=Event)


class Recorder:
    """Drains a queue into ``events`` and waits, with a deadline, for what a test wants."""

    def __init__(self, queue: EventQueue) -> None:
        self.queue = queue
        self.events: list[Event] = []
        self._seen = 0

    def pump(self) -> None:
        self.events.extend(self.queue.drain())

    def wait_for(self, want: Callable[[Event], bool], timeout: float = 5.0) -> Event:
        """The first event (from all recorded so far) matching ``want``."""
        end = time.monotonic() + timeout
        index = 0
        while True:
            self.pump()
            for event in self.events[index:]:
                if want(event):
                    return event
            index = len(self.events)
            if time.monotonic() > end:
                tail = "\n".join(repr(e) for e in self.events[-15:])
                raise AssertionError(f"no matching event within {timeout}s; last events:\n{tail}")
            self.queue.wait(0.05)

    def wait_type(self, kind: type[E], endpoint: str | None = None, timeout: float = 5.0,
                  where: Callable[[E], bool] = lambda _: True) -> E:
        event = self.wait_for(lambda e: isinstance(e, kind) and (endpoint is None or e.endpoint == endpoint)
                              and where(e), timeout)
        assert isinstance(event, kind)
        return event

    def wait_state(self, endpoint: str, state: State, timeout: float = 5.0) -> StateChanged:
        return self.wait_type(StateChanged, endpoint, timeout, lambda e: e.state is state)

    def of(self, kind: type[E], endpoint: str | None = None) -> list[E]:
        self.pump()
        return [e for e in self.events if isinstance(e, kind) and (endpoint is None or e.endpoint == endpoint)]

    def received(self, endpoint: str) -> bytes:
        return b"".join(e.data for e in self.of(DataReceived, endpoint))

    def wait_received(self, endpoint: str, size: int, timeout: float = 5.0) -> bytes:
        end = time.monotonic() + timeout
        while len(data := self.received(endpoint)) < size and time.monotonic() < end:
            self.queue.wait(0.05)
        return data


@pytest.fixture
def queue() -> EventQueue:
    return EventQueue()


@pytest.fixture
def rec(queue: EventQueue) -> Recorder:
    return Recorder(queue)


@pytest.fixture(autouse=True)
def no_worker_left_behind() -> Iterator[list[Endpoint]]:
    """Every endpoint a test registers is stopped after it, and no worker thread survives."""
    started: list[Endpoint] = []
    yield started
    for endpoint in started:
        assert endpoint.stop(timeout=2.0), f"{endpoint.name} did not stop within 2 s"
    leftover = [t.name for t in threading.enumerate() if t.name.startswith("socketlab-") and t.is_alive()]
    assert not leftover, f"worker threads left running: {leftover}"


@pytest.fixture(scope="session", autouse=True)
def many_files() -> None:
    raise_open_file_limit()


@pytest.fixture
def serve(queue: EventQueue, rec: Recorder, no_worker_left_behind: list[Endpoint]
          ) -> Callable[..., tuple[TcpServer, int]]:
    """Start a TCP server on 127.0.0.1 port 0; returns it and the port it got."""
    count = 0

    def start(host: str = "127.0.0.1", **options: object) -> tuple[TcpServer, int]:
        nonlocal count
        count += 1
        server = TcpServer(TcpServerConfig(host, 0, **options), queue, f"server{count}")  # type: ignore[arg-type]
        no_worker_left_behind.append(server)
        server.start()
        listening = rec.wait_state(server.name, State.LISTENING)
        assert listening.local is not None
        return server, listening.local[1]

    return start

"""Running one endpoint in a terminal: the event loop, stdin pumps, Ctrl-C and SIGTERM."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable
from typing import BinaryIO

from cli.output import trace
from netcore.eventqueue import EventQueue
from netcore.events import Event
from netcore.worker import Endpoint

EventHandler = Callable[[Event], "int | None"]
STDIN_CHUNK = 65536
ROOM_LIMIT = 4 * 1024 * 1024
"""The stdin pump waits while this much is still unsent, so nothing is refused."""


class Session:
    """One endpoint, its queue, and a stop flag that Ctrl-C and SIGTERM set."""

    def __init__(self, queue: EventQueue, endpoint: Endpoint, verbose: bool) -> None:
        self.queue = queue
        self.endpoint = endpoint
        self.verbose = verbose
        self.stop_requested = threading.Event()

    def run(self, handle: EventHandler) -> int:
        """Start the endpoint and feed each event to ``handle`` until it returns a status.

        Ctrl-C or SIGTERM stop the endpoint cleanly and give status 0.
        """
        self._install_sigterm()
        self.endpoint.start()
        try:
            return self._loop(handle)
        except KeyboardInterrupt:
            return 0
        finally:
            self.endpoint.stop()
            for event in self.queue.drain():
                trace(event, self.verbose)

    def _loop(self, handle: EventHandler) -> int:
        while not self.stop_requested.is_set():
            event = self.queue.get(timeout=0.2)
            if event is None:
                continue
            trace(event, self.verbose)
            status = handle(event)
            if status is not None:
                return status
        return 0

    def _install_sigterm(self) -> None:
        if threading.current_thread() is threading.main_thread() and hasattr(signal, "SIGTERM"):
            signal.signal(signal.SIGTERM, lambda *_: self.stop_requested.set())


def pump_stdin(
    send: Callable[[bytes], None],
    on_eof: Callable[[], None],
    wait_for_room: Callable[[], object],
    lines: bool,
    stdin: BinaryIO | None = None,
) -> threading.Thread:
    """Read stdin on a daemon thread: whole lines, or raw chunks as they come."""
    source = stdin if stdin is not None else sys.stdin.buffer

    def run() -> None:
        while True:
            chunk = source.readline() if lines else _read_some(source)
            if not chunk:
                break
            wait_for_room()
            send(chunk)
        on_eof()

    thread = threading.Thread(target=run, name="socketlab-stdin", daemon=True)
    thread.start()
    return thread


def _read_some(source: BinaryIO) -> bytes:
    read1 = getattr(source, "read1", None)
    if read1 is not None:
        return bytes(read1(STDIN_CHUNK))
    return source.read(STDIN_CHUNK)

"""Running one endpoint in a terminal: the event loop, stdin pumps, Ctrl-C and SIGTERM.

Exit statuses: the command's own (0 done, 1 a network error); 0 after a first
Ctrl-C or SIGTERM; 130 or 143 when a second one hurries the exit (see
:mod:`cli.signals`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import BinaryIO

from cli.output import trace
from cli.signals import StopNow, StopSignals
from cli.stdin import STDIN_CHUNK, TooLong, next_line, read_some, start_pump, stdin_source
from netcore.eventqueue import EventQueue
from netcore.events import Event
from netcore.worker import Endpoint

EventHandler = Callable[[Event], "int | None"]
ROOM_LIMIT = 4 * 1024 * 1024
"""The stdin pump waits while this much is still unsent, so nothing is refused."""


class Session:
    """One endpoint, its queue, and a stop flag that Ctrl-C and SIGTERM set."""

    def __init__(self, queue: EventQueue, endpoint: Endpoint, verbose: bool) -> None:
        self.queue = queue
        self.endpoint = endpoint
        self.verbose = verbose
        self.stop_requested = threading.Event()
        self.signals = StopSignals(self.stop_requested)

    def request_stop(self) -> None:
        """Stop the loop from any thread, even while the main thread is blocked writing output."""
        self.signals.stop_soon()

    def run(self, handle: EventHandler) -> int:
        """Start the endpoint and feed each event to ``handle`` until it returns a status.

        Ctrl-C or SIGTERM stop the endpoint cleanly and give status 0, even while
        ``handle`` is blocked writing to a pipe nobody reads.
        """
        self.signals.install()
        self.endpoint.start()
        try:
            return self._loop(handle)
        except (KeyboardInterrupt, StopNow):
            return 0
        finally:
            self._finish()

    def _loop(self, handle: EventHandler) -> int:
        while not self.stop_requested.is_set():
            event = self.queue.get(timeout=0.2)
            if event is None:
                continue
            with self.signals.interruptible():
                trace(event, self.verbose)
                status = handle(event)
            if status is not None:
                return status
        return 0

    def _finish(self) -> None:
        self.endpoint.stop()
        try:
            with self.signals.bounded_write():  # after a stop, output stuck in a full pipe is given up
                for event in self.queue.drain():  # (a tapped queue shows and counts what it drains)
                    trace(event, self.verbose)
        except KeyboardInterrupt:
            pass  # asked to stop while the last trace lines were written: they are not needed


def pump_stdin(
    send: Callable[[bytes], None],
    on_eof: Callable[[], None],
    wait_for_room: Callable[[], object],
    lines: bool,
    stdin: BinaryIO | None = None,
    limit: int = STDIN_CHUNK,
    on_too_long: TooLong | None = None,
) -> threading.Thread:
    """Read stdin on a daemon thread: lines of at most ``limit`` bytes, or raw chunks as they come.

    A longer line goes out in pieces, unless ``on_too_long`` is given: then it is
    skipped and ``on_too_long`` gets its length (see :mod:`cli.stdin`).
    """
    source = stdin if stdin is not None else stdin_source()

    def read(source: BinaryIO) -> bytes | None:
        return next_line(source, limit, on_too_long) if lines else read_some(source)

    return start_pump(send, on_eof, wait_for_room, read, source)

"""Ctrl-C and SIGTERM for the terminal commands: the first stops cleanly, a second one exits at once.

Python runs a signal handler in the main thread between bytecodes. When the main
thread is blocked in ``write()`` to a pipe nobody reads (``… | sleep 30``), the
kernel interrupts the write with EINTR, Python runs the handler and then retries the
write, which blocks again; a handler that only sets a flag is never seen. So while
the main thread is inside a write that may block (see :meth:`StopSignals.interruptible`),
the handler raises :class:`StopNow`, which ends the write. Everywhere else it only
sets the stop flag, so no exception can land inside a lock the engine shares.

A second signal during shutdown hurries the exit: ``os._exit(128 + signal)`` at once,
without waiting for threads or flushing, so it can never end in a traceback or in
``Fatal Python error: _enter_buffered_busy`` at interpreter shutdown.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from types import FrameType

_signalled = threading.Event()
_bounded_flush = threading.Event()
WAKE_SIGNAL = getattr(signal, "SIGALRM", None)
"""Sent by :meth:`StopSignals.stop_soon` to the main thread to break a blocked write."""


class StopNow(BaseException):
    """Raised by the signal handler to break the main thread out of a blocked write."""


def ended_by_signal() -> bool:
    """Did a SIGINT or SIGTERM stop this process's command?"""
    return _signalled.is_set()


def flush_is_bounded() -> bool:
    """Was the command stopped (by a signal or by ``udp -q``) so that unwritten output may be dropped?"""
    return _bounded_flush.is_set()


def hurry(signum: int) -> None:
    """End the process at once (the second Ctrl-C): 130 for SIGINT, 143 for SIGTERM."""
    os._exit(128 + signum)


class StopSignals:
    """SIGINT and SIGTERM set ``stop``; inside :meth:`interruptible` they also raise :class:`StopNow`."""

    def __init__(self, stop: threading.Event) -> None:
        self.stop = stop
        self._depth = 0
        self._installed = False

    def install(self) -> bool:
        """Take over SIGINT and SIGTERM (only possible on the main thread); False if not installed."""
        if threading.current_thread() is not threading.main_thread():
            return False
        for name in ("SIGINT", "SIGTERM"):
            number = getattr(signal, name, None)
            if number is not None:
                signal.signal(number, self._on_signal)
        if WAKE_SIGNAL is not None:
            signal.signal(WAKE_SIGNAL, self._on_wake)
        self._installed = True
        return True

    def stop_soon(self) -> None:
        """Stop from any thread (``udp -q``), even while the main thread is blocked writing output.

        Output that cannot be written by then is dropped, as ``nc -q`` drops it.
        """
        _bounded_flush.set()
        self.stop.set()
        main = threading.main_thread()
        if self._installed and WAKE_SIGNAL is not None and hasattr(signal, "pthread_kill") and main.ident:
            signal.pthread_kill(main.ident, WAKE_SIGNAL)

    @contextlib.contextmanager
    def interruptible(self) -> Iterator[None]:
        """A stretch of main-thread code that may block in a write: a signal raises :class:`StopNow` in it."""
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1

    @contextlib.contextmanager
    def bounded_write(self, seconds: float = 0.5) -> Iterator[None]:
        """The last output after a stop: a write still blocked after ``seconds`` is given up (dropped).

        Only once the command was stopped (a signal, ``udp -q``); a normal end writes everything.
        """
        armed = flush_is_bounded() and self._installed and WAKE_SIGNAL is not None and hasattr(signal, "setitimer")
        if armed:
            signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            with self.interruptible():
                yield
        except StopNow:
            pass
        finally:
            if armed:
                signal.setitimer(signal.ITIMER_REAL, 0)

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        if _signalled.is_set():
            hurry(signum)
        _signalled.set()
        _bounded_flush.set()
        self.stop.set()
        if self._depth:
            raise StopNow

    def _on_wake(self, _signum: int, _frame: FrameType | None) -> None:
        if self.stop.is_set() and self._depth:
            raise StopNow

"""The worker thread every endpoint runs: a selector loop, commands, a wake-up.

An :class:`Endpoint` owns one thread. The thread multiplexes the endpoint's
non-blocking sockets with :mod:`selectors`. Front-ends never touch the sockets:
their calls become commands, queued and run on the worker thread, which a byte on
a ``socketpair`` wakes at once. Every real socket call is traced as a
:class:`~netcore.events.SocketCall` event, and every ``OSError`` a person can
cause becomes an explained :class:`~netcore.events.ErrorEvent`.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import selectors
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import TypeVar

from netcore.eventqueue import EventQueue
from netcore.events import Address, ErrorEvent, Event, SocketCall, State, StateChanged, StepPending
from netcore.framing import FRAMED_RECV_SIZE, Framer
from netcore.problems import Problem, explain
from netcore.stepgate import StepCancelled, StepGate

T = TypeVar("T")
Handler = Callable[[int], None]

_names = itertools.count(1)
PAUSED_POLL_SECONDS = 0.05


def describe_error(exc: OSError) -> str:
    """``ECONNREFUSED (Connection refused)`` for an OSError, as a trace shows it."""
    number = exc.errno
    name = errno.errorcode.get(number, "") if isinstance(number, int) else ""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"{name} ({reason})" if name else reason


def address_of(raw: object) -> Address:
    """``(host, port)`` from what ``getpeername``/``accept``/``recvfrom`` return."""
    if isinstance(raw, tuple) and len(raw) >= 2:
        return str(raw[0]), int(raw[1])
    return str(raw), 0


def _ok(_: object) -> str:
    return "ok"


class SendBudget:
    """Bytes handed to ``send`` and not yet written to the kernel (thread-safe).

    Lets a producer such as the CLI's stdin pump wait for room instead of
    overrunning the per-connection bound.
    """

    def __init__(self) -> None:
        self._pending = 0
        self._waiters = 0
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)

    @property
    def pending(self) -> int:
        return self._pending

    def add(self, nbytes: int) -> None:
        with self._lock:
            self._pending += nbytes

    def done(self, nbytes: int) -> None:
        with self._lock:
            self._pending = max(0, self._pending - nbytes)
            if self._waiters:  # the hot path (every send) skips the wake-up when nobody waits
                self._changed.notify_all()

    def wait_below(self, limit: int, timeout: float | None) -> bool:
        """Wait until fewer than ``limit`` bytes are pending; False on timeout."""
        with self._changed:
            self._waiters += 1
            try:
                return self._changed.wait_for(lambda: self._pending < limit, timeout)
            finally:
                self._waiters -= 1


class Endpoint:
    """Base of the three endpoint kinds: thread, selector, commands, tracing.

    Subclasses implement :meth:`_open` (make and register sockets; may raise
    OSError), :meth:`_close_all`, and optionally :meth:`_on_tick` and
    :meth:`_set_paused`.
    """

    kind = "endpoint"

    def __init__(self, events: EventQueue, name: str | None = None) -> None:
        self.name = name or f"{self.kind}-{next(_names)}"
        self.state = State.STOPPED
        self.budget = SendBudget()
        self._events = events
        self._commands: deque[Callable[[], None]] = deque()
        self._thread: threading.Thread | None = None
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._stopping = False
        self._paused = False
        self._final_state = State.STOPPED
        self._in_loop = False
        self.stop_asked = False
        self.gate = StepGate()
        """Step mode: the worker waits here before each real socket call (see :mod:`netcore.stepgate`)."""

    # ---- front-end side (any thread) ----

    def start(self) -> None:
        """Start the worker thread; events report how it goes."""
        if self._thread is not None:
            raise RuntimeError(f"{self.name} was already started")
        self._selector.register(self._wake_r, selectors.EVENT_READ, self._on_wake)
        self._events.add_resume_listener(self.wake)
        self._thread = threading.Thread(target=self._run, name=f"socketlab-{self.name}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> bool:
        """Ask the worker to close everything; wait up to ``timeout`` s for it to end.

        Returns True once the thread has ended (``timeout=0`` only asks).
        """
        thread = self._thread
        if thread is None:
            return True
        self.stop_asked = True  # seen at once by a worker still busy in a blocking call (e.g. DNS)
        self.gate.cancel()  # and by one waiting at the step gate
        self._submit(self._request_stop)
        if thread is threading.current_thread() or timeout <= 0:
            return not thread.is_alive()
        thread.join(timeout)
        return not thread.is_alive()

    def set_step_mode(self, enabled: bool) -> None:
        """Step mode on: stop before each real socket call until :meth:`step_next` (thread-safe)."""
        self.gate.set_enabled(enabled)

    def step_next(self) -> None:
        """Step mode: run exactly the call the worker waits to make (thread-safe)."""
        self.gate.next()

    def step_continue(self) -> None:
        """Step mode off: run freely from here (thread-safe)."""
        self.gate.resume()

    @property
    def running(self) -> bool:
        """True from :meth:`start` until the worker thread has ended."""
        return self._thread is not None and self._thread.is_alive()

    def wake(self) -> None:
        """Wake the worker (thread-safe; used by the event queue on resume)."""
        with contextlib.suppress(OSError):  # already woken (buffer full), or already closed
            self._wake_w.send(b"\0")

    def _submit(self, command: Callable[[], None]) -> None:
        self._commands.append(command)
        self.wake()

    # ---- worker side ----

    def _run(self) -> None:
        try:
            self._set_state(State.STARTING)
            if self._start_sockets():
                self._loop()
        except StepCancelled:  # stopped while waiting at the step gate: a normal stop
            pass
        except Exception as exc:  # noqa: BLE001 - a bug must be reported, not end the thread silently
            self._emit_problem(Problem("internal_error", {"detail": repr(exc)}), fatal=True)
            self._final_state = State.ERROR
        finally:
            self._shutdown()

    def _start_sockets(self) -> bool:
        try:
            self._open()
        except OSError:
            self._final_state = State.ERROR
            return False
        return True

    def _loop(self) -> None:
        self._in_loop = True
        try:
            self._run_rounds()
        finally:
            self._in_loop = False
            self._events.wake_consumer()

    def _run_rounds(self) -> None:
        while not self._stopping:
            self._check_congestion()
            timeout = PAUSED_POLL_SECONDS if self._paused else _sooner(self._select_timeout(), self._frame_timeout())
            for key, mask in self._selector.select(timeout):
                handler: Handler = key.data
                handler(mask)
                if self._stopping:
                    break
            self._on_tick()
            self._on_timers()
            self._events.wake_consumer()  # once per round, not once per event

    def _shutdown(self) -> None:
        if self._final_state is not State.ERROR:
            self._set_state(State.STOPPING)
        try:
            self._close_all()
        finally:
            self._events.remove_resume_listener(self.wake)
            self._selector.close()
            self._wake_r.close()
            self._wake_w.close()
            self._set_state(self._final_state)

    def _on_wake(self, _mask: int) -> None:
        try:
            while self._wake_r.recv(4096):
                pass
        except BlockingIOError:
            pass
        while self._commands and not self._stopping:
            self._commands.popleft()()

    def _request_stop(self) -> None:
        self._stopping = True

    def _framed_read_size(self, framer: Framer | None, full: int) -> int:
        """Bytes a ``recv`` may ask for; 0: none now (framed, and the queue is already past its bound).

        Framing that can cut one-byte frames turns one read into as many events, so
        such a read asks for at most :data:`FRAMED_RECV_SIZE` and looks at the
        queue's bound first (each read, not once per round): a flood of tiny frames
        cannot grow the queue past it. Unframed (and ``gap:``) reads ask for ``full``.
        """
        if framer is None or framer.spec.startswith("gap:"):
            return full
        if self._events.congested:
            self._check_congestion()
            return 0
        return FRAMED_RECV_SIZE

    def _check_congestion(self) -> None:
        congested = self._events.congested
        if congested != self._paused:
            self._paused = congested
            if congested:
                self._events.mark_congested_seen()
            self._set_paused(congested)

    # ---- hooks for subclasses ----

    def _open(self) -> None:
        raise NotImplementedError

    def _close_all(self) -> None:
        raise NotImplementedError

    def _on_tick(self) -> None:
        """Called after every select round (e.g. to check a deadline)."""

    def _select_timeout(self) -> float | None:
        return None

    def _frame_timeout(self) -> float | None:
        """Seconds until framing by silence (``gap:MS``) ends a frame; None: nothing waits."""
        return None

    def _on_timers(self) -> None:
        """Called after every select round: end the frames whose silence has passed."""

    def _set_paused(self, paused: bool) -> None:
        """Stop (or restart) reading sockets that can push back."""

    # ---- helpers for subclasses ----

    def _emit(self, event: Event) -> None:
        self._events.put(event, wake=not self._in_loop)

    def _set_state(self, state: State, local: Address | None = None, remote: Address | None = None) -> None:
        self.state = state
        self._emit(StateChanged(endpoint=self.name, state=state, local=local, remote=remote))

    def _trace(self, call: str, args: str, result: str, ok: bool = True, peer: Address | None = None) -> None:
        self._emit(SocketCall(endpoint=self.name, call=call, args=args, result=result, ok=ok, peer=peer))

    def _traced(
        self,
        call: str,
        args: str,
        action: Callable[[], T],
        peer: Address | None = None,
        describe: Callable[[T], str] = _ok,
    ) -> T:
        """Run one socket call and trace it, result or error (the error re-raised)."""
        self._step(call, args, peer)
        try:
            result = action()
        except OSError as exc:
            self._trace(call, args, f"error: {describe_error(exc)}", ok=False, peer=peer)
            raise
        self._trace(call, args, describe(result), peer=peer)
        return result

    def _step(self, call: str, args: str, peer: Address | None = None) -> None:
        """Step mode's gate before a real call (one attribute read when step mode is off)."""
        if self.gate.enabled and not self.stop_asked:  # stopping: the closing calls run freely
            self.gate.wait_turn(call, args, lambda c, a: self._announce(c, a, peer))

    def _announce(self, call: str, args: str, peer: Address | None) -> None:
        self._events.put(StepPending(endpoint=self.name, call=call, args=args, peer=peer))

    def _emit_problem(
        self, problem: Problem, call: str | None = None, peer: Address | None = None, fatal: bool = False
    ) -> None:
        self._emit(
            ErrorEvent(
                endpoint=self.name,
                code=problem.code,
                message=problem.message,
                hint=problem.hint,
                params=problem.params,
                call=call,
                peer=peer,
                fatal=fatal,
            )
        )

    def _report(self, exc: OSError, call: str, peer: Address | None = None, fatal: bool = False,
                **params: str) -> None:
        """Explain ``exc`` from ``call`` as an error event."""
        self._emit_problem(explain(exc, call, **params), call=call, peer=peer, fatal=fatal)
        if fatal:
            self._final_state = State.ERROR
            self._stopping = True

    def _close_socket(self, sock: socket.socket, peer: Address | None = None) -> None:
        """Unregister (if registered), close and trace ``close()``."""
        with contextlib.suppress(KeyError, ValueError):  # it may never have been registered
            self._selector.unregister(sock)
        with contextlib.suppress(OSError):  # traced; nothing more to do with a socket that will not close
            self._traced("close", "", sock.close, peer=peer)


def _sooner(first: float | None, second: float | None) -> float | None:
    """The shorter of two select timeouts (None: wait for ever)."""
    if first is None:
        return second
    return first if second is None else min(first, second)


def monotonic() -> float:
    """The clock deadlines use."""
    return time.monotonic()

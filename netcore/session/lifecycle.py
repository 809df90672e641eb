"""The lifecycle diagram's model: the lesson's steps, lit by the real calls that make them happen.

Each endpoint kind has the steps a tutorial teaches (a server: ``socket → setsockopt
→ bind → listen → accept → recv/send → close``). Each step holds the real calls
SocketLab made for it — under ``socket`` also ``setblocking(False)``, under
``connect`` the ``getsockopt(SO_ERROR)`` that tells a non-blocking connect has
finished — how many times it ran, its last call and result, and the error with its
hint when a call failed. Nothing is renamed to look like the lesson: the real call
lines are kept as they happened.

A server's accepted connections each get a small life of their own
(``accept → recv/send → close``); the newest :data:`MAX_LIVES` are kept. Pure.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass, field

from netcore.events import (
    Address,
    DataReceived,
    DataSent,
    ErrorEvent,
    Event,
    PeerClosed,
    PeerConnected,
    SocketCall,
    State,
    StateChanged,
    StepPending,
    trace_line,
)

STEPS: dict[str, tuple[str, ...]] = {
    "tcp-server": ("socket", "setsockopt", "bind", "listen", "accept", "recv/send", "close"),
    "tcp-client": ("socket", "connect", "send/recv", "shutdown", "close"),
    "udp": ("socket", "bind", "sendto/recvfrom", "close"),
}
CONNECTION_STEPS = ("accept", "recv/send", "close")
LOOPS = frozenset({"accept", "recv/send", "send/recv", "sendto/recvfrom"})
"""Steps that run again and again (drawn with ⟲)."""

_CALL_STEP: dict[str, dict[str, str]] = {
    "tcp-server": {"socket": "socket", "setblocking": "socket", "setsockopt": "setsockopt", "bind": "bind",
                   "getsockname": "bind", "listen": "listen", "accept": "accept", "close": "close"},
    "tcp-client": {"getaddrinfo": "socket", "socket": "socket", "setblocking": "socket", "connect": "connect",
                   "getsockopt": "connect", "getsockname": "connect", "wrap_socket": "connect",
                   "do_handshake": "connect", "recv": "send/recv", "send": "send/recv", "unwrap": "shutdown",
                   "shutdown": "shutdown", "close": "close"},
    "udp": {"socket": "socket", "setsockopt": "socket", "setblocking": "socket", "bind": "bind",
            "getsockname": "bind", "sendto": "sendto/recvfrom", "recvfrom": "sendto/recvfrom", "close": "close"},
}
_PEER_CALL_STEP = {"accept": "accept", "setblocking": "accept", "getsockname": "accept", "wrap_socket": "accept",
                   "do_handshake": "accept", "recv": "recv/send", "send": "recv/send", "unwrap": "close",
                   "shutdown": "close", "close": "close"}
WAITING: dict[tuple[str, State], str] = {
    ("tcp-server", State.LISTENING): "accept",
    ("tcp-client", State.CONNECTING): "connect",
    ("tcp-client", State.CONNECTED): "send/recv",
    ("udp", State.BOUND): "sendto/recvfrom",
}
"""Where the program now waits, by endpoint kind and state."""
MAX_LIVES = 64
RECENT_CALLS = 4


@dataclass
class Step:
    """One box of the diagram."""

    name: str
    count: int = 0
    ok: bool = True
    error: str = ""
    hint: str = ""
    time: float = 0.0
    recent: deque[Event] = field(default_factory=lambda: deque(maxlen=RECENT_CALLS))
    """The last few real calls that made this step happen, oldest first (formatted when shown)."""
    own: tuple[str, ...] = ()
    """The calls that are this step's own (``recv``, ``send`` for recv/send)."""

    def __post_init__(self) -> None:
        self.own = tuple(self.name.split("/"))

    def record(self, event: Event, ok: bool, call: str) -> None:
        """One real call made for this step; only the step's own call (``bind`` for bind) counts a run."""
        if call in self.own:
            self.count += 1
        self.ok, self.time = ok, event.time
        if ok:
            self.error = self.hint = ""
        self.recent.append(event)

    @property
    def calls(self) -> list[str]:
        """The recent calls as trace lines, e.g. ``bind(('0.0.0.0', 9000)) -> ok``."""
        return [trace_line(event) or "" for event in self.recent]

    @property
    def own_call(self) -> str:
        """The last call that was this step's own (``accept`` for accept), else the last call of any kind."""
        names = self.name.split("/")
        for event in reversed(self.recent):
            if getattr(event, "call", "") in names:
                return trace_line(event) or ""
        return self.last_call

    @property
    def last_call(self) -> str:
        """The last real call as a trace line ("" before the first)."""
        return (trace_line(self.recent[-1]) or "") if self.recent else ""


@dataclass
class Life:
    """The steps of one object: the endpoint itself, or one accepted connection."""

    steps: dict[str, Step]
    peer: Address | None = None
    local: Address | None = None
    ended: str = ""
    """Why it ended (a close reason), or empty while it lives."""

    @classmethod
    def of(cls, names: tuple[str, ...], peer: Address | None = None, local: Address | None = None) -> Life:
        return cls({name: Step(name) for name in names}, peer, local)


class LifecycleModel:
    """Feed it one endpoint's events; it keeps the steps lit, counted and explained."""

    def __init__(self, kind: str) -> None:
        self.kind = kind.replace("_", "-")
        self.life = Life.of(STEPS.get(self.kind, ()))
        self.connections: OrderedDict[int, Life] = OrderedDict()
        """Accepted connections by their serial, oldest first (server only)."""
        self.state = State.STOPPED
        self.version = 0
        self.next_call: StepPending | None = None
        """Step mode: the call the worker waits to make, until it runs."""
        self._live: dict[Address, Life] = {}
        self._data_step: Step | None = None

    def next_step(self) -> str | None:
        """The box of the call step mode holds back, if one is held."""
        if self.next_call is None:
            return None
        name = self.next_call.call
        if self.kind == "tcp-server" and self.next_call.peer is not None:
            return _PEER_CALL_STEP.get(name)
        return _CALL_STEP.get(self.kind, {}).get(name)

    @property
    def waiting(self) -> str | None:
        """The step where the program now waits for something (None when it does not)."""
        return WAITING.get((self.kind, self.state))

    def feed(self, event: Event) -> None:
        """Take one event into the model."""
        kind = type(event)
        if kind is DataReceived or kind is DataSent:  # the many: straight to their step
            self._data(event)  # type: ignore[arg-type]
            return
        if isinstance(event, StepPending):
            self.next_call = event
        elif isinstance(event, StateChanged):
            self.state = event.state
            if event.state in (State.STOPPED, State.ERROR):
                self.next_call = None
        elif isinstance(event, PeerConnected) and self.kind == "tcp-server":
            self._new_life(event)
        elif isinstance(event, PeerClosed):
            self._ended(event)
        elif isinstance(event, ErrorEvent):
            self._failed(event)
        elif isinstance(event, (SocketCall, DataReceived, DataSent)):
            if self.next_call is not None and self.next_call.call == event.call:
                self.next_call = None  # the announced call ran
            self._call(event)
        else:
            return
        self.version += 1

    def _data(self, event: DataReceived | DataSent) -> None:
        if self.next_call is not None and self.next_call.call == event.call:
            self.next_call = None
        if self.kind == "tcp-server":
            self._connection_call(event, event.peer, True)
        else:
            step = self._data_step
            if step is None:
                name = _CALL_STEP.get(self.kind, {}).get(event.call)
                step = self._data_step = self.life.steps.get(name) if name else None
            if step is not None:
                step.record(event, True, event.call)
        self.version += 1

    def _new_life(self, event: PeerConnected) -> None:
        life = Life.of(CONNECTION_STEPS, event.peer, event.local)
        accepted = self.life.steps.get("accept")
        if accepted is not None and accepted.recent:
            life.steps["accept"].recent.extend(e for e in accepted.recent if getattr(e, "peer", None) == event.peer)
            life.steps["accept"].count = 1
        self.connections[event.connection] = life
        self._live[event.peer] = life
        while len(self.connections) > MAX_LIVES:
            _serial, old = self.connections.popitem(last=False)
            if self._live.get(old.peer) is old:  # type: ignore[arg-type]
                del self._live[old.peer]  # type: ignore[arg-type]

    def _life_for(self, peer: Address | None) -> Life | None:
        if peer is None or self.kind != "tcp-server":
            return None
        return self._live.get(peer)

    def _call(self, event: SocketCall | DataReceived | DataSent) -> None:
        name = event.call
        ok = event.ok if isinstance(event, SocketCall) else True
        if self.kind == "tcp-server" and event.peer is not None:
            self._connection_call(event, event.peer, ok)
            return
        step = _CALL_STEP.get(self.kind, {}).get(name)
        if step is not None:
            self.life.steps[step].record(event, ok, name)

    def _connection_call(self, event: SocketCall | DataReceived | DataSent, peer: Address, ok: bool) -> None:
        """A call on an accepted socket: its connection's life, and the server's accept or recv/send box."""
        step = _PEER_CALL_STEP.get(event.call)
        if step is None:
            return
        connection = self._life_for(peer)
        if connection is not None:
            connection.steps[step].record(event, ok, event.call)
        if step in ("accept", "recv/send"):  # the server's own box counts every connection's too
            self.life.steps[step].record(event, ok, event.call)

    def _failed(self, event: ErrorEvent) -> None:
        name = event.call or ""
        connection = self._life_for(event.peer)
        steps = [connection.steps.get(_PEER_CALL_STEP.get(name, ""))] if connection is not None else []
        steps.append(self.life.steps.get(_CALL_STEP.get(self.kind, {}).get(name, "")))
        for step in steps:
            if step is not None:
                step.ok, step.error, step.hint = False, event.message, event.hint
                return

    def _ended(self, event: PeerClosed) -> None:
        life = self.connections.get(event.connection)
        if life is None and event.connection == 0:
            life = self._live.get(event.peer)
        if life is not None:
            life.ended = event.reason.name
            if self._live.get(event.peer) is life:
                del self._live[event.peer]

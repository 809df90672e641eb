"""The guided lessons: each a page and goals that tick when the matching real event happens.

A goal watches the events of the student's own endpoints (and the stream notes the
window makes when both ends are its tabs) and ticks once it has seen what it asks
for — "your server called accept()", "three send() calls arrived in one recv()".
Nothing is ticked by a button: only the engine's events tick goals. Progress is a set
of goal ids per lesson, kept in the settings. Pure: events in, ticks out.

Texts live in the front-end's catalogue under ``lesson.<id>.*`` and ``goal.<id>``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from netcore.events import (
    CloseReason,
    DataReceived,
    DataSent,
    ErrorEvent,
    Event,
    Notice,
    PeerClosed,
    PeerConnected,
    SocketCall,
    State,
    StateChanged,
)
from netcore.session.streammap import StreamNote

Seen = Event | StreamNote
Check = Callable[[str, Seen], bool]
"""``(endpoint kind, event) -> True`` when this event completes the goal."""

_STAMP = re.compile(rb"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] ")


def _watching(*kinds: type) -> Callable[[Check], Check]:
    """Mark a check with the event types it can tick on (the course shows it nothing else)."""
    def mark(check: Check) -> Check:
        check.watches = kinds  # type: ignore[attr-defined]
        return check
    return mark


def watched(check: Check) -> tuple[type, ...]:
    """The event types ``check`` looks at (all, if it did not say)."""
    return getattr(check, "watches", (object,))


def _call(kind: str, name: str, ok: bool = True) -> Check:
    @_watching(SocketCall)
    def check(endpoint_kind: str, seen: Seen) -> bool:
        return (endpoint_kind == kind and isinstance(seen, SocketCall) and seen.call == name
                and seen.ok == ok)
    return check


def _data(kind: str, sent: bool, test: Callable[[bytes], bool] = bool) -> Check:
    wanted = DataSent if sent else DataReceived

    @_watching(wanted)
    def check(endpoint_kind: str, seen: Seen) -> bool:
        return endpoint_kind == kind and isinstance(seen, wanted) and test(seen.data)
    return check


def _closed(kind: str, reason: CloseReason | None = None) -> Check:
    @_watching(PeerClosed)
    def check(endpoint_kind: str, seen: Seen) -> bool:
        return (endpoint_kind == kind and isinstance(seen, PeerClosed)
                and (reason is None or seen.reason is reason))
    return check


def _state(kind: str, state: State) -> Check:
    @_watching(StateChanged)
    def check(endpoint_kind: str, seen: Seen) -> bool:
        return endpoint_kind == kind and isinstance(seen, StateChanged) and seen.state is state
    return check


def _problem(code: str) -> Check:
    @_watching(ErrorEvent)
    def check(_kind: str, seen: Seen) -> bool:
        return isinstance(seen, ErrorEvent) and seen.code == code
    return check


def _notice(*codes: str) -> Check:
    @_watching(Notice)
    def check(_kind: str, seen: Seen) -> bool:
        return isinstance(seen, Notice) and seen.code in codes
    return check


def _either(*checks: Check) -> Check:
    @_watching(*(kind for one in checks for kind in watched(one)))
    def check(kind: str, seen: Seen) -> bool:
        return any(one(kind, seen) for one in checks)
    return check


def _stream_note(datagram: bool, at_least: int) -> Check:
    @_watching(StreamNote)
    def check(_kind: str, seen: Seen) -> bool:
        if not isinstance(seen, StreamNote) or seen.datagram != datagram:
            return False
        return datagram or seen.sends >= at_least
    return check


def _http_request(data: bytes) -> bool:
    head = data.split(b"\r\n\r\n", 1)
    return data.startswith(b"GET ") and b" HTTP/1." in data[:200] and len(head) == 2 and b"\r\nHost:" in head[0]


@dataclass
class Goal:
    """One thing the student makes happen; ``check`` sees every event."""

    id: str
    check: Check


@dataclass
class Lesson:
    """A page and its goals; ``setup`` names what "Set it up for me" opens (front-end reads it)."""

    id: str
    goals: list[Goal]
    setup: dict[str, str] = field(default_factory=dict)
    code: str = ""
    """The endpoint kind whose Python code the lesson links to."""


class _Counting:
    """A check that needs several matching events before it counts (e.g. two clients at once)."""

    watches = (PeerConnected, PeerClosed)

    def __init__(self, opens: Check, closes: Check, at_once: int) -> None:
        self.opens, self.closes, self.at_once, self.live = opens, closes, at_once, 0

    def __call__(self, kind: str, seen: Seen) -> bool:
        if self.opens(kind, seen):
            self.live += 1
        elif self.closes(kind, seen):
            self.live = max(0, self.live - 1)
        return self.live >= self.at_once


class _BothBound:
    """TCP and UDP bound to the same port number at the same time."""

    watches = (StateChanged,)

    def __init__(self) -> None:
        self.tcp: set[int] = set()
        self.udp: set[int] = set()

    def __call__(self, kind: str, seen: Seen) -> bool:
        if not isinstance(seen, StateChanged) or seen.local is None:
            return False
        ports = self.tcp if kind == "tcp-server" else self.udp if kind == "udp" else None
        if ports is not None and seen.state in (State.LISTENING, State.BOUND):
            ports.add(seen.local[1])
        return bool(self.tcp & self.udp)


class _AfterShutdown:
    """Data received by an endpoint after it half-closed with shutdown(SHUT_WR)."""

    watches = (SocketCall, DataReceived)

    def __init__(self) -> None:
        self.shut: set[str] = set()

    def __call__(self, kind: str, seen: Seen) -> bool:
        if isinstance(seen, SocketCall) and seen.call == "shutdown" and seen.ok:
            self.shut.add(seen.endpoint)
        return isinstance(seen, DataReceived) and seen.endpoint in self.shut


def lessons() -> list[Lesson]:
    """The built-in lessons, in teaching order (fresh goal state each call)."""
    server, client, udp = "tcp-server", "tcp-client", "udp"
    calls = ("socket", "bind", "listen", "accept")
    refused = _either(_notice("udp_port_unreachable", "udp_refused_at"), _problem("connection_refused"))
    return [
        Lesson("server", [Goal(f"server.{name}", _call(server, name)) for name in calls]
               + [Goal("server.recv", _data(server, sent=False)), Goal("server.send", _data(server, sent=True)),
                  Goal("server.close", _closed(server))],
               {"tabs": "tcp-server,tcp-client", "step": "on"}, code=server),
        Lesson("http", [Goal("http.connect", _state(client, State.CONNECTED)),
                        Goal("http.request", _data(client, sent=True, test=_http_request)),
                        Goal("http.status", _data(client, sent=False, test=lambda d: d.startswith(b"HTTP/1."))),
                        Goal("http.end", _closed(client, CloseReason.FIN))],
               {"tabs": "tcp-client", "http_server": "on"}, code=client),
        Lesson("greeting", [Goal("greeting.welcome", _data(server, sent=True, test=lambda d: b"Welcome!" in d)),
                            Goal("greeting.hello", _data(server, sent=True, test=lambda d: d.startswith(b"Hello, "))),
                            Goal("greeting.two", _Counting(lambda k, s: k == server and isinstance(s, PeerConnected),
                                                           _closed(server), 2)),
                            Goal("greeting.exit", _notice("reply_closed"))],
               {"tabs": "tcp-server,tcp-client,tcp-client", "reply": "hello"}, code=server),
        Lesson("time", [Goal("time.stamp", _data(server, sent=True, test=lambda d: bool(_STAMP.match(d))))],
               {"tabs": "tcp-server,tcp-client", "reply": "time"}, code=server),
        Lesson("udp", [Goal("udp.sendto", _data(udp, sent=True)), Goal("udp.recvfrom", _data(udp, sent=False)),
                       Goal("udp.nobody", refused)],
               {"tabs": "udp,udp"}, code=udp),
        Lesson("stream", [Goal("stream.merged", _stream_note(datagram=False, at_least=2)),
                          Goal("stream.whole", _stream_note(datagram=True, at_least=1))],
               {"tabs": "tcp-server,tcp-client,udp,udp"}, code=server),
        Lesson("ports", [Goal("ports.both", _BothBound()), Goal("ports.in_use", _problem("address_in_use"))],
               {"tabs": "tcp-server,udp,tcp-server"}, code=server),
        Lesson("closing", [Goal("closing.fin", _closed(server, CloseReason.FIN)),
                           Goal("closing.rst", _closed(server, CloseReason.RESET)),
                           Goal("closing.half", _AfterShutdown())],
               {"tabs": "tcp-server,tcp-client"}, code=client),
    ]


class Course:
    """All lessons and which goals are done; :meth:`feed` returns the goals it just ticked."""

    def __init__(self, done: dict[str, list[str]] | None = None) -> None:
        self.lessons = lessons()
        known = {lesson.id: {goal.id for goal in lesson.goals} for lesson in self.lessons}
        self.done: dict[str, set[str]] = {lesson_id: set() for lesson_id in known}
        for lesson_id, goal_ids in (done or {}).items():
            if lesson_id in known and isinstance(goal_ids, list):
                self.done[lesson_id] = {g for g in goal_ids if g in known[lesson_id]}
        self._index()

    def _index(self) -> None:
        """The open goals by the event types they watch (a flood of data costs a dict look-up)."""
        self._open: dict[type, list[tuple[str, Goal]]] = {}
        for lesson in self.lessons:
            for goal in lesson.goals:
                if goal.id not in self.done[lesson.id]:
                    for kind in watched(goal.check):
                        self._open.setdefault(kind, []).append((lesson.id, goal))

    def feed(self, kind: str, seen: Seen) -> list[str]:
        """Show one event (from an endpoint of ``kind``) to the open goals that watch its type."""
        waiting = self._open.get(type(seen), ()) or self._open.get(object, ())
        if not waiting:
            return []
        endpoint_kind = kind.replace("_", "-")
        ticked = []
        for lesson_id, goal in list(waiting):
            done = self.done[lesson_id]
            if goal.id not in done and goal.check(endpoint_kind, seen):
                done.add(goal.id)
                ticked.append(goal.id)
        if ticked:
            self._index()
        return ticked

    def progress(self) -> dict[str, list[str]]:
        """What to keep in the settings: done goal ids per lesson."""
        return {lesson_id: sorted(goals) for lesson_id, goals in self.done.items() if goals}

    def reset(self, lesson_id: str) -> None:
        """Start a lesson again (its goals untick; goal state starts afresh)."""
        fresh = {lesson.id: lesson for lesson in lessons()}
        self.done[lesson_id] = set()
        self.lessons = [fresh[lesson.id] if lesson.id == lesson_id else lesson for lesson in self.lessons]
        self._index()

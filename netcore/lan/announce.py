"""Being found, and finding: the discovery protocol's sockets.

:class:`Announcer` is an endpoint (one worker thread, like the others) that answers
discovery requests for the endpoints the user made visible. It answers only
well-formed requests, at most a few a second per asker and :data:`GLOBAL_RATE` in
all, with nothing but each visible endpoint's kind, port and name; malformed or
oversized datagrams are counted and dropped.

:func:`find` asks: one request out of every IPv4 interface (limited broadcast, which
works without a default route) and to this machine itself, then collects the answers
until the timeout. Bounded in time and in what it keeps.
"""

from __future__ import annotations

import selectors
import socket
import time
from dataclasses import dataclass

from netcore.eventqueue import EventQueue
from netcore.events import Notice, State, format_address
from netcore.interfaces import LocalAddress, broadcast_interfaces
from netcore.lan.discovery import (
    PORT,
    Announcement,
    Found,
    decode_answer,
    decode_request,
    encode_answer,
    encode_request,
    new_nonce,
)
from netcore.lan.outgoing import send_broadcast_on
from netcore.peerstate import ReplyLimiter
from netcore.problems import NOTICES, fill
from netcore.worker import Endpoint, address_of, monotonic

READS_PER_WAKE = 64
PER_ASKER_RATE = 5.0
GLOBAL_RATE = 50.0
MAX_FOUND = 256
MAX_READS = 2000


class Announcer(Endpoint):
    """Answers discovery requests for the visible endpoints of this process."""

    kind = "announce"

    def __init__(self, events: EventQueue, name: str | None = None, port: int = PORT) -> None:
        super().__init__(events, name)
        self.port = port
        self.ignored = 0
        """Datagrams that were not a well-formed request (dropped)."""
        self.answered = 0
        self._sock: socket.socket | None = None
        self._entries: dict[str, Announcement] = {}
        self._per_asker = ReplyLimiter(PER_ASKER_RATE, int(PER_ASKER_RATE))
        self._all = ReplyLimiter(GLOBAL_RATE, int(GLOBAL_RATE))
        self._told: set[str] = set()

    def announce(self, key: str, announcement: Announcement) -> None:
        """Make an endpoint visible (thread-safe); ``key`` identifies it for :meth:`withdraw`."""
        self._submit(lambda: self._entries.__setitem__(key, announcement))

    def withdraw(self, key: str) -> None:
        """Stop answering for ``key`` (thread-safe)."""
        self._submit(lambda: self._forget(key))

    def _forget(self, key: str) -> None:
        self._entries.pop(key, None)

    def _open(self) -> None:
        sock = self._traced("socket", "AF_INET, SOCK_DGRAM", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
        try:
            self._traced("setsockopt", "SOL_SOCKET, SO_REUSEADDR, 1",
                         lambda: sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1))
            if hasattr(socket, "SO_REUSEPORT"):  # several SocketLab processes on one machine can each answer
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            self._traced("bind", f"('0.0.0.0', {self.port})", lambda: sock.bind(("0.0.0.0", self.port)))
            sock.setblocking(False)
        except OSError as exc:
            sock.close()
            self._report(exc, "bind", fatal=True, host="0.0.0.0", port=str(self.port),
                         address=f"0.0.0.0:{self.port}")
            raise
        self._sock = sock
        self._selector.register(sock, selectors.EVENT_READ, self._on_ready)
        self._set_state(State.BOUND, local=("0.0.0.0", self.port))

    def _close_all(self) -> None:
        if self._sock is not None:
            self._close_socket(self._sock)
            self._sock = None

    def _on_ready(self, _mask: int) -> None:
        assert self._sock is not None
        for _ in range(READS_PER_WAKE):
            try:
                datagram, raw = self._sock.recvfrom(2048)
            except BlockingIOError:
                return
            except OSError:  # e.g. an ICMP error for an earlier answer: nothing to do for it
                continue
            nonce = decode_request(datagram)
            if nonce is None:
                self.ignored += 1
                continue
            self._answer(nonce, raw)

    def _answer(self, nonce: bytes, raw: object) -> None:
        source = address_of(raw)
        now = monotonic()
        if not self._entries or not self._per_asker.allow(source, now).allowed:
            return
        if not self._all.allow(("*", 0), now).allowed:
            return
        assert self._sock is not None
        for announcement in list(self._entries.values()):
            try:
                self._sock.sendto(encode_answer(nonce, announcement), source)
                self.answered += 1
            except OSError:
                return
        if source[0] not in self._told and len(self._told) < 64:
            self._told.add(source[0])
            params = {"address": source[0]}
            message = fill(NOTICES["discovery_answered"], params)
            self._emit(Notice(endpoint=self.name, code="discovery_answered", message=message, params=params))


@dataclass(frozen=True)
class Asked:
    """Where a finder's request went, for the trace: one line per interface."""

    calls: list[str]
    errors: list[str]


def _ask(sock: socket.socket, request: bytes, port: int, via: list[LocalAddress]) -> Asked:
    calls, errors = [], []
    for address in via:
        try:
            _sent, call, args = send_broadcast_on(sock, request, port, address)
            calls.append(f"{call}({args})")
        except OSError as exc:
            errors.append(f"{address.interface}: {exc.strerror or exc}")
    try:
        sock.sendto(request, ("127.0.0.1", port))  # SocketLab on this very machine
        calls.append(f"sendto({len(request)} bytes, ('127.0.0.1', {port}))")
    except OSError as exc:
        errors.append(f"lo: {exc.strerror or exc}")
    return Asked(calls, errors)


def find(timeout: float = 2.0, port: int = PORT, via: list[LocalAddress] | None = None
         ) -> tuple[list[Found], Asked]:
    """Ask every interface; return what answered within ``timeout`` seconds (and where we asked)."""
    nonce = new_nonce()
    found: dict[tuple[str, str, int], Found] = {}
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        sock.bind(("0.0.0.0", 0))
        asked = _ask(sock, encode_request(nonce), port, broadcast_interfaces() if via is None else via)
        deadline = time.monotonic() + timeout
        for _ in range(MAX_READS):
            left = deadline - time.monotonic()
            if left <= 0 or len(found) >= MAX_FOUND:
                break
            sock.settimeout(left)
            try:
                datagram, raw = sock.recvfrom(2048)
            except (TimeoutError, OSError):
                break
            announcement = decode_answer(datagram, nonce)
            if announcement is not None:
                source = address_of(raw)
                found.setdefault((source[0], announcement.kind, announcement.port), Found(source[0], announcement))
    return sorted(found.values(), key=lambda f: (f.address, f.announcement.port)), asked


def describe(found: Found) -> str:
    """``tcp-server 198.18.0.1:9000 "bench PC"`` for a line of output."""
    name = f' "{found.announcement.name}"' if found.announcement.name else ""
    return f"{found.announcement.kind} {format_address((found.address, found.announcement.port))}{name}"

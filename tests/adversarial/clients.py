"""Hostile TCP clients for the state machine: what each one sent, read and did.

A :class:`HostileClient` wraps one real loopback socket. Its actions never block
for long: sends are non-blocking with a time budget, reads take what is there.
"""

from __future__ import annotations

import contextlib
import select
import socket
import time
from dataclasses import dataclass, field

from netcore.events import Address
from tests.adversarial.helpers import HOST, reset, reused_port_socket

SENT_KEPT = 8 * 1024 * 1024
"""Bytes of what a client sent kept for the echo check; past this the check stops for that client."""
_PATTERN = bytes(range(251)) * 300


def pattern(size: int, offset: int) -> bytes:
    """``size`` bytes of a repeating pattern starting at ``offset`` (cheap flood payload)."""
    out = bytearray()
    start = offset % 251
    while len(out) < size:
        out += _PATTERN[start : start + size - len(out)]
        start = 0
    return bytes(out)


@dataclass(eq=False)
class HostileClient:
    """One client connection and its history; ``addr`` is its (host, port) as the server sees it."""

    sock: socket.socket
    addr: Address
    sent: bytearray | None = field(default_factory=bytearray)
    read: int = 0
    total_sent: int = 0
    half_closed: bool = False
    closed: bool = False
    may_be_closed: bool = False
    tail: bytes = b""
    refused: bool = False
    """It never connected (see :func:`connect`); ``why`` says why."""
    why: str = ""
    """The server may end this connection on its own (a hello client that sent ``exit``)."""

    def __repr__(self) -> str:
        return f"HostileClient(port={self.addr[1]})"

    @property
    def open(self) -> bool:
        return not self.closed

    def send(self, data: bytes, budget: float = 0.3) -> int:
        """Send what the kernel takes within ``budget`` seconds; the bytes sent."""
        if self.closed or self.half_closed:
            return 0
        view = memoryview(data)
        done = 0
        end = time.monotonic() + budget
        self.sock.setblocking(False)
        while done < len(view) and time.monotonic() < end:
            try:
                done += self.sock.send(view[done : done + 256 * 1024])
            except BlockingIOError:
                select.select([], [self.sock], [], 0.02)
            except OSError:  # the server closed or reset this connection
                break
        self._record(bytes(view[:done]))
        return done

    def _record(self, data: bytes) -> None:
        self.total_sent += len(data)
        if self.sent is not None:
            self.sent += data
            if len(self.sent) > SENT_KEPT:
                self.sent = None
        if b"exit" in self.tail + data:  # also split across two sends
            self.may_be_closed = True
        self.tail = (self.tail + data)[-3:]

    def read_available(self, limit: int = 8 * 1024 * 1024, quiet: float = 0.02) -> bytes:
        """Read what arrives until ``quiet`` seconds pass without data (at most ``limit`` bytes)."""
        if self.closed:
            return b""
        got = bytearray()
        self.sock.setblocking(False)
        while len(got) < limit:
            ready, _, _ = select.select([self.sock], [], [], quiet)
            if not ready:
                break
            try:
                chunk = self.sock.recv(min(256 * 1024, limit - len(got)))
            except BlockingIOError:
                continue
            except OSError:
                break
            if not chunk:
                break
            got += chunk
        self.read += len(got)
        return bytes(got)

    def read_to_end(self, timeout: float = 5.0) -> tuple[bytes, bool]:
        """Read until the server closes (or ``timeout``); the bytes and whether the end came."""
        got = bytearray()
        end = time.monotonic() + timeout
        self.sock.setblocking(False)
        while time.monotonic() < end:
            ready, _, _ = select.select([self.sock], [], [], max(0.0, end - time.monotonic()))
            if not ready:
                break
            try:
                chunk = self.sock.recv(256 * 1024)
            except BlockingIOError:
                continue
            except OSError:
                break
            if not chunk:
                self.read += len(got)
                return bytes(got), True
            got += chunk
        self.read += len(got)
        return bytes(got), False

    def half_close(self) -> None:
        if not self.closed and not self.half_closed:
            self.half_closed = True
            with contextlib.suppress(OSError):  # already reset by the server
                self.sock.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.sock.close()

    def reset(self) -> None:
        if not self.closed:
            self.closed = True
            reset(self.sock)


def connect(port: int, small_buffer: bool, source_port: int | None = None) -> HostileClient:
    """A new client of ``HOST:port`` (from ``source_port`` if given).

    If it cannot connect (the source port was taken meanwhile, the server is gone)
    the client comes back already closed, so a generated program draws the same
    values either way; the invariants report a server that refuses.
    """
    # bound before connect (port 0: the kernel picks a port no other socket shares, as connect() may
    # not), so once this client resets, its port is free for a reconnect
    sock = reused_port_socket(source_port or 0)
    if sock is None:
        return _never_connected(source_port, "the source port is taken")
    try:
        if small_buffer:  # before connect, so the window is small from the start
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.settimeout(2.0)
        sock.connect((HOST, port))
    except OSError as exc:
        sock.close()
        return _never_connected(source_port, repr(exc))
    addr = sock.getsockname()[:2]
    return HostileClient(sock, (str(addr[0]), int(addr[1])))


def _never_connected(source_port: int | None, why: str) -> HostileClient:
    sock = socket.socket()
    sock.close()
    return HostileClient(sock, (HOST, source_port or 0), closed=True, refused=True, why=why)

"""The TCP relay's bookkeeping: a :class:`Pair` of a client and its connection to the target, one :class:`Leg` each.

Pure data, touched only on the relay's worker thread.
"""

from __future__ import annotations

import socket
from collections import deque
from dataclasses import dataclass, field

from netcore.events import DOWNSTREAM, UPSTREAM, Address


@dataclass(eq=False)
class Leg:
    """One side of a pair: the client's socket, or the socket to the target."""

    sock: socket.socket
    peer: Address
    role: str
    """``client`` or ``server``."""
    outbox: deque[memoryview] = field(default_factory=deque)
    pending: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    connecting: bool = False
    connected: bool = False
    """A PeerConnected was said for it (so its PeerClosed is said too)."""
    read_done: bool = False
    """Its peer sent FIN: nothing more will be read from it."""
    shut_wanted: bool = False
    write_shut: bool = False
    closed: bool = False
    mask: int = 0


@dataclass(eq=False)
class Pair:
    """A client and its connection to the target."""

    serial: int
    client: Leg
    server: Leg
    deadline: float
    closed: bool = False

    def other(self, leg: Leg) -> Leg:
        return self.server if leg is self.client else self.client

    def direction_from(self, leg: Leg) -> str:
        return UPSTREAM if leg is self.client else DOWNSTREAM

"""The TCP client endpoint: getaddrinfo → socket → connect → recv/send → shutdown → close.

Connects without blocking (so ``stop`` works at once, even mid-connect), tries
each address a name resolves to until one answers or the timeout runs out,
reports the local address the OS chose, and ends when the connection does.
"""

from __future__ import annotations

import errno
import os
import selectors
import socket
from dataclasses import dataclass

from netcore.eventqueue import EventQueue
from netcore.events import Address, State, format_address
from netcore.framing import NO_FRAMING, FrameSettings
from netcore.problems import Problem
from netcore.sockopts import sockaddr_repr, socket_args
from netcore.stream import Connection
from netcore.tls import ClientTls
from netcore.tls_stream import TlsSetup, TlsStream
from netcore.validation import check_host, check_port, check_timeout, input_error
from netcore.worker import address_of, monotonic

_IN_PROGRESS = {errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EALREADY,
                getattr(errno, "WSAEWOULDBLOCK", -1), getattr(errno, "WSAEINPROGRESS", -1)}

AddrInfo = tuple[socket.AddressFamily, socket.SocketKind, int, str, tuple[object, ...]]


def _resolve(host: str, port: int) -> list[AddrInfo]:
    return [(info[0], info[1], info[2], info[3], tuple(info[4]))
            for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


@dataclass(frozen=True)
class TcpClientConfig:
    """Where to connect and how long to wait; constructing it checks every field."""

    host: str
    port: int | str
    timeout: float = 5.0
    half_open_seconds: float = 0.0
    """After the server's FIN, keep sending (a FIN ends only the server's direction) until
    :meth:`TcpClient.shutdown_write`, or until this many seconds pass without a send.
    0: close at the server's FIN once what is queued is written."""
    tls: ClientTls | None = None
    """Speak TLS (see :func:`netcore.tls.client_tls`); the handshake has ``timeout`` seconds too. None: plain TCP."""
    framing: FrameSettings = NO_FRAMING
    """How what arrives is cut into frames (and checked), see :mod:`netcore.framing`."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "host", check_host(self.host))
        object.__setattr__(self, "port", check_port(self.port))
        object.__setattr__(self, "timeout", check_timeout(self.timeout))
        if not 0 <= self.half_open_seconds <= 3600:  # also refuses nan
            raise input_error("timeout_range", {"field": "half_open_seconds", "value": str(self.half_open_seconds)})


class TcpClient(TlsStream):
    """One outgoing TCP connection."""

    kind = "tcp-client"
    handshake_fatal = True

    def __init__(self, config: TcpClientConfig, events: EventQueue, name: str | None = None) -> None:
        super().__init__(events, name)
        self.config = config
        self._framing = config.framing
        self.local_address: Address | None = None
        self.remote_address: Address | None = None
        self._candidates: list[AddrInfo] = []
        self._pending_sock: socket.socket | None = None
        self._deadline = 0.0
        self._last_error: OSError | None = None
        self._early: list[bytes] = []
        """Sends made while still connecting; written once connected."""
        self._early_shutdown = False
        self._half_open_until: float | None = None
        """While half-open (the server sent FIN): when to give up waiting for more to send."""
        tls = config.tls
        self._tls = None if tls is None else TlsSetup(tls.context, server_side=False, server_name=tls.server_name,
                                                     verify=tls.verify, timeout=config.timeout)

    def _tls_setup(self) -> TlsSetup | None:
        return self._tls

    # ---- front-end side (thread-safe) ----

    def send(self, data: bytes) -> None:
        """Send ``data`` to the server."""
        payload = bytes(data)
        self.budget.add(len(payload))
        self._submit(lambda: self._send_now(payload))

    def shutdown_write(self) -> None:
        """Half-close: send FIN once everything queued is written; keep receiving."""
        self._submit(self._shutdown_now)

    # ---- worker side: connecting ----

    def _open(self) -> None:
        host, port = self.config.host, int(self.config.port)
        self._deadline = monotonic() + self.config.timeout
        try:
            self._candidates = self._traced(
                "getaddrinfo", f"{host!r}, {port}, type=SOCK_STREAM",
                lambda: _resolve(host, port),
                describe=lambda infos: ", ".join(repr(address_of(info[4])) for info in infos))
        except OSError as exc:
            self._report(exc, "getaddrinfo", fatal=True, host=host, port=str(port),
                         address=format_address((host, port)))
            raise
        self._connect_next()

    def _connect_next(self) -> None:
        if self.stop_asked:  # stopped while the name was being looked up: do not connect at all
            self._candidates.clear()
            return
        while self._candidates:
            family, _kind, _proto, _name, raw = self._candidates.pop(0)
            target = address_of(raw)
            try:
                self._begin_connect(family, raw, target)
                return
            except OSError as exc:
                self._last_error = exc
        self._fail_connect()

    def _begin_connect(self, family: int, raw: tuple[object, ...], target: Address) -> None:
        sock = self._traced("socket", socket_args(family, socket.SOCK_STREAM),
                            lambda: socket.socket(family, socket.SOCK_STREAM))
        self._pending_sock = sock
        self.remote_address = target
        self._traced("setblocking", "False", lambda: sock.setblocking(False))
        self._set_state(State.CONNECTING, remote=target)
        self._step("connect", sockaddr_repr(*target))
        code = sock.connect_ex(raw)
        if code == 0:
            self._trace("connect", sockaddr_repr(*target), "ok")
            self._on_connected(sock, target)
        elif code in _IN_PROGRESS:
            self._trace("connect", sockaddr_repr(*target), "in progress (non-blocking)")
            self._selector.register(sock, selectors.EVENT_WRITE, self._on_connect_ready)
        else:
            error = OSError(code, _strerror(code))
            self._trace("connect", sockaddr_repr(*target), f"error: {_strerror(code)}", ok=False)
            self._abandon(sock)
            raise error

    def _on_connect_ready(self, _mask: int) -> None:
        sock = self._pending_sock
        assert sock is not None and self.remote_address is not None
        code = self._traced("getsockopt", "SOL_SOCKET, SO_ERROR",
                            lambda: sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR),
                            describe=lambda c: "0 (connected)" if c == 0 else f"{c} ({_strerror(c)})")
        self._selector.unregister(sock)
        if code == 0:
            self._on_connected(sock, self.remote_address)
            return
        self._last_error = OSError(code, _strerror(code))
        self._abandon(sock)
        self._connect_next()

    def _on_connected(self, sock: socket.socket, target: Address) -> None:
        self._pending_sock = None
        self.local_address = address_of(self._traced("getsockname", "", sock.getsockname, describe=repr))
        self._set_state(State.CONNECTED, local=self.local_address, remote=target)
        conn = self._add_connection(sock, target, self.local_address)
        early, self._early = self._early, []
        for data in early:
            self.budget.done(len(data))
            self._queue_send(conn, data)
        if self._early_shutdown:
            self._shutdown_now()

    def _abandon(self, sock: socket.socket) -> None:
        self._pending_sock = None
        self._close_socket(sock)

    def _fail_connect(self) -> None:
        host, port = self.config.host, int(self.config.port)
        exc = self._last_error or TimeoutError("timed out")
        self._report(exc, "connect", fatal=True, host=host, port=str(port),
                     address=format_address(self.remote_address or (host, port)),
                     timeout=f"{self.config.timeout:g}")

    def _select_timeout(self) -> float | None:
        deadline = self._deadline if self._pending_sock is not None else self._half_open_until
        waits = [wait for wait in (None if deadline is None else max(0.0, deadline - monotonic()),
                                   self._handshake_timeout()) if wait is not None]
        return min(waits) if waits else None

    def _on_tick(self) -> None:
        self._expire_handshakes()
        if self._half_open_until is not None and monotonic() >= self._half_open_until:
            self._half_open_until = None  # nothing more came to send: end our direction too
            self._shutdown_now()
        if self._pending_sock is not None and monotonic() >= self._deadline:
            self._trace("connect", sockaddr_repr(*(self.remote_address or ("?", 0))),
                        f"no answer after {self.config.timeout:g} s", ok=False)
            self._abandon(self._pending_sock)
            self._candidates.clear()
            self._last_error = TimeoutError("timed out")
            self._fail_connect()

    # ---- worker side: connected ----

    def _connection(self) -> Connection | None:
        return next(iter(self._connections.values()), None)

    def _send_now(self, data: bytes) -> None:
        self.budget.done(len(data))
        if self._half_open_until is not None:
            self._half_open_until = monotonic() + self.config.half_open_seconds
        conn = self._connection()
        if conn is None and self._pending_sock is not None:
            self._early.append(data)
            self.budget.add(len(data))
        elif conn is None:
            self._emit_problem(Problem("not_connected"), "send")
        else:
            self._queue_send(conn, data)

    def _shutdown_now(self) -> None:
        self._half_open_until = None
        conn = self._connection()
        if conn is None:
            self._early_shutdown = self._pending_sock is not None
            return
        conn.shutdown_wanted = True
        if not conn.outbox:
            self._after_outbox_empty(conn)
            self._update_interest(conn)

    def _stay_half_open(self, conn: Connection) -> bool:
        if self.config.half_open_seconds <= 0 or conn.write_shut:
            return False
        self._half_open_until = monotonic() + self.config.half_open_seconds
        return True

    def _on_connection_closed(self, conn: Connection) -> None:
        self._stopping = True  # the client's life is its one connection

    def _close_all(self) -> None:
        if self._early:
            self.budget.done(sum(len(data) for data in self._early))
            self._early.clear()
        if self._pending_sock is not None:
            self._abandon(self._pending_sock)
        self._close_every_connection()


def _strerror(code: int) -> str:
    try:
        return os.strerror(code)
    except ValueError:
        return f"error {code}"

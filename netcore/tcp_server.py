"""The TCP server endpoint: socket → bind → listen → accept → recv/send → close.

One worker thread serves the listening socket and every accepted connection
through one selector (no thread per client). The front-end can send to one,
several or all clients, disconnect one, change the auto-reply, and stop.
"""

from __future__ import annotations

import selectors
import socket
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from netcore.eventqueue import EventQueue
from netcore.events import Address, CloseReason, Notice, PeerClosed, State, format_address
from netcore.framing import NO_FRAMING, FrameSettings
from netcore.problems import NOTICES, Problem, fill
from netcore.replies import ReplyRule
from netcore.sockopts import family_for, sockaddr_repr, socket_args
from netcore.tls import ServerTls
from netcore.tls_stream import TlsSetup, TlsStream
from netcore.validation import check_host, check_port, input_error
from netcore.worker import address_of, monotonic

ACCEPTS_PER_WAKE = 64
SELECT_CLIENT_LIMIT = 500
"""select() (Windows' only selector) watches at most 512 sockets; leave room for the listener and the wake-up."""
ACCEPT_BACKOFF_SECONDS = 0.5
"""After accept() fails (e.g. out of file descriptors), wait this long before trying again."""


@dataclass(frozen=True)
class TcpServerConfig:
    """Where and how to listen; constructing it checks every field."""

    host: str = "0.0.0.0"
    port: int | str = 9000
    backlog: int = 128
    max_clients: int | None = None
    reply: ReplyRule | None = None
    tls: ServerTls | None = None
    """Speak TLS on every connection (see :func:`netcore.tls.server_tls`); None: plain TCP."""
    framing: FrameSettings = NO_FRAMING
    """How what arrives is cut into frames (and checked), see :mod:`netcore.framing`."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "host", check_host(self.host))
        object.__setattr__(self, "port", check_port(self.port))
        _check_count(self.backlog, "backlog", 1, 65535)
        if self.max_clients is not None:
            _check_count(self.max_clients, "max_clients", 1, 1_000_000)


def _check_count(value: int, field: str, low: int, high: int) -> None:
    if not isinstance(value, int) or not low <= value <= high:
        raise input_error("count_invalid",
                          {"field": field, "low": str(low), "high": str(high), "value": str(value)})


class TcpServer(TlsStream):
    """A listening TCP socket and all the clients it accepted."""

    kind = "tcp-server"

    def __init__(self, config: TcpServerConfig, events: EventQueue, name: str | None = None) -> None:
        super().__init__(events, name)
        self.config = config
        self.local_address: Address | None = None
        self._listener: socket.socket | None = None
        self._reply = config.reply
        self._framing = config.framing
        self._listening = False
        self._accept_again_at: float | None = None
        self._tls = None if config.tls is None else TlsSetup(config.tls.context, server_side=True,
                                                                timeout=config.tls.handshake_seconds)

    # ---- front-end side (thread-safe) ----

    def send(self, data: bytes, peers: Sequence[Address] | None = None) -> None:
        """Send ``data`` to ``peers`` (None: every connected client)."""
        payload = bytes(data)
        targets = None if peers is None else list(peers)
        self.budget.add(len(payload))
        self._submit(lambda: self._send_now(payload, targets))

    def disconnect(self, peer: Address) -> None:
        """Close the connection to ``peer`` (after nothing: at once)."""
        self._submit(lambda: self._disconnect_now(peer))

    def peers(self) -> list[Address]:
        """The clients connected right now (a snapshot)."""
        return list(self._by_peer)

    # ---- worker side ----

    def _open(self) -> None:
        host, port = self.config.host, int(self.config.port)
        try:
            sock = self._make_listener(host, port)
        except OSError as exc:
            self._report(exc, "bind", fatal=True, host=host, port=str(port),
                         address=format_address((host, port)))
            raise
        self._listener = sock
        self.local_address = address_of(self._traced("getsockname", "", sock.getsockname, describe=repr))
        self._selector.register(sock, selectors.EVENT_READ, self._on_acceptable)
        self._listening = True
        self._set_state(State.LISTENING, local=self.local_address)
        if self.config.tls is not None:
            code, params = self.config.tls.notice()
            self._emit(Notice(endpoint=self.name, code=code, message=fill(NOTICES[code], params), params=params))

    def _tls_setup(self) -> TlsSetup | None:
        return self._tls

    def _make_listener(self, host: str, port: int) -> socket.socket:
        family = family_for(host)
        sock = self._traced("socket", socket_args(family, socket.SOCK_STREAM),
                            lambda: socket.socket(family, socket.SOCK_STREAM))
        try:
            self._set_listener_options(sock, family, host)
            self._traced("bind", sockaddr_repr(host, port), lambda: sock.bind((host, port)))
            backlog = self.config.backlog
            self._traced("listen", str(backlog), lambda: sock.listen(backlog))
            self._traced("setblocking", "False", lambda: sock.setblocking(False))
        except BaseException:
            self._close_socket(sock)
            raise
        return sock

    def _set_listener_options(self, sock: socket.socket, family: int, host: str) -> None:
        if sys.platform == "win32":  # SO_REUSEADDR on Windows would let another program steal the port
            option, label = socket.SO_EXCLUSIVEADDRUSE, "SO_EXCLUSIVEADDRUSE"
        else:  # lets a restarted server bind while old connections sit in TIME_WAIT
            option, label = socket.SO_REUSEADDR, "SO_REUSEADDR"
        self._traced("setsockopt", f"SOL_SOCKET, {label}, 1",
                     lambda: sock.setsockopt(socket.SOL_SOCKET, option, 1))
        if family == socket.AF_INET6 and host == "::":  # accept IPv4 clients too
            self._traced("setsockopt", "IPPROTO_IPV6, IPV6_V6ONLY, 0",
                         lambda: sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0))

    def _on_acceptable(self, _mask: int) -> None:
        assert self._listener is not None
        for _ in range(1 if self.gate.enabled else ACCEPTS_PER_WAKE):  # step mode: one accept() per Next
            self._step("accept", "")
            try:
                conn_sock, raw_peer = self._listener.accept()
            except BlockingIOError:
                return
            except ConnectionAbortedError:  # the client reset before accept() (macOS/BSD): nothing to accept
                continue
            except OSError as exc:
                self._trace("accept", "", f"error: {exc.strerror or exc}", ok=False)
                self._report(exc, "accept", detail=str(exc.strerror or exc))
                self._back_off_accepting()  # the listener stays readable: retrying at once would spin
                return
            self._on_accepted(conn_sock, address_of(raw_peer))

    def _on_accepted(self, sock: socket.socket, peer: Address) -> None:
        self._trace("accept", "", repr(peer))
        limit = self.config.max_clients
        if isinstance(self._selector, getattr(selectors, "SelectSelector", ())):  # Windows: select() only
            limit = min(limit or SELECT_CLIENT_LIMIT, SELECT_CLIENT_LIMIT)
        if limit is not None and len(self._connections) >= limit:
            self._refuse_over_limit(sock, peer, limit)
            return
        try:
            self._traced("setblocking", "False", lambda: sock.setblocking(False), peer=peer)
            local = address_of(self._traced("getsockname", "", sock.getsockname, peer=peer, describe=repr))
        except OSError as exc:  # the client vanished between accept and here
            self._report(exc, "getsockname", peer, address=format_address(peer))
            self._close_socket(sock, peer)
            return
        self._add_connection(sock, peer, local)

    def _refuse_over_limit(self, sock: socket.socket, peer: Address, limit: int) -> None:
        self._close_socket(sock, peer)
        params = {"limit": str(limit), "address": format_address(peer)}
        self._emit(Notice(endpoint=self.name, code="client_limit",
                          message=fill(NOTICES["client_limit"], params), params=params, peer=peer))
        self._emit(PeerClosed(endpoint=self.name, peer=peer, reason=CloseReason.LIMIT))

    def _send_now(self, data: bytes, peers: list[Address] | None) -> None:
        self.budget.done(len(data))
        if peers is None:
            targets = list(self._connections.values())
            if not targets:
                host, port = self.local_address or ("127.0.0.1", 0)
                self._emit_problem(Problem("no_clients", {"host": host, "port": str(port)}), "send")
        else:
            targets = []
            for peer in peers:
                conn = self._connection_to(peer)
                if conn is None:
                    self._emit_problem(Problem("no_such_peer", {"address": format_address(peer)}), "send", peer)
                else:
                    targets.append(conn)
        for conn in targets:
            self._queue_send(conn, data)

    def _disconnect_now(self, peer: Address) -> None:
        conn = self._connection_to(peer)
        if conn is None:
            self._emit_problem(Problem("no_such_peer", {"address": format_address(peer)}), "close", peer)
            return
        self._close(conn, CloseReason.LOCAL)

    def _close_all(self) -> None:
        self._close_every_connection()
        if self._listener is not None:
            self._close_socket(self._listener)
            self._listener = None

    def _set_paused(self, paused: bool) -> None:
        super()._set_paused(paused)
        self._set_accepting(not paused and self._accept_again_at is None)

    def _set_accepting(self, accepting: bool) -> None:
        if self._listener is None or accepting == self._listening:
            return
        if accepting:
            self._selector.register(self._listener, selectors.EVENT_READ, self._on_acceptable)
        else:  # the front-end is behind, or accept() just failed
            self._selector.unregister(self._listener)
        self._listening = accepting

    def _back_off_accepting(self) -> None:
        self._accept_again_at = monotonic() + ACCEPT_BACKOFF_SECONDS
        self._set_accepting(False)

    def _select_timeout(self) -> float | None:
        handshake = self._handshake_timeout()
        if self._accept_again_at is None:
            return handshake
        backoff = max(0.0, self._accept_again_at - monotonic())
        return backoff if handshake is None else min(backoff, handshake)

    def _on_tick(self) -> None:
        self._expire_handshakes()
        if self._accept_again_at is not None and monotonic() >= self._accept_again_at:
            self._accept_again_at = None
            self._set_accepting(not self._paused)

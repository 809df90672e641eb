"""TLS on the stream endpoints' connections: same worker thread, same selector, same bounds.

Once a connection is up (accepted, or connected), its socket is wrapped with
``SSLContext.wrap_socket(do_handshake_on_connect=False)`` and the handshake is
driven from the selector: each ``do_handshake()`` that raises ``SSLWantReadError``
or ``SSLWantWriteError`` waits for the socket to become readable or writable and
is tried again. Every try is a traced call of its own (so step mode gates it and
the trace shows it between ``accept``/``connect`` and the first ``send``). What
the endpoint was asked to send meanwhile waits in the connection's outbox, under
the same 16 MiB bound as plain TCP; after the handshake, notices say the TLS
version, the cipher and the peer's certificate. A failed handshake is explained
in plain words and closes that connection only; a server goes on serving.

Closing: a connection closed here sends ``close_notify`` first. A half-close
sends only the TCP FIN: OpenSSL's second ``SSL_shutdown`` (which ``unwrap()``
makes) would read, and drop, what the peer still sends, and nothing received may
be lost; a TLS peer sees the end of the stream without ``close_notify``.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
from dataclasses import dataclass
from typing import ClassVar

from netcore.events import CloseReason, Notice, State, format_address
from netcore.problems import NOTICES, Problem, fill
from netcore.stream import Connection, StreamEndpoint
from netcore.tls import TLS_RECORD_BYTE, explain_handshake, session_notices, shown_bytes
from netcore.worker import describe_error, monotonic

TLS_ACCEPT_SECONDS = 10.0
"""A TLS server closes a connection that has not finished its handshake within this many seconds."""
PEEK_BYTES = 16


@dataclass(frozen=True)
class TlsSetup:
    """How this endpoint wraps its connections."""

    context: ssl.SSLContext
    server_side: bool
    server_name: str | None = None
    verify: bool = True
    timeout: float = TLS_ACCEPT_SECONDS


class TlsStream(StreamEndpoint):
    """A stream endpoint whose connections may speak TLS (when :meth:`_tls_setup` says how)."""

    handshake_fatal: ClassVar[bool] = False
    """True for the client: its one connection failing its handshake ends the endpoint."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._handshaking: dict[int, Connection] = {}

    def _tls_setup(self) -> TlsSetup | None:
        """Hook: how to wrap connections (None: plain TCP)."""
        return None

    # ---- wrap, then drive the handshake ----

    def _prepare(self, conn: Connection) -> None:
        setup = self._tls_setup()
        if setup is None:
            return
        if setup.server_side:
            args = "server_side=True, do_handshake_on_connect=False"
        else:
            args = f"server_hostname={setup.server_name!r}, do_handshake_on_connect=False"
        raw = conn.sock
        try:
            conn.sock = self._traced(
                "wrap_socket", args, lambda: setup.context.wrap_socket(
                    raw, server_side=setup.server_side, server_hostname=setup.server_name,
                    do_handshake_on_connect=False),
                peer=conn.peer, describe=lambda _s: "SSLSocket")
        except (OSError, ValueError) as exc:
            self._report(OSError(str(exc)), "wrap_socket", conn.peer, fatal=self.handshake_fatal,
                         address=format_address(conn.peer))
            self._close(conn, CloseReason.ERROR)
            return
        conn.tls = conn.handshaking = True
        conn.handshake_deadline = monotonic() + setup.timeout
        self._handshaking[conn.serial] = conn

    def _begin(self, conn: Connection) -> None:
        setup = self._tls_setup()
        if conn.handshaking and setup is not None and not setup.server_side:
            self._handshake(conn)  # the client speaks first: its ClientHello

    def _handshake(self, conn: Connection) -> None:
        setup = self._tls_setup()
        assert setup is not None
        self._step("do_handshake", "", conn.peer)
        if setup.server_side and not conn.first_bytes:
            conn.first_bytes = _peek(conn.sock)
        sock: ssl.SSLSocket = conn.sock  # type: ignore[assignment]  # wrapped in _prepare
        try:
            sock.do_handshake()
        except ssl.SSLWantReadError:
            self._handshake_waits(conn, write=False)
        except ssl.SSLWantWriteError:
            self._handshake_waits(conn, write=True)
        except OSError as exc:
            self._handshake_failed(conn, exc, setup)
        else:
            self._handshake_done(conn, sock, setup)

    def _handshake_waits(self, conn: Connection, write: bool) -> None:
        waiting = ("SSLWantWriteError: waits until the socket can send" if write
                   else "SSLWantReadError: waits for the peer's next handshake message")
        self._trace("do_handshake", "", waiting, peer=conn.peer)
        conn.handshake_wants_write = write
        self._update_interest(conn)

    def _handshake_done(self, conn: Connection, sock: ssl.SSLSocket, setup: TlsSetup) -> None:
        conn.handshaking = False
        self._handshaking.pop(conn.serial, None)
        cipher = (sock.cipher() or ("?",))[0]
        self._trace("do_handshake", "", f"ok: {sock.version()}, {cipher}", peer=conn.peer)
        address = format_address(conn.peer)
        for code, params in session_notices(sock, address, setup.verify or setup.server_side):
            self._emit(Notice(endpoint=self.name, code=code, message=fill(NOTICES[code], params), params=params,
                              peer=conn.peer))
        self._update_interest(conn)
        self._flush(conn)  # the greeting, and what was sent while the handshake ran
        if not conn.closed and sock.pending():
            self._receive(conn)

    def _handshake_failed(self, conn: Connection, exc: OSError, setup: TlsSetup) -> None:
        self._trace("do_handshake", "", f"error: {_error_text(exc)}", ok=False, peer=conn.peer)
        address = format_address(conn.peer)
        problem = explain_handshake(exc, setup.server_side, address, setup.server_name or "", conn.first_bytes)
        reset = isinstance(exc, (ConnectionResetError, BrokenPipeError))
        if problem is None:
            self._report(exc, "do_handshake", conn.peer, fatal=self.handshake_fatal, address=address)
        else:
            self._emit_problem(problem, "do_handshake", conn.peer, fatal=self.handshake_fatal)
            if self.handshake_fatal:
                self._final_state = State.ERROR
        self._close(conn, CloseReason.RESET if reset else CloseReason.ERROR)

    # ---- deadlines: a handshake that never ends must not hold a connection forever ----

    def _handshake_timeout(self) -> float | None:
        """Seconds until the nearest handshake deadline (None: no handshake runs)."""
        if not self._handshaking:
            return None
        nearest = min(conn.handshake_deadline for conn in self._handshaking.values())
        return max(0.0, nearest - monotonic())

    def _expire_handshakes(self) -> None:
        if not self._handshaking:
            return
        now = monotonic()
        for conn in [c for c in self._handshaking.values() if c.handshake_deadline <= now]:
            self._handshake_expired(conn)

    def _handshake_expired(self, conn: Connection) -> None:
        setup = self._tls_setup()
        assert setup is not None
        self._trace("do_handshake", "", f"no handshake after {setup.timeout:g} s", ok=False, peer=conn.peer)
        params = {"address": format_address(conn.peer), "timeout": f"{setup.timeout:g}"}
        code = "tls_client_silent" if setup.server_side else "tls_handshake_timeout"
        if conn.first_bytes and conn.first_bytes[0] != TLS_RECORD_BYTE:
            code, params = "tls_plain_client", {**params, "first": shown_bytes(conn.first_bytes)}
        self._emit_problem(Problem(code, params), "do_handshake", conn.peer, fatal=self.handshake_fatal)
        if self.handshake_fatal:
            self._final_state = State.ERROR
        self._close(conn, CloseReason.ERROR)

    # ---- closing ----

    def _before_close(self, conn: Connection, reason: CloseReason) -> None:
        self._handshaking.pop(conn.serial, None)
        if not conn.tls or conn.handshaking or conn.write_shut or reason not in (CloseReason.LOCAL, CloseReason.FIN):
            return  # after our FIN no close_notify can follow
        self._close_notify(conn)

    def _close_notify(self, conn: Connection) -> None:
        """Send TLS's close_notify before the socket closes (one try: a socket that cannot take it closes anyway)."""
        sock: ssl.SSLSocket = conn.sock  # type: ignore[assignment]
        self._step("unwrap", "", conn.peer)
        try:
            sock.unwrap()
        except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
            result = "close_notify sent (the peer's is not awaited)"
        except ssl.SSLZeroReturnError:
            result = "the peer's close_notify came first"
        except (OSError, ValueError) as exc:
            result = f"error: {_error_text(exc)}"
        else:
            result = "close_notify sent and received"
        self._trace("unwrap", "", result, ok=not result.startswith("error"), peer=conn.peer)

    def _shutdown_write(self, conn: Connection) -> None:
        if not conn.tls:
            super()._shutdown_write(conn)
            return
        if conn.handshaking:  # the FIN goes after the handshake (see _handshake_done)
            return
        conn.write_shut = True
        raw_shutdown = socket.socket.shutdown  # SSLSocket.shutdown would drop the TLS layer and read raw bytes
        try:
            self._traced("shutdown", "SHUT_WR", lambda: raw_shutdown(conn.sock, socket.SHUT_WR), peer=conn.peer)
        except OSError as exc:
            self._shutdown_failed(conn, exc)


def _peek(sock: socket.socket) -> bytes:
    """The first bytes waiting on ``sock``, left there (MSG_PEEK on the raw socket, under the TLS layer)."""
    with contextlib.suppress(OSError):
        return socket.socket.recv(sock, PEEK_BYTES, socket.MSG_PEEK)
    return b""


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"SSLCertVerificationError ({exc.verify_message})"
    if isinstance(exc, ssl.SSLError):
        reason = getattr(exc, "reason", None) or str(exc)
        return f"{type(exc).__name__} ({reason})"
    if isinstance(exc, OSError):
        return describe_error(exc)
    return str(exc)

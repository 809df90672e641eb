"""TCP connections inside a worker: receive, send with a bounded outbox, close.

Shared by the TCP server (many connections) and the TCP client (one). A
:class:`Connection` holds one connected non-blocking socket and what is waiting
to be written to it; :class:`StreamEndpoint` reads, writes and closes them on
the worker thread, tells a peer's FIN from a reset, and applies the auto-reply.
"""

from __future__ import annotations

import errno
import itertools
import selectors
import socket
import ssl
import time
from collections import deque
from dataclasses import dataclass, field

from netcore.events import (
    Address,
    CloseReason,
    DataReceived,
    DataSent,
    Notice,
    PeerClosed,
    PeerConnected,
    format_address,
)
from netcore.framing import NO_FRAMING, Frame, Framer, FrameSettings, seconds_until_due
from netcore.problems import NOTICES, Problem, fill
from netcore.replies import MessageContext, ReplyRule, reply_too_long
from netcore.worker import Endpoint, describe_error, monotonic

RECV_SIZE = 256 * 1024
SEND_CHUNK = 256 * 1024
OUTBOX_LIMIT = 16 * 1024 * 1024
"""Bytes that may wait for one slow peer; a send past this is refused."""
REPLY_READ_PAUSE = 1024 * 1024
"""With an auto-reply on, stop reading a peer whose replies wait past this."""
HELD_FRAMES_LIMIT = 64 * 1024 * 1024
"""Bytes of unfinished frames all of an endpoint's connections may hold together."""
HELD_FRAMES_CHECK = 64 * 1024
"""A connection holding less than this of an unfinished frame is not counted against the limit (cheap)."""
TLS_DRAIN_LIMIT = 64
"""``recv`` calls at most per wake on a TLS connection while the SSL layer holds decrypted bytes."""
_WOULD_BLOCK = (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError)
"""Nothing can be done now: the kernel (or, for TLS, the next record) is not ready."""


@dataclass(eq=False)
class Connection:
    """One connected TCP socket and its bookkeeping (worker thread only)."""

    sock: socket.socket
    peer: Address
    local: Address
    serial: int = 0
    """Unique per endpoint: two connections from one address and port (a reconnect) never share it."""
    since: float = field(default_factory=time.time)
    outbox: deque[memoryview] = field(default_factory=deque)
    pending: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    messages_in: int = 0
    peer_finished: bool = False
    shutdown_wanted: bool = False
    write_shut: bool = False
    close_reason: CloseReason | None = None
    """Set when the connection should close once its outbox is written."""
    mask: int = 0
    closed: bool = False
    """True once its socket is closed: nothing may touch the socket or the selector after that."""
    tls: bool = False
    """``sock`` is an :class:`ssl.SSLSocket` (see :mod:`netcore.tls_stream`)."""
    handshaking: bool = False
    """TLS: the handshake is not done yet; nothing is sent or received until it is."""
    handshake_wants_write: bool = False
    handshake_deadline: float = 0.0
    first_bytes: bytes = b""
    """TLS server: the first bytes the client sent (peeked), to tell a plain client from a TLS one."""
    framer: Framer | None = None
    """Cuts what arrives into frames (None: one data event per ``recv``)."""


class StreamEndpoint(Endpoint):
    """An endpoint whose sockets are TCP connections."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._connections: dict[int, Connection] = {}
        """Live connections by serial (a peer's address is not unique: it may reconnect from the same port)."""
        self._by_peer: dict[Address, Connection] = {}
        """The newest live connection from each address, for front-end calls that name a peer."""
        self._serials = itertools.count(1)
        self._reply: ReplyRule | None = None
        self._framing = NO_FRAMING

    def set_framing(self, settings: FrameSettings) -> None:
        """Cut what arrives into frames per ``settings`` from now on (every connection, live)."""
        self._submit(lambda: self._apply_framing(settings))

    def set_reply(self, rule: ReplyRule | None) -> None:
        """Use ``rule`` to answer what peers send (None: no auto-reply)."""
        self._submit(lambda: setattr(self, "_reply", rule))

    # ---- connections: add, read, write, close ----

    def _add_connection(self, sock: socket.socket, peer: Address, local: Address) -> Connection:
        conn = Connection(sock, peer, local, serial=next(self._serials), framer=self._framing.framer())
        self._connections[conn.serial] = conn
        self._by_peer[peer] = conn
        self._emit(PeerConnected(endpoint=self.name, peer=peer, local=local, connection=conn.serial))
        self._prepare(conn)
        if conn.closed:
            return conn
        self._update_interest(conn)
        if self._reply is not None:
            greeting = self._reply.greeting()
            if greeting:
                self._queue_send(conn, greeting)
        self._begin(conn)
        return conn

    def _prepare(self, conn: Connection) -> None:
        """Hook: the connection is up, before it is watched (TLS wraps its socket here)."""

    def _begin(self, conn: Connection) -> None:
        """Hook: the connection is watched and its greeting queued (a TLS client starts its handshake)."""

    def _handshake(self, conn: Connection) -> None:
        """Hook: one step of the TLS handshake, when the socket is ready for it."""

    def _connection_to(self, peer: Address) -> Connection | None:
        """The live connection a front-end means by ``peer`` (the newest from that address)."""
        return self._by_peer.get(peer)

    def _on_ready(self, conn: Connection, mask: int) -> None:
        """Selector callback for one connection; a fault in it ends that connection only."""
        try:
            if conn.handshaking:
                self._handshake(conn)
                return
            if mask & selectors.EVENT_WRITE and not conn.closed:
                self._flush(conn)
            if mask & selectors.EVENT_READ and not conn.closed:
                self._receive(conn)
        except Exception as exc:  # noqa: BLE001 - a bug in one connection's handling must not stop the server
            self._contain(conn, exc)

    def _tls_broken(self, conn: Connection, call: str, args: str, exc: ssl.SSLError) -> None:
        """A TLS connection failed after its handshake (an alert, or damaged records): say so, close it."""
        reason = str(getattr(exc, "reason", "") or exc).replace("_", " ").lower()
        self._trace(call, args, f"error: {type(exc).__name__} ({reason})", False, conn.peer)
        self._emit_problem(Problem("tls_broken", {"address": format_address(conn.peer), "detail": reason}),
                           call, conn.peer)
        self._close(conn, CloseReason.ERROR)

    def _contain(self, conn: Connection, exc: Exception) -> None:
        """Report an unexpected fault while serving ``conn`` and close that connection alone."""
        params = {"address": format_address(conn.peer), "detail": repr(exc)}
        self._emit_problem(Problem("internal_error_peer", params), peer=conn.peer)
        self._close(conn, CloseReason.ERROR)

    def _receive(self, conn: Connection) -> None:
        """One ``recv``; on TLS, more while the SSL layer holds decrypted bytes (the selector cannot see them)."""
        for _ in range(TLS_DRAIN_LIMIT if conn.tls else 1):
            got = self._recv_once(conn)
            if got is None:
                return
            self._on_received(conn, *got)
            if conn.closed or not conn.tls or not self._wants_read(conn) or self._events.congested:
                return
            if not conn.sock.pending():  # type: ignore[attr-defined]  # an SSLSocket when conn.tls
                return

    def _recv_once(self, conn: Connection) -> tuple[bytes, int] | None:
        """Bytes from one ``recv`` and what it asked for; None when there were none now or the connection ended."""
        size = self._framed_read_size(conn.framer, RECV_SIZE)
        if not size:
            return None
        self._step("recv", str(size), conn.peer)
        try:
            data = conn.sock.recv(size)
        except _WOULD_BLOCK:
            return None
        except ssl.SSLError as exc:  # its errno is OpenSSL's error kind, not the system's
            self._tls_broken(conn, "recv", str(size), exc)
            return None
        except ConnectionResetError as exc:
            self._trace("recv", str(size), f"error: {describe_error(exc)}", False, conn.peer)
            self._close(conn, CloseReason.RESET)
            return None
        except OSError as exc:
            self._trace("recv", str(size), f"error: {describe_error(exc)}", False, conn.peer)
            self._report(exc, "recv", conn.peer, address=format_address(conn.peer))
            self._close(conn, CloseReason.ERROR)
            return None
        if not data:
            self._trace("recv", str(size), "b'' (peer closed: FIN)", peer=conn.peer)
            self._on_peer_finished(conn)
            return None
        return data, size

    def _on_received(self, conn: Connection, data: bytes, size: int = RECV_SIZE) -> None:
        conn.bytes_in += len(data)
        if conn.framer is None:
            conn.messages_in += 1
            self._emit(DataReceived(endpoint=self.name, peer=conn.peer, data=data, requested=RECV_SIZE))
            self._auto_reply(conn, data)
        else:
            self._deliver_frames(conn, conn.framer.feed(data, monotonic()), requested=size)
            self._bound_held_frames(conn)
        self._update_interest(conn)  # does nothing if the reply's send found the connection dead

    def _bound_held_frames(self, conn: Connection) -> None:
        """All connections' unfinished frames together stay under :data:`HELD_FRAMES_LIMIT`.

        Each connection may hold up to a frame's bound (1 MiB); hundreds of peers that
        each start a huge frame and never finish it would add up. Past the limit, the
        connection that just grew shows what it holds now, marked incomplete, and goes on.
        """
        framer = conn.framer
        if framer is None or framer.pending < HELD_FRAMES_CHECK:
            return
        held = sum(other.framer.pending for other in self._connections.values() if other.framer is not None)
        if held <= HELD_FRAMES_LIMIT:
            return
        leftover = framer.close()
        if leftover is not None:
            error = (f"unfinished frames of all connections passed {HELD_FRAMES_LIMIT:,} bytes: "
                     "this one's is shown as it is")
            self._deliver_frames(conn, [Frame(leftover.data, complete=False, error=error)], replies=False)

    # ---- framing: each frame is one data event and one auto-reply message ----

    def _deliver_frames(self, conn: Connection, frames: list[Frame], replies: bool = True,
                        requested: int = RECV_SIZE) -> None:
        """Emit each frame (all first, so a reply that closes the connection comes after them), then reply."""
        spec = conn.framer.spec if conn.framer is not None else self._framing.spec
        for frame in frames:
            if frame.error:
                self._emit_problem(Problem("frame_too_long", {"address": format_address(conn.peer),
                                                              "detail": frame.error}), "recv", conn.peer)
            conn.messages_in += 1
            self._emit(DataReceived(endpoint=self.name, peer=conn.peer, data=frame.data, requested=requested,
                                    frame=spec, complete=frame.complete, check=self._framing.verdict(frame)))
        for frame in frames if replies else ():
            if conn.closed or conn.close_reason is not None:
                break
            if frame.complete:
                self._auto_reply(conn, frame.data)

    def _end_frames(self, conn: Connection) -> None:
        """The stream ended (or the framing changed): what is left is shown, marked incomplete."""
        leftover = conn.framer.close() if conn.framer is not None else None
        if leftover is not None:
            self._deliver_frames(conn, [leftover], replies=False)

    def _apply_framing(self, settings: FrameSettings) -> None:
        self._framing = settings
        for conn in list(self._connections.values()):
            self._end_frames(conn)
            conn.framer = settings.framer()

    def _frame_timeout(self) -> float | None:
        """gap:MS: seconds until the first connection's silence ends a frame."""
        if not self._framing.gap:
            return None
        return seconds_until_due((conn.framer for conn in self._connections.values()), monotonic())

    def _on_timers(self) -> None:
        if not self._framing.gap:
            return
        now = monotonic()
        for conn in list(self._connections.values()):
            if conn.framer is not None and not conn.closed:
                frames = conn.framer.due(now)
                if frames:
                    self._deliver_frames(conn, frames)
                    self._update_interest(conn)

    def _on_peer_finished(self, conn: Connection) -> None:
        conn.peer_finished = True
        if self._stay_half_open(conn):  # the peer's FIN ends only its direction: ours stays open to send
            self._update_interest(conn)
        elif conn.pending:
            conn.close_reason = CloseReason.FIN  # write what is left, then close
            self._update_interest(conn)
        else:
            self._close(conn, CloseReason.FIN)

    def _auto_reply(self, conn: Connection, data: bytes) -> None:
        if self._reply is None:
            return
        context = MessageContext(peer=conn.peer, count=conn.messages_in, now=time.time())
        reply = self._reply.respond(data, context)
        if reply is None:
            return
        if reply.too_long:
            self._emit_problem(reply_too_long(conn.peer, reply.too_long), "send", conn.peer)
            return
        if reply.data:
            self._queue_send(conn, reply.data)
        if reply.close:
            params = {"address": format_address(conn.peer)}
            self._emit(Notice(endpoint=self.name, code="reply_closed",
                              message=fill(NOTICES["reply_closed"], params), params=params, peer=conn.peer))
            self._close_after_flush(conn, CloseReason.LOCAL)

    def _queue_send(self, conn: Connection, data: bytes) -> bool:
        """Append ``data`` to the outbox and write what the kernel takes now."""
        if conn.write_shut or conn.close_reason is not None:
            self._emit_problem(Problem("broken_pipe", {"address": format_address(conn.peer)}), "send", conn.peer)
            return False
        if conn.pending + len(data) > OUTBOX_LIMIT:
            params = {"pending": str(conn.pending), "address": format_address(conn.peer)}
            self._emit_problem(Problem("send_buffer_full", params), "send", conn.peer)
            return False
        conn.outbox.append(memoryview(data))
        conn.pending += len(data)
        self.budget.add(len(data))
        self._flush(conn)
        return True

    def _flush(self, conn: Connection) -> None:
        if conn.handshaking:  # TLS: what is queued goes once the handshake is done
            return
        while conn.outbox and not self._events.congested:  # each send() makes an event
            if not self._send_chunk(conn):
                break
        if conn.closed:
            return
        if not conn.outbox:
            self._after_outbox_empty(conn)
        self._update_interest(conn)

    def _send_chunk(self, conn: Connection) -> bool:
        """One ``send()``; False when the kernel is full or the connection ended."""
        view = conn.outbox[0]
        if self.gate.enabled:
            self._step("send", f"{min(len(view), SEND_CHUNK)} bytes", conn.peer)
        try:
            sent = conn.sock.send(view[:SEND_CHUNK])
        except _WOULD_BLOCK:  # TLS: the same bytes go again on the next try, as OpenSSL requires
            return False
        except ssl.SSLError as exc:
            self._tls_broken(conn, "send", f"{min(len(view), SEND_CHUNK)} bytes", exc)
            return False
        except OSError as exc:
            self._trace("send", f"{min(len(view), SEND_CHUNK)} bytes", f"error: {describe_error(exc)}",
                        False, conn.peer)
            self._report(exc, "send", conn.peer, address=format_address(conn.peer))
            self._close(conn, CloseReason.RESET if _is_reset(exc) else CloseReason.ERROR)
            return False
        original = view.obj
        data = original if isinstance(original, bytes) and len(original) == sent else bytes(view[:sent])
        self._emit(DataSent(endpoint=self.name, peer=conn.peer, data=data, offered=min(len(view), SEND_CHUNK)))
        conn.bytes_out += sent
        conn.pending -= sent
        self.budget.done(sent)
        if sent == len(view):
            conn.outbox.popleft()
        else:
            conn.outbox[0] = view[sent:]
        return True

    def _after_outbox_empty(self, conn: Connection) -> None:
        if conn.close_reason is not None:
            self._close(conn, conn.close_reason)
        elif conn.shutdown_wanted and not conn.write_shut:
            self._shutdown_write(conn)
            if conn.peer_finished:  # both directions are done
                self._close(conn, CloseReason.FIN)

    def _shutdown_write(self, conn: Connection) -> None:
        conn.write_shut = True
        try:
            self._traced("shutdown", "SHUT_WR", lambda: conn.sock.shutdown(socket.SHUT_WR), peer=conn.peer)
        except OSError as exc:
            self._shutdown_failed(conn, exc)

    def _shutdown_failed(self, conn: Connection, exc: OSError) -> None:
        """``shutdown(SHUT_WR)`` failed: a reset the peer sent first (ENOTCONN once its RST is in), or an error."""
        if _is_reset(exc) or exc.errno == errno.ENOTCONN:  # e.g. it had closed, and our last bytes met a closed socket
            self._close(conn, CloseReason.RESET)
            return
        self._report(exc, "shutdown", conn.peer, address=format_address(conn.peer))

    def _close_after_flush(self, conn: Connection, reason: CloseReason) -> None:
        conn.close_reason = reason
        if not conn.outbox:
            self._close(conn, reason)
        else:
            self._update_interest(conn)

    def _close(self, conn: Connection, reason: CloseReason) -> None:
        if conn.closed:
            return
        conn.closed = True
        self._connections.pop(conn.serial, None)
        if self._by_peer.get(conn.peer) is conn:
            del self._by_peer[conn.peer]
        self.budget.done(conn.pending)
        conn.outbox.clear()
        conn.pending = 0
        self._before_close(conn, reason)
        conn.mask = 0
        self._end_frames(conn)
        self._close_socket(conn.sock, conn.peer)
        self._emit(PeerClosed(endpoint=self.name, peer=conn.peer, reason=reason,
                              bytes_in=conn.bytes_in, bytes_out=conn.bytes_out, connection=conn.serial))
        self._on_connection_closed(conn)

    def _on_connection_closed(self, conn: Connection) -> None:
        """Hook: the client stops when its one connection ends."""

    def _before_close(self, conn: Connection, reason: CloseReason) -> None:
        """Hook: ``conn`` is about to be closed for ``reason`` (TLS says goodbye: close_notify)."""

    def _stay_half_open(self, conn: Connection) -> bool:
        """Hook: the peer's FIN came; True keeps ``conn`` open for sending (False: close once the outbox is written)."""
        return False

    # ---- selector interest: read unless paused, write while the outbox has data and not paused ----

    def _wants_read(self, conn: Connection) -> bool:
        if self._paused or conn.peer_finished or conn.close_reason is not None:
            return False
        return self._reply is None or conn.pending < REPLY_READ_PAUSE

    def _mask(self, conn: Connection) -> int:
        if conn.handshaking:
            return selectors.EVENT_WRITE if conn.handshake_wants_write else selectors.EVENT_READ
        writing = bool(conn.outbox) and not self._paused
        return (selectors.EVENT_READ if self._wants_read(conn) else 0) | (selectors.EVENT_WRITE if writing else 0)

    def _update_interest(self, conn: Connection) -> None:
        if conn.closed:  # a closed socket must never reach the selector again
            return
        mask = self._mask(conn)
        if mask == conn.mask:
            return
        if conn.mask == 0:
            self._selector.register(conn.sock, mask, lambda m: self._on_ready(conn, m))
        elif mask == 0:
            self._selector.unregister(conn.sock)
        else:
            self._selector.modify(conn.sock, mask, lambda m: self._on_ready(conn, m))
        conn.mask = mask

    def _set_paused(self, paused: bool) -> None:
        for conn in list(self._connections.values()):
            self._update_interest(conn)
            if not paused and conn.tls and not conn.handshaking and not conn.closed \
                    and conn.sock.pending():  # type: ignore[attr-defined]  # decrypted bytes wait: no wake-up comes
                self._receive(conn)

    def _close_every_connection(self) -> None:
        for conn in list(self._connections.values()):
            self._close(conn, CloseReason.LOCAL)


def _is_reset(exc: OSError) -> bool:
    return isinstance(exc, (ConnectionResetError, BrokenPipeError, ConnectionAbortedError))

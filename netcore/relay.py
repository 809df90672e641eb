"""The TCP relay endpoint: listen, and forward each client to a target, both ways.

For every accepted client the worker opens a non-blocking connection to the
target and copies bytes both ways on the same selector as every other endpoint
(no thread per client). Each copy is traced as the real calls it is: a
:class:`~netcore.events.DataReceived` for the ``recv`` on one side and a
:class:`~netcore.events.DataSent` for the ``send`` on the other, both tagged with
their ``direction`` (:data:`~netcore.events.UPSTREAM` or
:data:`~netcore.events.DOWNSTREAM`) and ``pair``, so the log, counters, session
record and charts show the relay's traffic as they show any other.

Back-pressure: a side is read only while what waits for the other side is under
:data:`RELAY_BOUND`, so a slow reader slows the sender through TCP's own flow
control and memory stays bounded. A FIN on one side becomes ``shutdown(SHUT_WR)``
on the other once everything before it was written; the pair ends when both
directions are done. A reset on one side becomes a reset (``SO_LINGER`` 0, then
``close``) on the other. A target that refuses or does not answer closes the
client, with the reason in plain words.

Framing (:class:`~netcore.framing.FrameSettings` on the config, or
:meth:`~netcore.relay_config.RelayBase.set_framing` live) changes only how what is
read is reported: each side of each pair has its own framer (client → server and
server → client are two streams), so each ``DataReceived`` is one frame of the
device's protocol, checked with the chosen checksum; the bytes themselves are
forwarded as they were read, at once, never held for a frame to complete. A frame
still open when its side sends FIN or the pair ends is reported marked incomplete;
``gap:MS`` frames end on the worker's timer, as the stream endpoints' do.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import selectors
import socket
import struct
import sys

from netcore.eventqueue import EventQueue
from netcore.events import (
    Address,
    CloseReason,
    DataReceived,
    DataSent,
    PeerClosed,
    PeerConnected,
    State,
    format_address,
)
from netcore.framing import Frame, FrameSettings, seconds_until_due
from netcore.problems import Problem, explain
from netcore.relay_config import RelayBase, RelayConfig
from netcore.relay_pair import Leg, Pair
from netcore.sockopts import sockaddr_repr, socket_args
from netcore.worker import address_of, describe_error, monotonic

RECV_SIZE = 64 * 1024
RELAY_BOUND = 1024 * 1024
"""Bytes that may wait for one side before the other side is no longer read."""
ACCEPTS_PER_WAKE = 64
ACCEPT_BACKOFF_SECONDS = 0.5
_IN_PROGRESS = {errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EALREADY, getattr(errno, "WSAEWOULDBLOCK", -1)}


class TcpRelay(RelayBase):
    """A listening socket whose every client is forwarded to the configured target."""

    def __init__(self, config: RelayConfig, events: EventQueue, name: str | None = None) -> None:
        super().__init__(config, events, name)
        self._pairs: dict[int, Pair] = {}
        self._serials = itertools.count(1)
        self._accepting = False
        self._accept_again_at: float | None = None

    @property
    def pair_count(self) -> int:
        """Pairs alive right now (any thread; a snapshot)."""
        return len(self._pairs)

    def buffered(self) -> int:
        """Bytes waiting in every outbox right now (any thread; a snapshot, for tests and the window)."""
        return sum(leg.pending for pair in list(self._pairs.values()) for leg in (pair.client, pair.server))

    # ---- worker side: opening and closing ----

    def _open(self) -> None:
        self._resolve(socket.SOCK_STREAM)
        self._listen(socket.SOCK_STREAM)
        self._check_not_itself()
        self._set_accepting(True)
        self._set_state(State.LISTENING, local=self.local_address, remote=self.target)

    def _close_all(self) -> None:
        for pair in list(self._pairs.values()):
            self._end_pair(pair, CloseReason.LOCAL)
        self._close_listener()

    # ---- accepting a client and connecting to the target ----

    def _on_acceptable(self, _mask: int) -> None:
        assert self._listener is not None
        for _ in range(1 if self.gate.enabled else ACCEPTS_PER_WAKE):
            self._step("accept", "")
            try:
                sock, raw = self._listener.accept()
            except (BlockingIOError, ConnectionAbortedError):
                return
            except OSError as exc:  # e.g. out of file descriptors: the listener stays readable, so wait a moment
                self._trace("accept", "", f"error: {describe_error(exc)}", ok=False)
                self._report(exc, "accept", detail=str(exc.strerror or exc))
                self._set_accepting(False)
                self._accept_again_at = monotonic() + ACCEPT_BACKOFF_SECONDS
                return
            self._on_accepted(sock, address_of(raw))

    def _on_accepted(self, sock: socket.socket, peer: Address) -> None:
        self._trace("accept", "", repr(peer))
        try:
            sock.setblocking(False)
            local = address_of(sock.getsockname())
        except OSError:  # the client vanished between accept and here
            self._close_socket(sock, peer)
            return
        if len(self._pairs) >= self.config.max_clients:
            self._close_socket(sock, peer)
            params = {"limit": str(self.config.max_clients), "address": format_address(peer)}
            self._notice("client_limit", params, peer)
            self._emit(PeerClosed(endpoint=self.name, peer=peer, reason=CloseReason.LIMIT))
            return
        serial = next(self._serials)
        self._emit(PeerConnected(endpoint=self.name, peer=peer, local=local, connection=serial))
        client = Leg(sock, peer, "client", connected=True, framer=self._framing.framer())
        try:
            upstream = self._connect_upstream()
        except OSError as exc:
            self._refused(Pair(serial, client, Leg(sock, self.target, "server", closed=True), 0.0), exc)
            return
        pair = Pair(serial, client, upstream, monotonic() + self.config.connect_timeout)
        self._pairs[serial] = pair
        self._update(pair, client)
        self._update(pair, upstream)

    def _connect_upstream(self) -> Leg:
        assert self._target_info is not None
        family, raw = self._target_info
        sock = self._traced("socket", socket_args(family, socket.SOCK_STREAM),
                            lambda: socket.socket(family, socket.SOCK_STREAM), peer=self.target)
        where = sockaddr_repr(*self.target)
        try:
            sock.setblocking(False)
            self._step("connect", where, self.target)
            code = sock.connect_ex(raw)
        except BaseException:
            sock.close()
            raise
        if code != 0 and code not in _IN_PROGRESS:
            self._trace("connect", where, f"error: {os.strerror(code)}", ok=False, peer=self.target)
            sock.close()
            raise OSError(code, os.strerror(code))
        self._trace("connect", where, "in progress (non-blocking)" if code else "ok", peer=self.target)
        return Leg(sock, self.target, "server", connecting=True, framer=self._framing.framer())

    def _on_connect_ready(self, pair: Pair) -> None:
        leg = pair.server
        code = leg.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        self._trace("getsockopt", "SOL_SOCKET, SO_ERROR", "0 (connected)" if code == 0 else
                    f"{code} ({os.strerror(code)})", ok=code == 0, peer=self.target)
        if code != 0:
            self._refused(pair, OSError(code, os.strerror(code)))
            return
        try:
            local = address_of(leg.sock.getsockname())
        except OSError as exc:  # reset between the handshake and here
            self._refused(pair, exc)
            return
        leg.connecting, leg.connected = False, True
        self._emit(PeerConnected(endpoint=self.name, peer=self.target, local=local, connection=pair.serial,
                                 outgoing=True))
        self._notice("relay_paired", {"client": format_address(pair.client.peer), "local": format_address(local),
                                      "target": format_address(self.target)}, pair.client.peer)
        self._update(pair, pair.client)
        self._update(pair, leg)

    def _refused(self, pair: Pair, exc: OSError) -> None:
        """The target refused or did not answer: say why, and close the client."""
        target = format_address(self.target)
        problem = explain(exc, "connect", host=self.target[0], port=str(self.target[1]), address=target,
                          timeout=f"{self.config.connect_timeout:g}")
        self._emit_problem(problem, "connect", self.target)
        self._notice("relay_target_failed", {"client": format_address(pair.client.peer), "target": target},
                     pair.client.peer)
        pair.server.connecting = False
        self._end_pair(pair, CloseReason.ERROR, upstream_reason=CloseReason.ERROR)

    def _set_accepting(self, accepting: bool) -> None:
        if self._listener is None or accepting == self._accepting:
            return
        if accepting:
            self._selector.register(self._listener, selectors.EVENT_READ, self._on_acceptable)
        else:
            self._selector.unregister(self._listener)
        self._accepting = accepting

    def _select_timeout(self) -> float | None:
        waiting = [pair.deadline for pair in self._pairs.values() if pair.server.connecting]
        if self._accept_again_at is not None:
            waiting.append(self._accept_again_at)
        return max(0.0, min(waiting) - monotonic()) if waiting else None

    def _on_tick(self) -> None:
        now = monotonic()
        if self._accept_again_at is not None and now >= self._accept_again_at:
            self._accept_again_at = None
            self._set_accepting(not self._paused)
        for pair in [p for p in self._pairs.values() if p.server.connecting and now >= p.deadline]:
            self._trace("connect", sockaddr_repr(*self.target), f"no answer after {self.config.connect_timeout:g} s",
                        ok=False, peer=self.target)
            self._refused(pair, TimeoutError(errno.ETIMEDOUT, "timed out"))

    # ---- copying ----

    def _on_ready(self, pair: Pair, leg: Leg, mask: int) -> None:
        try:
            if leg.connecting:
                self._on_connect_ready(pair)
                return
            if mask & selectors.EVENT_WRITE and not pair.closed:
                self._flush(pair, leg)
            if mask & selectors.EVENT_READ and not pair.closed:
                self._read(pair, leg)
        except Exception as exc:  # noqa: BLE001 - one pair's fault must not stop the relay
            self._emit_problem(Problem("internal_error_peer", {"address": format_address(pair.client.peer),
                                                               "detail": repr(exc)}), peer=pair.client.peer)
            self._end_pair(pair, CloseReason.ERROR)

    def _read(self, pair: Pair, leg: Leg) -> None:
        size = self._framed_read_size(leg.framer, RECV_SIZE)
        if not size:
            return
        self._step("recv", str(size), leg.peer)
        try:
            data = leg.sock.recv(size)
        except BlockingIOError:
            return
        except OSError as exc:
            self._trace("recv", str(size), f"error: {describe_error(exc)}", False, leg.peer)
            self._broken(pair, leg, exc)
            return
        other = pair.other(leg)
        if not data:
            self._trace("recv", str(size), "b'' (peer closed: FIN)", peer=leg.peer)
            leg.read_done = True
            self._end_frames(pair, leg)
            other.shut_wanted = True
            self._flush(pair, other)  # nothing waiting: the FIN goes on at once
            self._update(pair, leg)
            return
        leg.bytes_in += len(data)
        if leg.framer is None:
            self._emit(DataReceived(endpoint=self.name, peer=leg.peer, data=data, requested=RECV_SIZE,
                                    direction=pair.direction_from(leg), pair=pair.serial))
        else:
            self._report_frames(pair, leg, leg.framer.feed(data, monotonic()))
        other.outbox.append(memoryview(data))  # forwarded as read, whatever the framing holds back from the log
        other.pending += len(data)
        self._flush(pair, other)
        self._update(pair, leg)

    # ---- framing: only how what was read is reported ----

    def _report_frames(self, pair: Pair, leg: Leg, frames: list[Frame]) -> None:
        """One data event per frame read from ``leg`` (a length prefix over the bound is said as a problem)."""
        spec = leg.framer.spec if leg.framer is not None else self._framing.spec
        for frame in frames:
            if frame.error:
                self._emit_problem(Problem("frame_too_long", {"address": format_address(leg.peer),
                                                              "detail": frame.error}), "recv", leg.peer)
            self._emit(DataReceived(endpoint=self.name, peer=leg.peer, data=frame.data, requested=RECV_SIZE,
                                    direction=pair.direction_from(leg), pair=pair.serial, frame=spec,
                                    complete=frame.complete, check=self._framing.verdict(frame)))

    def _end_frames(self, pair: Pair, leg: Leg) -> None:
        """``leg``'s stream ended (or the framing changed): the frame still open is reported, incomplete."""
        leftover = leg.framer.close() if leg.framer is not None else None
        if leftover is not None:
            self._report_frames(pair, leg, [leftover])

    def _apply_framing(self, settings: FrameSettings) -> None:
        super()._apply_framing(settings)
        for pair in list(self._pairs.values()):
            for leg in (pair.client, pair.server):
                self._end_frames(pair, leg)
                leg.framer = settings.framer()

    def _frame_timeout(self) -> float | None:
        """gap:MS: seconds until the first side's silence ends a frame."""
        if not self._framing.gap:
            return None
        framers = (leg.framer for pair in self._pairs.values() for leg in (pair.client, pair.server))
        return seconds_until_due(framers, monotonic())

    def _on_timers(self) -> None:
        if not self._framing.gap:
            return
        now = monotonic()
        for pair in list(self._pairs.values()):
            for leg in (pair.client, pair.server):
                if leg.framer is not None and not pair.closed:
                    self._report_frames(pair, leg, leg.framer.due(now))

    def _flush(self, pair: Pair, leg: Leg) -> None:
        """Write what waits for ``leg``; then its FIN if one is due; then maybe end the pair."""
        source = pair.other(leg)
        while leg.outbox and not pair.closed:
            view = leg.outbox[0]
            self._step("send", f"{len(view)} bytes", leg.peer)
            try:
                sent = leg.sock.send(view)
            except BlockingIOError:
                break
            except OSError as exc:
                self._trace("send", f"{len(view)} bytes", f"error: {describe_error(exc)}", False, leg.peer)
                self._broken(pair, leg, exc, "send")
                return
            whole = view.obj if sent == len(view) and isinstance(view.obj, bytes) and len(view.obj) == sent else None
            self._emit(DataSent(endpoint=self.name, peer=leg.peer, data=whole or bytes(view[:sent]),
                                offered=len(view), direction=pair.direction_from(source), pair=pair.serial))
            leg.bytes_out += sent
            leg.pending -= sent
            if sent == len(view):
                leg.outbox.popleft()
            else:
                leg.outbox[0] = view[sent:]
        if pair.closed:
            return
        if not leg.outbox and leg.shut_wanted and not leg.write_shut:
            self._shut_write(pair, leg)
        if pair.client.write_shut and pair.server.write_shut and not pair.closed:
            self._end_pair(pair, CloseReason.FIN)
            return
        self._update(pair, leg)
        self._update(pair, source)  # room again: the other side may be read

    def _shut_write(self, pair: Pair, leg: Leg) -> None:
        leg.write_shut = True
        try:
            self._traced("shutdown", "SHUT_WR", lambda: leg.sock.shutdown(socket.SHUT_WR), peer=leg.peer)
        except OSError as exc:
            self._broken(pair, leg, exc)
            return
        self._notice(f"relay_fin_to_{leg.role}", {"address": format_address(leg.peer)}, leg.peer)

    def _broken(self, pair: Pair, leg: Leg, exc: OSError, call: str = "recv") -> None:
        """``leg`` failed (reset, or another error): reset the other side too, and end the pair."""
        reset = (isinstance(exc, (ConnectionResetError, BrokenPipeError, ConnectionAbortedError))
                 or exc.errno == errno.ENOTCONN)  # shutdown() on a socket its peer reset before we read that
        if not reset:
            self._report(exc, call, leg.peer, address=format_address(leg.peer))
        other = pair.other(leg)
        self._notice(f"relay_reset_to_{other.role}", {"address": format_address(other.peer),
                                                      "from": format_address(leg.peer)}, other.peer)
        reason = CloseReason.RESET if reset else CloseReason.ERROR
        self._abort(other)
        self._end_pair(pair, reason if leg is pair.client else CloseReason.LOCAL,
                       upstream_reason=reason if leg is pair.server else CloseReason.LOCAL)

    def _abort(self, leg: Leg) -> None:
        """Close ``leg`` with a reset: ``SO_LINGER`` on, 0 seconds."""
        linger = struct.pack("HH" if sys.platform == "win32" else "ii", 1, 0)  # struct linger: u_short on Windows
        with contextlib.suppress(OSError):  # it is closed below all the same
            self._traced("setsockopt", "SOL_SOCKET, SO_LINGER, (1, 0)",
                         lambda: leg.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger), peer=leg.peer)

    # ---- interest and ending ----

    def _wants_read(self, pair: Pair, leg: Leg) -> bool:
        other = pair.other(leg)
        return not (self._paused or leg.read_done or leg.connecting or other.connecting or other.write_shut
                    or other.pending >= RELAY_BOUND)

    def _update(self, pair: Pair, leg: Leg) -> None:
        if leg.closed or pair.closed:
            return
        reading = selectors.EVENT_READ if self._wants_read(pair, leg) else 0
        writing = selectors.EVENT_WRITE if leg.connecting or (leg.outbox and not self._paused) else 0
        mask = reading | writing
        if mask == leg.mask:
            return
        if leg.mask == 0:
            self._selector.register(leg.sock, mask, lambda m: self._on_ready(pair, leg, m))
        elif mask == 0:
            self._selector.unregister(leg.sock)
        else:
            self._selector.modify(leg.sock, mask, lambda m: self._on_ready(pair, leg, m))
        leg.mask = mask

    def _set_paused(self, paused: bool) -> None:
        self._set_accepting(not paused and self._accept_again_at is None)  # as the TCP server: clients wait
        for pair in list(self._pairs.values()):
            self._update(pair, pair.client)
            self._update(pair, pair.server)

    def _end_pair(self, pair: Pair, reason: CloseReason, upstream_reason: CloseReason | None = None) -> None:
        if pair.closed:
            return
        pair.closed = True
        self._pairs.pop(pair.serial, None)
        for leg in (pair.client, pair.server):
            self._end_frames(pair, leg)
        self._say_undelivered(pair)
        for leg, why in ((pair.client, reason), (pair.server, upstream_reason or reason)):
            if leg.closed:
                continue
            leg.closed = True
            self._close_socket(leg.sock, leg.peer)
            if leg.connected:
                self._emit(PeerClosed(endpoint=self.name, peer=leg.peer, reason=why, bytes_in=leg.bytes_in,
                                      bytes_out=leg.bytes_out, connection=pair.serial))

    def _say_undelivered(self, pair: Pair) -> None:
        """Bytes read from one side that the other will never get: counted, never silently lost."""
        for leg in (pair.client, pair.server):
            if leg.pending:
                self._notice(f"relay_undelivered_{leg.role}", {"bytes": f"{leg.pending:,}",
                                                               "address": format_address(leg.peer)}, leg.peer)
            leg.outbox.clear()
            leg.pending = 0

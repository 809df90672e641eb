"""The UDP endpoint: socket → bind → sendto/recvfrom → close, datagram by datagram.

Binds a host and port (port 0: the system picks one), sends datagrams to any
address, receives each with its source, replies to the last sender, turns
``SO_BROADCAST`` on and off, and joins or leaves IPv4 multicast groups. UDP
cannot push back, so when the front-end falls far behind, datagrams are still
read and counted exactly, and their payload is reported as an overflow.
"""

from __future__ import annotations

import errno
import ipaddress
import selectors
import socket
from collections import deque
from dataclasses import dataclass
from time import time

from netcore.eventqueue import EventQueue
from netcore.events import (
    Address,
    DataReceived,
    DataSent,
    Event,
    Notice,
    ReceiveOverflow,
    State,
    format_address,
    received_fast,
)
from netcore.framing import NO_FRAMING, FrameSettings
from netcore.interfaces import local_addresses
from netcore.peerstate import REPLY_RATE, BoundedCounts, ReplyLimiter
from netcore.problems import NOTICES, Problem, explain, fill
from netcore.replies import MessageContext, ReplyRule, reply_too_long
from netcore.sockopts import family_for, sockaddr_repr, socket_args
from netcore.udp_lan import UdpLanMixin
from netcore.validation import check_host, check_port, input_error, is_ip_address, is_ipv6
from netcore.worker import PAUSED_POLL_SECONDS, Endpoint, address_of, describe_error, monotonic

MAX_DATAGRAM = 65535
DATAGRAMS_PER_WAKE = 64
OVERFLOW_FACTOR = 2
"""Past this many times the queue's byte bound, datagrams are counted, not kept."""
SEND_COST = 64
"""What one datagram weighs in ``budget`` beyond its bytes, so empty ones count too."""


@dataclass(frozen=True)
class UdpConfig:
    """Where to bind and which options to set; constructing it checks every field."""

    host: str = "0.0.0.0"
    port: int | str = 0
    broadcast: bool = False
    reply: ReplyRule | None = None
    reuse_address: bool = False
    receive_buffer: int | None = None
    """Bytes to ask for with ``SO_RCVBUF`` (the system may give less); None: its default."""
    reply_rate: float | None = REPLY_RATE
    """Auto-replies a second to one peer (as many again may go at once); None: no limit."""
    interface: str | None = None
    """The interface (name such as ``eth0``, or one of its addresses) for multicast and broadcast."""
    ttl: int | None = None
    """Multicast TTL (IPv6: hops); None: the system's default (1)."""
    multicast_loop: bool | None = None
    """Whether this machine hears its own multicast; None: the system's default (yes)."""
    framing: FrameSettings = NO_FRAMING
    """How each datagram is cut into frames (within the datagram) and checked; see :mod:`netcore.framing`."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "host", check_host(self.host))
        object.__setattr__(self, "port", check_port(self.port))
        if self.receive_buffer is not None and self.receive_buffer <= 0:
            raise ValueError(f"receive_buffer must be positive, not {self.receive_buffer}")
        if self.reply_rate is not None and not 0 < self.reply_rate < float("inf"):
            raise ValueError(f"reply_rate must be a positive number or None, not {self.reply_rate!r}")
        if self.ttl is not None and (not isinstance(self.ttl, int) or not 0 <= self.ttl <= 255):
            raise input_error("count_invalid", {"field": "ttl", "low": "0", "high": "255", "value": str(self.ttl)})


class UdpEndpoint(UdpLanMixin, Endpoint):
    """One bound UDP socket."""

    kind = "udp"

    def __init__(self, config: UdpConfig, events: EventQueue, name: str | None = None) -> None:
        super().__init__(events, name)
        self.config = config
        self.local_address: Address | None = None
        self.last_sender: Address | None = None
        self.datagrams_in = 0
        """Datagrams received since start, kept or only counted."""
        self._sock: socket.socket | None = None
        self._reply = config.reply
        self._framing = config.framing
        self._counts = BoundedCounts()
        rate = config.reply_rate
        self._limiter = None if rate is None else ReplyLimiter(rate, max(1, int(rate)))
        self._overflow = (0, 0)
        self._reply_overflow = (0, 0)
        self._outbox: deque[tuple[bytes, tuple[object, ...], Address, int]] = deque()
        """Datagrams the kernel would not take yet, each with its weight in ``budget`` (0: an auto-reply)."""
        self._warned_self_reply = False
        self._own: set[str] | None = None

    # ---- front-end side (thread-safe) ----

    def send_to(self, data: bytes, address: Address) -> None:
        """Send one datagram of ``data`` to ``address`` (host may be a name).

        ``budget`` holds it (bytes + :data:`SEND_COST`) until ``sendto`` took it or failed.
        """
        payload = bytes(data)
        cost = len(payload) + SEND_COST
        self.budget.add(cost)
        self._submit(lambda: self._send_now(payload, address, cost))

    def reply(self, data: bytes) -> None:
        """Send one datagram to whoever sent the last one here (held in ``budget`` as :meth:`send_to`)."""
        payload = bytes(data)
        cost = len(payload) + SEND_COST
        self.budget.add(cost)
        self._submit(lambda: self._reply_now(payload, cost))

    def set_reply(self, rule: ReplyRule | None) -> None:
        """Answer each datagram with ``rule`` (None: no auto-reply)."""
        self._submit(lambda: setattr(self, "_reply", rule))

    def set_framing(self, settings: FrameSettings) -> None:
        """Cut each datagram into frames per ``settings`` from now on."""
        self._submit(lambda: setattr(self, "_framing", settings))

    def set_broadcast(self, enabled: bool) -> None:
        """Turn ``SO_BROADCAST`` on or off (needed to send to broadcast addresses)."""
        self._submit(lambda: self._set_option(socket.SOL_SOCKET, socket.SO_BROADCAST, enabled,
                                              "SOL_SOCKET, SO_BROADCAST"))

    def join_group(self, group: str, interface: str = "") -> None:
        """Join the multicast ``group`` (IPv4, or IPv6 such as ``ff02::1:3``) on ``interface``.

        ``interface`` is a name (``eth0``) or an address of it; empty: the configured one, else any.
        """
        self._submit(lambda: self._membership(group, interface, join=True))

    def leave_group(self, group: str, interface: str = "") -> None:
        """Leave a group joined with :meth:`join_group`."""
        self._submit(lambda: self._membership(group, interface, join=False))

    # ---- worker side: opening and closing ----

    def _open(self) -> None:
        host, port = self.config.host, int(self.config.port)
        if not self._choose_interface():
            self._final_state = State.ERROR
            raise OSError(errno.ENODEV, "no such interface")
        try:
            self._sock = self._make_socket(host, port)
        except OSError as exc:
            self._report(exc, "bind", fatal=True, host=host, port=str(port),
                         address=format_address((host, port)))
            raise
        self.local_address = address_of(self._traced("getsockname", "", self._sock.getsockname, describe=repr))
        self._selector.register(self._sock, selectors.EVENT_READ, self._on_ready)
        self._set_state(State.BOUND, local=self.local_address)

    def _make_socket(self, host: str, port: int) -> socket.socket:
        family = family_for(host)
        sock = self._traced("socket", socket_args(family, socket.SOCK_DGRAM),
                            lambda: socket.socket(family, socket.SOCK_DGRAM))
        try:
            self._socket_options(sock, family, host)
            self._traced("bind", sockaddr_repr(host, port), lambda: sock.bind((host, port)))
            self._multicast_options(sock)
            self._ask_for_errors(sock)
            self._traced("setblocking", "False", lambda: sock.setblocking(False))
        except BaseException:
            self._close_socket(sock)
            raise
        return sock

    def _socket_options(self, sock: socket.socket, family: int, host: str) -> None:
        if self.config.reuse_address:
            self._traced("setsockopt", "SOL_SOCKET, SO_REUSEADDR, 1",
                         lambda: sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1))
        if self.config.receive_buffer is not None:
            size = self.config.receive_buffer
            self._traced("setsockopt", f"SOL_SOCKET, SO_RCVBUF, {size}",
                         lambda: sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, size))
        if self.config.broadcast:
            self._traced("setsockopt", "SOL_SOCKET, SO_BROADCAST, 1",
                         lambda: sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1))
        if family == socket.AF_INET6 and host == "::":
            self._traced("setsockopt", "IPPROTO_IPV6, IPV6_V6ONLY, 0",
                         lambda: sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0))

    def _close_all(self) -> None:
        self._flush_overflow(force=True)
        self.budget.done(sum(cost for *_, cost in self._outbox))
        self._outbox.clear()
        if self._sock is not None:
            self._close_socket(self._sock)
            self._sock = None

    # ---- worker side: receiving ----

    def _on_ready(self, mask: int) -> None:
        if mask & selectors.EVENT_WRITE:
            self._drain_outbox()
        if self.errors_queued:  # an ICMP error waits there (the selector keeps saying so until it is read)
            self._read_errors()
        if mask & selectors.EVENT_READ:
            if self.gate.enabled:  # step mode: one recvfrom() per Next
                self._receive_one()
            elif self._reply is None and not self._framing.active:  # the flood path: nothing per datagram
                self._receive_run()
            else:
                for _ in range(DATAGRAMS_PER_WAKE):
                    if not self._receive_one():
                        break
            self._flush_overflow()

    def _receive_one(self) -> bool:
        """One ``recvfrom`` and its datagram delivered (and answered); False when nothing more waits."""
        assert self._sock is not None
        if self.gate.enabled:
            self._step("recvfrom", str(MAX_DATAGRAM))
        try:
            data, raw = self._sock.recvfrom(MAX_DATAGRAM)
        except BlockingIOError:
            return False
        except OSError as exc:
            return self._receive_failed(exc)
        source = raw if type(raw) is tuple and len(raw) == 2 else address_of(raw)  # IPv4: already (host, port)
        self.last_sender = source
        self._deliver(source, data)
        return True

    def _receive_run(self) -> None:
        """Up to :data:`DATAGRAMS_PER_WAKE` ``recvfrom`` calls back to back, then their events in one put.

        The hot path of a flood with no auto-reply: the same calls and the same events
        in the same order as :meth:`_receive_one` one by one, at about half the cost
        per datagram (one time stamp, one lock and one overflow check per run).
        """
        assert self._sock is not None
        recvfrom = self._sock.recvfrom
        run: list[tuple[bytes, object]] = []
        for _ in range(DATAGRAMS_PER_WAKE):
            try:
                run.append(recvfrom(MAX_DATAGRAM))
            except BlockingIOError:
                break
            except OSError as exc:
                self._deliver_run(run)
                run = []
                if not self._receive_failed(exc):
                    break
        self._deliver_run(run)

    def _deliver_run(self, run: list[tuple[bytes, object]]) -> None:
        if not run:
            return
        self.datagrams_in += len(run)
        nbytes = sum(len(data) for data, _ in run)
        if self._over_bound():
            count, counted = self._overflow
            self._overflow = (count + len(run), counted + nbytes)
            self.last_sender = address_of(run[-1][1])
            return
        name, now = self.name, time()
        events: list[Event] = []
        for data, raw in run:
            source = raw if type(raw) is tuple and len(raw) == 2 else address_of(raw)  # IPv4: already (host, port)
            events.append(received_fast(name, now, source, data, "recvfrom", MAX_DATAGRAM))
        self.last_sender = source
        self._events.put_run(events, nbytes, wake=not self._in_loop)

    def _receive_failed(self, exc: OSError) -> bool:
        """Say why ``recvfrom`` failed; True if reading may go on (an ICMP error for an earlier send)."""
        if isinstance(exc, ConnectionResetError):  # Windows reports an ICMP port-unreachable here
            self._trace("recvfrom", str(MAX_DATAGRAM), "error: ECONNRESET (port unreachable)", ok=False)
            self._notice("udp_port_unreachable", {})
            return True
        if isinstance(exc, ConnectionRefusedError):  # Linux with IP_RECVERR: the error queue says which datagram
            if not (self.errors_queued and self._read_errors()):
                self._trace("recvfrom", str(MAX_DATAGRAM), "error: ECONNREFUSED (port unreachable)", ok=False)
                self._notice("udp_port_unreachable", {})
            return True
        self._trace("recvfrom", str(MAX_DATAGRAM), f"error: {describe_error(exc)}", ok=False)
        self._report(exc, "recvfrom")
        return False

    def _deliver(self, source: Address, data: bytes) -> None:
        self.datagrams_in += 1
        if self._over_bound():
            count, nbytes = self._overflow
            self._overflow = (count + 1, nbytes + len(data))
        elif self._framing.active:
            self._deliver_frames(source, data)
            return
        else:
            self._emit(DataReceived(endpoint=self.name, peer=source, data=data, call="recvfrom",
                                    requested=MAX_DATAGRAM))
        if self._reply is not None:  # the per-source count is only for the reply's {count}
            self._auto_reply(source, data, self._counts.add(source))

    def _deliver_frames(self, source: Address, data: bytes) -> None:
        """A datagram cut into the frames inside it: one data event and one auto-reply message each."""
        settings = self._framing
        frames = settings.cut_datagram(data)
        for frame in frames:
            if frame.error:  # a length prefix past the bound: said as over TCP
                self._emit_problem(Problem("frame_too_long", {"address": format_address(source),
                                                              "detail": frame.error}), "recvfrom", source)
            self._emit(DataReceived(endpoint=self.name, peer=source, data=frame.data, call="recvfrom",
                                    requested=MAX_DATAGRAM, frame=settings.spec, complete=frame.complete,
                                    check=settings.verdict(frame)))
        for frame in frames if self._reply is not None else ():
            if frame.complete:
                self._auto_reply(source, frame.data, self._counts.add(source))

    def _auto_reply(self, source: Address, data: bytes, count: int) -> None:
        assert self._reply is not None
        if self._is_self(source):  # answering our own datagram would answer itself forever
            if not self._warned_self_reply:
                self._warned_self_reply = True
                self._notice("reply_to_self", {"address": format_address(source)})
            return
        reply = self._reply.respond(data, MessageContext(peer=source, count=count, now=time()))
        if reply is not None and reply.too_long:
            self._emit_problem(reply_too_long(source, reply.too_long), "sendto", source)
            return
        wanted = reply is not None and (bool(reply.data) or not data)  # an empty datagram's echo is one too
        if reply is not None and wanted and self._reply_allowed(source):
            self._sendto(reply.data, source, source)

    def _reply_allowed(self, source: Address) -> bool:
        """The per-peer rate limit: two echo endpoints must not bounce one datagram forever."""
        if self._limiter is None:
            return True
        verdict = self._limiter.allow(source, monotonic())
        if verdict.tripped:
            self._notice("reply_rate_limited", {"address": format_address(source),
                                                "rate": f"{self._limiter.rate:g}"})
        return verdict.allowed

    def _is_self(self, source: Address) -> bool:
        """Did this datagram come from this very socket (sent to its own port)?"""
        if self.local_address is None or source[1] != self.local_address[1]:
            return False
        host = source[0].removeprefix("::ffff:")
        if host == self.local_address[0] or (is_ip_address(host) and ipaddress.ip_address(host).is_loopback):
            return True
        return host in self._own_hosts()

    def _own_hosts(self) -> set[str]:
        if self._own is None:
            self._own = {address.ip.split("%", 1)[0] for address in local_addresses()}
        return self._own

    def _over_bound(self) -> bool:
        """Is the front-end so far behind that payloads are counted, not kept?"""
        events = self._events
        return (events.pending_bytes > events.max_bytes * OVERFLOW_FACTOR
                or len(events) > events.max_events * OVERFLOW_FACTOR)

    def _flush_overflow(self, force: bool = False) -> None:
        (count, nbytes), (replies, reply_nbytes) = self._overflow, self._reply_overflow
        if (count or replies) and (force or not self._over_bound()):
            self._emit(ReceiveOverflow(endpoint=self.name, datagrams=count, nbytes=nbytes,
                                       replies=replies, reply_nbytes=reply_nbytes))
            self._overflow = self._reply_overflow = (0, 0)

    def _on_tick(self) -> None:
        self._flush_overflow()

    def _select_timeout(self) -> float | None:
        return PAUSED_POLL_SECONDS if self._overflow[0] or self._reply_overflow[0] else None

    # ---- worker side: sending ----

    def _reply_now(self, data: bytes, cost: int = 0) -> None:
        if self.last_sender is None:
            self.budget.done(cost)
            self._emit_problem(Problem("no_target"), "sendto")
            return
        self._sendto(data, self.last_sender, self.last_sender, cost)

    def _send_now(self, data: bytes, address: Address, cost: int = 0) -> None:
        target = self._resolve(address)
        if target is None:
            self.budget.done(cost)
            return
        self._sendto(data, target, address, cost)

    def _resolve(self, address: Address) -> tuple[object, ...] | None:
        assert self._sock is not None
        host, port = address
        family = self._sock.family
        dual_stack = family == socket.AF_INET6 and self.config.host == "::"  # IPV6_V6ONLY is 0 (see above)
        if is_ip_address(host) and is_ipv6(host) != (family == socket.AF_INET6) and not dual_stack:
            code = "bound_to_ipv4" if is_ipv6(host) else "bound_to_ipv6"
            self._emit_problem(Problem(code, {"address": format_address(address)}), "sendto")
            return None
        if dual_stack and is_ip_address(host) and not is_ipv6(host):
            return (f"::ffff:{host}", port, 0, 0)  # an IPv4 peer, through its v4-mapped address
        flags = socket.AI_V4MAPPED if dual_stack else 0
        try:
            infos = socket.getaddrinfo(host, port, family, socket.SOCK_DGRAM, 0, flags)
        except OSError as exc:
            self._report(exc, "getaddrinfo", host=host, port=str(port), address=format_address(address))
            return None
        return tuple(infos[0][4])

    def _sendto(self, data: bytes, raw: tuple[object, ...], shown: Address, cost: int = 0) -> None:
        assert self._sock is not None
        if self._outbox:
            self._outbox.append((data, raw, shown, cost))
            return
        self._sendto_now(data, raw, shown, cost)

    def _sendto_now(self, data: bytes, raw: tuple[object, ...], shown: Address, cost: int = 0,
                    retried: bool = False) -> bool:
        """One ``sendto``; False if the kernel would block (kept in the outbox, still in ``budget``)."""
        assert self._sock is not None
        fanout = self._fanout_interfaces(shown[0])
        if fanout is not None:  # broadcast (or multicast) with no route to lean on: out of each interface
            self._send_fanout(data, shown, fanout)
            self.budget.done(cost)
            return True
        args = f"{len(data)} bytes, {sockaddr_repr(*shown)}"
        self._step("sendto", args, shown)
        try:
            sent = self._sock.sendto(data, raw)
        except BlockingIOError:
            self._outbox.appendleft((data, raw, shown, cost))
            self._selector.modify(self._sock, selectors.EVENT_READ | selectors.EVENT_WRITE, self._on_ready)
            return False
        except ConnectionRefusedError as exc:
            if self.errors_queued and not retried:  # an earlier datagram's ICMP error, pending on the socket:
                self._read_errors()  # say it, then this datagram goes out
                return self._sendto_now(data, raw, shown, cost, retried=True)
            return self._send_failed(exc, data, args, shown, cost)
        except OSError as exc:
            return self._send_failed(exc, data, args, shown, cost)
        if self._over_bound():
            replies, nbytes = self._reply_overflow
            self._reply_overflow = (replies + 1, nbytes + sent)
        else:
            self._emit(DataSent(endpoint=self.name, peer=address_of(shown), data=data[:sent], call="sendto",
                                offered=len(data)))
        if cost:  # auto-replies (cost 0) skip the budget's lock
            self.budget.done(cost)
        return True

    def _send_failed(self, exc: OSError, data: bytes, args: str, shown: Address, cost: int) -> bool:
        self.budget.done(cost)
        self._trace("sendto", args, f"error: {describe_error(exc)}", ok=False, peer=shown)
        problem = explain(exc, "sendto", address=format_address(shown), size=str(len(data)),
                          host=shown[0], port=str(shown[1]))
        if problem.code == "permission_denied":  # sendto() only refuses broadcast without SO_BROADCAST
            problem = Problem("broadcast_denied", problem.params)
        self._emit_problem(problem, "sendto", shown)
        return True

    def _drain_outbox(self) -> None:
        assert self._sock is not None
        while self._outbox:
            data, raw, shown, cost = self._outbox.popleft()
            if not self._sendto_now(data, raw, shown, cost):
                return
        self._selector.modify(self._sock, selectors.EVENT_READ, self._on_ready)

    # ---- worker side: options ----

    def _set_option(self, level: int, option: int, enabled: bool, label: str) -> None:
        assert self._sock is not None
        value = 1 if enabled else 0
        sock = self._sock
        try:
            self._traced("setsockopt", f"{label}, {value}", lambda: sock.setsockopt(level, option, value))
        except OSError as exc:
            self._report(exc, "setsockopt")

    def _notice(self, code: str, params: dict[str, str]) -> None:
        self._emit(Notice(endpoint=self.name, code=code, message=fill(NOTICES[code], params), params=params))


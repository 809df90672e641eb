"""The UDP relay endpoint: datagrams both ways, one upstream socket per client address.

A datagram from a client address the relay has not heard from gets a socket of its
own, connected to the target, so the target's answers come back on it and go to
that client alone. The sockets are bounded: at most :attr:`RelayConfig.max_clients`
(the least recently heard client loses its socket first, as
:class:`~netcore.peerstate.LruMap` forgets), and one quiet for
:attr:`RelayConfig.idle_timeout` seconds is closed. UDP cannot push back: while the
front-end is behind, datagrams are still forwarded and counted exactly in a
:class:`~netcore.events.ReceiveOverflow` instead of one event each.
"""

from __future__ import annotations

import itertools
import selectors
import socket
from collections import OrderedDict
from dataclasses import dataclass

from netcore.eventqueue import EventQueue
from netcore.events import DOWNSTREAM, UPSTREAM, Address, DataReceived, DataSent, ReceiveOverflow, State, format_address
from netcore.relay_config import RelayBase, RelayConfig
from netcore.sockopts import sockaddr_repr, socket_args
from netcore.worker import address_of, describe_error, monotonic

MAX_DATAGRAM = 65535
DATAGRAMS_PER_WAKE = 64


@dataclass(eq=False)
class Upstream:
    """One client address and the socket its datagrams go to the target from."""

    client: Address
    raw_client: tuple[object, ...]
    sock: socket.socket
    local: Address
    serial: int
    last: float


class UdpRelay(RelayBase):
    """A bound UDP socket for clients, and an upstream socket per client address."""

    def __init__(self, config: RelayConfig, events: EventQueue, name: str | None = None) -> None:
        super().__init__(config, events, name)
        self._clients: OrderedDict[Address, Upstream] = OrderedDict()
        """By client address, least recently heard first."""
        self._serials = itertools.count(1)
        self._overflow = [0, 0, 0, 0]  # datagrams and bytes in, datagrams and bytes out: counted, not shown
        self.dropped = 0
        """Datagrams that could not be sent (a full send buffer, or the target refused)."""

    @property
    def client_count(self) -> int:
        """Client addresses with an upstream socket right now (a snapshot)."""
        return len(self._clients)

    def upstream_of(self, client: Address) -> Address | None:
        """The local address ``client``'s datagrams leave from (a snapshot, for tests and views)."""
        upstream = self._clients.get(client)
        return None if upstream is None else upstream.local

    # ---- opening and closing ----

    def _open(self) -> None:
        self._resolve(socket.SOCK_DGRAM)
        listener = self._listen(socket.SOCK_DGRAM)
        self._check_not_itself()
        self._selector.register(listener, selectors.EVENT_READ, self._on_client_datagrams)
        self._set_state(State.BOUND, local=self.local_address, remote=self.target)

    def _close_all(self) -> None:
        self._flush_overflow()
        for upstream in list(self._clients.values()):
            self._drop_upstream(upstream)
        self._close_listener()

    # ---- client → server ----

    def _on_client_datagrams(self, _mask: int) -> None:
        assert self._listener is not None
        for _ in range(1 if self.gate.enabled else DATAGRAMS_PER_WAKE):
            self._step("recvfrom", str(MAX_DATAGRAM))
            try:
                data, raw = self._listener.recvfrom(MAX_DATAGRAM)
            except BlockingIOError:
                return
            except OSError as exc:  # an ICMP error for a datagram sent back to a client that left
                self._trace("recvfrom", str(MAX_DATAGRAM), f"error: {describe_error(exc)}", ok=False)
                continue
            client = address_of(raw)
            upstream = self._upstream_for(client, tuple(raw))
            if upstream is None:
                continue
            self._data(DataReceived(endpoint=self.name, peer=client, data=data, call="recvfrom",
                                    requested=MAX_DATAGRAM, direction=UPSTREAM, pair=upstream.serial))
            self._send_upstream(upstream, data)

    def _upstream_for(self, client: Address, raw: tuple[object, ...]) -> Upstream | None:
        upstream = self._clients.get(client)
        if upstream is not None:
            upstream.last = monotonic()
            self._clients.move_to_end(client)
            return upstream
        try:
            upstream = self._open_upstream(client, raw)
        except OSError as exc:
            self._report(exc, "connect", client, address=format_address(self.target))
            return None
        self._clients[client] = upstream
        if len(self._clients) > self.config.max_clients:
            oldest = next(iter(self._clients.values()))
            self._drop_upstream(oldest)
            self._notice("relay_udp_evicted", {"limit": str(self.config.max_clients),
                                               "client": format_address(oldest.client),
                                               "local": format_address(oldest.local)}, oldest.client)
        return upstream

    def _open_upstream(self, client: Address, raw: tuple[object, ...]) -> Upstream:
        assert self._target_info is not None
        family, target = self._target_info
        sock = self._traced("socket", socket_args(family, socket.SOCK_DGRAM),
                            lambda: socket.socket(family, socket.SOCK_DGRAM), peer=self.target)
        try:
            sock.setblocking(False)
            self._traced("connect", sockaddr_repr(*self.target), lambda: sock.connect(target), peer=self.target)
            local = address_of(sock.getsockname())
        except OSError:
            sock.close()
            raise
        upstream = Upstream(client, raw, sock, local, next(self._serials), monotonic())
        self._selector.register(sock, selectors.EVENT_READ, lambda _m: self._on_target_datagrams(upstream))
        self._notice("relay_udp_new", {"client": format_address(client), "local": format_address(local),
                                       "target": format_address(self.target)}, client)
        return upstream

    def _send_upstream(self, upstream: Upstream, data: bytes, retried: bool = False) -> None:
        self._step("send", f"{len(data)} bytes", self.target)
        try:
            sent = upstream.sock.send(data)
        except BlockingIOError:
            self._dropped(len(data), self.target)
            return
        except ConnectionRefusedError:  # the target's ICMP error for an earlier datagram: said, then resend
            self._refused(upstream)
            if not retried:
                self._send_upstream(upstream, data, retried=True)
            return
        except OSError as exc:
            self._trace("send", f"{len(data)} bytes", f"error: {describe_error(exc)}", False, self.target)
            self._report(exc, "send", self.target, address=format_address(self.target), size=str(len(data)))
            self.dropped += 1
            return
        self._data(DataSent(endpoint=self.name, peer=self.target, data=data[:sent], offered=len(data),
                            direction=UPSTREAM, pair=upstream.serial))

    # ---- server → client ----

    def _on_target_datagrams(self, upstream: Upstream) -> None:
        for _ in range(1 if self.gate.enabled else DATAGRAMS_PER_WAKE):
            if self._clients.get(upstream.client) is not upstream:
                return  # closed meanwhile
            self._step("recv", str(MAX_DATAGRAM), self.target)
            try:
                data = upstream.sock.recv(MAX_DATAGRAM)
            except BlockingIOError:
                return
            except ConnectionRefusedError:
                self._refused(upstream)
                continue
            except OSError as exc:
                self._trace("recv", str(MAX_DATAGRAM), f"error: {describe_error(exc)}", False, self.target)
                return
            upstream.last = monotonic()
            self._clients.move_to_end(upstream.client)
            self._data(DataReceived(endpoint=self.name, peer=self.target, data=data, requested=MAX_DATAGRAM,
                                    direction=DOWNSTREAM, pair=upstream.serial))
            self._send_to_client(upstream, data)

    def _send_to_client(self, upstream: Upstream, data: bytes) -> None:
        assert self._listener is not None
        self._step("sendto", f"{len(data)} bytes, {upstream.client!r}", upstream.client)
        try:
            sent = self._listener.sendto(data, upstream.raw_client)
        except BlockingIOError:
            self._dropped(len(data), upstream.client)
            return
        except OSError as exc:
            self._trace("sendto", f"{len(data)} bytes", f"error: {describe_error(exc)}", False, upstream.client)
            self.dropped += 1
            return
        self._data(DataSent(endpoint=self.name, peer=upstream.client, data=data[:sent], call="sendto",
                            offered=len(data), direction=DOWNSTREAM, pair=upstream.serial))

    # ---- bookkeeping ----

    def _data(self, event: DataReceived | DataSent) -> None:
        """One data event, or while the front-end is behind, a count of it (flushed later)."""
        if not self._paused:
            self._emit(event)
            return
        slot = 0 if isinstance(event, DataReceived) else 2
        self._overflow[slot] += 1
        self._overflow[slot + 1] += len(event.data)

    def _flush_overflow(self) -> None:
        got, got_bytes, sent, sent_bytes = self._overflow
        if got or sent:
            self._emit(ReceiveOverflow(endpoint=self.name, datagrams=got, nbytes=got_bytes, replies=sent,
                                       reply_nbytes=sent_bytes))
            self._overflow = [0, 0, 0, 0]

    def _refused(self, upstream: Upstream) -> None:
        self._trace("recv", str(MAX_DATAGRAM), "error: ECONNREFUSED (port unreachable)", False, self.target)
        self._notice("relay_udp_refused", {"address": format_address(self.target),
                                           "client": format_address(upstream.client)}, self.target)

    def _dropped(self, nbytes: int, address: Address) -> None:
        self.dropped += 1
        self._notice("relay_udp_dropped", {"bytes": str(nbytes), "address": format_address(address)}, address)

    def _drop_upstream(self, upstream: Upstream) -> None:
        if self._clients.get(upstream.client) is upstream:
            del self._clients[upstream.client]
        self._close_socket(upstream.sock, self.target)

    def _select_timeout(self) -> float | None:
        if not self._clients:
            return None
        oldest = next(iter(self._clients.values()))
        return max(0.0, oldest.last + self.config.idle_timeout - monotonic())

    def _on_tick(self) -> None:
        if not self._paused:
            self._flush_overflow()
        now = monotonic()
        while self._clients:
            oldest = next(iter(self._clients.values()))
            if now - oldest.last < self.config.idle_timeout:
                break
            self._drop_upstream(oldest)
            self._notice("relay_udp_idle", {"client": format_address(oldest.client),
                                            "local": format_address(oldest.local),
                                            "seconds": f"{self.config.idle_timeout:g}"}, oldest.client)

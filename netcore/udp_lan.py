"""The UDP endpoint's LAN side: interfaces, multicast groups, and broadcasts that need no default route.

A mixin for :class:`~netcore.udp.UdpEndpoint`, kept apart so each file stays small:

- the chosen interface (by name or address) for multicast sends (``IP_MULTICAST_IF``
  / ``IPV6_MULTICAST_IF``) and joins, with TTL (hops) and loopback set at open;
- joining and leaving IPv4 and IPv6 groups (``ff02::…`` on a chosen interface);
- a datagram to ``255.255.255.255`` (and, with no interface chosen, to a multicast
  group) goes out of every suitable interface, each call traced, then a notice says
  where it left: a PC cabled straight to a device has no default route, and a plain
  ``sendto`` would fail with ENETUNREACH.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import socket
import struct
import sys
from typing import TYPE_CHECKING

from netcore.events import Address, DataSent, Notice, format_address
from netcore.interfaces import LocalAddress, broadcast_interfaces, find_interface, local_addresses
from netcore.lan.outgoing import interface_index, is_limited_broadcast, send_broadcast_on, send_multicast_on
from netcore.problems import NOTICES, Problem, fill

if TYPE_CHECKING:
    from netcore.udp import UdpConfig

    class _Base:
        config: UdpConfig
        name: str
        _sock: socket.socket | None

        def _trace(self, call: str, args: str, result: str, ok: bool = True, peer: Address | None = None) -> None:
            ...

        def _emit(self, event: object) -> None: ...
        def _step(self, call: str, args: str, peer: Address | None = None) -> None: ...
        def _emit_problem(self, problem: Problem, call: str | None = None, peer: Address | None = None,
                          fatal: bool = False) -> None: ...
        def _report(self, exc: OSError, call: str, peer: Address | None = None, fatal: bool = False,
                    **params: str) -> None: ...
else:
    _Base = object


IP_RECVERR = getattr(socket, "IP_RECVERR", 11)
IPV6_RECVERR = getattr(socket, "IPV6_RECVERR", 25)
SO_EE_ORIGIN_ICMP, SO_EE_ORIGIN_ICMP6 = 2, 3


def _refused(level: int, kind: int, value: bytes) -> bool:
    """Is this IP_RECVERR control message an ICMP "port unreachable" (ECONNREFUSED)?"""
    if (level, kind) not in ((socket.IPPROTO_IP, IP_RECVERR), (socket.IPPROTO_IPV6, IPV6_RECVERR)):
        return False
    if len(value) < 16:
        return False
    error, origin = struct.unpack_from("@IB", value)
    return error == errno.ECONNREFUSED and origin in (SO_EE_ORIGIN_ICMP, SO_EE_ORIGIN_ICMP6)


def is_multicast(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_multicast
    except ValueError:
        return False


class UdpLanMixin(_Base):
    """Interface choice, multicast and fan-out sends for a UDP endpoint (worker thread only)."""

    interface: LocalAddress | None = None
    """The interface chosen in the configuration, once found."""
    errors_queued = False
    """IP_RECVERR is on: ICMP errors wait in the socket's error queue (Linux)."""

    # ---- at open ----

    def _choose_interface(self) -> bool:
        """Find the configured interface; False (with the problem reported) if this machine has none such."""
        wanted = self.config.interface
        if not wanted:
            return True
        self.interface = find_interface(wanted)
        if self.interface is None:
            self._emit_problem(Problem("interface_not_found", {"interface": wanted}), "setsockopt", fatal=True)
            return False
        return True

    def _multicast_options(self, sock: socket.socket) -> None:
        """IP_MULTICAST_IF / TTL / LOOP (or their IPv6 twins) as configured, each traced."""
        v6 = sock.family == socket.AF_INET6
        level = socket.IPPROTO_IPV6 if v6 else socket.IPPROTO_IP
        chosen = self.interface
        if chosen is not None and (chosen.version == 6) == v6:
            index = interface_index(chosen)
            value: int | bytes = index if v6 else socket.inet_aton(chosen.ip)
            label = f"IPV6_MULTICAST_IF, {index} ({chosen.interface})" if v6 else f"IP_MULTICAST_IF, {chosen.ip}"
            self._set(sock, level, socket.IPV6_MULTICAST_IF if v6 else socket.IP_MULTICAST_IF, value, label)
        if self.config.ttl is not None:
            option, label = (socket.IPV6_MULTICAST_HOPS, "IPV6_MULTICAST_HOPS") if v6 else (
                socket.IP_MULTICAST_TTL, "IP_MULTICAST_TTL")
            self._set(sock, level, option, self.config.ttl, f"{label}, {self.config.ttl}")
        if self.config.multicast_loop is not None:
            option, label = (socket.IPV6_MULTICAST_LOOP, "IPV6_MULTICAST_LOOP") if v6 else (
                socket.IP_MULTICAST_LOOP, "IP_MULTICAST_LOOP")
            loop = int(self.config.multicast_loop)
            self._set(sock, level, option, loop, f"{label}, {loop}")

    def _set(self, sock: socket.socket, level: int, option: int, value: int | bytes, label: str) -> None:
        self._step("setsockopt", label)
        try:
            sock.setsockopt(level, option, value)
        except OSError as exc:
            self._trace("setsockopt", label, f"error: {exc.strerror or exc}", ok=False)
            self._report(exc, "setsockopt")
            return
        self._trace("setsockopt", label, "ok")

    # ---- ICMP errors (Linux): "nothing listens on that port there" ----

    def _ask_for_errors(self, sock: socket.socket) -> None:
        """IP_RECVERR: an unconnected UDP socket on Linux otherwise never hears that a datagram was refused."""
        self.errors_queued = False
        if not sys.platform.startswith("linux"):
            return
        v6 = sock.family == socket.AF_INET6
        level, option, label = ((socket.IPPROTO_IPV6, IPV6_RECVERR, "IPPROTO_IPV6, IPV6_RECVERR, 1") if v6
                                else (socket.IPPROTO_IP, IP_RECVERR, "IPPROTO_IP, IP_RECVERR, 1"))
        self._set(sock, level, option, 1, label)
        if v6 and sock.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY) == 0:  # dual stack: an IPv4 peer's
            self._set(sock, socket.IPPROTO_IP, IP_RECVERR, 1, "IPPROTO_IP, IP_RECVERR, 1")  # ICMPv4 is filed here
        self.errors_queued = True

    def _read_errors(self) -> int:
        """Drain the socket's error queue; a notice for each refused datagram. Returns how many were read."""
        assert self._sock is not None
        read = 0
        for _ in range(64):
            try:
                _data, ancillary, _flags, address = self._sock.recvmsg(64, 512, socket.MSG_ERRQUEUE)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                break
            read += 1
            if any(_refused(level, kind, value) for level, kind, value in ancillary):
                shown = format_address((str(address[0]), int(address[1]))) if address else "?"
                self._trace("recvmsg", "MSG_ERRQUEUE", f"ECONNREFUSED from {shown} (ICMP port unreachable)",
                            ok=False)
                self._lan_notice("udp_refused_at", {"address": shown})
        return read

    # ---- groups ----

    def _membership(self, group: str, interface: str, join: bool) -> None:
        """Join or leave ``group`` (IPv4 or IPv6) on ``interface`` (a name, an address, or empty: the chosen)."""
        assert self._sock is not None
        if not is_multicast(group):
            self._emit_problem(Problem("not_multicast", {"host": group}), "setsockopt")
            return
        via = find_interface(interface) if interface and interface not in ("0.0.0.0", "::") else self.interface
        if interface and interface not in ("0.0.0.0", "::") and via is None:
            self._emit_problem(Problem("interface_not_found", {"interface": interface}), "setsockopt")
            return
        try:
            where = self._join_v6(group, via, join) if ":" in group else self._join_v4(group, via, join)
        except OSError as exc:
            self._report(exc, "setsockopt", host=group, address=group)
            return
        code = "joined_group" if join else "left_group"
        self._lan_notice(code, {"group": group, "interface": where})

    def _join_v4(self, group: str, via: LocalAddress | None, join: bool) -> str:
        assert self._sock is not None
        address = via.ip if via is not None and via.version == 4 else "0.0.0.0"
        option, label = ((socket.IP_ADD_MEMBERSHIP, "IP_ADD_MEMBERSHIP") if join
                         else (socket.IP_DROP_MEMBERSHIP, "IP_DROP_MEMBERSHIP"))
        request = socket.inet_aton(group) + socket.inet_aton(address)
        args = f"IPPROTO_IP, {label}, inet_aton({group!r}) + inet_aton({address!r})"
        self._traced_set(socket.IPPROTO_IP, option, request, args)
        return address if via is None else via.label

    def _join_v6(self, group: str, via: LocalAddress | None, join: bool) -> str:
        assert self._sock is not None
        index = interface_index(via) if via is not None else 0
        option, label = ((socket.IPV6_JOIN_GROUP, "IPV6_JOIN_GROUP") if join
                         else (socket.IPV6_LEAVE_GROUP, "IPV6_LEAVE_GROUP"))
        request = socket.inet_pton(socket.AF_INET6, group.split("%", 1)[0]) + struct.pack("@I", index)
        self._traced_set(socket.IPPROTO_IPV6, option, request,
                         f"IPPROTO_IPV6, {label}, inet_pton(AF_INET6, {group!r}) + ifindex {index}")
        return via.label if via is not None else f"ifindex {index}"

    def _traced_set(self, level: int, option: int, value: bytes, args: str) -> None:
        assert self._sock is not None
        self._step("setsockopt", args)
        try:
            self._sock.setsockopt(level, option, value)
        except OSError as exc:
            self._trace("setsockopt", args, f"error: {exc.strerror or exc}", ok=False)
            raise
        self._trace("setsockopt", args, "ok")

    # ---- sending on several interfaces ----

    def _fanout_interfaces(self, host: str) -> list[LocalAddress] | None:
        """The interfaces a datagram to ``host`` must leave from one by one (None: a plain sendto will do)."""
        if self._sock is None or self._sock.family != socket.AF_INET:
            return None
        if is_limited_broadcast(host):
            return [self.interface] if self.interface is not None else broadcast_interfaces()
        if is_multicast(host) and self.interface is None:
            return [a for a in local_addresses() if a.version == 4 and not a.is_loopback]
        return None

    def _send_fanout(self, data: bytes, shown: Address, via: list[LocalAddress]) -> bool:
        """Send one datagram out of each of ``via``; trace each call; say where it left. True if any did."""
        assert self._sock is not None
        left: list[str] = []
        errors: list[OSError] = []
        for address in via:
            try:
                if is_limited_broadcast(shown[0]):
                    _sent, call, args = send_broadcast_on(self._sock, data, shown[1], address)
                else:
                    _sent, call, args = send_multicast_on(self._sock, data, shown, address)
            except OSError as exc:
                errors.append(exc)
                self._trace("sendto", f"{len(data)} bytes, {format_address(shown)} via {address.label}",
                            f"error: {exc.strerror or exc}", ok=False, peer=shown)
                continue
            self._trace(call, args, "ok", peer=shown)
            left.append(address.label)
        if is_multicast(shown[0]):
            self._reset_multicast_interface()
        if not left:
            self._fanout_failed(shown, errors)
            return False
        self._emit(DataSent(endpoint=self.name, peer=shown, data=data, call="sendto", offered=len(data)))
        self._lan_notice("sent_on", {"address": format_address(shown), "interfaces": ", ".join(left)})
        return True

    def _reset_multicast_interface(self) -> None:
        """After sending out of each interface in turn, let the system choose again (nothing was chosen)."""
        assert self._sock is not None
        with contextlib.suppress(OSError):
            self._sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("0.0.0.0"))

    def _fanout_failed(self, shown: Address, errors: list[OSError]) -> None:
        params = {"address": format_address(shown), "host": shown[0], "port": str(shown[1])}
        if errors and all(e.errno == errno.EACCES for e in errors):
            self._emit_problem(Problem("broadcast_denied", params), "sendto", shown)
            return
        detail = errors[0].strerror or str(errors[0]) if errors else "no IPv4 interface is up"
        self._emit_problem(Problem("no_interface", {**params, "detail": str(detail)}), "sendto", shown)

    def _lan_notice(self, code: str, params: dict[str, str]) -> None:
        self._emit(Notice(endpoint=self.name, code=code, message=fill(NOTICES[code], params), params=params))

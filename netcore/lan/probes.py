"""The diagnose command's probes: real, bounded, and only to the host the user named.

Each probe is one small blocking call with a timeout, returning a value (never
raising for a network outcome): how a name resolves, which local address and
interface the OS would use, whether a TCP port answers, what a UDP datagram meets.
"""

from __future__ import annotations

import errno
import os
import selectors
import socket
import time
from dataclasses import dataclass

from netcore.interfaces import LocalAddress, local_addresses

OPEN, REFUSED, TIMEOUT, UNREACHABLE, ERROR = "open", "refused", "timeout", "unreachable", "error"
_UNREACHABLE = {errno.EHOSTUNREACH, errno.ENETUNREACH, getattr(errno, "EHOSTDOWN", -1),
                getattr(errno, "WSAEHOSTUNREACH", -1), getattr(errno, "WSAENETUNREACH", -1)}
_REFUSED = {errno.ECONNREFUSED, getattr(errno, "WSAECONNREFUSED", -1)}


@dataclass(frozen=True)
class Resolved:
    """One address a name resolves to."""

    family: int
    ip: str

    @property
    def label(self) -> str:
        return f"{self.ip} ({'IPv6' if self.family == socket.AF_INET6 else 'IPv4'})"


@dataclass(frozen=True)
class PortResult:
    """What a TCP connect (or a UDP datagram) to one address met."""

    outcome: str
    detail: str = ""
    seconds: float = 0.0


@dataclass(frozen=True)
class RouteResult:
    """The source address the OS picks to reach a host, and its interface."""

    source: str | None
    interface: LocalAddress | None
    error: str = ""


def resolve(host: str, port: int, udp: bool = False) -> tuple[list[Resolved], str]:
    """Every address ``host`` resolves to, in the order the OS gives; or an error text."""
    kind = socket.SOCK_DGRAM if udp else socket.SOCK_STREAM
    try:
        infos = socket.getaddrinfo(host, port, type=kind)
    except socket.gaierror as exc:
        return [], str(exc.strerror or exc)
    seen: list[Resolved] = []
    for family, _kind, _proto, _name, raw in infos:
        item = Resolved(int(family), str(raw[0]))
        if item not in seen:
            seen.append(item)
    return seen, ""


def route_to(address: Resolved, port: int, addresses: list[LocalAddress] | None = None) -> RouteResult:
    """Which local address the OS uses for ``address`` (a UDP connect sends nothing)."""
    try:
        with socket.socket(address.family, socket.SOCK_DGRAM) as sock:
            sock.connect((address.ip, port or 9))
            source = str(sock.getsockname()[0])
    except OSError as exc:
        return RouteResult(None, None, exc.strerror or str(exc))
    pool = local_addresses() if addresses is None else addresses
    plain = source.split("%", 1)[0]
    interface = next((a for a in pool if a.ip.split("%", 1)[0] == plain), None)
    return RouteResult(source, interface)


def tcp_connect(address: Resolved, port: int, timeout: float) -> PortResult:
    """One non-blocking connect, waited for at most ``timeout`` seconds."""
    started = time.monotonic()
    with socket.socket(address.family, socket.SOCK_STREAM) as sock:
        sock.setblocking(False)
        code = sock.connect_ex((address.ip, port))
        if code not in (0, errno.EINPROGRESS, errno.EWOULDBLOCK, getattr(errno, "WSAEWOULDBLOCK", -1)):
            return _outcome(code, started)
        if code != 0:
            with selectors.DefaultSelector() as selector:
                selector.register(sock, selectors.EVENT_WRITE)
                if not selector.select(timeout):
                    return PortResult(TIMEOUT, f"no answer in {timeout:g} s", time.monotonic() - started)
            code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        return _outcome(code, started)


def _outcome(code: int, started: float) -> PortResult:
    seconds = time.monotonic() - started
    if code == 0:
        return PortResult(OPEN, "", seconds)
    text = _strerror(code)
    if code in _REFUSED:
        return PortResult(REFUSED, text, seconds)
    if code in _UNREACHABLE:
        return PortResult(UNREACHABLE, text, seconds)
    if code in (errno.ETIMEDOUT, getattr(errno, "WSAETIMEDOUT", -1)):
        return PortResult(TIMEOUT, text, seconds)
    return PortResult(ERROR, text, seconds)


def udp_probe(address: Resolved, port: int, timeout: float) -> PortResult:
    """Send one empty-ish datagram on a connected UDP socket; an ICMP refusal shows as ECONNREFUSED."""
    started = time.monotonic()
    try:
        with socket.socket(address.family, socket.SOCK_DGRAM) as sock:
            sock.connect((address.ip, port))
            sock.send(b"SocketLab diagnose\n")
            sock.settimeout(timeout)
            try:
                sock.recv(2048)
            except TimeoutError:
                return PortResult(TIMEOUT, "no answer and no refusal", time.monotonic() - started)
            return PortResult(OPEN, "a datagram came back", time.monotonic() - started)
    except OSError as exc:
        return _outcome(exc.errno or 0, started) if exc.errno else PortResult(ERROR, str(exc))


def _strerror(code: int) -> str:
    name = errno.errorcode.get(code, str(code))
    try:
        return f"{name} ({os.strerror(code)})"
    except ValueError:
        return name


def is_local(ip: str, addresses: list[LocalAddress] | None = None) -> bool:
    """Is ``ip`` one of this machine's addresses (loopback included)?"""
    plain = ip.split("%", 1)[0]
    if plain.startswith("127.") or plain == "::1":
        return True
    pool = local_addresses() if addresses is None else addresses
    return any(a.ip.split("%", 1)[0] == plain for a in pool)

"""What the TCP and UDP relays share: their settings, the target's address, the listening socket.

:class:`RelayConfig` checks every field when it is made; :class:`RelayBase` is the
endpoint base both relays build on (it resolves the target once, at start, and
binds the address clients must use, and holds the framing, which
:meth:`RelayBase.set_framing` changes live). :func:`make_relay` picks the kind.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
import sys
from dataclasses import dataclass

from netcore.eventqueue import EventQueue
from netcore.events import Address, Notice, State, format_address
from netcore.framing import NO_FRAMING, FrameSettings
from netcore.interfaces import local_addresses
from netcore.problems import NOTICES, Problem, fill
from netcore.sockopts import family_for, sockaddr_repr, socket_args
from netcore.validation import check_host, check_port, check_timeout, input_error
from netcore.worker import Endpoint, address_of

TargetInfo = tuple[int, tuple[object, ...]]
"""A resolved target: its address family and the address ``connect``/``sendto`` take."""


@dataclass(frozen=True)
class RelayConfig:
    """Where clients connect, where their traffic goes, and the bounds; checked when made."""

    listen_host: str = "0.0.0.0"
    listen_port: int | str = 9100
    target_host: str = "127.0.0.1"
    target_port: int | str = 9000
    udp: bool = False
    connect_timeout: float = 5.0
    max_clients: int = 256
    """TCP: pairs at once (more are closed at once). UDP: client addresses with an upstream socket."""
    idle_timeout: float = 60.0
    """UDP: an upstream socket quiet for this many seconds is closed."""
    framing: FrameSettings = NO_FRAMING
    """How what the relay reads on each side is reported (the bytes are forwarded as they came, whatever it is)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "listen_host", check_host(self.listen_host, "listen address"))
        object.__setattr__(self, "listen_port", check_port(self.listen_port, "listen port"))
        object.__setattr__(self, "target_host", check_host(self.target_host, "target address"))
        port = check_port(self.target_port, "target port")
        if port == 0:
            raise input_error("port_zero_remote", {"field": "target port", "value": "0"})
        object.__setattr__(self, "target_port", port)
        object.__setattr__(self, "connect_timeout", check_timeout(self.connect_timeout, "connect timeout"))
        if not isinstance(self.max_clients, int) or not 1 <= self.max_clients <= 100_000:
            raise input_error("count_invalid", {"field": "max_clients", "low": "1", "high": "100000",
                                                "value": str(self.max_clients)})
        if not 0 < self.idle_timeout <= 86400:
            raise ValueError(f"idle_timeout must be between 0 and 86400 s, not {self.idle_timeout}")
        if not isinstance(self.framing, FrameSettings):
            raise TypeError(f"framing must be a FrameSettings, not {type(self.framing).__name__}")

    @property
    def target(self) -> Address:
        return self.target_host, int(self.target_port)


def resolve_target(host: str, port: int, kind: int) -> TargetInfo:
    """The target's first address (a name is looked up once, when the relay starts)."""
    infos = socket.getaddrinfo(host, port, 0, kind)
    family, _kind, _proto, _name, raw = infos[0]
    return int(family), tuple(raw)


class RelayBase(Endpoint):
    """Target resolved at start, the listening socket, notices: what both relays need."""

    kind = "relay"

    def __init__(self, config: RelayConfig, events: EventQueue, name: str | None = None) -> None:
        super().__init__(events, name)
        self.config = config
        self.local_address: Address | None = None
        self.target: Address = config.target
        self._listener: socket.socket | None = None
        self._target_info: TargetInfo | None = None
        self._framing = config.framing

    def set_framing(self, settings: FrameSettings) -> None:
        """Report what is read per ``settings`` from now on (live; what is forwarded does not change)."""
        self._submit(lambda: self._apply_framing(settings))

    def _apply_framing(self, settings: FrameSettings) -> None:
        self._framing = settings

    def _resolve(self, kind: int) -> TargetInfo:
        host, port = self.config.target
        try:
            info = self._traced("getaddrinfo", f"{host!r}, {port}, type={_TYPE_NAMES[kind]}",
                                lambda: resolve_target(host, port, kind),
                                describe=lambda found: repr(address_of(found[1])))
        except OSError as exc:
            self._report(exc, "getaddrinfo", fatal=True, host=host, port=str(port),
                         address=format_address((host, port)))
            raise
        self._target_info = info
        self.target = address_of(info[1])
        return info

    def _listen(self, kind: int) -> socket.socket:
        """socket → setsockopt → bind (→ listen) → setblocking: the address clients must use."""
        host, port = self.config.listen_host, int(self.config.listen_port)
        family = family_for(host)
        try:
            sock = self._traced("socket", socket_args(family, kind), lambda: socket.socket(family, kind))
        except OSError as exc:
            self._report(exc, "socket", fatal=True)
            raise
        try:
            self._bind(sock, family, host, port)
            if kind == socket.SOCK_STREAM:
                self._traced("listen", "128", lambda: sock.listen(128))
            self._traced("setblocking", "False", lambda: sock.setblocking(False))
            self.local_address = address_of(self._traced("getsockname", "", sock.getsockname, describe=repr))
        except OSError as exc:
            self._close_socket(sock)
            self._report(exc, "bind", fatal=True, host=host, port=str(port), address=format_address((host, port)))
            raise
        self._listener = sock
        return sock

    def _bind(self, sock: socket.socket, family: int, host: str, port: int) -> None:
        if sock.type == socket.SOCK_STREAM and sys.platform != "win32":  # a restart binds past TIME_WAIT
            self._traced("setsockopt", "SOL_SOCKET, SO_REUSEADDR, 1",
                         lambda: sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1))
        if family == socket.AF_INET6 and host == "::":
            self._traced("setsockopt", "IPPROTO_IPV6, IPV6_V6ONLY, 0",
                         lambda: sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0))
        self._traced("bind", sockaddr_repr(host, port), lambda: sock.bind((host, port)))

    def _check_not_itself(self) -> None:
        """A target that is the relay's own listening address would forward every client to itself, forever."""
        if self.local_address is None or self.target[1] != self.local_address[1]:
            return
        host = self.target[0].removeprefix("::ffff:")
        host = _UNSPECIFIED.get(host, host)  # connect() to 0.0.0.0 (or ::) reaches this machine's loopback
        local = self.local_address[0]
        own = {local} | ({a.ip.split("%", 1)[0] for a in local_addresses()} if local in ("0.0.0.0", "::") else set())
        if host in own or (local in ("0.0.0.0", "::") and _is_loopback(host)):
            self._emit_problem(Problem("relay_to_itself", {"target": format_address(self.target)}), fatal=True)
            self._final_state = State.ERROR
            raise OSError(errno.ELOOP, "the relay's target is itself")

    def _close_listener(self) -> None:
        if self._listener is not None:
            self._close_socket(self._listener)
            self._listener = None

    def _notice(self, code: str, params: dict[str, str], peer: Address | None = None) -> None:
        self._emit(Notice(endpoint=self.name, code=code, message=fill(NOTICES[code], params), params=params,
                          peer=peer))


_UNSPECIFIED = {"0.0.0.0": "127.0.0.1", "::": "::1"}


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_TYPE_NAMES: dict[int, str] = {socket.SOCK_STREAM: "SOCK_STREAM", socket.SOCK_DGRAM: "SOCK_DGRAM"}


def make_relay(config: RelayConfig, events: EventQueue, name: str | None = None) -> RelayBase:
    """A TCP or UDP relay, as ``config.udp`` says."""
    if config.udp:
        from netcore.relay_udp import UdpRelay
        return UdpRelay(config, events, name)
    from netcore.relay import TcpRelay
    return TcpRelay(config, events, name)

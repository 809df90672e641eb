"""Plain-words explanations for everything that can go wrong, with a hint to act on.

Each problem has a ``code``; its English message and hint are templates filled with
``{host}``, ``{port}``, ``{address}``, ``{detail}`` … A front-end may translate
the templates by code (the GUI has Simplified Chinese for every code here). Filling
uses :func:`fill`, which substitutes known names literally and never interprets
the values, so text that came off the network is safe in a parameter.
"""

from __future__ import annotations

import errno
import re
import socket
from dataclasses import dataclass, field

PROBLEMS: dict[str, tuple[str, str]] = {
    "address_in_use": (
        "Port {port} is already in use on {host}.",
        "Another program (or another SocketLab tab) is using it. Stop that one, or pick "
        "another port; port 0 lets the system choose a free one.",
    ),
    "permission_denied": (
        "Not allowed to use {address}.",
        "Ports below 1024 need administrator rights: use a port from 1024 up (e.g. 9000).",
    ),
    "broadcast_denied": (
        "Sending to the broadcast address {address} is not allowed yet.",
        "Turn on Broadcast (SO_BROADCAST) first, then send again.",
    ),
    "address_not_available": (
        "{host} is not an address of this machine.",
        "A server can only listen on this machine's own addresses: use 0.0.0.0 (all IPv4), "
        ":: (all IPv6), 127.0.0.1, or one from the status bar.",
    ),
    "connection_refused": (
        "Connection to {address} refused: nothing is listening there.",
        "Start the server first, and check the port number. If the server is on another "
        "machine, check that it listens on 0.0.0.0 rather than 127.0.0.1.",
    ),
    "timed_out": (
        "No answer from {address} within {timeout} s.",
        "The host may be down or off the network, or a firewall is silently dropping the "
        "packets. Check the address, then the firewall on the other machine.",
    ),
    "connection_timed_out": (
        "The connection to {address} timed out: the other side stopped answering.",
        "The other machine may be off, unplugged or out of Wi-Fi range, or a firewall dropped the "
        "connection. Connect again once it is back.",
    ),
    "host_unreachable": (
        "Cannot reach {address}: no route to that host.",
        "Check that both machines are on the same network and the address is right.",
    ),
    "network_unreachable": (
        "Cannot reach {address}: this machine has no network that leads there.",
        "Check the network cable or Wi-Fi, and the address.",
    ),
    "name_not_found": (
        "The name {host!} could not be found.",
        "Check the spelling, or use an IP address such as 192.168.1.23.",
    ),
    "connection_reset": (
        "The connection to {address} was reset by the other side.",
        "The peer closed abruptly or crashed. Connect again if you need to.",
    ),
    "broken_pipe": (
        "Cannot send to {address}: the connection is already closed.",
        "The peer went away. Connect again to send more.",
    ),
    "too_many_files": (
        "Too many connections open at once ({detail}).",
        "Close some connections, or raise the open-file limit of this system.",
    ),
    "family_not_supported": (
        "This machine cannot use that kind of address: {address}.",
        "IPv6 may be turned off here; try an IPv4 address such as 127.0.0.1.",
    ),
    "bound_to_ipv4": (
        "This endpoint is bound to an IPv4 address, so it cannot send to the IPv6 address {address}.",
        "Bind to :: (IPv6 and IPv4 together) or to an IPv6 address to talk to IPv6 peers.",
    ),
    "bound_to_ipv6": (
        "This endpoint is bound to an IPv6 address only, so it cannot send to the IPv4 address {address}.",
        "Bind to :: (IPv6 and IPv4 together) or to 0.0.0.0 to talk to IPv4 peers.",
    ),
    "message_too_long": (
        "The datagram of {size} bytes is too large to send.",
        "A UDP datagram holds at most 65,507 bytes over IPv4; send less at a time.",
    ),
    "send_buffer_full": (
        "Send refused: {pending} bytes are already waiting for {address}.",
        "The peer is not reading what it is sent. Wait, or disconnect it.",
    ),
    "not_connected": (
        "Not connected.",
        "Connect first, then send.",
    ),
    "no_such_peer": (
        "{address} is not connected any more.",
        "Pick a connected client from the list.",
    ),
    "no_clients": (
        "No client is connected, so nothing was sent.",
        "Wait for a client to connect, e.g. with: nc {host} {port}",
    ),
    "no_target": (
        "No one to send to yet.",
        "Type a target host and port, or wait for a datagram to reply to.",
    ),
    "not_multicast": (
        "{host} is not a multicast group address.",
        "IPv4 multicast groups go from 224.0.0.0 to 239.255.255.255 (e.g. 239.1.2.3).",
    ),
    "other": (
        "{action} failed: {detail}.",
        "Check the address and port, then try again.",
    ),
    "interface_not_found": (
        "This machine has no network interface {interface!}.",
        "Pick one of the interfaces the status bar lists (a name such as eth0, or one of its addresses).",
    ),
    "no_interface": (
        "The datagram to {address} left on no interface: {detail}.",
        "Check that a network cable is plugged in and the interface is up, or choose the interface to use.",
    ),
    "reply_too_long": (
        "Auto-reply to {address} not sent: {size} bytes is past the {limit}-byte bound.",
        "The template repeats the message too often: use it fewer times, or smaller frames.",
    ),
    "frame_too_long": (
        "{address} sent a frame past the bound: {detail}.",
        "Check the Frames choice against the device's protocol (a 2- or 4-byte prefix? big- or "
        "little-endian?); nothing is lost, the bytes are shown as they came.",
    ),
    "internal_error": (
        "SocketLab hit a fault of its own and stopped this endpoint: {detail}.",
        "This is a bug in SocketLab, not in your network. Start it again; "
        "please report it with the file socketlab.log.",
    ),
    "relay_to_itself": (
        "The relay would forward to itself: {target} is the address it listens on.",
        "Give the real server's address as the target, or listen on another port.",
    ),
    "internal_error_peer": (
        "SocketLab hit a fault of its own while serving {address} and closed that connection: {detail}.",
        "This is a bug in SocketLab, not in your network; the other connections go on. "
        "Please report it with the file socketlab.log.",
    ),
}

NOTICES: dict[str, str] = {
    "client_limit": "Client limit of {limit} reached: closed the connection from {address} at once.",
    "reply_closed": "Auto-reply closed the connection to {address}.",
    "reading_paused": "The window is behind: reading paused so the sender slows down (nothing is lost).",
    "reply_to_self": "Auto-reply skipped: the datagram came from this endpoint itself ({address}), "
    "and answering it would answer itself forever.",
    "udp_port_unreachable": "The last datagram was refused: nothing listens on that port there.",
    "joined_group": "Joined multicast group {group} on {interface}.",
    "left_group": "Left multicast group {group}.",
    "reply_rate_limited": "Auto-reply to {address} paused: more than {rate} replies a second. "
    "Two auto-replying endpoints answering each other would do this forever; "
    "replies to {address} start again once it slows down.",
    "discovery_answered": "Answered a discovery request from {address}: this machine is visible on the network.",
    "sent_on": "The datagram to {address} left on: {interfaces}.",
    "udp_refused_at": "The datagram to {address} was refused: nothing listens on that port there.",
    "relay_paired": "Relay: client {client} is forwarded to {target} (from {local}).",
    "relay_target_failed": "Relay: closed client {client}: the target {target} could not be reached "
    "(the error says why).",
    "relay_fin_to_server": "Relay: the client finished sending (FIN); passed on to the server {address} "
    "(shutdown SHUT_WR).",
    "relay_fin_to_client": "Relay: the server finished sending (FIN); passed on to the client {address} "
    "(shutdown SHUT_WR).",
    "relay_reset_to_server": "Relay: {from} reset the connection (RST); reset the server side {address} too.",
    "relay_reset_to_client": "Relay: {from} reset the connection (RST); reset the client {address} too.",
    "relay_undelivered_server": "Relay: {bytes} bytes from the client never reached the server {address}: "
    "the connection ended first.",
    "relay_undelivered_client": "Relay: {bytes} bytes from the server never reached the client {address}: "
    "the connection ended first.",
    "relay_udp_new": "Relay: new client {client}: its datagrams go to {target} from {local}.",
    "relay_udp_idle": "Relay: client {client} was quiet for {seconds} s: its upstream socket {local} is closed.",
    "relay_udp_evicted": "Relay: more than {limit} clients: the least recently heard, {client}, lost its "
    "upstream socket {local}.",
    "relay_udp_dropped": "Relay: a datagram of {bytes} bytes to {address} could not be sent now "
    "(the send buffer is full) and was dropped: UDP cannot wait.",
    "relay_udp_refused": "Relay: nothing listens at the target {address}: the datagram from {client} was refused.",
    "recording_stopped": "Recording stopped here: events came faster than they could be written (or the "
    "{limit}-byte limit was reached). The tab's counters and saved data stay exact.",
}

INPUT_PROBLEMS: dict[str, str] = {
    "port_empty": "The {field} is empty: type a number from 0 to 65535.",
    "port_not_number": "The {field} must be a number from 0 to 65535, not {value!}.",
    "port_range": "The {field} {value} is too large: ports go from 0 to 65535.",
    "port_zero_remote": "The {field} cannot be 0: 0 means \"any free port\" only when listening. "
    "Give the server's port, 1-65535.",
    "host_empty": "The {field} is empty: type an address such as 127.0.0.1.",
    "host_malformed": "The {field} {value!} is not an IP address or a host name.",
    "address_form": "The {field} {value!} needs the form host:port, e.g. 127.0.0.1:9000.",
    "timeout_invalid": "The {field} must be a number of seconds, not {value!}.",
    "timeout_range": "The {field} must be between 0 and 3600 seconds.",
    "count_invalid": "The {field} must be a whole number from {low} to {high}, not {value!}.",
}

_PLACEHOLDER = re.compile(r"\{(\w+)(!?)\}")


def fill(template: str, params: dict[str, str]) -> str:
    """Put ``params`` into ``{name}`` slots literally; ``{name!}`` quotes the value.

    Unknown names stay as typed. Values are never parsed, so braces or ``%`` in
    data from the network come out unchanged.
    """

    def substitute(match: re.Match[str]) -> str:
        name, quote = match.group(1), match.group(2)
        if name not in params:
            return match.group(0)
        return f"'{params[name]}'" if quote else params[name]

    return _PLACEHOLDER.sub(substitute, template)


@dataclass(frozen=True)
class Problem:
    """An explained problem: ``code`` plus English ``message`` and ``hint``."""

    code: str
    params: dict[str, str] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return fill(PROBLEMS[self.code][0], self.params)

    @property
    def hint(self) -> str:
        return fill(PROBLEMS[self.code][1], self.params)


def _errno_codes() -> dict[int, str]:
    table = {
        "EADDRINUSE": "address_in_use",
        "EACCES": "permission_denied",
        "EPERM": "permission_denied",
        "EADDRNOTAVAIL": "address_not_available",
        "ECONNREFUSED": "connection_refused",
        "ETIMEDOUT": "timed_out",
        "EHOSTUNREACH": "host_unreachable",
        "EHOSTDOWN": "host_unreachable",
        "ENETUNREACH": "network_unreachable",
        "ENETDOWN": "network_unreachable",
        "ECONNRESET": "connection_reset",
        "ECONNABORTED": "connection_reset",
        "EPIPE": "broken_pipe",
        "ESHUTDOWN": "broken_pipe",
        "EMFILE": "too_many_files",
        "ENFILE": "too_many_files",
        "EAFNOSUPPORT": "family_not_supported",
        "EPROTONOSUPPORT": "family_not_supported",
        "EMSGSIZE": "message_too_long",
        "ENOTCONN": "not_connected",
    }
    codes: dict[int, str] = {}
    for name, code in table.items():
        for prefix in ("", "WSA"):  # Windows sockets report WSAE… numbers
            number = getattr(errno, prefix + name, None)
            if isinstance(number, int):
                codes.setdefault(number, code)
    return codes


_ERRNO_CODES = _errno_codes()


def code_for(exc: BaseException) -> str:
    """The problem code for an exception raised by a socket call."""
    if isinstance(exc, socket.gaierror):
        return "name_not_found"
    if isinstance(exc, TimeoutError) and not exc.errno:
        return "timed_out"
    errno_value = getattr(exc, "winerror", None) or getattr(exc, "errno", None)
    if isinstance(errno_value, int) and errno_value in _ERRNO_CODES:
        return _ERRNO_CODES[errno_value]
    return "other"


def explain(exc: BaseException, action: str, **params: str) -> Problem:
    """Turn ``exc`` (from the call named ``action``) into a :class:`Problem`.

    ``params`` should give what is known: ``host``, ``port``, ``address``,
    ``timeout``, ``size``; ``detail`` and ``action`` are added here.
    """
    details = {"action": action, "detail": _detail(exc), **params}
    code = code_for(exc)
    if code == "timed_out" and "timeout" not in details:  # an established connection, not a connect()
        code = "connection_timed_out"
    return Problem(code, details)


def _detail(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return str(text)


def _add_tls_texts() -> None:
    from netcore.tls_text import TLS_INPUT, TLS_NOTICES, TLS_PROBLEMS

    PROBLEMS.update(TLS_PROBLEMS)
    NOTICES.update(TLS_NOTICES)
    INPUT_PROBLEMS.update(TLS_INPUT)


_add_tls_texts()

"""Sending a datagram out of a chosen interface, even on a host with no default route.

A PC cabled straight to a device has no default route, so ``sendto`` to
``255.255.255.255`` or to a multicast group fails with ENETUNREACH: the kernel has no
route to choose an interface from. Naming the interface fixes it:

- limited broadcast: on Linux, ``sendmsg`` with an ``IP_PKTINFO`` control message
  naming the interface index; elsewhere, a socket bound to that interface's address
  (Windows and macOS send limited broadcast out of the bound address's interface);
- multicast: ``IP_MULTICAST_IF`` set to the interface's address before ``sendto``.

Each helper returns the bytes sent and the call made (its name and arguments), for the trace.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
import sys

from netcore.interfaces import LocalAddress

IP_PKTINFO = getattr(socket, "IP_PKTINFO", 8 if sys.platform.startswith("linux") else None)
"""``socket.IP_PKTINFO`` is missing from some Python builds; on Linux it is 8."""
LIMITED_BROADCAST = "255.255.255.255"


def is_limited_broadcast(host: str) -> bool:
    return host == LIMITED_BROADCAST


def is_multicast(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_multicast
    except ValueError:
        return False


def interface_index(address: LocalAddress) -> int:
    """The OS index of ``address``'s interface (0 when it cannot be found)."""
    try:
        return socket.if_nametoindex(address.interface)
    except (OSError, AttributeError):
        return 0


def can_use_pktinfo() -> bool:
    return IP_PKTINFO is not None and hasattr(socket.socket, "sendmsg") and sys.platform.startswith("linux")


Sent = tuple[int, str, str]
"""(bytes sent, the call's name, its arguments as the trace shows them)."""


def send_broadcast_on(sock: socket.socket, data: bytes, port: int, via: LocalAddress) -> Sent:
    """Send ``data`` to 255.255.255.255:``port`` out of ``via``'s interface."""
    if can_use_pktinfo():
        index = interface_index(via)
        info = struct.pack("@i4s4s", index, socket.inet_aton(via.ip), b"\0" * 4)
        assert IP_PKTINFO is not None
        sent = sock.sendmsg([data], [(socket.IPPROTO_IP, IP_PKTINFO, info)], 0, (LIMITED_BROADCAST, port))
        args = f"{len(data)} bytes, ('{LIMITED_BROADCAST}', {port}), IP_PKTINFO ifindex={index} ({via.interface})"
        return sent, "sendmsg", args
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as out:
        out.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        out.bind((via.ip, 0))
        sent = out.sendto(data, (LIMITED_BROADCAST, port))
    return sent, "sendto", f"{len(data)} bytes, ('{LIMITED_BROADCAST}', {port}) from a socket bound to {via.ip}"


def send_multicast_on(sock: socket.socket, data: bytes, target: tuple[str, int], via: LocalAddress) -> Sent:
    """Send ``data`` to a multicast group out of ``via``'s interface (IP_MULTICAST_IF, then sendto)."""
    if via.version == 4:
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(via.ip))
        sent = sock.sendto(data, target)
        return sent, "sendto", f"{len(data)} bytes, {target!r} after IP_MULTICAST_IF {via.ip} ({via.interface})"
    index = interface_index(via)
    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, index)
    sent = sock.sendto(data, (target[0].split("%", 1)[0], target[1], 0, index))
    return sent, "sendto", f"{len(data)} bytes, {target!r} after IPV6_MULTICAST_IF {index} ({via.interface})"

"""Small helpers that pick socket families and print socket calls as Python shows them."""

from __future__ import annotations

import socket

from netcore.validation import is_ipv6

_FAMILIES: dict[int, str] = {socket.AF_INET: "AF_INET", socket.AF_INET6: "AF_INET6"}
_TYPES: dict[int, str] = {socket.SOCK_STREAM: "SOCK_STREAM", socket.SOCK_DGRAM: "SOCK_DGRAM"}


def family_for(host: str) -> socket.AddressFamily:
    """AF_INET6 for an IPv6 literal, AF_INET otherwise (names resolve to IPv4 first)."""
    return socket.AF_INET6 if is_ipv6(host) else socket.AF_INET


def socket_args(family: int, kind: int) -> str:
    """``AF_INET, SOCK_STREAM``: the arguments of a ``socket()`` call."""
    return f"{_FAMILIES.get(family, str(family))}, {_TYPES.get(kind, str(kind))}"


def sockaddr_repr(host: str, port: int) -> str:
    """``('0.0.0.0', 9000)``: a socket address as a student writes it."""
    return repr((host, port))

""""Can others reach me?" for a TCP server: the addresses others must use, per interface (pure).

:func:`reach_plan` says which of this machine's addresses another machine would
use for a server bound to ``bind_host``, and whether the server is bound to
loopback only (then it lists the LAN addresses it *should* be reachable on, so the
self-check shows them refused). :func:`self_check` connects to the server through
each of them (on a worker: it blocks for at most ``timeout`` per address).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass

from netcore.interfaces import LocalAddress, reachable_addresses
from netcore.lan.probes import PortResult, Resolved, tcp_connect

MAX_ROWS = 16
CHECK_TIMEOUT = 2.0


@dataclass(frozen=True)
class ReachPlan:
    """The rows to show and whether the server is bound to loopback only."""

    rows: list[LocalAddress]
    loopback_only: bool


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or the name localhost."""
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return host == "localhost"


def reach_plan(bind_host: str, addresses: list[LocalAddress]) -> ReachPlan:
    """What to list for a server bound to ``bind_host`` (``0.0.0.0``, ``::``, an address, loopback)."""
    if is_loopback(bind_host):
        lan = [a for a in addresses if not a.is_loopback and a.version == (6 if ":" in bind_host else 4)]
        return ReachPlan(lan[:MAX_ROWS], True)
    rows = []
    for ip in reachable_addresses(bind_host, addresses):
        known = next((a for a in addresses if a.ip == ip or a.ip.split("%", 1)[0] == ip), None)
        rows.append(known or LocalAddress("?", ip, 32 if ":" not in ip else 128, 6 if ":" in ip else 4))
    return ReachPlan(rows[:MAX_ROWS], False)


def self_check(rows: list[LocalAddress], port: int, timeout: float = CHECK_TIMEOUT
               ) -> Callable[[Callable[[object], None]], None]:
    """The worker's work: connect to ``port`` through each row's address; put (index, result) each."""

    def work(put: Callable[[object], None]) -> None:
        for index, address in enumerate(rows):
            family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
            put((index, tcp_connect(Resolved(family, address.ip), port, timeout)))

    return work


CheckResult = tuple[int, PortResult]

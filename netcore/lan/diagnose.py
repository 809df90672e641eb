""""Why does nothing arrive?": real probes, one finding per line, and a verdict.

:func:`diagnose` runs the probes of :mod:`netcore.lan.probes` against the one host
the user named — how the name resolves, which interface and source address reach it,
whether the port answers, a few other ports when it does not (to tell a firewall
from a host that is not there), the listeners on this machine when the host is this
machine — and :func:`verdict` turns what was found into one code and sentence:
``open``, ``refused``, ``filtered``, ``no-answer``, ``unreachable``,
``name-not-found``, ``loopback-only`` or ``wrong-family``. Bounded: at most
:data:`OTHER_PORTS` extra ports, each within the timeout.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from netcore.events import format_address
from netcore.interfaces import LocalAddress, local_addresses
from netcore.lan import probes
from netcore.lan.probes import OPEN, REFUSED, TIMEOUT, UNREACHABLE, PortResult, Resolved

OTHER_PORTS = (22, 80, 443, 445, 3389, 8080)
VERDICTS = ("open", "refused", "filtered", "no-answer", "unreachable", "name-not-found", "loopback-only",
            "wrong-family")


@dataclass
class Facts:
    """What the probes found (the input of :func:`verdict`)."""

    host: str
    port: int
    udp: bool = False
    addresses: list[Resolved] = field(default_factory=list)
    name_error: str = ""
    results: dict[str, PortResult] = field(default_factory=dict)
    """Outcome per resolved address (``ip``)."""
    others: dict[int, PortResult] = field(default_factory=dict)
    """Other ports of the same host probed after no answer."""
    local_target: bool = False
    loopback: dict[str, PortResult] = field(default_factory=dict)
    """When the target is this machine: the same port on 127.0.0.1 and ::1."""


def verdict(facts: Facts) -> tuple[str, str]:
    """The one code and sentence that sum up ``facts`` (pure)."""
    where = format_address((facts.host, facts.port))
    if facts.name_error or not facts.addresses:
        return "name-not-found", f"the name {facts.host} was not found: check its spelling, or use the IP address."
    outcomes = [facts.results[a.ip].outcome for a in facts.addresses if a.ip in facts.results]
    if OPEN in outcomes:
        first = facts.results[facts.addresses[0].ip].outcome
        if first != OPEN:
            return "wrong-family", (f"{facts.host} resolves to {facts.addresses[0].label} first, where nothing "
                                    f"listens; the listener is on the other family. Use the address that works.")
        return "open", f"something answers on {where}."
    if facts.local_target and any(r.outcome == OPEN for r in facts.loopback.values()):
        return "loopback-only", (f"the server here listens only on loopback, so other machines cannot reach "
                                 f"{where}: make it listen on 0.0.0.0 (all interfaces).")
    if REFUSED in outcomes:
        if facts.udp:
            return "refused", f"{where} answered 'port unreachable': nothing listens on that UDP port."
        return "refused", f"{facts.host} answered, but nothing listens on port {facts.port}."
    if UNREACHABLE in outcomes:
        return "unreachable", f"no route to {facts.host}: check the address, the cable and this machine's network."
    if facts.udp:
        return "no-answer", (f"no answer and no refusal from {where}. UDP cannot tell a lost datagram from a "
                             "listener that stays silent; a firewall may also drop it.")
    if any(r.outcome in (OPEN, REFUSED) for r in facts.others.values()):
        return "filtered", (f"{facts.host} is up (other ports answer) but port {facts.port} gives no answer: a "
                            "firewall drops it.")
    return "no-answer", (f"no answer at all from {facts.host}: the host is down, the address is wrong, or a "
                         "firewall drops everything.")


def firewall_hint(port: int, udp: bool = False, platform: str = sys.platform) -> str:
    """What to allow on the other machine, in its OS's own words (this machine's OS is the guess)."""
    proto = "udp" if udp else "tcp"
    if platform.startswith("win"):
        return (f"on Windows, allow the program or {proto.upper()} port {port} in Windows Defender Firewall for the "
                "network profile in use (Public for a direct cable).")
    if platform == "darwin":
        return ("on macOS, System Settings → Network → Firewall → Options: allow incoming connections for the "
                "program.")
    return (f"on Linux, allow the port: 'sudo ufw allow {port}/{proto}', 'sudo firewall-cmd --add-port={port}/{proto}',"
            " or an nftables accept rule.")


Report = Callable[[str], None]


def diagnose(host: str, port: int, udp: bool = False, timeout: float = 3.0, report: Report = print,
             addresses: list[LocalAddress] | None = None) -> Facts:
    """Probe ``host``:``port`` and report one finding per line; returns what was found."""
    pool = local_addresses() if addresses is None else addresses
    facts = Facts(host, port, udp)
    facts.addresses, facts.name_error = probes.resolve(host, port, udp)
    if facts.name_error:
        report(f"name: {host} not found ({facts.name_error})")
        return facts
    report(f"name: {host} → " + ", ".join(a.label for a in facts.addresses))
    for address in facts.addresses[:4]:
        _probe_address(facts, address, timeout, report, pool)
    if not any(r.outcome == OPEN for r in facts.results.values()):
        _after_failure(facts, timeout, report, pool)
    return facts


def _probe_address(facts: Facts, address: Resolved, timeout: float, report: Report,
                   pool: list[LocalAddress]) -> None:
    route = probes.route_to(address, facts.port, pool)
    if route.source is None:
        report(f"route: no way from this machine to {address.ip} ({route.error})")
    else:
        name = route.interface.interface if route.interface else "?"
        attached = route.interface is not None and route.interface.on_subnet(address.ip)
        where = "on a directly attached network" if attached else "through a router (not a directly attached network)"
        report(f"route: from {route.source} on {name}, {where}")
    result = probes.udp_probe(address, facts.port, timeout) if facts.udp else probes.tcp_connect(
        address, facts.port, timeout)
    facts.results[address.ip] = result
    kind = "UDP" if facts.udp else "TCP"
    report(f"{kind} port {format_address((address.ip, facts.port))}: {result.outcome}"
           + (f" — {result.detail}" if result.detail else ""))


def _after_failure(facts: Facts, timeout: float, report: Report, pool: list[LocalAddress]) -> None:
    first = facts.addresses[0]
    facts.local_target = probes.is_local(first.ip, pool)
    if facts.local_target and not first.ip.startswith("127.") and first.ip != "::1":
        for loopback in ("127.0.0.1", "::1"):
            family = socket.AF_INET6 if ":" in loopback else socket.AF_INET
            result = probes.tcp_connect(Resolved(family, loopback), facts.port, timeout)
            facts.loopback[loopback] = result
            report(f"this machine: port {facts.port} on {loopback}: {result.outcome}")
    outcomes = {r.outcome for r in facts.results.values()}
    if not facts.udp and outcomes <= {TIMEOUT}:
        for other in OTHER_PORTS:
            if other == facts.port:
                continue
            result = probes.tcp_connect(first, other, min(timeout, 1.5))
            facts.others[other] = result
            report(f"other port {other}: {result.outcome}")
            if result.outcome in (OPEN, REFUSED):
                break  # the host is up: enough to tell a firewall from silence
    if TIMEOUT in outcomes:  # silence is what a firewall makes; a refusal is not one
        report("firewall: if it is a firewall, " + firewall_hint(facts.port, facts.udp))


def run(host: str, port: int, udp: bool = False, timeout: float = 3.0, report: Report = print) -> str:
    """Diagnose and print the findings and the ``verdict:`` line; returns the verdict code."""
    facts = diagnose(host, port, udp, timeout, report)
    code, sentence = verdict(facts)
    report(f"verdict: {code}: {sentence}")
    return code

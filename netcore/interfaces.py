"""This machine's own IP addresses, per network interface (via ``ifaddr``; no Tk).

The window's status bar lists them so a person can tell the other machine which
address to use, and a server listening on all interfaces names the ones that
others on the network can reach. Pure apart from the one ``ifaddr`` call.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import ifaddr


@dataclass(frozen=True, slots=True)
class LocalAddress:
    """One address of one interface: ``ip`` is ready to type (``fe80::1%eth0``)."""

    interface: str
    ip: str
    prefix: int
    version: int  # 4 or 6

    @property
    def is_loopback(self) -> bool:
        """127.0.0.0/8 or ::1."""
        return _parsed(self.ip).is_loopback

    @property
    def is_link_local(self) -> bool:
        """169.254.0.0/16 or fe80::/10: usable only on the same link."""
        return _parsed(self.ip).is_link_local

    @property
    def label(self) -> str:
        """``192.168.1.23 (eth0)`` for menus and lists."""
        return f"{self.ip} ({self.interface})"

    @property
    def broadcast(self) -> str | None:
        """The subnet-directed broadcast address (``192.168.1.255`` for /24); None for IPv6, /31, /32."""
        if self.version != 4 or self.prefix >= 31:
            return None
        return str(ipaddress.IPv4Network(f"{self.ip}/{self.prefix}", strict=False).broadcast_address)

    def on_subnet(self, host: str) -> bool:
        """Is ``host`` on this address's directly attached subnet?"""
        try:
            target = _parsed(host)
            network = ipaddress.ip_network(f"{self.ip.split('%', 1)[0]}/{self.prefix}", strict=False)
        except ValueError:
            return False
        return target.version == network.version and target in network


def _parsed(ip: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    return ipaddress.ip_address(ip.split("%", 1)[0])


def _from_ifaddr(adapter_name: str, ip: ifaddr.IP) -> LocalAddress | None:
    raw = ip.ip
    if isinstance(raw, tuple):  # IPv6: (address, flowinfo, scope_id)
        text = str(raw[0])
        try:
            parsed = ipaddress.IPv6Address(text.split("%", 1)[0])
        except ValueError:
            return None
        if parsed.is_link_local and "%" not in text:
            text = f"{text}%{adapter_name}"
        return LocalAddress(adapter_name, text, int(ip.network_prefix), 6)
    try:
        ipaddress.IPv4Address(str(raw))
    except ValueError:
        return None
    return LocalAddress(adapter_name, str(raw), int(ip.network_prefix), 4)


def _sort_key(address: LocalAddress) -> tuple[int, int, bool, str, str]:
    # Reachable-from-the-LAN first, IPv4 before IPv6, loopback last.
    return (address.is_loopback, address.version, address.is_link_local, address.interface, address.ip)


def local_addresses() -> list[LocalAddress]:
    """Every IPv4 and IPv6 address of every interface, most useful first.

    Returns an empty list if the system refuses to list interfaces.
    """
    try:
        adapters = ifaddr.get_adapters()
    except OSError:
        return []
    found: dict[str, LocalAddress] = {}
    for adapter in adapters:
        name = str(adapter.nice_name or adapter.name)
        for ip in adapter.ips:
            address = _from_ifaddr(name, ip)
            if address is not None:
                found.setdefault(address.ip, address)
    return sorted(found.values(), key=_sort_key)


def reachable_addresses(bind_host: str, addresses: list[LocalAddress] | None = None) -> list[str]:
    """The addresses other machines can use to reach a server bound to ``bind_host``.

    ``0.0.0.0`` gives every non-loopback IPv4 address, ``::`` every non-loopback
    IPv6 address (and IPv4 too, as dual-stack sockets usually accept both). A
    specific host gives itself if it is reachable from elsewhere, else nothing.
    """
    pool = local_addresses() if addresses is None else addresses
    outside = [a for a in pool if not a.is_loopback]
    if bind_host in ("", "0.0.0.0"):
        return [a.ip for a in outside if a.version == 4]
    if bind_host == "::":
        return [a.ip for a in sorted(outside, key=lambda a: (-a.version, a.is_link_local))]
    try:
        if _parsed(bind_host).is_loopback:
            return []
    except ValueError:
        return []
    return [bind_host]


def bind_choices(addresses: list[LocalAddress] | None = None) -> list[str]:
    """Hosts a server or UDP socket may bind: the wildcards, loopback, then each local IP."""
    pool = local_addresses() if addresses is None else addresses
    choices = ["0.0.0.0", "127.0.0.1", "::", "::1"]
    for address in pool:
        if address.ip not in choices:
            choices.append(address.ip)
    return choices


def broadcast_interfaces(addresses: list[LocalAddress] | None = None) -> list[LocalAddress]:
    """The IPv4 addresses a broadcast can leave from: one per interface, loopback left out."""
    pool = local_addresses() if addresses is None else addresses
    seen: set[str] = set()
    chosen = []
    for address in pool:
        if address.version == 4 and not address.is_loopback and address.interface not in seen:
            seen.add(address.interface)
            chosen.append(address)
    return chosen


def find_interface(text: str, addresses: list[LocalAddress] | None = None) -> LocalAddress | None:
    """The local address named by ``text``: an interface name (``eth0``) or one of its addresses."""
    pool = local_addresses() if addresses is None else addresses
    wanted = text.strip()
    for address in pool:
        if wanted in (address.ip, address.ip.split("%", 1)[0]):
            return address
    for address in sorted(pool, key=lambda a: a.version):  # by name: its IPv4 address first
        if address.interface == wanted:
            return address
    return None

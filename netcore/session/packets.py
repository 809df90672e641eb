"""Building network frames by hand: Ethernet, IPv4/IPv6, TCP and UDP headers with checksums.

Used to write a capture reconstructed from socket calls. Pure functions over bytes;
``parse_frame`` reads back what ``tcp_frame``/``udp_frame`` build (tests use it).
"""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass

ETH_IPV4, ETH_IPV6 = 0x0800, 0x86DD
PROTO_TCP, PROTO_UDP = 6, 17
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
MAC_LOW = bytes.fromhex("020000000001")
"""Locally administered MAC addresses: no real card has them."""
MAC_HIGH = bytes.fromhex("020000000002")
TCP_WINDOW = 65535

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def ip_of(host: str) -> IpAddress | None:
    """The IP address in ``host`` (scope and IPv4-mapped form removed), or None for a name."""
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def same_family(a: IpAddress, b: IpAddress) -> tuple[IpAddress, IpAddress]:
    """Both as IPv6 (IPv4 mapped) when the two families differ, else as they are."""
    if a.version == b.version:
        return a, b
    return _as_v6(a), _as_v6(b)


def _as_v6(address: IpAddress) -> ipaddress.IPv6Address:
    if isinstance(address, ipaddress.IPv6Address):
        return address
    return ipaddress.IPv6Address("::ffff:" + str(address))


def checksum(data: bytes) -> int:
    """The Internet checksum (RFC 1071) of ``data``."""
    if len(data) % 2:
        data += b"\0"
    total: int = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def _pseudo_header(src: IpAddress, dst: IpAddress, proto: int, length: int) -> bytes:
    if src.version == 4:
        return src.packed + dst.packed + struct.pack("!BBH", 0, proto, length)
    return src.packed + dst.packed + struct.pack("!IxxxB", length, proto)


def _ip_packet(src: IpAddress, dst: IpAddress, proto: int, body: bytes) -> bytes:
    if src.version == 4:
        header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(body), 0, 0x4000, 64, proto, 0,
                             src.packed, dst.packed)
        header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
        return header + body
    return struct.pack("!IHBB16s16s", 6 << 28, len(body), proto, 64, src.packed, dst.packed) + body


def _ethernet(src: IpAddress, dst: IpAddress, packet: bytes) -> bytes:
    """A frame from the lower MAC to the higher when ``src`` sorts first, so each host keeps its MAC."""
    low_first = src.packed <= dst.packed
    macs = MAC_HIGH + MAC_LOW if low_first else MAC_LOW + MAC_HIGH
    return macs + struct.pack("!H", ETH_IPV4 if src.version == 4 else ETH_IPV6) + packet


def tcp_frame(src: IpAddress, sport: int, dst: IpAddress, dport: int, seq: int, ack: int, flags: int,
              payload: bytes = b"") -> bytes:
    """One Ethernet frame carrying a TCP segment, checksums filled in."""
    header = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags,
                         TCP_WINDOW, 0, 0)
    segment = header + payload
    value = checksum(_pseudo_header(src, dst, PROTO_TCP, len(segment)) + segment)
    segment = segment[:16] + struct.pack("!H", value) + segment[18:]
    return _ethernet(src, dst, _ip_packet(src, dst, PROTO_TCP, segment))


def udp_frame(src: IpAddress, sport: int, dst: IpAddress, dport: int, payload: bytes) -> bytes:
    """One Ethernet frame carrying a UDP datagram, checksums filled in."""
    datagram = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    value = checksum(_pseudo_header(src, dst, PROTO_UDP, len(datagram)) + datagram) or 0xFFFF
    datagram = datagram[:6] + struct.pack("!H", value) + datagram[8:]
    return _ethernet(src, dst, _ip_packet(src, dst, PROTO_UDP, datagram))


@dataclass(frozen=True)
class Parsed:
    """What :func:`parse_frame` finds in a frame."""

    proto: int
    src: str
    sport: int
    dst: str
    dport: int
    payload: bytes
    seq: int = 0
    ack: int = 0
    flags: int = 0
    checksums_ok: bool = True


def parse_frame(frame: bytes) -> Parsed:
    """Read back a frame built here (ValueError if it is malformed)."""
    ethertype = struct.unpack("!H", frame[12:14])[0]
    packet = frame[14:]
    src: IpAddress
    dst: IpAddress
    if ethertype == ETH_IPV4:
        total, proto = struct.unpack("!H", packet[2:4])[0], packet[9]
        src, dst = ipaddress.IPv4Address(packet[12:16]), ipaddress.IPv4Address(packet[16:20])
        ok = checksum(packet[:20]) == 0
        body = packet[20:total]
    elif ethertype == ETH_IPV6:
        length, proto = struct.unpack("!H", packet[4:6])[0], packet[6]
        src, dst = ipaddress.IPv6Address(packet[8:24]), ipaddress.IPv6Address(packet[24:40])
        ok, body = True, packet[40:40 + length]
    else:
        raise ValueError(f"unknown ethertype {ethertype:#06x}")
    pseudo = _pseudo_header(src, dst, proto, len(body))
    ok = ok and checksum(pseudo + body) == 0
    sport, dport = struct.unpack("!HH", body[:4])
    if proto == PROTO_UDP:
        return Parsed(proto, str(src), sport, str(dst), dport, body[8:], checksums_ok=ok)
    seq, ack, offset, flags = struct.unpack("!IIBB", body[4:14])
    return Parsed(proto, str(src), sport, str(dst), dport, body[(offset >> 4) * 4:], seq, ack, flags, ok)

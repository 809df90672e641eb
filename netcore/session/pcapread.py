"""A small pcapng reader: the frames of a file, and TCP streams put back together.

Reads what :mod:`netcore.session.pcap` writes (and any little-endian pcapng with
enhanced packet blocks), checking every block's lengths; :func:`tcp_streams`
reassembles each connection's two byte streams by sequence number, as Wireshark's
"Follow TCP stream" does. Pure: bytes in, values out.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from netcore.session.packets import FIN, PROTO_TCP, SYN, Parsed, parse_frame

SHB, IDB, EPB = 0x0A0D0D0A, 1, 6


class PcapError(ValueError):
    """The bytes are not a well-formed pcapng file; ``str()`` says where."""


@dataclass
class Capture:
    """The frames of a file (time in µs, bytes) and its section comment."""

    frames: list[tuple[int, bytes]] = field(default_factory=list)
    comment: str = ""
    linktype: int = -1


def read_pcapng(data: bytes) -> Capture:
    """Parse ``data``; :class:`PcapError` for any block whose lengths do not add up."""
    capture, offset = Capture(), 0
    while offset < len(data):
        if len(data) - offset < 12:
            raise PcapError(f"a block at byte {offset} is cut short")
        kind, length = struct.unpack_from("<II", data, offset)
        if length < 12 or length % 4 or offset + length > len(data):
            raise PcapError(f"the block at byte {offset} has a bad length {length}")
        if struct.unpack_from("<I", data, offset + length - 4)[0] != length:
            raise PcapError(f"the block at byte {offset} ends with another length")
        _read_block(capture, kind, data[offset + 8:offset + length - 4], offset)
        offset += length
    return capture


def _read_block(capture: Capture, kind: int, body: bytes, offset: int) -> None:
    if kind == SHB:
        if struct.unpack_from("<I", body)[0] != 0x1A2B3C4D:
            raise PcapError("not a little-endian pcapng section")
        capture.comment = _options(body[16:]).get(1, b"").decode("utf-8", "replace")
    elif kind == IDB:
        capture.linktype = struct.unpack_from("<H", body)[0]
    elif kind == EPB:
        _iface, high, low, captured, original = struct.unpack_from("<IIIII", body)
        if captured > original or 20 + captured > len(body):
            raise PcapError(f"the packet at byte {offset} claims {captured} bytes")
        capture.frames.append(((high << 32) | low, body[20:20 + captured]))


def _options(raw: bytes) -> dict[int, bytes]:
    found, offset = {}, 0
    while offset + 4 <= len(raw):
        code, length = struct.unpack_from("<HH", raw, offset)
        if code == 0:
            break
        found[code] = raw[offset + 4:offset + 4 + length]
        offset += 4 + length + (-length % 4)
    return found


Endpoint = tuple[str, int]


def tcp_streams(capture: Capture) -> dict[tuple[Endpoint, Endpoint], bytes]:
    """Each direction of each TCP connection (``(src, dst)``) as the bytes it carried, in sequence order.

    Raises :class:`PcapError` when a segment does not start where the previous one ended.
    """
    streams: dict[tuple[Endpoint, Endpoint], bytearray] = {}
    expected: dict[tuple[Endpoint, Endpoint], int] = {}
    for _time, frame in capture.frames:
        seg = parse_frame(frame)
        if seg.proto != PROTO_TCP:
            continue
        key = ((seg.src, seg.sport), (seg.dst, seg.dport))
        _follow(seg, key, streams, expected)
    return {key: bytes(value) for key, value in streams.items()}


def _follow(seg: Parsed, key: tuple[Endpoint, Endpoint], streams: dict[tuple[Endpoint, Endpoint], bytearray],
            expected: dict[tuple[Endpoint, Endpoint], int]) -> None:
    if seg.flags & SYN:
        expected[key] = (seg.seq + 1) & 0xFFFFFFFF
        streams.setdefault(key, bytearray())
        return
    if key not in expected:
        raise PcapError(f"a segment of {key} before its SYN")
    if seg.payload or seg.flags & FIN:
        if seg.seq != expected[key]:
            raise PcapError(f"{key}: segment at seq {seg.seq}, expected {expected[key]}")
        streams[key] += seg.payload
        expected[key] = (seg.seq + len(seg.payload) + (1 if seg.flags & FIN else 0)) & 0xFFFFFFFF

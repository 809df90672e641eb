"""A capture for Wireshark, reconstructed from a session's socket calls (pcapng).

SocketLab sees socket calls, not packets. From a session it rebuilds what the wire
carried: each TCP connection's three-way handshake (inferred: the kernel does it),
every received or sent chunk as segments whose sequence and acknowledgement numbers
add up, with an ACK after each, a FIN or RST at the end as the close reason says,
and every UDP datagram as it was. Addresses and ports are the real ones; MAC
addresses are made up. The file says all this in its section comment.

:func:`reconstruct` is pure (events in, frames out); :func:`pcapng_bytes` lays the
frames out as pcapng blocks; :func:`write_pcapng` writes the file.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from netcore.events import (
    Address,
    CloseReason,
    DataReceived,
    DataSent,
    Event,
    PeerClosed,
    PeerConnected,
    SocketCall,
    StateChanged,
)
from netcore.session.packets import ACK, FIN, PSH, RST, SYN, IpAddress, ip_of, same_family, tcp_frame, udp_frame
from netcore.session.record import Session

MAX_SEGMENT = 65000
"""Payload bytes per reconstructed TCP segment (a recv() may return more than one packet holds)."""
COMMENT = ("Reconstructed by SocketLab from the socket calls it made; not captured from the wire. "
           "Handshakes, ACKs and MAC addresses are inferred; addresses, ports, timing and every "
           "payload byte are as recorded.")
LINKTYPE_ETHERNET = 1


@dataclass(frozen=True)
class Frame:
    """One reconstructed frame and its time (seconds since the epoch)."""

    time: float
    data: bytes


@dataclass
class _Flow:
    """One TCP connection as the wire saw it: who is who and the next sequence numbers."""

    local: tuple[IpAddress, int]
    peer: tuple[IpAddress, int]
    local_next: int
    peer_next: int
    local_finished: bool = False

    def frame(self, from_local: bool, flags: int, payload: bytes = b"") -> bytes:
        src, dst = (self.local, self.peer) if from_local else (self.peer, self.local)
        seq, ack = (self.local_next, self.peer_next) if from_local else (self.peer_next, self.local_next)
        sip, dip = same_family(src[0], dst[0])
        return tcp_frame(sip, src[1], dip, dst[1], seq, ack, flags, payload)


@dataclass
class _Builder:
    """Walks the events once, keeping each open connection's flow."""

    client_is_peer: bool
    frames: list[Frame] = field(default_factory=list)
    flows: dict[Address, _Flow] = field(default_factory=dict)
    udp_local: Address | None = None
    skipped: int = 0

    def add(self, when: float, data: bytes) -> None:
        self.frames.append(Frame(when, data))

    def on_event(self, event: Event) -> None:
        if isinstance(event, PeerConnected):
            self._connected(event)
        elif isinstance(event, (DataReceived, DataSent)):
            self._data(event)
        elif isinstance(event, PeerClosed):
            self._closed(event)
        elif isinstance(event, SocketCall) and event.call == "shutdown" and event.ok and event.peer is not None:
            self._local_fin(event.peer, event.time)
        elif isinstance(event, StateChanged) and event.local is not None:
            self.udp_local = event.local

    def _connected(self, event: PeerConnected) -> None:
        local, peer = _ends(event.local), _ends(event.peer)
        if local is None or peer is None:
            self.skipped += 1
            return
        local_isn, peer_isn = _isn(event.local, event.peer), _isn(event.peer, event.local)
        flow = _Flow(local, peer, local_isn, peer_isn)
        self.flows[event.peer] = flow
        syn_from_local, t = event.outgoing or not self.client_is_peer, event.time  # the client sends the SYN
        self.add(t - 0.0002, flow.frame(syn_from_local, SYN))
        _advance(flow, syn_from_local, 1)
        self.add(t - 0.0001, flow.frame(not syn_from_local, SYN | ACK))
        _advance(flow, not syn_from_local, 1)
        self.add(t, flow.frame(syn_from_local, ACK))

    def _data(self, event: DataReceived | DataSent) -> None:
        from_local = isinstance(event, DataSent)
        if event.call in ("recvfrom", "sendto"):
            self._datagram(event, from_local)
            return
        flow = self.flows.get(event.peer)
        if flow is None:
            self.skipped += 1
            return
        for start in range(0, max(len(event.data), 1), MAX_SEGMENT):
            chunk = event.data[start:start + MAX_SEGMENT]
            if chunk:
                self.add(event.time, flow.frame(from_local, PSH | ACK, chunk))
                _advance(flow, from_local, len(chunk))
        self.add(event.time, flow.frame(not from_local, ACK))

    def _datagram(self, event: DataReceived | DataSent, from_local: bool) -> None:
        local = _ends(self.udp_local or ("0.0.0.0", 0), event.peer)
        peer = _ends(event.peer)
        if local is None or peer is None:
            self.skipped += 1  # a host name the datagram was sent to: no address to write
            return
        (src, sport), (dst, dport) = (local, peer) if from_local else (peer, local)
        sip, dip = same_family(src, dst)
        for start in range(0, max(len(event.data), 1), 65507):
            self.add(event.time, udp_frame(sip, sport, dip, dport, event.data[start:start + 65507]))

    def _local_fin(self, peer: Address, when: float) -> None:
        flow = self.flows.get(peer)
        if flow is not None:
            self._finish_local(flow, when)

    def _finish_local(self, flow: _Flow, when: float) -> None:
        if flow.local_finished:
            return
        self.add(when, flow.frame(True, FIN | ACK))
        _advance(flow, True, 1)
        flow.local_finished = True
        self.add(when, flow.frame(False, ACK))

    def _closed(self, event: PeerClosed) -> None:
        flow = self.flows.pop(event.peer, None)
        if flow is None:
            return
        if event.reason is CloseReason.RESET:
            self.add(event.time, flow.frame(False, RST))
            return
        if event.reason is CloseReason.ERROR:
            self.add(event.time, flow.frame(True, RST | ACK))
            return
        if event.reason is CloseReason.FIN:
            self.add(event.time, flow.frame(False, FIN | ACK))
            _advance(flow, False, 1)
            self.add(event.time, flow.frame(True, ACK))
        self._finish_local(flow, event.time)


def _advance(flow: _Flow, from_local: bool, count: int) -> None:
    if from_local:
        flow.local_next += count
    else:
        flow.peer_next += count


def _ends(address: Address, peer: Address | None = None) -> tuple[IpAddress, int] | None:
    """``(ip, port)``; an unspecified local address (0.0.0.0, ::) becomes loopback for a loopback peer."""
    ip = ip_of(address[0])
    if ip is None:
        return None
    if ip.is_unspecified and peer is not None:
        peer_ip = ip_of(peer[0])
        if peer_ip is not None and peer_ip.is_loopback:
            ip = peer_ip
    return ip, address[1]


def _isn(a: Address, b: Address) -> int:
    """A stable initial sequence number for one side of a connection."""
    return zlib.crc32(f"{a}>{b}".encode())


def reconstruct(session: Session) -> tuple[list[Frame], int]:
    """The frames a session's events stand for, in time order, and how many events had no address."""
    builder = _Builder(client_is_peer=session.kind.replace("_", "-") != "tcp-client")
    for event in session.events:
        builder.on_event(event)
    frames = sorted(builder.frames, key=lambda frame: frame.time)  # stable: same-time frames keep their order
    return frames, builder.skipped


# ---- pcapng ----

def _option(code: int, value: bytes) -> bytes:
    return struct.pack("<HH", code, len(value)) + value + b"\0" * (-len(value) % 4)


def _block(kind: int, body: bytes) -> bytes:
    length = 12 + len(body)
    return struct.pack("<II", kind, length) + body + struct.pack("<I", length)


def _section_header(comment: str, application: str) -> bytes:
    options = _option(1, comment.encode()) + _option(4, application.encode()) + _option(0, b"")
    return _block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + options)


def _interface() -> bytes:
    options = _option(2, b"socketlab") + _option(9, b"\x06") + _option(0, b"")
    return _block(1, struct.pack("<HHI", LINKTYPE_ETHERNET, 0, 0) + options)


def _packet(frame: Frame) -> bytes:
    micros = round(frame.time * 1_000_000)
    padded = frame.data + b"\0" * (-len(frame.data) % 4)
    return _block(6, struct.pack("<IIIII", 0, micros >> 32, micros & 0xFFFFFFFF, len(frame.data),
                                 len(frame.data)) + padded)


def pcapng_chunks(frames: list[Frame], comment: str = COMMENT, application: str = "SocketLab") -> Iterator[bytes]:
    """The pcapng file as a sequence of blocks: section header, one interface, one block per frame."""
    yield _section_header(comment, application)
    yield _interface()
    for frame in frames:
        yield _packet(frame)


def pcapng_bytes(frames: list[Frame], comment: str = COMMENT, application: str = "SocketLab") -> bytes:
    """The whole pcapng file in memory (tests; small sessions)."""
    return b"".join(pcapng_chunks(frames, comment, application))


def write_pcapng(session: Session, path: str | os.PathLike[str], application: str = "SocketLab") -> int:
    """Write ``session`` as a reconstructed capture to ``path``; returns the number of frames."""
    frames, skipped = reconstruct(session)
    comment = COMMENT + (f" {skipped} events named a host, not an address, and were left out." if skipped else "")
    with open(path, "wb") as out:
        for chunk in pcapng_chunks(frames, comment, application):
            out.write(chunk)
    return len(frames)

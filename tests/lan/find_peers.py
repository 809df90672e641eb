"""Run in a namespace by the tests: find SocketLab endpoints; optionally send junk first."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from netcore.lan.announce import describe, find
from netcore.lan.discovery import PORT, encode_request, new_nonce


def junk(target: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for datagram in (b"", b"SLAB?", b"SLAB?\x01\0\0" + b"x" * 2000, b"\xff" * 16, b"SLAB!\x01\0\0" + b"y" * 8):
            sock.sendto(datagram, (target, PORT))
        for _ in range(100):  # a flood of valid requests: answered at a bounded rate
            sock.sendto(encode_request(new_nonce()), (target, PORT))


if __name__ == "__main__":
    if len(sys.argv) > 1:
        junk(sys.argv[1])
    found, asked = find(timeout=1.5)
    for line in asked.calls:
        print("asked:", line)
    for item in found:
        print("found:", describe(item))

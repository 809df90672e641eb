"""Checksums appended to a message, as device protocols want them (NetAssist's 校验位). Pure.

Each algorithm returns the bytes to append, in the order the protocol sends them:

=============== ===== ==================================================================
name            bytes order on the wire
=============== ===== ==================================================================
``sum8``        1     the sum of all bytes, modulo 256
``xor8``        1     all bytes XORed together
``lrc``         1     Modbus ASCII's LRC: the two's complement of the sum, modulo 256
``crc16-modbus``2     CRC-16/MODBUS (poly 0x8005 reflected, init 0xFFFF), **low byte first**
``crc16-ccitt`` 2     CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF), high byte first
``crc32``       4     CRC-32 (as zlib, Ethernet, PNG), high byte first (big-endian)
=============== ===== ==================================================================

Check values ("123456789"): CRC-16/MODBUS 0x4B37 (sent ``37 4B``), CRC-16/CCITT-FALSE
0x29B1, CRC-32 0xCBF43926.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

from netcore.validation import InputError


def _sum8(data: bytes) -> bytes:
    return bytes((sum(data) & 0xFF,))


def _xor8(data: bytes) -> bytes:
    value = 0
    for byte in data:
        value ^= byte
    return bytes((value,))


def _lrc(data: bytes) -> bytes:
    return bytes(((-sum(data)) & 0xFF,))


def crc16_modbus(data: bytes) -> int:
    """CRC-16/MODBUS of ``data`` as a number."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def crc16_ccitt(data: bytes) -> int:
    """CRC-16/CCITT-FALSE of ``data`` as a number."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


ALGORITHMS: dict[str, Callable[[bytes], bytes]] = {
    "sum8": _sum8,
    "xor8": _xor8,
    "crc16-modbus": lambda data: crc16_modbus(data).to_bytes(2, "little"),
    "crc16-ccitt": lambda data: crc16_ccitt(data).to_bytes(2, "big"),
    "crc32": lambda data: (zlib.crc32(data) & 0xFFFFFFFF).to_bytes(4, "big"),
    "lrc": _lrc,
}
NAMES = ("none", *ALGORITHMS)


def check_name(name: str, field: str = "checksum") -> str:
    """``name`` if it is a known checksum (or ``none``), else an :class:`InputError` listing them."""
    if name in NAMES:
        return name
    choices = ", ".join(NAMES)
    raise InputError(field, f"Unknown checksum {name!r}: choose one of {choices}.", "unknown_checksum",
                     {"name": name, "choices": choices})


def checksum(name: str, data: bytes) -> bytes:
    """The bytes ``name`` appends to ``data`` (``none``: nothing)."""
    if check_name(name) == "none":
        return b""
    return ALGORITHMS[name](data)


def append(name: str, data: bytes) -> bytes:
    """``data`` followed by its checksum."""
    return data + checksum(name, data)


def verify(name: str, frame: bytes) -> bool:
    """Does ``frame`` end with the right checksum of what comes before it?"""
    size = len(checksum(name, b""))
    if size == 0:
        return True
    if len(frame) < size:
        return False
    return checksum(name, frame[:-size]) == frame[-size:]

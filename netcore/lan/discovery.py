"""The discovery protocol: "which SocketLab endpoints are on this network?" (pure encode/decode).

A finder broadcasts a 16-byte request to UDP port :data:`PORT` on every interface;
every endpoint the user made visible ("Visible on the network", ``--announce``)
answers from the address others must use, with its kind, port and the name the user
gave — nothing else. Anything that is not exactly a request is ignored. See
``docs/discovery.md``.

Request (16 bytes): ``SLAB?`` · version ``0x01`` · two zero bytes · 8-byte nonce.
Answer: ``SLAB!`` · ``0x01`` · two zero bytes · the request's nonce · a UTF-8 JSON
object ``{"kind": "tcp-server"|"udp", "port": 1..65535, "name": "..."}``; at most
:data:`MAX_ANSWER` bytes in all.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

PORT = 38917
VERSION = 1
REQUEST_MAGIC = b"SLAB?"
ANSWER_MAGIC = b"SLAB!"
HEADER = 8
NONCE = 8
REQUEST_SIZE = HEADER + NONCE
MAX_ANSWER = 512
MAX_NAME = 64
KINDS = ("tcp-server", "udp")


@dataclass(frozen=True)
class Announcement:
    """What one visible endpoint tells a finder."""

    kind: str
    port: int
    name: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        if not isinstance(self.port, int) or not 1 <= self.port <= 65535:
            raise ValueError("port must be 1-65535")
        object.__setattr__(self, "name", clean_name(self.name))


@dataclass(frozen=True)
class Found:
    """An answer a finder received: who (``address``, from the datagram's source) and what."""

    address: str
    announcement: Announcement


def clean_name(name: str) -> str:
    """A name safe to show on one line: printable characters only, at most :data:`MAX_NAME`."""
    return "".join(ch for ch in str(name) if ch.isprintable())[:MAX_NAME].strip()


def _header(magic: bytes) -> bytes:
    return magic + bytes((VERSION, 0, 0))


def new_nonce() -> bytes:
    return secrets.token_bytes(NONCE)


def encode_request(nonce: bytes) -> bytes:
    if len(nonce) != NONCE:
        raise ValueError("nonce must be 8 bytes")
    return _header(REQUEST_MAGIC) + nonce


def decode_request(datagram: bytes) -> bytes | None:
    """The nonce of a well-formed request, else None (anything else is ignored)."""
    if len(datagram) != REQUEST_SIZE or datagram[:HEADER] != _header(REQUEST_MAGIC):
        return None
    return datagram[HEADER:]


def encode_answer(nonce: bytes, announcement: Announcement) -> bytes:
    body = json.dumps({"kind": announcement.kind, "port": announcement.port, "name": announcement.name},
                      ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    answer = _header(ANSWER_MAGIC) + nonce + body
    if len(answer) > MAX_ANSWER:
        raise ValueError("answer too long")
    return answer


def decode_answer(datagram: bytes, nonce: bytes) -> Announcement | None:
    """The announcement in an answer to our request ``nonce``, else None (malformed or not ours)."""
    if len(datagram) > MAX_ANSWER or datagram[:HEADER] != _header(ANSWER_MAGIC):
        return None
    if datagram[HEADER:HEADER + NONCE] != nonce:
        return None
    try:
        body = json.loads(datagram[HEADER + NONCE:].decode("utf-8"))
        if not isinstance(body, dict) or not isinstance(body.get("name", ""), str):
            return None
        return Announcement(str(body["kind"]), body["port"], body.get("name", ""))
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None

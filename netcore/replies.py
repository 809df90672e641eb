"""Auto-reply rules: what a server (TCP) or a UDP endpoint answers by itself.

A rule sees each received message with a little context (who sent it, how many
messages that peer has sent, when it arrived) and returns the bytes to send back,
optionally asking to close the TCP connection afterwards. The classic tutorial
servers are here: echo, the ``Hello, <name>!`` server that ends on ``exit``, and
the time-stamping server, plus a custom template.

Pure: no I/O, no clock reads (time comes from the context). Received bytes are
never decoded for interpretation and templates never go through ``str.format``.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Protocol

from netcore.events import Address, format_address
from netcore.payload import check_encoding, parse_escapes
from netcore.problems import Problem
from netcore.validation import InputError

REPLY_KINDS = ("none", "echo", "hello", "time", "custom")
PLACEHOLDERS = ("message", "time", "date", "peer", "count")

MAX_REPLY = 16 * 1024 * 1024
"""The longest auto-reply built (the engine's outbox bound): a template that repeats ``{message}``
must not turn one read into gigabytes."""
_PLACEHOLDER_ROOM = 64
"""Bytes one ``{time} {date} {peer} {count}`` may take, at most (for the size check before building)."""

_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")


@dataclass(frozen=True)
class MessageContext:
    """What a rule may know about one received message."""

    peer: Address  # who sent it
    count: int  # 1-based number of this message from this peer
    now: float  # time.time() when it arrived


@dataclass(frozen=True)
class Reply:
    """Bytes to send back; ``close`` asks to close the connection after (TCP only)."""

    data: bytes
    close: bool = False
    too_long: int = 0
    """Not built: the reply would have been this many bytes, past :data:`MAX_REPLY` (``data`` is empty)."""


class ReplyRule(Protocol):
    """An auto-reply rule; ``name`` is one of :data:`REPLY_KINDS`."""

    name: str

    def greeting(self) -> bytes | None:
        """Bytes to send when a TCP client connects, or None."""
        ...

    def respond(self, message: bytes, context: MessageContext) -> Reply | None:
        """The answer to ``message``, or None to send nothing."""
        ...


def _stamp(fmt: str, now: float) -> str:
    return time.strftime(fmt, time.localtime(now))


class EchoReply:
    """Sends every message back unchanged (an empty UDP datagram too)."""

    name = "echo"

    def greeting(self) -> bytes | None:
        return None

    def respond(self, message: bytes, context: MessageContext) -> Reply | None:
        return Reply(message)


class HelloReply:
    """The tutorial server: a greeting, ``Hello, <line>!`` per line, ends on ``exit``.

    Works on bytes, so names in any encoding (or none) come back byte for byte, and
    each answer line keeps the line ending of the line it answers.
    """

    name = "hello"

    def __init__(self, encoding: str = "utf-8") -> None:
        self.encoding = check_encoding(encoding)
        self._hello = "Hello, ".encode(encoding)
        self._bang = "!".encode(encoding)
        self._exit = "exit".encode(encoding)
        self._bye = "Good bye!".encode(encoding)

    def greeting(self) -> bytes | None:
        return "Welcome!\n".encode(self.encoding)

    def respond(self, message: bytes, context: MessageContext) -> Reply | None:
        if not message:
            return None
        out = bytearray()
        for line, ending in _split_lines(message):
            if line == self._exit:
                return Reply(bytes(out + self._bye + ending), close=True)
            out += self._hello + line + self._bang + ending
        return Reply(bytes(out))


def _split_lines(message: bytes) -> list[tuple[bytes, bytes]]:
    """``(line, ending)`` pairs; ending is what followed the line (``\\r\\n``...)."""
    pieces = message.split(b"\n")
    if pieces[-1] == b"":
        pieces.pop()  # nothing after the final newline
    lines = []
    for index, piece in enumerate(pieces):
        newline = b"\n" if index < len(pieces) - 1 or message.endswith(b"\n") else b""
        if piece.endswith(b"\r"):
            lines.append((piece[:-1], b"\r" + newline))
        else:
            lines.append((piece, newline))
    return lines


class TimeReply:
    """The "ctime server": ``[YYYY-MM-DD HH:MM:SS] `` (local time), then the message."""

    name = "time"

    def greeting(self) -> bytes | None:
        return None

    def respond(self, message: bytes, context: MessageContext) -> Reply | None:
        stamp = _stamp("[%Y-%m-%d %H:%M:%S] ", context.now)
        return Reply(stamp.encode("ascii") + message)


class CustomReply:
    r"""A template with ``{message} {time} {date} {peer} {count}`` and escapes.

    ``{message}`` is the received bytes exactly; ``\r \n \t \\ \xHH`` (and ``\0``)
    in the template are honoured; anything else, unknown ``{names}`` and stray braces
    included, is literal text in ``encoding``. The template is checked once, here.
    """

    name = "custom"

    def __init__(self, template: str, encoding: str = "utf-8") -> None:
        self.template = template
        self.encoding = check_encoding(encoding)
        self._parts = _compile_template(template, encoding)
        self._messages = self._parts.count("message")
        self._others = sum(len(part) if isinstance(part, bytes) else _PLACEHOLDER_ROOM
                           for part in self._parts if part != "message")

    def greeting(self) -> bytes | None:
        return None

    def respond(self, message: bytes, context: MessageContext) -> Reply | None:
        size = self._others + self._messages * len(message)
        if size > MAX_REPLY:  # measured before it is built
            return Reply(b"", too_long=size)
        out = bytearray()
        for part in self._parts:
            if isinstance(part, bytes):
                out += part
            elif part == "message":
                out += message
            else:
                text = _placeholder_text(part, context)
                out += text.encode(self.encoding, "backslashreplace")
        return Reply(bytes(out))


def reply_too_long(peer: Address, size: int) -> Problem:
    """The error for a reply :meth:`CustomReply.respond` did not build (``size`` bytes, past the bound)."""
    return Problem("reply_too_long", {"address": format_address(peer), "size": f"{size:,}",
                                      "limit": f"{MAX_REPLY:,}"})


def _placeholder_text(name: str, context: MessageContext) -> str:
    if name == "time":
        return _stamp("%H:%M:%S", context.now)
    if name == "date":
        return _stamp("%Y-%m-%d", context.now)
    if name == "peer":
        return format_address(context.peer)
    return str(context.count)


def _compile_template(template: str, encoding: str) -> list[bytes | str]:
    """Literal bytes and placeholder names, in order; InputError on a bad escape."""
    parts: list[bytes | str] = []
    start = 0
    try:
        for match in _PLACEHOLDER.finditer(template):
            literal = template[start : match.start()]
            parts.append(parse_escapes(literal, encoding, offset=start))
            parts.append(match.group(1))
            start = match.end()
        parts.append(parse_escapes(template[start:], encoding, offset=start))
    except InputError as error:
        field = "reply_template"
        raise InputError(field, str(error), error.code, error.params) from None
    return [part for part in parts if part != b""]


def make_reply_rule(kind: str, template: str = "", encoding: str = "utf-8") -> ReplyRule | None:
    """The rule for ``kind`` (one of :data:`REPLY_KINDS`); ``"none"`` gives None."""
    if kind == "none":
        return None
    check_encoding(encoding)
    if kind == "echo":
        return EchoReply()
    if kind == "hello":
        return HelloReply(encoding)
    if kind == "time":
        return TimeReply()
    if kind == "custom":
        return CustomReply(template, encoding)
    choices = ", ".join(REPLY_KINDS)
    raise InputError(
        "reply",
        f"Unknown auto-reply {kind!r}: choose one of {choices}.",
        "unknown_reply",
        {"kind": kind, "choices": choices},
    )

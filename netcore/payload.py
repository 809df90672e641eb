"""Payload codecs: what a person types into the send bar, and what a log row shows.

Sending: text in a chosen encoding, hex as people paste it (``48 65``, ``0x48,0x65``,
``48:65``), or text with escapes (``\\r\\n``, ``\\x1b``), plus a line ending.
Receiving: bytes decoded for display, incrementally across ``recv`` calls, where
undecodable bytes show as ``\\xHH`` and never raise; shown on one line, no control,
bidi or line-separator character reaches the screen raw, and a backslash shows as
``\\\\`` so the line says exactly which bytes came (:func:`show_bytes`).

Pure functions and one small stateful decoder; no I/O. Bad input raises
:class:`~netcore.validation.InputError` naming the field, a ``code`` and ``params``.
"""

from __future__ import annotations

import codecs
import re
from typing import Literal

from netcore.validation import InputError

ENCODINGS = ("utf-8", "gbk", "latin-1")
"""The encodings the front-ends offer (any Python text codec is accepted)."""

SendMode = Literal["text", "hex", "escapes"]
SEND_MODES: tuple[SendMode, ...] = ("text", "hex", "escapes")

LINE_ENDINGS: dict[str, bytes] = {
    "none": b"",
    "lf": b"\n",
    "crlf": b"\r\n",
    "cr": b"\r",
}

_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_HEX_TOKEN = re.compile(r"[^\s,:;\-]+")
_SIMPLE_ESCAPES = {"r": b"\r", "n": b"\n", "t": b"\t", "0": b"\0", "\\": b"\\"}
_ESCAPE_HELP = r"use \r \n \t \0 \\ or \xHH"


def check_encoding(encoding: str) -> str:
    """Return ``encoding`` if Python knows it as a text encoding, else InputError."""
    try:
        "".encode(encoding)
    except LookupError:
        raise InputError(
            "encoding",
            f"Unknown encoding {encoding!r}.",
            "unknown_encoding",
            {"encoding": encoding},
        ) from None
    return encoding


# --- sending ------------------------------------------------------------------


def encode_text(text: str, encoding: str) -> bytes:
    """``text`` in ``encoding``; InputError names the first character it cannot hold."""
    return _encode(text, check_encoding(encoding), 0)


def _encode(text: str, encoding: str, offset: int) -> bytes:
    try:
        return text.encode(encoding)
    except UnicodeEncodeError as error:
        char = text[error.start]
        position = str(offset + error.start + 1)
        message = f"{char!r} at position {position} cannot be written in {encoding}."
        params = {"char": char, "position": position, "encoding": encoding}
        raise InputError("payload", message, "unencodable", params) from None


def parse_hex(text: str) -> bytes:
    """Bytes from pasted hex: ``48 65``, ``4865``, ``0x48,0X65``, ``48:6c``, ``48-6c``.

    Tokens are separated by whitespace, ``,`` ``:`` ``;`` or ``-`` and may carry a
    ``0x`` prefix. A run of digits must have an even length (a byte is two digits:
    ``00 01 FF 7`` is refused at the ``7`` rather than guessed as ``07``); only with
    ``0x`` may one digit stand alone (``0x5`` -> 0x05), as a number written in hex.
    Positions in errors are 1-based offsets into ``text``.
    """
    out = bytearray()
    for match in _HEX_TOKEN.finditer(text):
        out += _parse_hex_token(match.group(), match.start())
    return bytes(out)


def _parse_hex_token(token: str, start: int) -> bytes:
    skip = 2 if len(token) > 2 and token[:2] in ("0x", "0X") else 0
    digits = token[skip:]
    for index, char in enumerate(digits):
        if char not in _HEX_DIGITS:
            position = str(start + skip + index + 1)
            message = f"Not a hex digit: {char!r} at position {position}."
            params = {"char": char, "position": position}
            raise InputError("payload", message, "hex_bad_char", params)
    if len(digits) == 1 and skip:
        return bytes((int(digits, 16),))
    if len(digits) % 2:
        position = str(start + 1)
        raise InputError(
            "payload",
            f"Odd number of hex digits in {token!r} at position {position}.",
            "hex_odd_digits",
            {"token": token, "char": token[0], "position": position},
        )
    return bytes.fromhex(digits)


def format_hex(data: bytes) -> str:
    """Uppercase byte pairs separated by single spaces: ``48 65 6C``."""
    return data.hex(" ").upper()


def parse_escapes(text: str, encoding: str, *, offset: int = 0) -> bytes:
    r"""Text with ``\r \n \t \0 \\ \xHH`` escapes; other characters in ``encoding``.

    ``\xHH`` is that raw byte, not a character. ``offset`` is added to positions in
    errors when ``text`` is a slice of a longer field.
    """
    check_encoding(encoding)
    out = bytearray()
    start = 0
    while (backslash := text.find("\\", start)) != -1:
        out += _encode(text[start:backslash], encoding, offset + start)
        raw, start = _read_escape(text, backslash, offset)
        out += raw
    out += _encode(text[start:], encoding, offset + start)
    return bytes(out)


def _read_escape(text: str, index: int, offset: int) -> tuple[bytes, int]:
    """The bytes of the escape at backslash ``text[index]`` and the index after it."""
    kind = text[index + 1 : index + 2]
    if kind in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[kind], index + 2
    if kind == "x":
        digits = text[index + 2 : index + 4]
        if len(digits) == 2 and all(char in _HEX_DIGITS for char in digits):
            return bytes.fromhex(digits), index + 4
        return _bad_escape(text[index : index + 2 + len(digits)], index + offset)
    return _bad_escape(text[index : index + 2], index + offset)


def _bad_escape(escape: str, index: int) -> tuple[bytes, int]:
    position = str(index + 1)
    if escape == "\\":
        message = f"Lone backslash at position {position}: write \\\\ for a backslash."
    else:
        message = f"Bad escape {escape!r} at position {position}: {_ESCAPE_HELP}."
    params = {"escape": escape, "position": position}
    raise InputError("payload", message, "bad_escape", params)


def _escape_table() -> tuple[str, ...]:
    named = {0x0D: "\\r", 0x0A: "\\n", 0x09: "\\t", 0x00: "\\0", 0x5C: "\\\\"}
    return tuple(named.get(byte, chr(byte) if 0x20 <= byte < 0x7F else f"\\x{byte:02x}") for byte in range(256))


_ESCAPED = _escape_table()


def to_escapes(data: bytes) -> str:
    r"""Bytes as escaped text: printable ASCII as is, ``\\ \r \n \t \0``, else ``\xhh``.

    The inverse of :func:`parse_escapes` for every ASCII-compatible encoding.
    """
    return "".join(_ESCAPED[byte] for byte in data)


def build_payload(text: str, mode: str, encoding: str, line_ending: str) -> bytes:
    """The send bar: ``text`` encoded per ``mode``, then the chosen line ending."""
    if line_ending not in LINE_ENDINGS:
        raise InputError(
            "line_ending",
            f"Unknown line ending {line_ending!r}.",
            "unknown_line_ending",
            {"line_ending": line_ending},
        )
    if mode == "text":
        body = encode_text(text, encoding)
    elif mode == "hex":
        body = parse_hex(text)
    elif mode == "escapes":
        body = parse_escapes(text, encoding)
    else:
        message = f"Unknown send mode {mode!r}: use text, hex or escapes."
        raise InputError("mode", message, "unknown_mode", {"mode": mode})
    return body + LINE_ENDINGS[line_ending]


# --- receiving ----------------------------------------------------------------


class StreamDecoder:
    """Decodes a byte stream chunk by chunk; a character split across chunks waits.

    Undecodable bytes come out as ``\\xHH``; decoding never raises.
    """

    def __init__(self, encoding: str) -> None:
        self.encoding = check_encoding(encoding)
        factory = codecs.getincrementaldecoder(encoding)
        self._decoder = factory(errors="backslashreplace")

    def decode(self, data: bytes) -> str:
        """The text completed by ``data``; an unfinished character is kept back."""
        return self._decoder.decode(data, final=False)

    def flush(self) -> str:
        """What is kept back (``\\xHH`` if incomplete); the decoder starts afresh."""
        return self._decoder.decode(b"", final=True)


def decode_for_display(data: bytes, encoding: str) -> str:
    """``data`` decoded in one go; undecodable bytes as ``\\xHH``."""
    return data.decode(check_encoding(encoding), errors="backslashreplace")


BIDI_CONTROLS = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
"""Unicode's Bidi_Control characters: they reorder what follows on a terminal line."""
LINE_SEPARATORS = (0x2028, 0x2029)


def _printable_table() -> dict[int, str]:
    table = {code: f"\\x{code:02x}" for code in (*range(0x20), 0x7F)}
    table.update({0x0D: "\\r", 0x0A: "\\n", 0x09: "\\t"})
    table.update({code: f"\\u{code:04x}" for code in (*range(0x80, 0xA0), *BIDI_CONTROLS, *LINE_SEPARATORS)})
    return table


_PRINTABLE = _printable_table()
_MARK = 0xDC00
"""An undecodable byte ``b`` is held as the lone surrogate ``U+DC00 + b`` until it is shown."""


def printable(text: str) -> str:
    r"""``text`` safe for one line on a terminal or a log row.

    Escaped: ``\r \n \t``, other C0 controls and DEL as ``\xHH``; C1 controls
    (U+0080–U+009F, e.g. U+009B CSI, U+009D OSC, U+0085), bidi controls and
    U+2028/U+2029 as ``\uHHHH``. Nothing else changes (backslashes included).
    """
    return text.translate(_PRINTABLE)


def _mark_bytes(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return "".join(chr(_MARK + byte) for byte in bad), error.end


codecs.register_error("socketlab-mark", _mark_bytes)


def _shown_table() -> dict[int, str]:
    table = dict(_PRINTABLE)
    table[0x5C] = "\\\\"
    table.update({_MARK + byte: f"\\x{byte:02x}" for byte in range(256)})
    return table


_SHOWN = _shown_table()


def show_bytes(data: bytes, encoding: str) -> str:
    r"""``data`` as one line of text, losslessly: what :func:`printable` escapes,
    a backslash as ``\\``, and each byte that is not text in ``encoding`` as ``\xHH``.

    ``\xHH`` is always one byte as received, ``\uHHHH`` one character in ``encoding``.
    """
    return data.decode(check_encoding(encoding), "socketlab-mark").translate(_SHOWN)


class StreamDisplay:
    """:func:`show_bytes` for a stream: a character split across chunks waits for its end."""

    def __init__(self, encoding: str) -> None:
        self.encoding = check_encoding(encoding)
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="socketlab-mark")

    def show(self, data: bytes) -> str:
        """The shown text completed by ``data``."""
        return self._decoder.decode(data, final=False).translate(_SHOWN)

    def flush(self) -> str:
        r"""What is kept back, as ``\xHH``; the display starts afresh."""
        return self._decoder.decode(b"", final=True).translate(_SHOWN)


def preview(data: bytes, encoding: str, limit: int) -> tuple[str, int]:
    """The start of ``data`` as :func:`show_bytes` shows it, at most ``limit`` characters.

    Returns the text and how many bytes of ``data`` it shows (whole characters and
    escapes only, so that count is exact). For stateless ASCII-compatible encodings.
    """
    decoder = codecs.getincrementaldecoder(check_encoding(encoding))(errors="socketlab-mark")
    head = data[: 4 * limit]
    text = decoder.decode(head, final=len(head) == len(data))
    pieces: list[str] = []
    width = shown_bytes = 0
    for char in text:
        piece = _SHOWN.get(ord(char), char)
        if width + len(piece) > limit:
            break
        pieces.append(piece)
        width += len(piece)
        code = ord(char)
        shown_bytes += 1 if _MARK <= code <= _MARK + 0xFF else len(char.encode(encoding))
    return "".join(pieces), shown_bytes

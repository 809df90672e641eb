"""Showing received bytes on one line (fault 12): nothing reaches a terminal raw, nothing is lost.

A peer must not be able to clear the screen, set the clipboard (OSC 52), reorder
the line (bidi overrides) or break it in two (U+2028) through what is displayed,
and the line must still say exactly which bytes came.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netcore.payload import ENCODINGS, StreamDisplay, preview, show_bytes
from tests.netcore.test_payload import _split, unsafe

pytestmark = pytest.mark.timeout(60)

PROPERTY = settings(deadline=None, max_examples=300)
ATTACKS = [
    b"\x1b]52;c;aGVsbG8=\x07",  # OSC 52: set the clipboard
    b"\x1b[2J\x1b[H",  # clear the screen
    "\u009b2J\u009d0;title\u009c".encode(),  # C1 CSI / OSC / ST in UTF-8
    b"\x9b2J\x9d0;t\x07",  # the same as Latin-1 bytes
    "abc\u202edcba\u2066x\u2069".encode(),  # bidi overrides and isolates
    "one\u2028two\u2029three\u0085four".encode(),  # line and paragraph separators, NEL
]
_SIMPLE = {"r": b"\r", "n": b"\n", "t": b"\t", "\\": b"\\"}
_ESCAPE = re.compile(r"\\(x[0-9a-f]{2}|u[0-9a-f]{4}|[rnt\\])")


def unshow(text: str, encoding: str) -> bytes:
    r"""The inverse of show_bytes: ``\xHH`` one byte, ``\uHHHH`` one character, ``\\ \r \n \t``."""
    out = bytearray()
    position = 0
    for match in _ESCAPE.finditer(text):
        out += text[position:match.start()].encode(encoding)
        token = match.group(1)
        if token[0] == "x":
            out.append(int(token[1:], 16))
        elif token[0] == "u":
            out += chr(int(token[1:], 16)).encode(encoding)
        else:
            out += _SIMPLE[token]
        position = match.end()
    return bytes(out + text[position:].encode(encoding))


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("attack", ATTACKS)
def test_known_attacks_are_escaped(attack: bytes, encoding: str) -> None:
    shown = show_bytes(attack, encoding)
    assert not any(unsafe(char) for char in shown), shown
    assert unshow(shown, encoding) == attack


def test_examples() -> None:
    assert show_bytes(b"a\\b\xff\r\n", "utf-8") == "a\\\\b\\xff\\r\\n"
    assert show_bytes("\u009b\u202e".encode(), "utf-8") == "\\u009b\\u202e"
    assert show_bytes(b"\x9b", "latin-1") == "\\u009b"  # a character in Latin-1, not an undecodable byte
    assert show_bytes(b"\x9b", "utf-8") == "\\x9b"


@PROPERTY
@given(st.binary(), st.sampled_from(ENCODINGS))
def test_any_bytes_show_as_one_safe_line(data: bytes, encoding: str) -> None:
    shown = show_bytes(data, encoding)
    assert "\n" not in shown and not any(unsafe(char) for char in shown)


@PROPERTY
@given(st.binary(), st.sampled_from(ENCODINGS))
def test_show_bytes_is_lossless(data: bytes, encoding: str) -> None:
    assert unshow(show_bytes(data, encoding), encoding) == data


@PROPERTY
@given(st.binary(), st.lists(st.integers(0, 64)), st.sampled_from(ENCODINGS))
def test_stream_display_any_split_is_safe_and_lossless(data: bytes, cuts: list[int], encoding: str) -> None:
    display = StreamDisplay(encoding)
    shown = "".join(display.show(chunk) for chunk in _split(data, cuts)) + display.flush()
    assert not any(unsafe(char) for char in shown)
    assert unshow(shown, encoding) == data


@PROPERTY
@given(st.binary(max_size=600), st.integers(1, 100), st.sampled_from(ENCODINGS))
def test_preview_is_capped_and_counts_the_bytes_it_shows(data: bytes, limit: int, encoding: str) -> None:
    text, shown = preview(data, encoding, limit)
    assert len(text) <= limit and 0 <= shown <= len(data)
    assert not any(unsafe(char) for char in text)
    assert unshow(text, encoding) == data[:shown]


def test_preview_stops_at_whole_characters() -> None:
    assert preview("héllo".encode(), "utf-8", 80) == ("héllo", 6)
    assert preview("héllo".encode(), "utf-8", 2) == ("hé", 3)
    assert preview(b"\x1bxyz", "utf-8", 5) == ("\\x1bx", 2)
    assert preview(b"\x1bxyz", "utf-8", 3) == ("", 0)  # an escape is never cut in half
    assert preview("你好".encode("gbk"), "gbk", 1) == ("你", 2)

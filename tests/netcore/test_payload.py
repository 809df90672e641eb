"""Tests for netcore.payload: send-bar encodings, hex, escapes and display decoding."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netcore.payload import (
    ENCODINGS,
    LINE_ENDINGS,
    StreamDecoder,
    build_payload,
    decode_for_display,
    encode_text,
    format_hex,
    parse_escapes,
    parse_hex,
    printable,
    to_escapes,
)
from netcore.validation import InputError

pytestmark = pytest.mark.timeout(60)

PROPERTY = settings(deadline=None, max_examples=300)


def _split(data: bytes, cuts: list[int]) -> list[bytes]:
    """``data`` cut at the given offsets (clamped and sorted)."""
    points = sorted({min(max(cut, 0), len(data)) for cut in cuts})
    edges = [0, *points, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(edges)]


# --- encode_text ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding", "expected"),
    [
        ("héllo", "utf-8", b"h\xc3\xa9llo"),
        ("你好", "gbk", b"\xc4\xe3\xba\xc3"),
        ("é", "latin-1", b"\xe9"),
        ("", "utf-8", b""),
    ],
)
def test_encode_text(text: str, encoding: str, expected: bytes) -> None:
    assert encode_text(text, encoding) == expected


def test_encode_text_names_first_unencodable_char() -> None:
    with pytest.raises(InputError) as info:
        encode_text("ab€x€", "latin-1")
    error = info.value
    assert (error.field, error.code) == ("payload", "unencodable")
    assert error.params == {"char": "€", "position": "3", "encoding": "latin-1"}
    assert "'€' at position 3 cannot be written in latin-1" in str(error)


def test_encode_text_position_counts_characters_not_bytes() -> None:
    with pytest.raises(InputError) as info:
        encode_text("你好😀", "gbk")
    assert info.value.params["position"] == "3"
    assert info.value.params["char"] == "😀"


def test_encode_text_lone_surrogate_is_an_input_error() -> None:
    with pytest.raises(InputError) as info:
        encode_text("a\udc80", "utf-8")
    assert (info.value.code, info.value.params["position"]) == ("unencodable", "2")


@pytest.mark.parametrize("encoding", ["klingon", "hex", "rot13", ""])
def test_encode_text_unknown_encoding(encoding: str) -> None:
    with pytest.raises(InputError) as info:
        encode_text("a", encoding)
    assert info.value.field == "encoding"


# --- hex ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("48 65 6c", b"Hel"),
        ("48656c", b"Hel"),
        ("0x48 0x65", b"He"),
        ("0X48,0x65", b"He"),
        ("0x4865", b"He"),
        ("48:65:6c", b"Hel"),
        ("48-65-6c", b"Hel"),
        ("48;65", b"He"),
        ("48, 65,\t6C", b"Hel"),
        ("4a 6B Ff", b"\x4a\x6b\xff"),
        ("48\n65\r\n\t6c\n", b"Hel"),
        ("  48  ", b"H"),
        ("", b""),
        (" \n\t ", b""),
        ("0x5", b"\x05"),
        ("0x5,0xa", b"\x05\x0a"),
        ("00 ff", b"\x00\xff"),
        ("48\u00a065", b"He"),  # a no-break space pasted from a web page
    ],
)
def test_parse_hex_accepts(text: str, expected: bytes) -> None:
    assert parse_hex(text) == expected


@pytest.mark.parametrize(
    ("text", "char", "position"),
    [
        ("486g", "g", "4"),
        ("48 6g", "g", "5"),
        ("0x48 0xZZ", "Z", "8"),
        ("0x", "x", "2"),
        ("48 0x", "x", "5"),
        ("48 €", "€", "4"),
        ("٣", "٣", "1"),  # a Unicode digit is not a hex digit
        ("４８", "４", "1"),
        ("48\n6g", "g", "5"),
        ("0x0x48", "x", "4"),
    ],
)
def test_parse_hex_bad_char(text: str, char: str, position: str) -> None:
    with pytest.raises(InputError) as info:
        parse_hex(text)
    error = info.value
    assert (error.field, error.code) == ("payload", "hex_bad_char")
    assert (error.params["char"], error.params["position"]) == (char, position)
    assert f"Not a hex digit: {char!r} at position {position}" in str(error)


@pytest.mark.parametrize(
    ("text", "token", "position"),
    [
        ("486", "486", "1"),
        ("48 486", "486", "4"),
        ("48,0x486", "0x486", "4"),
        ("48 65 6c7", "6c7", "7"),
        ("00 01 FF 7", "7", "10"),  # a lone digit is not guessed to mean 07
        ("a", "a", "1"),
        ("48 5 6c", "5", "4"),
    ],
)
def test_parse_hex_odd_digits(text: str, token: str, position: str) -> None:
    with pytest.raises(InputError) as info:
        parse_hex(text)
    error = info.value
    assert (error.field, error.code) == ("payload", "hex_odd_digits")
    assert error.params["position"] == position
    assert f"Odd number of hex digits in {token!r} at position {position}" in str(error)


def test_format_hex() -> None:
    assert format_hex(b"Hel") == "48 65 6C"
    assert format_hex(b"\x00\xff\x0a") == "00 FF 0A"
    assert format_hex(b"") == ""


@PROPERTY
@given(st.binary())
def test_format_hex_round_trips(data: bytes) -> None:
    text = format_hex(data)
    assert re.fullmatch(r"([0-9A-F]{2}( [0-9A-F]{2})*)?", text)
    assert parse_hex(text) == data


@PROPERTY
@given(st.binary(), st.data())
def test_parse_hex_any_pasted_style(data: bytes, draw: st.DataObject) -> None:
    separators = st.sampled_from([" ", ",", ", ", ":", "-", "\n", "\t", "\r\n", "  "])
    prefix = st.sampled_from(["", "0x", "0X"])
    pieces = []
    for byte in data:
        digits = f"{byte:02x}" if draw.draw(st.booleans()) else f"{byte:02X}"
        pieces.append(draw.draw(prefix) + digits + draw.draw(separators))
    assert parse_hex("".join(pieces)) == data


# --- escapes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding", "expected"),
    [
        (r"GET / HTTP/1.0\r\n\r\n", "utf-8", b"GET / HTTP/1.0\r\n\r\n"),
        (r"\x1b[0m", "utf-8", b"\x1b[0m"),
        (r"\xff", "utf-8", b"\xff"),  # a raw byte, not U+00FF encoded
        (r"\xFF\xaB", "utf-8", b"\xff\xab"),
        (r"a\\b", "utf-8", b"a\\b"),
        (r"\\n", "utf-8", b"\\n"),
        (r"\0\t", "utf-8", b"\x00\t"),
        (r"\01", "utf-8", b"\x001"),  # no octal escapes
        ("é", "utf-8", b"\xc3\xa9"),
        ("é", "latin-1", b"\xe9"),
        (r"你\n", "gbk", b"\xc4\xe3\n"),
        ("", "utf-8", b""),
        ("{message} 100%", "utf-8", b"{message} 100%"),
    ],
)
def test_parse_escapes(text: str, encoding: str, expected: bytes) -> None:
    assert parse_escapes(text, encoding) == expected


@pytest.mark.parametrize(
    ("text", "escape", "position"),
    [
        (r"ab\q", r"\q", "3"),
        (r"\x4", r"\x4", "1"),
        (r"a\x4g", r"\x4g", "2"),
        (r"\x", r"\x", "1"),
        ("abc\\", "\\", "4"),
        (r"\r\n\N", r"\N", "5"),
        (r"\u00e9", r"\u", "1"),
    ],
)
def test_parse_escapes_bad_escape(text: str, escape: str, position: str) -> None:
    with pytest.raises(InputError) as info:
        parse_escapes(text, "utf-8")
    error = info.value
    assert (error.field, error.code) == ("payload", "bad_escape")
    assert error.params == {"escape": escape, "position": position}
    assert f"at position {position}" in str(error)


def test_parse_escapes_unencodable_position_counts_whole_text() -> None:
    with pytest.raises(InputError) as info:
        parse_escapes(r"\r\n€", "latin-1")
    assert info.value.code == "unencodable"
    assert info.value.params["position"] == "5"


@pytest.mark.parametrize(
    ("text", "code", "position"),
    [
        (r"ok\q", "bad_escape", "13"),
        ("ok€\\n", "unencodable", "13"),
        ("\\nok€", "unencodable", "15"),
    ],
)
def test_parse_escapes_offset_shifts_positions(text: str, code: str, position: str) -> None:
    with pytest.raises(InputError) as info:
        parse_escapes(text, "latin-1", offset=10)
    assert (info.value.code, info.value.params["position"]) == (code, position)


def test_parse_escapes_unknown_encoding() -> None:
    with pytest.raises(InputError) as info:
        parse_escapes("a", "nope")
    assert info.value.field == "encoding"


def test_to_escapes() -> None:
    data = b"a\\b\r\n\t\x00\x1b\x7f\xff~ "
    assert to_escapes(data) == "a\\\\b\\r\\n\\t\\0\\x1b\\x7f\\xff~ "


@PROPERTY
@given(st.binary(), st.sampled_from(ENCODINGS))
def test_escapes_round_trip(data: bytes, encoding: str) -> None:
    text = to_escapes(data)
    assert all(0x20 <= ord(char) < 0x7F for char in text)
    assert parse_escapes(text, encoding) == data


@PROPERTY
@given(st.text(st.characters(exclude_characters="\\", codec="utf-8")))
def test_parse_escapes_without_backslash_is_plain_encoding(text: str) -> None:
    assert parse_escapes(text, "utf-8") == encode_text(text, "utf-8")


# --- build_payload ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "mode", "line_ending", "expected"),
    [
        ("hi", "text", "crlf", b"hi\r\n"),
        (r"hi\n", "text", "none", b"hi\\n"),  # text mode keeps backslashes
        ("48 69", "hex", "lf", b"Hi\n"),
        ("", "hex", "crlf", b"\r\n"),
        (r"a\tb", "escapes", "cr", b"a\tb\r"),
        ("é", "text", "none", b"\xc3\xa9"),
    ],
)
def test_build_payload(text: str, mode: str, line_ending: str, expected: bytes) -> None:
    assert build_payload(text, mode, "utf-8", line_ending) == expected


def test_line_endings() -> None:
    assert LINE_ENDINGS == {"none": b"", "lf": b"\n", "crlf": b"\r\n", "cr": b"\r"}


@pytest.mark.parametrize(
    ("mode", "line_ending", "field"),
    [
        ("binary", "lf", "mode"),
        ("text", "CRLF", "line_ending"),
        ("", "", "line_ending"),
    ],
)
def test_build_payload_bad_choice(mode: str, line_ending: str, field: str) -> None:
    with pytest.raises(InputError) as info:
        build_payload("hi", mode, "utf-8", line_ending)
    assert info.value.field == field


def test_build_payload_passes_on_parse_errors() -> None:
    with pytest.raises(InputError) as info:
        build_payload("4g", "hex", "utf-8", "lf")
    assert (info.value.field, info.value.code) == ("payload", "hex_bad_char")
    with pytest.raises(InputError) as info:
        build_payload("€", "text", "latin-1", "lf")
    assert info.value.code == "unencodable"


# --- decoding for display -----------------------------------------------------------


def test_stream_decoder_waits_for_split_character() -> None:
    decoder = StreamDecoder("utf-8")
    assert decoder.decode(b"a\xe2") == "a"
    assert decoder.decode(b"\x82") == ""
    assert decoder.decode(b"\xacb") == "€b"
    assert decoder.flush() == ""


def test_stream_decoder_gbk_split() -> None:
    decoder = StreamDecoder("gbk")
    assert decoder.decode(b"\xc4") == ""
    assert decoder.decode(b"\xe3\xba") == "你"
    assert decoder.decode(b"\xc3") == "好"


def test_stream_decoder_bad_bytes_and_flush() -> None:
    decoder = StreamDecoder("utf-8")
    assert decoder.decode(b"\xffok") == "\\xffok"
    assert decoder.decode(b"\xe2\x82") == ""
    assert decoder.flush() == "\\xe2\\x82"
    assert decoder.decode(b"x") == "x"  # starts afresh after a flush


def test_stream_decoder_unknown_encoding() -> None:
    with pytest.raises(InputError) as info:
        StreamDecoder("nope")
    assert info.value.field == "encoding"


@PROPERTY
@given(st.binary(), st.lists(st.integers(0, 64)), st.sampled_from(ENCODINGS))
def test_stream_decoder_any_split_never_raises(data: bytes, cuts: list[int], encoding: str) -> None:
    decoder = StreamDecoder(encoding)
    pieces = [decoder.decode(chunk) for chunk in _split(data, cuts)]
    text = "".join(pieces) + decoder.flush()
    if encoding != "gbk":  # single-byte errors: grouping cannot change the output
        assert text == decode_for_display(data, encoding)


@PROPERTY
@given(st.data(), st.sampled_from(ENCODINGS))
def test_stream_decoder_valid_text_equals_one_shot(draw: st.DataObject, encoding: str) -> None:
    text = draw.draw(st.text(st.characters(codec=encoding)))
    data = text.encode(encoding)
    cuts = draw.draw(st.lists(st.integers(0, len(data))))
    decoder = StreamDecoder(encoding)
    pieces = [decoder.decode(chunk) for chunk in _split(data, cuts)]
    assert "".join(pieces) + decoder.flush() == text
    assert decode_for_display(data, encoding) == text


def test_decode_for_display() -> None:
    assert decode_for_display(b"caf\xc3\xa9\xff", "utf-8") == "café\\xff"
    assert decode_for_display(b"\xc4\xe3\x80", "gbk") == "你\\x80"
    assert decode_for_display(b"\xff", "latin-1") == "ÿ"
    with pytest.raises(InputError):
        decode_for_display(b"", "nope")


@PROPERTY
@given(st.binary().filter(lambda data: b"\\" not in data), st.sampled_from(ENCODINGS))
def test_display_loses_no_byte(data: bytes, encoding: str) -> None:
    # With no backslash in the input, every backslash shown is a \xHH for one byte,
    # so reading the display back as escapes gives the exact bytes received.
    shown = decode_for_display(data, encoding)
    assert parse_escapes(shown, encoding) == data


def test_printable() -> None:
    assert printable("a\r\nb\tc") == "a\\r\\nb\\tc"
    assert printable("\x00\x1b\x7f") == "\\x00\\x1b\\x7f"
    assert printable("你好 é ok") == "你好 é ok"
    assert printable("\x80 \x9b\u202e") == "\\u0080 \\u009b\\u202e"  # C1 and bidi controls too (fault 12)


@PROPERTY
@given(st.text())
def test_printable_is_one_line(text: str) -> None:
    shown = printable(text)
    assert not any(unsafe(char) for char in shown)
    if not any(unsafe(char) for char in text):
        assert shown == text


BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def unsafe(char: str) -> bool:
    """What must never reach a terminal raw: C0, DEL, C1, bidi controls, line/paragraph separators."""
    return ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0 or char in BIDI or char in "\u2028\u2029"

"""Tests for netcore.replies: echo, hello, time and custom auto-reply rules."""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Iterator

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from netcore.replies import (
    REPLY_KINDS,
    CustomReply,
    EchoReply,
    HelloReply,
    MessageContext,
    Reply,
    TimeReply,
    make_reply_rule,
)
from netcore.validation import InputError

pytestmark = pytest.mark.timeout(60)

PROPERTY = settings(deadline=None, max_examples=300)
NOW = 1_700_000_000.75  # a fixed arrival time; expectations use time.localtime too
CONTEXT = MessageContext(peer=("127.0.0.1", 50123), count=3, now=NOW)


def _local(fmt: str, now: float = NOW) -> bytes:
    return time.strftime(fmt, time.localtime(now)).encode("ascii")


# --- echo ---------------------------------------------------------------------------


def test_echo() -> None:
    rule = EchoReply()
    assert rule.name == "echo"
    assert rule.greeting() is None
    assert rule.respond(b"hi\r\n", CONTEXT) == Reply(b"hi\r\n", close=False)


@PROPERTY
@given(st.binary())
def test_echo_is_exact(message: bytes) -> None:
    reply = EchoReply().respond(message, CONTEXT)
    assert reply is not None
    assert (reply.data, reply.close) == (message, False)


# --- hello --------------------------------------------------------------------------


def test_hello_greeting() -> None:
    assert HelloReply().greeting() == b"Welcome!\n"
    assert HelloReply().name == "hello"


@pytest.mark.parametrize(
    ("message", "data", "close"),
    [
        (b"Michael", b"Hello, Michael!", False),  # the classic tutorial client
        (b"Bob\n", b"Hello, Bob!\n", False),  # nc
        (b"Alice\r\nBob\r\n", b"Hello, Alice!\r\nHello, Bob!\r\n", False),  # telnet
        (b"a\nb", b"Hello, a!\nHello, b!", False),
        (b"Bob\r", b"Hello, Bob!\r", False),
        (b"Bob\r\r\n", b"Hello, Bob\r!\r\n", False),  # only ONE \r is stripped
        (b"\n", b"Hello, !\n", False),
        (b"a\n\nb\n", b"Hello, a!\nHello, !\nHello, b!\n", False),
        (b"exit", b"Good bye!", True),
        (b"exit\r\n", b"Good bye!\r\n", True),
        (b"Ann\nexit\nBob\n", b"Hello, Ann!\nGood bye!\n", True),
        (b"exit \n", b"Hello, exit !\n", False),
        (b"EXIT", b"Hello, EXIT!", False),
        (b"{time} %s", b"Hello, {time} %s!", False),
    ],
)
def test_hello_respond(message: bytes, data: bytes, close: bool) -> None:
    assert HelloReply().respond(message, CONTEXT) == Reply(data, close)


def test_hello_empty_message_gets_nothing() -> None:
    assert HelloReply().respond(b"", CONTEXT) is None


@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "latin-1"])
def test_hello_names_in_encoding(encoding: str) -> None:
    name = ("小明" if encoding != "latin-1" else "José").encode(encoding)
    reply = HelloReply(encoding).respond(name + b"\n", CONTEXT)
    assert reply == Reply(b"Hello, " + name + b"!\n")


def test_hello_undecodable_bytes_come_back_exactly() -> None:
    reply = HelloReply("utf-8").respond(b"\xff\xfe\xc3\n", CONTEXT)
    assert reply == Reply(b"Hello, \xff\xfe\xc3!\n")


_NAME = st.binary().filter(lambda name: b"\n" not in name and not name.endswith(b"\r"))
_ENDING = st.sampled_from([b"\n", b"\r\n"])


@PROPERTY
@given(
    st.lists(st.tuples(_NAME, _ENDING)),
    _NAME,
    st.sampled_from([b"", b"\r", b"\n", b"\r\n"]),
)
def test_hello_one_answer_per_line(lines: list[tuple[bytes, bytes]], last_name: bytes, last_ending: bytes) -> None:
    if last_name or last_ending:  # else nothing follows the final newline
        lines.append((last_name, last_ending))
    assume(lines)
    message = b"".join(name + ending for name, ending in lines)
    expected, close = b"", False
    for name, ending in lines:
        if name == b"exit":
            expected, close = expected + b"Good bye!" + ending, True
            break
        expected += b"Hello, " + name + b"!" + ending
    assert HelloReply().respond(message, CONTEXT) == Reply(expected, close)


# --- time ---------------------------------------------------------------------------


def test_time_reply_stamps_local_time() -> None:
    rule = TimeReply()
    assert (rule.name, rule.greeting()) == ("time", None)
    reply = rule.respond(b"hello\n", CONTEXT)
    assert reply == Reply(_local("[%Y-%m-%d %H:%M:%S] ") + b"hello\n")


@pytest.mark.parametrize("now", [0.0, 86_399.0, 951_782_400.0, 2_000_000_000.999])
def test_time_reply_uses_context_time(now: float) -> None:
    context = MessageContext(peer=("::1", 9), count=1, now=now)
    reply = TimeReply().respond(b"{time}", context)
    assert reply is not None
    assert reply.data == _local("[%Y-%m-%d %H:%M:%S] ", now) + b"{time}"
    assert len(reply.data) == len(b"[2000-01-01 00:00:00] {time}")


@pytest.fixture
def eight_hours_east() -> Iterator[None]:
    """The process time zone set to UTC+8 (POSIX ``CST-8``), restored afterwards."""
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset is not available on this platform")
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "CST-8"
    time.tzset()
    try:
        yield
    finally:
        if saved is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = saved
        time.tzset()


@pytest.mark.usefixtures("eight_hours_east")
def test_time_and_date_are_local_not_utc() -> None:
    context = MessageContext(peer=("::1", 9), count=1, now=86_400.0 * 365 - 3600)
    reply = TimeReply().respond(b"x", context)  # 1970-12-31 23:00 UTC
    assert reply == Reply(b"[1971-01-01 07:00:00] x")
    custom = CustomReply("{date} {time}").respond(b"", context)
    assert custom == Reply(b"1971-01-01 07:00:00")


# --- custom -------------------------------------------------------------------------


def test_custom_placeholders() -> None:
    rule = CustomReply("{date} {time} {peer} #{count}: {message}")
    reply = rule.respond(b"hi", CONTEXT)
    expected = _local("%Y-%m-%d %H:%M:%S") + b" 127.0.0.1:50123 #3: hi"
    assert reply == Reply(expected)
    assert (rule.name, rule.greeting()) == ("custom", None)


def test_custom_ipv6_peer() -> None:
    context = MessageContext(peer=("::1", 80), count=12, now=NOW)
    reply = CustomReply("{peer}/{count}").respond(b"", context)
    assert reply == Reply(b"[::1]:80/12")


def test_custom_escapes_in_template() -> None:
    reply = CustomReply(r"\x02{message}\x03\r\n\t\\").respond(b"\xff", CONTEXT)
    assert reply == Reply(b"\x02\xff\x03\r\n\t\\")


def test_custom_escaped_backslash_before_placeholder() -> None:
    assert CustomReply(r"\\{message}").respond(b"x", CONTEXT) == Reply(b"\\x")


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{name} {0} {} { } {", b"{name} {0} {} { } {"),
        ("}{message}{", b"}M{"),
        ("{{message}}", b"{M}"),
        ("{MESSAGE} {message.__class__}", b"{MESSAGE} {message.__class__}"),
        ("{message!r} {message:>9}", b"{message!r} {message:>9}"),
        ("100% %s %(message)s", b"100% %s %(message)s"),
    ],
)
def test_custom_other_braces_are_literal(template: str, expected: bytes) -> None:
    assert CustomReply(template).respond(b"M", CONTEXT) == Reply(expected)


@pytest.mark.parametrize(
    "message",
    [b"{time}", b"{message}{peer}{count}{date}", b"{0.__class__}", b"%s{", b"\\n"],
)
def test_custom_never_interprets_received_data(message: bytes) -> None:
    reply = CustomReply("<{message}> {count}").respond(message, CONTEXT)
    assert reply == Reply(b"<" + message + b"> 3")


def test_custom_template_encoding() -> None:
    latin = CustomReply("é{message}", "latin-1")
    assert latin.respond(b"!", CONTEXT) == Reply(b"\xe9!")
    gbk = CustomReply("你{message}", "gbk")
    assert gbk.respond(b"!", CONTEXT) == Reply(b"\xc4\xe3!")


@pytest.mark.parametrize(
    ("template", "encoding", "code", "position"),
    [
        (r"ok {message} \q", "utf-8", "bad_escape", "14"),
        (r"\{message}", "utf-8", "bad_escape", "1"),
        (r"{time} \q {message}", "utf-8", "bad_escape", "8"),
        (r"{message}\x4", "utf-8", "bad_escape", "10"),
        ("{time} €", "latin-1", "unencodable", "8"),
    ],
)
def test_custom_bad_template(template: str, encoding: str, code: str, position: str) -> None:
    with pytest.raises(InputError) as info:
        CustomReply(template, encoding)
    error = info.value
    assert (error.field, error.code) == ("reply_template", code)
    assert error.params["position"] == position
    assert f"position {position}" in str(error)


_LITERAL = st.text(alphabet="{}ab%0 !#xyz\r\n", max_size=6)
_PLACEHOLDER = st.sampled_from(["{message}", "{count}", "{peer}"])


@PROPERTY
@given(st.lists(st.one_of(_LITERAL, _PLACEHOLDER), max_size=8), st.binary())
def test_custom_template_property(parts: list[str], message: bytes) -> None:
    values = {"{message}": message, "{count}": b"3", "{peer}": b"127.0.0.1:50123"}
    expected = b"".join(values.get(part, part.encode()) for part in parts)
    assert CustomReply("".join(parts)).respond(message, CONTEXT) == Reply(expected)


# --- make_reply_rule and the value types ------------------------------------------


@pytest.mark.parametrize(
    ("kind", "cls"),
    [
        ("echo", EchoReply),
        ("hello", HelloReply),
        ("time", TimeReply),
        ("custom", CustomReply),
    ],
)
def test_make_reply_rule(kind: str, cls: type) -> None:
    rule = make_reply_rule(kind, "{message}", "gbk")
    assert isinstance(rule, cls)
    assert rule is not None
    assert rule.name == kind


def test_make_reply_rule_kinds() -> None:
    assert REPLY_KINDS == ("none", "echo", "hello", "time", "custom")
    assert make_reply_rule("none") is None
    hello = make_reply_rule("hello", encoding="latin-1")
    assert hello is not None
    assert hello.respond("José".encode("latin-1"), CONTEXT) == Reply(b"Hello, Jos\xe9!")


@pytest.mark.parametrize("kind", ["Echo", "", "ping", "hello "])
def test_make_reply_rule_unknown_kind(kind: str) -> None:
    with pytest.raises(InputError) as info:
        make_reply_rule(kind)
    assert (info.value.field, info.value.params["kind"]) == ("reply", kind)


def test_make_reply_rule_bad_encoding_and_template() -> None:
    with pytest.raises(InputError) as info:
        make_reply_rule("echo", encoding="nope")
    assert info.value.field == "encoding"
    with pytest.raises(InputError) as info:
        make_reply_rule("custom", "\\", "utf-8")
    assert info.value.field == "reply_template"


def test_values_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        CONTEXT.count = 4  # type: ignore[misc]
    reply = Reply(b"x")
    assert reply.close is False
    with pytest.raises(dataclasses.FrozenInstanceError):
        reply.data = b"y"  # type: ignore[misc]

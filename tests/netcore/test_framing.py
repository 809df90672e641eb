"""Framing: any way of splitting the stream into recv() chunks gives the same frames."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from netcore.framing import MAX_FRAME, Frame, make_framer
from netcore.validation import InputError


def frames_of(spec: str, chunks: list[bytes], max_frame: int = MAX_FRAME) -> list[Frame]:
    framer = make_framer(spec, max_frame)
    out = [frame for chunk in chunks for frame in framer.feed(chunk)]
    leftover = framer.close()
    return out + ([leftover] if leftover else [])


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]


specs = st.sampled_from(["lines", "fixed:1", "fixed:3", "fixed:7", "len:1", "len:2be", "len:2le", "len:4be"])


@given(specs, st.binary(max_size=400), st.lists(st.integers(0, 400), max_size=12))
def test_any_chunking_gives_the_same_frames(spec: str, data: bytes, cuts: list[int]) -> None:
    whole = frames_of(spec, [data], max_frame=1000)
    pieces = frames_of(spec, split(data, cuts), max_frame=1000)
    assert b"".join(frame.data for frame in pieces) == b"".join(frame.data for frame in whole) == data  # exact
    if not any(frame.error for frame in whole):  # past a broken length prefix the rest is raw, chunk by chunk
        assert pieces == whole


def test_length_prefixed_frames() -> None:
    stream = b"\x00\x03abc\x00\x01z\x00\x05hel"
    frames = frames_of("len:2be", [stream[:3], stream[3:9], stream[9:]])
    assert frames == [Frame(b"\x00\x03abc"), Frame(b"\x00\x01z"), Frame(b"\x00\x05hel", complete=False)]
    assert frames_of("len:2le", [b"\x02\x00hi"]) == [Frame(b"\x02\x00hi")]
    assert frames_of("len:4be", [b"\x00\x00\x00\x01!"]) == [Frame(b"\x00\x00\x00\x01!")]


def test_a_huge_length_prefix_is_an_error_not_a_memory_spike() -> None:
    framer = make_framer("len:4be")
    frames = framer.feed(b"\xff\xff\xff\xffrest")
    assert len(frames) == 1 and frames[0].error and "bound" in frames[0].error and not frames[0].complete
    assert framer.pending == 0 and framer.feed(b"more") == [Frame(b"more")]  # raw from here: nothing lost


def test_lines_and_a_line_that_never_ends_stays_bounded() -> None:
    assert frames_of("lines", [b"a\nb", b"c\n", b"tail"]) == [Frame(b"a\n"), Frame(b"bc\n"),
                                                             Frame(b"tail", complete=False)]
    framer = make_framer("lines", max_frame=100)
    out = framer.feed(b"x" * 250)
    assert [len(f.data) for f in out] == [100] and framer.pending == 150 and not out[0].complete


def test_gap_frames_end_after_silence() -> None:
    framer = make_framer("gap:50")
    assert framer.feed(b"ab", now=1.0) == [] and framer.feed(b"cd", now=1.02) == []
    assert framer.due(1.05) == [] and framer.next_due() == pytest.approx(1.07)
    assert framer.due(1.08) == [Frame(b"abcd")]
    assert framer.feed(b"e", now=2.0) == [] and framer.feed(b"f", now=2.2) == [Frame(b"e")]


@pytest.mark.parametrize("spec", ["", "fixed:0", "fixed:x", "len:3", "gap:0", "gap:99999999", "lines:2"])
def test_unknown_framings_are_input_errors(spec: str) -> None:
    with pytest.raises(InputError) as caught:
        make_framer(spec)
    assert caught.value.field == "frame" and "len:2be" in str(caught.value)


def test_seconds_until_due_is_the_earliest_gap_among_framers() -> None:
    from netcore.framing import seconds_until_due

    early, late, idle = make_framer("gap:100"), make_framer("gap:500"), make_framer("gap:100")
    early.feed(b"a", now=10.0)
    late.feed(b"b", now=10.0)
    assert seconds_until_due([late, None, idle, early], now=10.05) == pytest.approx(0.05)
    assert seconds_until_due([late, early], now=11.0) == 0.0  # already due: no negative wait
    assert seconds_until_due([idle, None], now=10.0) is None

"""The pure part of the CLI's output path: folding, previews and exact counts, with a made-up clock."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cli.folding import PREVIEW_CHARS, DataLines, LineOptions, data_line

PEER = ("127.0.0.1", 5000)
OTHER = ("127.0.0.1", 5001)
COUNT = re.compile(r"\] (received|sent) (?:([\d,]+) (?:messages|datagrams), )?([\d,]+) bytes")


def counted(lines: list[str], verb: str = "received") -> tuple[int, int]:
    """(messages, bytes) summed over the data lines for ``verb``."""
    messages = nbytes = 0
    for line in lines:
        match = COUNT.search(line)
        if match and match.group(1) == verb:
            messages += int((match.group(2) or "1").replace(",", ""))
            nbytes += int(match.group(3).replace(",", ""))
    return messages, nbytes


def test_a_message_after_a_quiet_spell_shows_at_once() -> None:
    lines = DataLines(LineOptions())
    assert lines.data("received", PEER, b"hello\r\n", 10.0) == ["[127.0.0.1:5000] received 7 bytes: hello\\r\\n"]
    assert lines.data("received", PEER, b"again", 11.0) == ["[127.0.0.1:5000] received 5 bytes: again"]


def test_a_burst_folds_into_one_line_per_interval_with_its_totals() -> None:
    lines = DataLines(LineOptions(fold=0.5, burst=1))
    assert len(lines.data("received", PEER, b"first", 0.0)) == 1
    assert lines.data("received", PEER, b"ab", 0.1) == []
    assert lines.data("received", PEER, b"cd", 0.2) == []
    assert lines.due(0.3) == [] and lines.pending
    assert lines.due(0.6) == ["[127.0.0.1:5000] received 2 messages, 4 bytes in 100 ms: abcd"]
    assert not lines.pending
    assert lines.totals["received"] == [3, 9]
    assert lines.data("received", PEER, b"more", 0.7) == []  # still busy: the next interval folds at once
    assert lines.flush(1.2) == ["[127.0.0.1:5000] received 4 bytes: more"]
    assert len(lines.data("received", PEER, b"quiet again", 3.0)) == 1


def test_the_first_lines_of_an_interval_show_one_by_one() -> None:
    lines = DataLines(LineOptions(fold=1.0, burst=10))
    shown = [lines.data("received", PEER, b"%d" % n, n / 100) for n in range(12)]
    assert [len(got) for got in shown] == [1] * 10 + [0, 0]
    assert lines.due(1.0) == ["[127.0.0.1:5000] received 2 messages, 4 bytes in 10 ms: 1011"]


def test_peers_and_directions_fold_apart_and_flush_in_order() -> None:
    lines = DataLines(LineOptions(fold=1.0, burst=1))
    for peer in (PEER, OTHER):
        lines.data("received", peer, b"x", 0.0)
        lines.data("received", peer, b"yy", 0.1)
    assert lines.data("sent", PEER, b"z", 0.2) == ["[127.0.0.1:5000] sent 1 bytes: z"]  # the first: at once
    lines.data("sent", PEER, b"w", 0.25)
    flushed = lines.flush(0.3)
    assert flushed == ["[127.0.0.1:5000] received 2 bytes: yy", "[127.0.0.1:5001] received 2 bytes: yy",
                       "[127.0.0.1:5000] sent 1 bytes: w"]


def test_preview_is_capped_and_says_how_much_it_left_out() -> None:
    lines = DataLines(LineOptions())
    (line,) = lines.data("received", PEER, b"a" * 1000, 0.0)
    assert line == f"[127.0.0.1:5000] received 1,000 bytes: {'a' * PREVIEW_CHARS} … (920 bytes not shown)"
    (line,) = DataLines(LineOptions(hex=True)).data("received", PEER, bytes(100), 0.0)
    assert line == f"[127.0.0.1:5000] received 100 bytes: {' '.join(['00'] * 26)} … (74 bytes not shown)"


def test_full_shows_every_byte_and_keeps_characters_split_across_messages() -> None:
    lines = DataLines(LineOptions(full=True))
    text = "é" * 500
    data = text.encode()
    first, second = data[:333], data[333:]  # cut in the middle of a character
    shown = [lines.data("received", PEER, part, 0.0)[0].split(": ", 1)[1] for part in (first, second)]
    assert "".join(shown) == text


def test_quiet_counts_but_shows_nothing() -> None:
    lines = DataLines(LineOptions(quiet=True))
    for when in range(5):
        assert lines.data("received", PEER, b"data", when / 10) == []
    assert lines.flush(1.0) == [] and lines.totals["received"] == [5, 20]


def test_datagrams_preview_shows_the_first_datagram_only() -> None:
    lines = DataLines(LineOptions(stream=False, unit="datagrams", burst=1))
    lines.data("received", PEER, b"one", 0.0)
    lines.data("received", PEER, b"two", 0.1)
    lines.data("received", PEER, b"six", 0.2)
    assert lines.flush(0.3) == ["[127.0.0.1:5000] received 2 datagrams, 6 bytes in 100 ms: two … (3 bytes not shown)"]


def test_data_line_forms() -> None:
    assert data_line(PEER, "sent", 9, "hi", 2) == "[127.0.0.1:5000] sent 9 bytes: hi … (7 bytes not shown)"
    assert data_line(PEER, "received", 5_000_000, "", 0, 1_234, 1.0) == (
        "[127.0.0.1:5000] received 1,234 messages, 5,000,000 bytes in 1.0 s:  … (5,000,000 bytes not shown)")
    assert "in 3 ms" in data_line(PEER, "received", 9, "x", 1, 2, 0.003)


@settings(deadline=None, max_examples=200)
@given(st.lists(st.tuples(st.integers(0, 3000), st.floats(0, 0.3), st.booleans()), max_size=60),
       st.sampled_from([0.0, 0.2, 0.5]), st.booleans())
def test_counts_on_the_lines_add_up_exactly(steps: list[tuple[int, float, bool]], fold: float, hex_: bool) -> None:
    lines = DataLines(LineOptions(fold=fold, hex=hex_, burst=3))
    shown: list[str] = []
    now = 0.0
    expected = {"received": [0, 0], "sent": [0, 0]}
    for size, gap, outgoing in steps:
        now += gap
        verb = "sent" if outgoing else "received"
        shown += lines.data(verb, PEER, b"\x9b" * size, now)
        shown += lines.due(now)
        expected[verb][0] += 1
        expected[verb][1] += size
    shown += lines.flush(now)
    for verb in ("received", "sent"):
        assert counted(shown, verb) == tuple(expected[verb]) == tuple(lines.totals[verb])
    assert all("\x9b" not in line and len(line) < 200 for line in shown)


@pytest.mark.parametrize("fold", [0.0, 0.5])
def test_fold_zero_shows_a_line_per_message(fold: float) -> None:
    lines = DataLines(LineOptions(fold=fold, burst=3))
    got = [line for when in range(10) for line in lines.data("received", PEER, b"m", when / 1000)]
    assert len(got) == (10 if fold == 0 else 3)

"""The rate in the counters line: a true recent rate that falls to zero when traffic stops.

The model (:class:`gui.traffic.RateMeter` inside :class:`gui.traffic.Counters`) is
driven by a fake clock; the counters bar is checked with a real Tk root, its
timer redrawing the rate although no event arrives.
"""

from __future__ import annotations

import tkinter as tk
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gui.traffic import RATE_WINDOW, Counters, RateMeter
from tests.gui.conftest import pump_until


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def test_a_burst_shows_its_own_speed_not_an_average_with_idle_time() -> None:
    clock = FakeClock()
    counters = Counters(clock=clock)
    clock.now += 60.0  # a minute of nothing first (the old rate averaged this in)
    for _ in range(80):  # 5 MiB-ish in 0.54 s: 80 chunks of 64 KiB
        counters.sent(65_536)
        clock.now += 0.54 / 80
    counters.sample()
    expected = 80 * 65_536 / 0.54
    assert counters.rate_out == pytest.approx(expected, rel=0.05)
    assert counters.rate_in == 0.0


def test_the_rate_falls_to_zero_one_window_after_the_last_byte() -> None:
    clock = FakeClock()
    counters = Counters(clock=clock)
    for _ in range(3):
        counters.received(1)
        clock.now += 0.01
    counters.sample()
    assert counters.rate_in > 0
    clock.now += RATE_WINDOW + 0.01
    assert counters.sample() and counters.rate_in == 0.0 and counters.idle


def test_steady_traffic_reads_as_its_rate() -> None:
    meter = RateMeter()
    now = 0.0
    for _ in range(400):  # 1000 B every 10 ms for 4 s: 100 kB/s
        meter.add(1000, now)
        now += 0.01
    assert meter.rate(now) == pytest.approx(100_000, rel=0.06)


@given(st.lists(st.tuples(st.floats(0.0, 0.5), st.integers(0, 10**6)), max_size=60))
def test_the_rate_is_never_negative_and_zero_after_the_window(steps: list[tuple[float, int]]) -> None:
    meter = RateMeter()
    now = 0.0
    for gap, nbytes in steps:
        now += gap
        meter.add(nbytes, now)
        assert meter.rate(now) >= 0.0
    assert meter.rate(now + RATE_WINDOW + 0.001) == 0.0


def test_the_counters_bar_redraws_the_rate_on_a_timer(window: Any, root: tk.Tk) -> None:
    tab = window.tabs()[0]
    clock = FakeClock()
    tab.counters.clock = clock
    tab.counters.received(3_000)
    clock.now += 0.5
    tab.counters_bar.refresh()
    assert "6.0 KB/s" in str(tab.counters_bar.rate.cget("text"))
    clock.now += 5.0  # time passes; no event arrives
    pump_until(root, lambda: "← 0 B/s" in str(tab.counters_bar.rate.cget("text")), timeout=3,
               what="the rate to fall to zero without an event")
    assert tab.counters_bar._job is None  # idle again: no timer left running

"""The rate graph's model: exact per-second totals over a sliding minute, bounded."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from netcore.events import DataReceived, DataSent
from netcore.session.rates import MAX_PEERS, RateHistory, RateModel


@given(st.lists(st.tuples(st.floats(0, 200, allow_nan=False), st.integers(0, 10**6), st.integers(0, 10**6)),
                max_size=200))
def test_each_second_holds_exactly_what_was_added_in_it(adds: list[tuple[float, int, int]]) -> None:
    adds.sort()
    history = RateHistory(seconds=60)
    for when, received, sent in adds:
        history.add(when, received, sent)
    now = adds[-1][0] if adds else 0.0
    series = history.series(now)
    assert len(series) == 60 and [s for s, _i, _o in series] == list(range(int(now) - 59, int(now) + 1))
    for second, received, sent in series:
        assert received == sum(r for w, r, _ in adds if int(w) == second)
        assert sent == sum(o for w, _, o in adds if int(w) == second)
    assert len(history._buckets) <= 60


def test_the_graph_falls_to_zero_and_keeps_peers_apart() -> None:
    model = RateModel()
    model.feed(DataReceived(endpoint="s", peer=("127.0.0.1", 1), data=b"x" * 100, time=1000.2))
    model.feed(DataSent(endpoint="s", peer=("127.0.0.1", 2), data=b"y" * 7, time=1000.7))
    assert model.total.series(1000.9)[-1] == (1000, 100, 7)
    assert model.total.series(1005.0)[-1] == (1005, 0, 0)
    one = model.peer(("127.0.0.1", 1))
    assert one is not None and one.series(1000.5)[-1] == (1000, 100, 0)
    for port in range(3, 3 + 2 * MAX_PEERS):
        model.feed(DataSent(endpoint="s", peer=("127.0.0.1", port), data=b"z", time=1001.0))
    assert model.peer(("127.0.0.1", 1)) is None  # forgotten, memory bounded

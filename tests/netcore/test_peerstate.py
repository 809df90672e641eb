"""The bounded per-peer state: LRU counts and the per-peer auto-reply rate limit (pure, fake clock)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from netcore.peerstate import BoundedCounts, LruMap, ReplyLimiter

peers = st.tuples(st.just("127.0.0.1"), st.integers(1, 60))


@given(st.lists(peers, max_size=300), st.integers(1, 20))
def test_counts_never_hold_more_than_the_limit_and_count_recent_peers_exactly(heard: list[tuple[str, int]],
                                                                             limit: int) -> None:
    counts = BoundedCounts(limit)
    exact: dict[tuple[str, int], int] = {}
    for peer in heard:
        number = counts.add(peer)
        exact[peer] = exact.get(peer, 0) + 1
        assert 1 <= number <= exact[peer]
        assert len(counts) <= limit
    if len(set(heard)) <= limit:  # nothing was forgotten: every count is exact
        for peer, expected in exact.items():
            assert counts.get(peer) == expected


def test_lru_forgets_the_least_recently_used() -> None:
    lru: LruMap[str, int] = LruMap(2)
    lru.put("a", 1)
    lru.put("b", 2)
    assert lru.get("a") == 1  # "a" is now the most recent
    lru.put("c", 3)
    assert lru.get("b") is None and lru.get("a") == 1 and lru.get("c") == 3


def test_a_burst_passes_then_the_rate_applies_and_one_notice_per_episode() -> None:
    limiter = ReplyLimiter(rate=10, burst=5)
    peer = ("127.0.0.1", 9)
    verdicts = [limiter.allow(peer, 100.0) for _ in range(8)]
    assert [v.allowed for v in verdicts] == [True] * 5 + [False] * 3
    assert [v.tripped for v in verdicts] == [False] * 5 + [True, False, False]
    assert limiter.allow(peer, 100.25).allowed  # 0.25 s at 10/s: two and a half more tokens
    assert limiter.allow(peer, 100.25).allowed
    assert not limiter.allow(peer, 100.25).allowed
    assert not limiter.allow(peer, 100.25).tripped  # still the same episode: told once
    assert limiter.allow(peer, 101.0).allowed  # the bucket refilled: a new episode may be told again
    for _ in range(10):
        limiter.allow(peer, 101.0)
    assert limiter.allow(("127.0.0.1", 10), 101.0).allowed  # other peers have their own bucket


@given(st.lists(st.tuples(peers, st.floats(0, 0.05)), max_size=400))
def test_no_peer_ever_gets_more_than_burst_plus_rate_times_time(steps: list[tuple[tuple[str, int], float]]) -> None:
    rate, burst = 50.0, 10
    limiter = ReplyLimiter(rate, burst, limit=1000)
    now, allowed, first_seen = 0.0, {}, {}
    for peer, gap in steps:
        now += gap
        first_seen.setdefault(peer, now)
        if limiter.allow(peer, now).allowed:
            allowed[peer] = allowed.get(peer, 0) + 1
    for peer, count in allowed.items():
        assert count <= burst + rate * (now - first_seen[peer]) + 1e-6


def test_limiter_memory_is_bounded() -> None:
    limiter = ReplyLimiter(limit=100)
    for port in range(1, 1000):
        limiter.allow(("127.0.0.1", port), 0.0)
    assert len(limiter) == 100

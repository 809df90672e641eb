"""Discovery across the cable: an announced endpoint is found, a silent one is not, junk is ignored."""

from __future__ import annotations

import sys

from hypothesis import given
from hypothesis import strategies as st

from netcore.lan.discovery import Announcement, decode_answer, decode_request, encode_answer, encode_request
from tests.lan.conftest import ROOT, Bench

PEER = str(ROOT / "tests" / "lan" / "discovery_peer.py")
FINDER = str(ROOT / "tests" / "lan" / "find_peers.py")


def _announce(bench: Bench, *args: str) -> object:
    peer = bench.start("a", sys.executable, PEER, *args)
    assert peer.stdout.readline().strip() == b"READY"  # type: ignore[union-attr]
    return peer


def _finish(peer: object) -> str:
    out, _err = peer.communicate(timeout=10)  # type: ignore[attr-defined]
    return out.decode()


def test_an_announced_server_is_found_from_the_other_machine(bench: Bench) -> None:
    peer = _announce(bench, "tcp-server", "9000", "bench PC")
    result = bench.python("b", FINDER)
    lines = result.stdout.decode().splitlines()
    assert 'found: tcp-server 198.18.0.1:9000 "bench PC"' in lines, result.stderr.decode()
    assert any("IP_PKTINFO" in line or "bound to 198.18.0.2" in line for line in lines)  # no default route needed
    assert "answered=1" in _finish(peer)


def test_a_silent_endpoint_is_not_found(bench: Bench) -> None:
    peer = _announce(bench)  # listening, but nothing made visible
    result = bench.python("b", FINDER)
    assert "found:" not in result.stdout.decode()
    assert "answered=0" in _finish(peer)


def test_malformed_and_flooding_requests_are_ignored_or_bounded(bench: Bench) -> None:
    peer = _announce(bench, "udp", "5000", "device")
    result = bench.python("b", FINDER, "198.18.0.1")
    assert 'found: udp 198.18.0.1:5000 "device"' in result.stdout.decode()  # still answering after the junk
    stats = _finish(peer)
    ignored = int(stats.split("ignored=")[1].split()[0])
    answered = int(stats.split("answered=")[1].split()[0])
    assert ignored == 5 and 1 <= answered <= 10  # 101 valid requests from one asker: a few answers


@given(st.binary(max_size=600), st.binary(min_size=8, max_size=8))
def test_no_datagram_makes_the_decoders_raise(datagram: bytes, nonce: bytes) -> None:
    decode_request(datagram)
    decode_answer(datagram, nonce)


@given(st.sampled_from(["tcp-server", "udp"]), st.integers(1, 65535), st.text(max_size=100),
       st.binary(min_size=8, max_size=8))
def test_answers_round_trip(kind: str, port: int, name: str, nonce: bytes) -> None:
    announcement = Announcement(kind, port, name)
    assert decode_answer(encode_answer(nonce, announcement), nonce) == announcement
    assert decode_answer(encode_answer(nonce, announcement), bytes(8) if nonce != bytes(8) else b"x" * 8) is None
    assert decode_request(encode_request(nonce)) == nonce
    assert len(announcement.name) <= 64 and all(ch.isprintable() for ch in announcement.name)


def test_the_discover_command(bench: Bench) -> None:
    peer = _announce(bench, "tcp-server", "9100", "lab")
    result = bench.python("b", "main.py", "discover", "--timeout", "1.5")
    assert result.returncode == 0 and result.stdout.decode().splitlines() == ['tcp-server 198.18.0.1:9100 "lab"']
    _finish(peer)
    nothing = bench.python("b", "main.py", "discover", "--timeout", "0.5")
    assert nothing.returncode == 1 and b"Hint:" in nothing.stderr and nothing.stdout == b""

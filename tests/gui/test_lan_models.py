"""The LAN helpers' pure parts: broadcast targets from netmasks, what "Can others reach me?" lists,
and the diagnose text never failing on a line of a shape it does not know."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gui.lan.diagnose_text import finding_text
from gui.lan.reach import reach_plan
from gui.lan.udp_options import broadcast_targets, is_broadcast_target
from netcore.interfaces import LocalAddress

POOL = [
    LocalAddress("eth0", "192.168.1.23", 24, 4),
    LocalAddress("eth0", "fe80::1%eth0", 64, 6),
    LocalAddress("eth0", "fd00::23", 64, 6),
    LocalAddress("wlan0", "10.4.0.9", 16, 4),
    LocalAddress("wlan0", "10.4.7.7", 16, 4),  # a second address of the same interface
    LocalAddress("p2p0", "172.16.0.1", 31, 4),  # a /31 has no broadcast address
    LocalAddress("lo", "127.0.0.1", 8, 4),
    LocalAddress("lo", "::1", 128, 6),
]


def test_broadcast_targets_are_each_interfaces_subnet_then_the_limited_one() -> None:
    assert broadcast_targets(POOL, 9000) == ["192.168.1.255:9000", "10.4.255.255:9000", "255.255.255.255:9000"]
    assert broadcast_targets([], 7) == ["255.255.255.255:7"]


def test_a_broadcast_target_is_recognised() -> None:
    assert is_broadcast_target("255.255.255.255", [])
    assert is_broadcast_target("192.168.1.255", POOL)
    assert not is_broadcast_target("192.168.1.254", POOL)


def test_reach_lists_what_others_use_for_each_bind_host() -> None:
    everything = reach_plan("0.0.0.0", POOL)
    assert [a.ip for a in everything.rows] == ["192.168.1.23", "10.4.0.9", "10.4.7.7", "172.16.0.1"]
    assert not everything.loopback_only
    v6 = reach_plan("::", POOL)
    assert {a.ip for a in v6.rows} >= {"fd00::23", "fe80::1%eth0", "192.168.1.23"}
    assert all(not a.is_loopback for a in v6.rows)
    one = reach_plan("10.4.0.9", POOL)
    assert [(a.interface, a.ip) for a in one.rows] == [("wlan0", "10.4.0.9")]
    for loopback, version in (("127.0.0.1", 4), ("::1", 6), ("localhost", 4)):
        plan = reach_plan(loopback, POOL)
        assert plan.loopback_only, loopback
        assert plan.rows and all(a.version == version and not a.is_loopback for a in plan.rows)


def test_reach_for_an_address_this_machine_does_not_list_still_shows_it() -> None:
    plan = reach_plan("198.51.100.7", POOL)
    assert [(a.interface, a.ip) for a in plan.rows] == [("?", "198.51.100.7")]


@given(st.text(max_size=200))
def test_any_line_is_told_without_failing(line: str) -> None:
    told = finding_text(line, 80)
    assert isinstance(told, str)
    known = ("name: ", "route: ", "TCP port ", "UDP port ", "this machine: ", "other port ", "firewall: ")
    if not line.startswith(known):
        assert told == line

"""Broadcast and multicast on a bare cable (no default route), interface choice, IPv6 link-local."""

from __future__ import annotations

import sys

from tests.lan.conftest import ROOT, Bench

LISTEN = str(ROOT / "tests" / "lan" / "udp_listen.py")
ENGINE = str(ROOT / "tests" / "lan" / "udp_engine.py")
PORT = "9400"


def listener(bench: Bench, side: str, *args: str) -> object:
    process = bench.start(side, sys.executable, LISTEN, *args)
    assert process.stdout.readline().strip() == b"READY"  # type: ignore[union-attr]
    return process


def heard(process: object) -> str:
    out, _err = process.communicate(timeout=10)  # type: ignore[attr-defined]
    return out.decode()


def engine(bench: Bench, side: str, *args: str) -> str:
    result = bench.python(side, ENGINE, *args, timeout=30)
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout.decode()


def test_limited_broadcast_leaves_without_a_default_route_and_says_where(bench: Bench) -> None:
    process = listener(bench, "b", "0.0.0.0", PORT)
    out = engine(bench, "a", "send", "255.255.255.255", PORT, "hello all", "--broadcast")
    assert "GOT b'hello all' FROM 198.18.0.1" in heard(process)
    assert "IP_PKTINFO" in out or "bound to 198.18.0.1" in out
    assert f"sent_on: The datagram to 255.255.255.255:{PORT} left on: 198.18.0.1 ({bench.interfaces['a']})" in out


def test_broadcast_without_so_broadcast_is_explained(bench: Bench) -> None:
    out = engine(bench, "a", "send", "255.255.255.255", PORT, "x")
    assert "ErrorEvent broadcast_denied" in out


def test_directed_broadcast_and_the_cli(bench: Bench) -> None:
    process = listener(bench, "b", "0.0.0.0", PORT)
    result = bench.python("a", "main.py", "udp", "--to", f"198.18.0.255:{PORT}", "--broadcast", "-q", "0.3",
                          data=b"to the subnet\n")
    assert result.returncode == 0, result.stderr.decode()
    assert "GOT b'to the subnet' FROM 198.18.0.1" in heard(process)


def test_cli_limited_broadcast_on_a_bare_cable(bench: Bench) -> None:
    process = listener(bench, "b", "0.0.0.0", PORT)
    result = bench.python("a", "main.py", "udp", "--to", f"255.255.255.255:{PORT}", "--broadcast", "-q", "0.3",
                          data=b"limited\n")
    assert result.returncode == 0, result.stderr.decode()
    assert "GOT b'limited' FROM 198.18.0.1" in heard(process)


def test_multicast_without_a_route_goes_out_of_every_interface(bench: Bench) -> None:
    process = listener(bench, "b", "0.0.0.0", PORT, "239.1.2.3", "198.18.0.2")
    out = engine(bench, "a", "send", "239.1.2.3", PORT, "to the group")
    assert "GOT b'to the group' FROM 198.18.0.1" in heard(process)
    assert "sent_on" in out


def test_multicast_from_a_chosen_interface(bench: Bench) -> None:
    process = listener(bench, "b", "0.0.0.0", PORT, "239.1.2.3", "198.18.0.2")
    out = engine(bench, "a", "send", "239.1.2.3", PORT, "chosen", "--interface", bench.interfaces["a"])
    assert "CALL setsockopt(IP_MULTICAST_IF, 198.18.0.1) -> ok" in out
    assert "GOT b'chosen' FROM 198.18.0.1" in heard(process)


def test_join_receive_and_leave_a_group_across_by_interface_name(bench: Bench) -> None:
    joined = bench.start("b", sys.executable, ENGINE, "join", "239.5.5.5", PORT, bench.interfaces["b"], "3")
    line = joined.stdout.readline().decode()  # type: ignore[union-attr]
    while "joined_group" not in line and line:
        line = joined.stdout.readline().decode()  # type: ignore[union-attr]
    assert "198.18.0.2" in line
    engine(bench, "a", "send", "239.5.5.5", PORT, "members only", "--interface", "198.18.0.1")
    out, _ = joined.communicate(timeout=15)
    assert "GOT b'members only' FROM 198.18.0.1" in out.decode() and "left_group" in out.decode()


def test_ipv6_link_local_with_its_scope(bench: Bench) -> None:
    process = listener(bench, "b", "::", PORT)
    target = f"[fe80::2%{bench.interfaces['a']}]:{PORT}"
    result = bench.python("a", "main.py", "udp", "--to", target, "-q", "0.3", data=b"link local\n")
    assert result.returncode == 0, result.stderr.decode()
    assert "GOT b'link local' FROM fe80::1" in heard(process)


def test_a_missing_interface_is_explained(bench: Bench) -> None:
    out = engine(bench, "a", "send", "239.1.2.3", PORT, "x", "--interface", "nosuch0")
    assert "ErrorEvent interface_not_found" in out and "nosuch0" in out

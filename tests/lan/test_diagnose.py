"""Every diagnose verdict, produced by a real condition on the two-machine bench."""

from __future__ import annotations

import shutil
import socket
import sys

import pytest

from netcore.lan.diagnose import Facts, verdict
from netcore.lan.probes import OPEN, REFUSED, PortResult, Resolved
from tests.lan.conftest import Bench

LISTEN = ("import socket, sys\ns = socket.socket()\ns.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
          "s.bind((sys.argv[1], int(sys.argv[2])))\ns.listen()\nprint('READY', flush=True)\nsys.stdin.read()\n")
UDP_SILENT = ("import socket, sys\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\ns.bind(('0.0.0.0', "
              "int(sys.argv[1])))\nprint('READY', flush=True)\nsys.stdin.read()\n")
PORT = "9300"


def listen(bench: Bench, side: str, host: str, port: str = PORT) -> None:
    process = bench.start(side, sys.executable, "-c", LISTEN, host, port)
    assert process.stdout.readline().strip() == b"READY"  # type: ignore[union-attr]


def diagnose(bench: Bench, side: str, *args: str) -> tuple[int, str]:
    result = bench.python(side, "main.py", "diagnose", *args, "--timeout", "1", timeout=60)
    out = result.stdout.decode()
    assert b"Traceback" not in result.stderr, result.stderr.decode()
    return result.returncode, out


def verdict_of(out: str) -> str:
    last = out.strip().splitlines()[-1]
    assert last.startswith("verdict: "), out
    return last.split(":")[1].strip()


def test_open(bench: Bench) -> None:
    listen(bench, "a", "0.0.0.0")
    status, out = diagnose(bench, "b", "198.18.0.1", PORT)
    assert (status, verdict_of(out)) == (0, "open")
    assert "route: from 198.18.0.2 on" in out and "directly attached" in out


def test_refused(bench: Bench) -> None:
    status, out = diagnose(bench, "b", "198.18.0.1", PORT)
    assert (status, verdict_of(out)) == (1, "refused")


@pytest.mark.skipif(shutil.which("nft") is None, reason="needs nft (nftables) for a firewall rule")
def test_filtered_by_a_firewall_drop_rule(bench: Bench) -> None:
    listen(bench, "a", "0.0.0.0")
    rules = (f"add table inet sltest\nadd chain inet sltest input {{ type filter hook input priority 0; }}\n"
             f"add rule inet sltest input tcp dport {PORT} drop\n")
    made = bench.run("a", "nft", "-f", "-", data=rules.encode())
    assert made.returncode == 0, made.stderr.decode()
    status, out = diagnose(bench, "b", "198.18.0.1", PORT)
    assert (status, verdict_of(out)) == (1, "filtered")
    assert "other port 22: refused" in out and "firewall:" in out


def test_an_absent_host_on_the_cable_gives_no_answer(bench: Bench) -> None:
    status, out = diagnose(bench, "b", "198.18.0.99", PORT)
    assert status == 1 and verdict_of(out) in ("no-answer", "unreachable")


def test_an_address_with_no_route_is_unreachable(bench: Bench) -> None:
    status, out = diagnose(bench, "b", "198.18.7.7", PORT)  # not on the cable, and there is no default route
    assert (status, verdict_of(out)) == (1, "unreachable")


def test_a_server_on_loopback_only_is_found_out(bench: Bench) -> None:
    listen(bench, "a", "127.0.0.1")
    status, out = diagnose(bench, "a", "198.18.0.1", PORT)
    assert (status, verdict_of(out)) == (1, "loopback-only")
    assert "0.0.0.0" in out.splitlines()[-1]


def test_a_name_that_does_not_resolve(bench: Bench) -> None:
    status, out = diagnose(bench, "b", "no-such-host.invalid", PORT)
    assert (status, verdict_of(out)) == (1, "name-not-found")


def test_udp_refused_and_silent(bench: Bench) -> None:
    status, out = diagnose(bench, "b", "198.18.0.1", PORT, "--udp")
    assert (status, verdict_of(out)) == (1, "refused")
    process = bench.start("a", sys.executable, "-c", UDP_SILENT, PORT)
    assert process.stdout.readline().strip() == b"READY"  # type: ignore[union-attr]
    status, out = diagnose(bench, "b", "198.18.0.1", PORT, "--udp")
    assert (status, verdict_of(out)) == (1, "no-answer") and "cannot tell a lost datagram" in out


def test_wrong_family_when_the_first_address_has_no_listener() -> None:
    both = [Resolved(socket.AF_INET6, "::1"), Resolved(socket.AF_INET, "127.0.0.1")]
    facts = Facts("localhost", 9000, addresses=both,
                  results={"::1": PortResult(REFUSED), "127.0.0.1": PortResult(OPEN)})
    code, sentence = verdict(facts)
    assert code == "wrong-family" and "::1 (IPv6)" in sentence


def test_bad_arguments_exit_2() -> None:
    import subprocess

    for args in (["diagnose", "host"], ["diagnose", "h", "99999"], ["diagnose", "h", "1", "--timeout", "nan"],
                 ["discover", "--timeout", "-1"]):
        result = subprocess.run([sys.executable, "main.py", *args], capture_output=True, timeout=30, check=False)
        assert result.returncode == 2, args

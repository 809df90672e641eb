"""The two-namespace bench itself: it is the bare cable it claims to be."""

from __future__ import annotations

from tests.lan.conftest import Bench


def test_two_machines_see_each_other_and_have_no_default_route(bench: Bench) -> None:
    routes = bench.run("a", "ip", "route", "show").stdout.decode()
    assert "default" not in routes and "198.18.0.0/24" in routes
    ping = bench.python("b", "-c", "import socket; s = socket.create_connection(('198.18.0.1', 9), timeout=2)")
    assert b"ConnectionRefusedError" in ping.stderr  # machine a answered: nothing listens on port 9 there

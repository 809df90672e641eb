"""SocketLab between two machines on a bare cable (network namespaces, no default route)."""

from __future__ import annotations

import hashlib
import os
import re

from tests.lan.conftest import Bench


def _listening_port(process: object) -> tuple[int, str]:
    """Read the server's banner: its port and the 'Others on your network' line."""
    lines = []
    for _ in range(4):
        line = process.stdout.readline().decode()  # type: ignore[attr-defined]
        lines.append(line)
        if line.startswith("Others on your network"):
            break
    port = int(re.search(r"Listening on 0\.0\.0\.0:(\d+)", "".join(lines)).group(1))  # type: ignore[union-attr]
    return port, lines[-1]


def test_tcp_across_the_cable_both_ways_20_mb_exact(bench: Bench) -> None:
    server = bench.socketlab("a", "tcp-server", "--port", "0", "--reply", "echo", "--quiet")
    port, others = _listening_port(server)
    assert f"198.18.0.1:{port}" in others  # the banner names the address machine b must use
    payload = os.urandom(20 * 1024 * 1024)
    result = bench.python("b", "main.py", "tcp-client", "198.18.0.1", str(port), data=payload, timeout=120)
    assert result.returncode == 0, result.stderr.decode()[-500:]
    assert hashlib.sha256(result.stdout).hexdigest() == hashlib.sha256(payload).hexdigest()

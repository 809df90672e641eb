"""The window on a bare cable: two network namespaces (tests/lan's bench), no default route.

The real window runs inside namespace ``a`` (its X display reached through the
display's socket file): its UDP tab, with the bench interface chosen from its
Network menu, sends a multicast datagram and a limited broadcast that arrive in
namespace ``b``; its client tab's Diagnose gives ``open`` and ``refused`` for ports
of ``b``. Skips itself without root or iproute2.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.lan.conftest import ROOT, Bench, bench  # noqa: F401  # the fixture
from tests.lan.test_udp_lan import LISTEN

pytestmark = pytest.mark.gui
GROUP, MPORT, BPORT, OPEN, CLOSED = "239.5.6.7", 9471, 9472, 9473, 9474
TCP_LISTEN = ("import socket, time\ns = socket.socket()\ns.bind(('198.18.0.2', %d))\ns.listen()\n"
              "print('READY', flush=True)\ntime.sleep(60)\n")


def _ready(process: subprocess.Popen[bytes]) -> None:
    assert process.stdout is not None and process.stdout.readline().strip() == b"READY"


def test_the_window_sends_and_diagnoses_across_the_bench(bench: Bench, display: str,  # noqa: F811
                                                         tmp_path: Path) -> None:
    multicast = bench.start("b", sys.executable, LISTEN, "0.0.0.0", str(MPORT), GROUP, bench.address("b"))
    broadcast = bench.start("b", sys.executable, LISTEN, "0.0.0.0", str(BPORT))
    server = bench.start("b", sys.executable, "-c", TCP_LISTEN % OPEN)
    for process in (multicast, broadcast, server):
        _ready(process)
    env = {**os.environ, "DISPLAY": display, "SOCKETLAB_CONFIG_DIR": str(tmp_path / "config"),
           "LANG": "C.UTF-8", "PYTHONUNBUFFERED": "1"}
    command = bench.command("a", sys.executable, str(ROOT / "tests" / "lan" / "gui_side.py"),
                            bench.interfaces["a"], GROUP, str(MPORT), str(BPORT), bench.address("b"),
                            str(OPEN), str(CLOSED))
    result = subprocess.run(command, capture_output=True, timeout=120, check=False, cwd=ROOT, env=env)
    out = result.stdout.decode()
    assert result.returncode == 0 and "DONE" in out, out + result.stderr.decode()
    interface = bench.interfaces["a"]
    assert "OFFERED True" in out
    assert f"198.18.0.255:{BPORT}" in out.split("TARGETS", 1)[1].splitlines()[0]  # the subnet's broadcast
    assert f"SENT_ON 255.255.255.255:{BPORT} 198.18.0.1 ({interface})" in out
    assert "IP_MULTICAST_IF, 198.18.0.1" in out
    heard_m = multicast.communicate(timeout=15)[0].decode()
    heard_b = broadcast.communicate(timeout=15)[0].decode()
    assert "GOT b'multicast from the window' FROM 198.18.0.1" in heard_m
    assert "GOT b'broadcast from the window' FROM 198.18.0.1" in heard_b
    assert f"VERDICT {OPEN} verdict: open: " in out
    assert f"VERDICT {CLOSED} verdict: refused: " in out
    assert f"ROUTE {OPEN} route: from 198.18.0.1 on {interface}, on a directly attached network" in out

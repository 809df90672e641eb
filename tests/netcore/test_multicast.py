"""Multicast for real, inside a network namespace this test creates (only ``lo``)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = Path(__file__).with_name("multicast_probe.py")


def namespaces_work() -> bool:
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True, check=False).returncode == 0


@pytest.mark.skipif(not namespaces_work(), reason="needs unshare -n and ip (root) for a private network")
def test_join_a_group_and_receive_what_is_sent_to_it() -> None:
    script = ("ip link set lo up multicast on && ip route add 224.0.0.0/4 dev lo && "
              f"exec {sys.executable} {PROBE}")
    result = subprocess.run(["unshare", "-n", "sh", "-c", script], capture_output=True, timeout=30, check=False)
    assert result.stdout.decode().strip() == "OK b'to the group'", result.stderr.decode()

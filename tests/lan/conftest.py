"""Two machines on a bare cable, for real: network namespaces joined by a veth pair.

The ``bench`` fixture makes two namespaces (``a`` at 198.18.0.1/24, ``b`` at
198.18.0.2/24), each with ``lo`` up and **no default route** — a PC cabled straight
to a device with static addresses. Commands run inside one with :meth:`Bench.run` or
:meth:`Bench.start`. Traffic never leaves the namespaces; everything is removed after
the test. Needs root and ``ip`` (iproute2); otherwise the tests skip with the reason.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ADDRESSES = {"a": "198.18.0.1", "b": "198.18.0.2"}
LINK_LOCAL = {"a": "fe80::1", "b": "fe80::2"}
"""Fixed IPv6 link-local addresses (added without duplicate detection, so usable at once)."""
PREFIX = 24


def _ip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, timeout=20, check=False)


def namespaces_available() -> str:
    """Empty when namespaces can be made here, else the reason they cannot."""
    if sys.platform != "linux":
        return "network namespaces are Linux only"
    if shutil.which("ip") is None:
        return "needs ip (iproute2)"
    if os.geteuid() != 0:
        return "needs root to make network namespaces"
    probe = f"slprobe{secrets.token_hex(3)}"
    made = _ip("netns", "add", probe)
    _ip("netns", "del", probe)
    return "" if made.returncode == 0 else f"ip netns add failed: {made.stderr.strip()}"


@dataclass
class Bench:
    """The two namespaces and what runs in them."""

    names: dict[str, str]
    interfaces: dict[str, str]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def address(self, side: str) -> str:
        return ADDRESSES[side]

    def link_local(self, side: str) -> str:
        """``fe80::1%<interface>``: side's IPv6 link-local address with its scope, as seen from side itself."""
        return f"{LINK_LOCAL[side]}%{self.interfaces[side]}"

    def command(self, side: str, *args: str) -> list[str]:
        return ["ip", "netns", "exec", self.names[side], *args]

    def run(self, side: str, *args: str, timeout: float = 30, data: bytes = b"") -> subprocess.CompletedProcess[bytes]:
        """Run a command in namespace ``side`` and wait for it (bounded by ``timeout``)."""
        return subprocess.run(self.command(side, *args), input=data, capture_output=True, timeout=timeout,
                              check=False, cwd=ROOT, env=_env())

    def start(self, side: str, *args: str) -> subprocess.Popen[bytes]:
        """Start a command in namespace ``side``; it is killed after the test."""
        process = subprocess.Popen(self.command(side, *args), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, cwd=ROOT, env=_env())
        self.processes.append(process)
        return process

    def python(self, side: str, *args: str, **options: object) -> subprocess.CompletedProcess[bytes]:
        return self.run(side, sys.executable, *args, **options)  # type: ignore[arg-type]

    def socketlab(self, side: str, *args: str) -> subprocess.Popen[bytes]:
        """``main.py ARGS`` running in namespace ``side``."""
        return self.start(side, sys.executable, str(ROOT / "main.py"), *args)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _make(tag: str) -> Bench:
    names = {side: f"sl{tag}{side}" for side in ADDRESSES}
    interfaces = {side: f"sl{tag}{side}0" for side in ADDRESSES}
    for name in names.values():
        _check(_ip("netns", "add", name))
    _check(_ip("link", "add", interfaces["a"], "type", "veth", "peer", "name", interfaces["b"]))
    for side, address in ADDRESSES.items():
        name, interface = names[side], interfaces[side]
        _check(_ip("link", "set", interface, "netns", name))
        _check(_ip("-n", name, "address", "add", f"{address}/{PREFIX}", "dev", interface))
        _check(_ip("-n", name, "address", "add", f"{LINK_LOCAL[side]}/64", "dev", interface, "nodad"))
        _check(_ip("-n", name, "link", "set", interface, "up"))
        _check(_ip("-n", name, "link", "set", "lo", "up"))
    return Bench(names, interfaces)


def _check(result: subprocess.CompletedProcess[str]) -> None:
    if result.returncode != 0:
        raise RuntimeError(f"ip {result.args[1:]} failed: {result.stderr.strip()}")


def _remove(bench: Bench) -> None:
    for process in bench.processes:
        if process.poll() is None:
            process.kill()
        process.wait(5)
        for stream in (process.stdin, process.stdout, process.stderr):
            if stream is not None:
                stream.close()
    for name in bench.names.values():
        _ip("netns", "del", name)  # also removes the veth pair


@pytest.fixture
def bench() -> Iterator[Bench]:
    reason = namespaces_available()
    if reason:
        pytest.skip(reason)
    made = _make(secrets.token_hex(2))
    try:
        yield made
    finally:
        _remove(made)

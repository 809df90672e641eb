"""Helpers for tests of the CLI's life with a hostile terminal: closed, blocked or early-ended stdio, signals.

Everything here starts real processes and real sockets on 127.0.0.1; every wait is bounded.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from tests.cli.conftest import ROOT, cli_env

MAIN = str(ROOT / "main.py")
CRASH_MARKS = (b"Traceback", b"Fatal Python error", b"Exception ignored")


def start_cli(args: list[str], stdin: object = subprocess.PIPE, stdout: object = subprocess.PIPE,
              shell_redirects: str = "") -> subprocess.Popen[bytes]:
    """``main.py args`` with stderr piped; ``shell_redirects`` (e.g. ``<&-``) runs it through ``sh -c 'exec …'``."""
    command = [sys.executable, MAIN, *args]
    if shell_redirects:
        quoted = " ".join(_quote(part) for part in command)
        command = ["sh", "-c", f"exec {quoted} {shell_redirects}"]
    return subprocess.Popen(command, cwd=ROOT, env=cli_env(), stdin=stdin, stdout=stdout,  # type: ignore[arg-type]
                            stderr=subprocess.PIPE)


def _quote(part: str) -> str:
    return "'" + part.replace("'", "'\\''") + "'"


class StderrReader:
    """Collects a process's stderr on a thread, so it never blocks the process; lines can be awaited."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.data = bytearray()
        self._lock = threading.Lock()
        assert process.stderr is not None
        self._thread = threading.Thread(target=self._read, args=(process.stderr,), daemon=True)
        self._thread.start()

    def _read(self, stream: object) -> None:
        for line in iter(stream.readline, b""):  # type: ignore[attr-defined]
            with self._lock:
                self.data += line

    def text(self) -> bytes:
        with self._lock:
            return bytes(self.data)

    def wait_for(self, needle: bytes, timeout: float = 10) -> bytes:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if needle in self.text():
                return self.text()
            time.sleep(0.02)
        raise AssertionError(f"{needle!r} not on stderr within {timeout}s: {self.text()[-800:]!r}")

    def finish(self, timeout: float = 5) -> bytes:
        self._thread.join(timeout)
        return self.text()


def port_from(line: bytes) -> int:
    """The port in ``Listening on 127.0.0.1:PORT (TCP)`` or ``Bound to …``."""
    for word in line.split():
        host, _, port = word.rpartition(b":")
        if host and port.isdigit():
            return int(port)
    raise AssertionError(f"no port in {line!r}")


def wait_exit(process: subprocess.Popen[bytes], seconds: float) -> float | None:
    """Seconds until ``process`` ended (None if it did not within ``seconds``; then it is killed)."""
    start = time.monotonic()
    end = start + seconds
    while time.monotonic() < end:
        if process.poll() is not None:
            return time.monotonic() - start
        time.sleep(0.01)
    if process.poll() is not None:
        return time.monotonic() - start
    process.kill()
    process.wait(5)
    return None


def close_pipes(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
        process.wait(5)
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            stream.close()


def assert_no_crash(err: bytes) -> None:
    for mark in CRASH_MARKS:
        assert mark not in err, err[-1500:]


def send(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    if process.poll() is None:
        os.kill(process.pid, sig)


def connect(port: int, timeout: float = 5) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.settimeout(timeout)
    return sock


def recv_until(sock: socket.socket, needle: bytes, timeout: float = 5) -> bytes:
    """Read from ``sock`` until ``needle`` shows up or ``timeout`` passes; what came."""
    data = bytearray()
    end = time.monotonic() + timeout
    while needle not in data and time.monotonic() < end:
        sock.settimeout(max(0.01, end - time.monotonic()))
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            break
        if not chunk:
            break
        data += chunk
    return bytes(data)


def peak_rss(pid: int, until: Callable[[], bool], seconds: float) -> int:
    """Sample the resident memory of ``pid`` every 20 ms until ``until()`` or ``seconds``; the peak in bytes."""
    import psutil

    peak = 0
    end = time.monotonic() + seconds
    process = psutil.Process(pid)
    while time.monotonic() < end and not until():
        try:
            peak = max(peak, process.memory_info().rss)
        except psutil.Error:
            break
        time.sleep(0.02)
    return peak


def udp_receiver() -> tuple[socket.socket, int]:
    """A UDP socket on 127.0.0.1 with as large a receive buffer as the system allows."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
    sock.bind(("127.0.0.1", 0))
    return sock, sock.getsockname()[1]


def repo_path(*parts: str) -> Path:
    return ROOT.joinpath(*parts)

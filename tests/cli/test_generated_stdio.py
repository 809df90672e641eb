"""Generated: the stdin/stdout life of each CLI command under a hostile terminal (issue 7).

Hypothesis picks a command (tcp-server, tcp-client, udp), what its stdin is (closed,
/dev/null, a pipe with two lines then EOF, a pipe left open), what its stdout is
(closed, /dev/null, a pipe never read, a pipe read), whether a peer floods it with
data to show, and the signals it gets (none, SIGTERM, SIGINT, SIGINT twice). Each
example is a real ``main.py`` process with real sockets on 127.0.0.1. Asserted:

- it exits within 2 s of the last signal; with no signal, a command that should end
  by itself (tcp-client or ``udp -q`` after the end of stdin) does, and any other is
  then sent SIGTERM and must exit within 2 s of it;
- nothing on stderr looks like a crash (traceback, ``Fatal Python error``);
- the exit status is documented: 0 after a clean end or a first signal, 130 when a
  second Ctrl-C hurried the exit.

Bounded in CI (a few examples); ``SOCKETLAB_SOAK=1`` runs many more (the soak).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cli.stdio_helpers import StderrReader, assert_no_crash, close_pipes, port_from, start_cli, wait_exit

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and pipes")

SOAK = os.environ.get("SOCKETLAB_SOAK") == "1"
settings.register_profile("stdio-ci", max_examples=8, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("stdio-soak", max_examples=300, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
EXIT_SECONDS = 2.0
BURST_LINES = 300
"""About 300 kB to show: more than a pipe holds, so an unread stdout blocks."""
LINES = b"one\ntwo\n"


@dataclass(frozen=True)
class Case:
    command: str
    stdin: str
    stdout: str
    flood: bool
    signals: tuple[signal.Signals, ...]

    def ends_by_itself(self) -> bool:
        """Does the command end on its own (no signal)?"""
        if self.stdin == "open" or self.command == "tcp-server":
            return False
        if self.command == "tcp-client":  # it half-closes; the server closes; output must be written first
            return not (self.flood and self.stdout == "unread")
        return True  # udp -q: quits after the end of stdin, blocked output or not

    def statuses(self) -> set[int]:
        return {0, 130} if len(self.signals) > 1 else {0}


cases = st.builds(
    Case,
    command=st.sampled_from(["tcp-server", "tcp-client", "udp"]),
    stdin=st.sampled_from(["closed", "devnull", "lines", "open"]),
    stdout=st.sampled_from(["closed", "devnull", "unread", "read"]),
    flood=st.booleans(),
    signals=st.sampled_from([(), (signal.SIGTERM,), (signal.SIGINT,), (signal.SIGINT, signal.SIGINT)]),
)


class Peer:
    """The other side: a TCP server for tcp-client, a TCP client for tcp-server, a UDP socket for udp."""

    def __init__(self, case: Case) -> None:
        self.case = case
        self.stop = threading.Event()
        self.sockets: list[socket.socket] = []
        self.threads: list[threading.Thread] = []
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.sockets.append(self.udp)
        self.listener: socket.socket | None = None
        self.accepted = threading.Event()
        if case.command == "tcp-client":
            self.listener = socket.create_server(("127.0.0.1", 0))
            self.listener.settimeout(0.2)
            self.sockets.append(self.listener)
            self._thread(self._serve)

    def args(self) -> list[str]:
        if self.case.command == "tcp-server":
            return ["tcp-server", "--host", "127.0.0.1", "--port", "0"]
        if self.case.command == "tcp-client":
            assert self.listener is not None
            return ["tcp-client", "127.0.0.1", str(self.listener.getsockname()[1])]
        return ["udp", "--bind", "127.0.0.1:0", "--to", f"127.0.0.1:{self.udp.getsockname()[1]}", "-q", "0.3"]

    def _thread(self, target: object) -> None:
        thread = threading.Thread(target=target, daemon=True)  # type: ignore[arg-type]
        thread.start()
        self.threads.append(thread)

    def _serve(self) -> None:
        """tcp-client's server: a burst (if asked), then read until the client's FIN, then close."""
        assert self.listener is not None
        conn = None
        while conn is None and not self.stop.is_set():
            with contextlib.suppress(TimeoutError):
                conn, _ = self.listener.accept()
        if conn is None:
            return
        self.sockets.append(conn)
        self.accepted.set()
        with conn, contextlib.suppress(OSError):
            if self.case.flood:
                conn.sendall((b"f" * 999 + b"\n") * BURST_LINES)
            _read_until_fin(conn, self.stop)

    def poke(self, process: subprocess.Popen[bytes], err: StderrReader) -> None:
        """Start talking to the command once it is ready."""
        if self.case.command == "tcp-server":
            port = _listening_port(process)
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            self.sockets.append(sock)
            if self.case.flood:
                self._thread(lambda: _send_lines(sock, self.stop))
        elif self.case.command == "tcp-client":
            assert self.accepted.wait(10), f"the client never connected: {err.text()[-600:]!r}"
        else:
            port = port_from(err.wait_for(b"Bound to"))
            if self.case.flood:
                self._thread(lambda: _send_datagrams(self.udp, port, self.stop))

    def close(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(5)
        for sock in self.sockets:
            sock.close()


def _read_until_fin(conn: socket.socket, stop: threading.Event) -> None:
    conn.settimeout(0.2)
    while not stop.is_set():
        try:
            if not conn.recv(65536):
                return
        except TimeoutError:
            continue


def _send_lines(sock: socket.socket, stop: threading.Event) -> None:
    with contextlib.suppress(OSError):
        for _ in range(BURST_LINES):
            if stop.is_set():
                return
            sock.sendall(b"g" * 999 + b"\n")


def _send_datagrams(sock: socket.socket, port: int, stop: threading.Event) -> None:
    with contextlib.suppress(OSError):
        for _ in range(BURST_LINES):
            if stop.is_set():
                return
            sock.sendto(b"d" * 1000, ("127.0.0.1", port))
            time.sleep(0.0005)


def _listening_port(process: subprocess.Popen[bytes]) -> int:
    import psutil

    end = time.monotonic() + 10
    while time.monotonic() < end:
        with contextlib.suppress(psutil.Error):
            for conn in psutil.Process(process.pid).net_connections("tcp"):
                if conn.status == psutil.CONN_LISTEN:
                    return int(conn.laddr.port)
        time.sleep(0.02)
    raise AssertionError("the server never listened")


@contextlib.contextmanager
def launched(case: Case, peer: Peer) -> Iterator[tuple[subprocess.Popen[bytes], StderrReader]]:
    redirects = " ".join(r for r, on in (("<&-", case.stdin == "closed"), (">&-", case.stdout == "closed")) if on)
    stdin = {"closed": None, "devnull": subprocess.DEVNULL}.get(case.stdin, subprocess.PIPE)
    stdout = {"closed": None, "devnull": subprocess.DEVNULL}.get(case.stdout, subprocess.PIPE)
    process = start_cli(peer.args(), stdin=stdin, stdout=stdout, shell_redirects=redirects)
    err = StderrReader(process)
    if case.stdout == "read":
        threading.Thread(target=lambda: process.stdout.read() if process.stdout else b"", daemon=True).start()
    try:
        yield process, err
    finally:
        close_pipes(process)


def _feed_stdin(case: Case, process: subprocess.Popen[bytes]) -> None:
    if case.stdin == "lines" and process.stdin is not None:
        with contextlib.suppress(OSError):
            process.stdin.write(LINES)
            process.stdin.close()


def _signal_and_wait(case: Case, process: subprocess.Popen[bytes]) -> tuple[float | None, str]:
    """Send the case's signals (or, for a command that should end by itself, none); seconds to exit."""
    if not case.signals and case.ends_by_itself():
        return wait_exit(process, 8), "by itself"
    for number, sig in enumerate(case.signals or (signal.SIGTERM,)):
        if number:
            time.sleep(0.05)
        if process.poll() is None:
            os.kill(process.pid, sig)
    return wait_exit(process, 8), "after the last signal"


@settings(settings.get_profile("stdio-soak" if SOAK else "stdio-ci"))
@given(case=cases)
def test_stdio_life(case: Case) -> None:
    peer = Peer(case)
    try:
        with launched(case, peer) as (process, err):
            peer.poke(process, err)
            _feed_stdin(case, process)
            time.sleep(0.6)  # the burst arrives; an unread stdout fills up
            seconds, how = _signal_and_wait(case, process)
            text = err.finish()
            assert seconds is not None, f"{case}: did not exit {how}; stderr {text[-800:]!r}"
            if how != "by itself":
                assert seconds < EXIT_SECONDS, f"{case}: exit took {seconds:.2f}s {how}"
            assert_no_crash(text)
            assert process.returncode in case.statuses(), (case, process.returncode, text[-800:])
    finally:
        peer.close()
